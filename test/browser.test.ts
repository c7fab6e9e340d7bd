// The browser lookup the report's browser test uses, on fake PATH directories: found both ways
// (CHROME_PATH, each command name on PATH, in order) and not found, and when CI requires one.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { browserRequired, findBrowser } from './browser.ts';

const root = mkdtempSync(path.join(tmpdir(), 'fence-browser-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A directory holding the given files, executable unless named in `plain`. */
function binDir(name: string, files: string[], plain: string[] = []): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const file of [...files, ...plain]) {
    writeFileSync(path.join(dir, file), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(dir, file), plain.includes(file) ? 0o644 : 0o755);
  }
  return dir;
}

describe('findBrowser', () => {
  const empty = binDir('empty', ['node']);
  const chrome = binDir('chrome', ['google-chrome']);
  const ubuntu = binDir('ubuntu', ['chromium-browser']);
  const debian = binDir('debian', ['chromium']);
  const notExecutable = binDir('plain', [], ['chromium']);

  it('finds none on a PATH without a browser, and says what to install', () => {
    const lookup = findBrowser({ PATH: [empty, notExecutable].join(path.delimiter) });
    expect(lookup.found).toBe(false);
    expect(!lookup.found && lookup.problem).toMatch(/none of chromium, chromium-browser, google-chrome on PATH.*apt-get install chromium/);
    expect(findBrowser({}).found).toBe(false);
  });

  it('finds chromium, then chromium-browser, then google-chrome, whatever the PATH order', () => {
    expect(findBrowser({ PATH: [empty, chrome].join(path.delimiter) })).toEqual({ found: true, path: path.join(chrome, 'google-chrome'), via: 'google-chrome on PATH' });
    expect(findBrowser({ PATH: [chrome, ubuntu].join(path.delimiter) })).toMatchObject({ path: path.join(ubuntu, 'chromium-browser') });
    expect(findBrowser({ PATH: [chrome, ubuntu, debian].join(path.delimiter) })).toMatchObject({ path: path.join(debian, 'chromium') });
  });

  it('takes CHROME_PATH first, and rejects one that is not an executable file', () => {
    const chosen = path.join(chrome, 'google-chrome');
    expect(findBrowser({ CHROME_PATH: chosen, PATH: debian })).toEqual({ found: true, path: chosen, via: 'CHROME_PATH' });
    for (const bad of [path.join(notExecutable, 'chromium'), path.join(root, 'missing'), debian]) {
      const lookup = findBrowser({ CHROME_PATH: bad, PATH: debian });
      expect(lookup.found).toBe(false);
      expect(!lookup.found && lookup.problem).toContain(`CHROME_PATH=${bad} is not an executable file`);
    }
  });

  it('requires a browser when CI is set to anything but false', () => {
    expect(browserRequired({})).toBe(false);
    expect(browserRequired({ CI: '' })).toBe(false);
    expect(browserRequired({ CI: 'false' })).toBe(false);
    expect(browserRequired({ CI: '0' })).toBe(false);
    expect(browserRequired({ CI: 'true' })).toBe(true);
    expect(browserRequired({ CI: '1' })).toBe(true);
  });
});

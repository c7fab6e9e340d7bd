// Which Chromium or Chrome the browser tests drive: CHROME_PATH when set, else the first of
// chromium, chromium-browser, google-chrome on PATH (Debian, Ubuntu and Fedora, Google's
// package). playwright-core downloads no browser of its own, so one must be installed.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export const BROWSER_COMMANDS = ['chromium', 'chromium-browser', 'google-chrome'] as const;

export const INSTALL_HINT =
  'install Chromium (Debian/Ubuntu: apt-get install chromium; Fedora: dnf install chromium) ' +
  'or Google Chrome, or point CHROME_PATH at one';

export type BrowserLookup =
  | { found: true; path: string; via: string }
  | { found: false; problem: string };

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks the browser up as the README says; `env` is the environment to read (for tests). */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): BrowserLookup {
  const chosen = env['CHROME_PATH'];
  if (chosen) {
    // an explicit choice that does not work is an error, not a reason to pick another browser
    return isExecutableFile(chosen)
      ? { found: true, path: chosen, via: 'CHROME_PATH' }
      : { found: false, problem: `CHROME_PATH=${chosen} is not an executable file; ${INSTALL_HINT}` };
  }
  const dirs = (env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  for (const command of BROWSER_COMMANDS) {
    for (const dir of dirs) {
      const file = path.join(dir, command);
      if (isExecutableFile(file)) return { found: true, path: file, via: `${command} on PATH` };
    }
  }
  return { found: false, problem: `no browser found (CHROME_PATH unset; none of ${BROWSER_COMMANDS.join(', ')} on PATH); ${INSTALL_HINT}` };
}

/** CI must run the browser tests: a missing browser fails there instead of skipping. */
export function browserRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

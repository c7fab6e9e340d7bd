// The kernel's own LKMM litmus tests (../shared/litmus/lkmm: 35 current, 8 historical) under
// every model, with the agreement pinned: a model change that flips any verdict fails here.
// weak must agree with each test's Result: line except the known gaps (README "Memory
// models"); sc and tso must never allow what LKMM forbids (LKMM is sound for every
// architecture), and allow exactly the outcomes those machines allow.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { litmusFiles, litmusResult } from '../src/cli/litmus.ts';
import { parseLitmus } from '../src/litmus/parser.ts';
import type { LitmusResult, LitmusResults, ModelName } from '../src/results/types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(ROOT, '../shared/litmus/lkmm');
const BIN = path.join(ROOT, 'bin/fence-lab.js');

/** The pinned agreement of the weak model with LKMM: 42 of 43, LB+poonceonces the gap. */
const WEAK_AGREES = 42;
const WEAK_DISAGREES = ['LB+poonceonces'];
/** What x86-TSO allows of LKMM's Sometimes tests: store->load reordering only. */
const TSO_SOMETIMES = ['R+poonceonces', 'SB+poonceonces', 'SB+rfionceonce-poonceonces'];

const files = litmusFiles([CORPUS]);
const results: Record<ModelName, LitmusResult[]> = { sc: [], tso: [], weak: [] };

function runAll(model: ModelName): LitmusResult[] {
  return files.map((file) => litmusResult(path.relative(CORPUS, file), parseLitmus(readFileSync(file, 'utf8'), file), model).result);
}

describe('the LKMM corpus', () => {
  it('has 43 files (35 current, 8 historical), each with a Result: line', () => {
    expect(files).toHaveLength(43);
    expect(files.filter((f) => f.includes(`${path.sep}historical${path.sep}`))).toHaveLength(8);
  });

  describe('under weak', () => {
    beforeAll(() => {
      results.weak = runAll('weak');
    });

    it(`agrees with LKMM on ${WEAK_AGREES} of 43; the disagreements are the known gaps`, () => {
      const bad = results.weak.filter((r) => !r.agrees).map((r) => r.name);
      expect(bad).toEqual(WEAK_DISAGREES);
      expect(results.weak.filter((r) => r.agrees)).toHaveLength(WEAK_AGREES);
    });

    it('finds every LKMM-Sometimes outcome it covers, and no LKMM-Never one', () => {
      for (const r of results.weak) {
        if (r.expected === 'Never') expect(r.positive, r.name).toBe(0);
        if (r.expected === 'Sometimes' && !WEAK_DISAGREES.includes(r.name)) expect(r.positive, r.name).toBeGreaterThan(0);
      }
    });

    it('a historical test and its renamed current twin give the same verdict and witnesses', () => {
      const byName = new Map(results.weak.map((r) => [r.name, r]));
      const twins: [string, string][] = [
        ['SB+mbonceonces', 'SB+fencembonceonces'],
        ['MP+wmbonceonce+rmbonceonce', 'MP+fencewmbonceonce+fencermbonceonce'],
        ['Z6.0+pooncerelease+poacquirerelease+mbonceonce', 'Z6.0+pooncerelease+poacquirerelease+fencembonceonce'],
      ];
      for (const [old, current] of twins) {
        const a = byName.get(old)!;
        const b = byName.get(current)!;
        expect([a.observed, a.positive, a.negative, a.executions]).toEqual([b.observed, b.positive, b.negative, b.executions]);
      }
    });
  });

  describe.each(['sc', 'tso'] as const)('under %s', (model) => {
    beforeAll(() => {
      results[model] = runAll(model);
    });

    it('never allows what LKMM forbids', () => {
      for (const r of results[model].filter((x) => x.expected === 'Never')) expect(r.observed, r.name).toBe('Never');
    });

    it('allows exactly the outcomes the machine allows', () => {
      const sometimes = results[model].filter((r) => r.observed === 'Sometimes').map((r) => r.name).sort();
      expect(sometimes).toEqual(model === 'sc' ? [] : TSO_SOMETIMES);
    });
  });
});

describe('fence-lab litmus', () => {
  const run = promisify(execFile);
  async function fenceLab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run('node', [BIN, 'litmus', ...args], { cwd: ROOT, maxBuffer: 16 << 20 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('prints the JSON contract and exits 1 when a test disagrees with its Result: line', async () => {
    const { code, stdout } = await fenceLab([path.join(CORPUS, 'LB+poonceonces.litmus'), path.join(CORPUS, 'SB+poonceonces.litmus'), '--json']);
    expect(code).toBe(1);
    const { results: rows } = JSON.parse(stdout) as LitmusResults;
    expect(rows.map((r) => Object.keys(r).sort())).toEqual(
      Array(2).fill(['agrees', 'executions', 'expected', 'file', 'model', 'ms', 'name', 'negative', 'observed', 'positive']),
    );
    expect(rows.map((r) => [r.name, r.model, r.expected, r.observed, r.agrees, r.positive, r.negative])).toEqual([
      ['LB+poonceonces', 'weak', 'Sometimes', 'Never', false, 0, 3],
      ['SB+poonceonces', 'weak', 'Sometimes', 'Sometimes', true, 1, 3],
    ]);
  });

  it("prints herd7's Observation line and exits 0 when every test agrees", async () => {
    const { code, stdout } = await fenceLab([path.join(CORPUS, 'SB+fencembonceonces.litmus'), '--model', 'sc,tso,weak']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Observation SB\+fencembonceonces Never 0 3 +\[sc\] expected Never: agrees/m);
    expect(stdout).toMatch(/^Observation SB\+fencembonceonces Never 0 3 +\[weak\]/m);
    expect(stdout).toMatch(/^weak: 1 of 1 agree/m);
  });

  it('exits 2 on a missing file or an unknown model', async () => {
    expect((await fenceLab(['no-such.litmus'])).code).toBe(2);
    const bad = await fenceLab([CORPUS, '--model', 'arm']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown --model 'arm'/);
  });
});

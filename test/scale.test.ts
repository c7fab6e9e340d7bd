// Running at scale: the worker pool gives the same results in the same order whatever --jobs is,
// shards merge into exactly one run's results, and Ctrl-C leaves a valid partial results file.
// Every CLI run here is a few cells of the R9 scenario and a race-free fixture scenario.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseResultsFile } from '../src/results/schema.ts';
import type { CheckResults } from '../src/results/types.ts';
import { runTasks, task } from '../src/sim/pool.ts';
import { parseShard, shardPositions } from '../src/cli/shard.ts';
import { FIXTURES } from './helpers.ts';

const ROOT = path.resolve(FIXTURES, '../..');
const BIN = path.join(ROOT, 'bin/fence-lab.js');
const TASKS = path.join(FIXTURES, 'scale/tasks.ts');
const execFileP = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function fenceLab(args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileP('node', [BIN, ...args], { cwd: ROOT, maxBuffer: 64 << 20, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as Run;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** 3 variants x 2 scenarios under SC: 3 quick violations (R9) and 3 passes of a fixed budget. */
const MATRIX = [
  'check',
  '--variant', 'current-shared-lock', '--variant', 'test/fixtures/scale/alpha.ts', '--variant', 'test/fixtures/scale/beta.ts',
  '--scenario', 'is-signaled-put-uaf', '--scenario', 'test/fixtures/scale/held-ref-signal.ts',
  '--model', 'sc', '--strategy', 'random',
];
const CELLS = 6;

/** Timings are the only thing allowed to differ between runs. */
const withoutTimes = (r: CheckResults) => JSON.stringify({ ...r, results: r.results.map((c) => ({ ...c, ms: 0 })) });
const textWithoutTimes = (s: string) => s.replace(/\d+(\.\d+)? ms/g, '_ ms');

const tmp = () => mkdtempSync(path.join(tmpdir(), 'fence-lab-scale-'));

describe('the worker pool', () => {
  it('hands results back in task order, whatever order they finish in', async () => {
    const waits = [300, 200, 100, 0];
    const tasks = waits.map((ms, i) => task(TASKS, 'after', ms, `t${i}`));
    for (const jobs of [1, 2]) {
      const order: number[] = [];
      const settled: number[] = [];
      const out = await runTasks<{ value: string; thread: number }>(tasks, { jobs, onResult: (i) => order.push(i), onSettle: (i) => settled.push(i) });
      expect(out.results.map((r) => r!.value)).toEqual(['t0', 't1', 't2', 't3']);
      expect(order).toEqual([0, 1, 2, 3]);
      expect(out).toMatchObject({ finished: 4, interrupted: false });
      if (jobs === 1) expect(new Set(out.results.map((r) => r!.thread))).toEqual(new Set([0]));
      else {
        expect(settled).not.toEqual([0, 1, 2, 3]);
        expect(out.results.every((r) => r!.thread !== 0)).toBe(true);
      }
    }
  });

  it('rejects with the error of a task that throws', async () => {
    await expect(runTasks([task(TASKS, 'after', 50, 'a'), task(TASKS, 'fails', 'boom')], { jobs: 2 })).rejects.toThrow('boom');
  });

  it('stops at an abort and returns what finished', async () => {
    const abort = new AbortController();
    const tasks = [task(TASKS, 'after', 0, 'quick'), task(TASKS, 'after', 60_000, 'slow'), task(TASKS, 'after', 60_000, 'slow')];
    const started = performance.now();
    const out = await runTasks<{ value: string }>(tasks, { jobs: 2, signal: abort.signal, onSettle: () => abort.abort() });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(out.interrupted).toBe(true);
    expect(out.results.map((r) => r?.value)).toEqual(['quick', undefined, undefined]);
  });
});

describe('sharding', () => {
  it('slices the plan round-robin', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('0/3')).toThrow(/1 <= i <= n/);
    expect(() => parseShard('4/3')).toThrow(/1 <= i <= n/);
    expect([1, 2, 3].map((index) => shardPositions(7, { index, count: 3 }))).toEqual([[0, 3, 6], [1, 4], [2, 5]]);
  });
});

describe('fence-lab check at scale', () => {
  it('gives the same verdicts, in the same order, with --jobs 1 and --jobs 2; shards 1/3..3/3 merge into the same run', async () => {
    const dir = tmp();
    const args = [...MATRIX, '--executions', '2000'];
    const [one, two, textOne, textTwo] = await Promise.all([
      fenceLab([...args, '--jobs', '1', '--json']),
      fenceLab([...args, '--jobs', '2', '--json', '--out', path.join(dir, 'two.json')]),
      fenceLab([...args, '--jobs', '1']),
      fenceLab([...args, '--jobs', '2']),
    ]);
    expect([one.code, two.code, textOne.code, textTwo.code]).toEqual([0, 0, 0, 0]);
    const single = JSON.parse(one.stdout) as CheckResults;
    expect(single.results).toHaveLength(CELLS);
    expect(single.results.map((r) => `${r.variant}/${r.scenario}/${r.verdict}`)).toEqual([
      'current-shared-lock/is-signaled-put-uaf/violation',
      'alpha/is-signaled-put-uaf/violation',
      'beta/is-signaled-put-uaf/violation',
      'current-shared-lock/held-ref-signal/pass',
      'alpha/held-ref-signal/pass',
      'beta/held-ref-signal/pass',
    ]);
    expect(withoutTimes(JSON.parse(two.stdout) as CheckResults)).toBe(withoutTimes(single));
    expect(readFileSync(path.join(dir, 'two.json'), 'utf8')).toBe(`${two.stdout.trimEnd()}\n`);
    expect(textWithoutTimes(textTwo.stdout)).toBe(textWithoutTimes(textOne.stdout));

    const shards = await Promise.all([1, 2, 3].map((i) => fenceLab([...args, '--shard', `${i}/3`, '--jobs', String(1 + (i % 2)), '--out', path.join(dir, `shard${i}.json`)])));
    expect(shards.map((s) => s.code)).toEqual([0, 0, 0]);
    const shard2 = parseResultsFile(readFileSync(path.join(dir, 'shard2.json'), 'utf8'), 'shard2.json');
    expect(shard2.kind === 'check' && shard2.check.shard).toMatchObject({ index: 2, count: 3, planned: CELLS });
    const merged = await fenceLab(['merge', ...[3, 1, 2].map((i) => path.join(dir, `shard${i}.json`)), '--json', '--out', path.join(dir, 'merged.json')]);
    expect(merged.code).toBe(0);
    expect(withoutTimes(JSON.parse(merged.stdout) as CheckResults)).toBe(withoutTimes(single));
    expect(withoutTimes(JSON.parse(readFileSync(path.join(dir, 'merged.json'), 'utf8')) as CheckResults)).toBe(withoutTimes(single));

    const missing = await fenceLab(['merge', path.join(dir, 'shard1.json'), path.join(dir, 'shard3.json')]);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('missing shard 2/3');
    const other = await fenceLab([...args.slice(0, -1), '2001', '--shard', '2/3', '--quiet', '--out', path.join(dir, 'other2.json')]);
    expect(other.code).toBe(0);
    const mixed = await fenceLab(['merge', path.join(dir, 'shard1.json'), path.join(dir, 'other2.json'), path.join(dir, 'shard3.json')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/are not shards of one run/);
    const notShard = await fenceLab(['merge', path.join(dir, 'two.json')]);
    expect(notShard.stderr).toMatch(/two\.json: not a shard/);
  });

  it('prints plain progress lines off a terminal, none with --quiet', async () => {
    const args = [...MATRIX, '--executions', '4000', '--jobs', '2'];
    const env = { FENCE_LAB_PROGRESS_MS: '100' };
    const [loud, quiet] = await Promise.all([fenceLab(args, env), fenceLab([...args, '--quiet'], env)]);
    expect([loud.code, quiet.code]).toEqual([0, 0]);
    expect(loud.stderr).toMatch(/^fence-lab check: \d\/6 cells/m);
    expect(loud.stderr).toMatch(/^fence-lab check: 6\/6 cells in \d/m);
    expect(loud.stderr).not.toContain('\x1b[');
    expect(quiet.stderr).toBe('');
  });

  it('on Ctrl-C stops the workers, prints the finished cells and writes valid partial results', async () => {
    const out = path.join(tmp(), 'partial.json');
    // The R9 cells finish in milliseconds; each held-ref-signal cell would take minutes.
    const child = spawn('node', [BIN, ...MATRIX, '--executions', '5000000', '--jobs', '2', '--out', out], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: performance.now() })));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
        if (stdout.includes('beta x is-signaled-put-uaf')) resolve();
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = performance.now();
    child.kill('SIGINT');
    const { code, at } = await exited;
    expect(code).toBe(130);
    expect(at - sent).toBeLessThan(10_000);
    expect(stdout).toMatch(/memory model: sc\nscenario +current-shared-lock +alpha +beta\nis-signaled-put-uaf +✗ use-after-free/);
    expect(stdout).toContain('3 cells: 3 as expected');
    expect(stderr).toContain('fence-lab check: interrupted: 3 of 6 cells finished; partial results in');
    const parsed = parseResultsFile(readFileSync(out, 'utf8'), out);
    expect(parsed.kind).toBe('check');
    const partial = (parsed as { check: CheckResults }).check;
    expect(partial.partial).toBe(true);
    expect(partial.results.map((r) => `${r.variant}/${r.scenario}`)).toEqual(['current-shared-lock/is-signaled-put-uaf', 'alpha/is-signaled-put-uaf', 'beta/is-signaled-put-uaf']);
  });
});

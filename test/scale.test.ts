// Running at scale: the worker pool gives the same results in the same order whatever --jobs is,
// shards merge into exactly one run's results, and Ctrl-C leaves a valid partial results file.
// Every CLI run here is a few cells of the R9 scenario and a race-free fixture scenario.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { run as merge } from '../src/cli/merge.ts';
import { parseResultsFile } from '../src/results/schema.ts';
import type { CheckResults } from '../src/results/types.ts';
import { runTasks, task } from '../src/sim/pool.ts';
import { parseShard, shardPositions } from '../src/cli/shard.ts';
import { formatDuration, formatRate, Progress } from '../src/cli/progress.ts';
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

describe('progress', () => {
  it('draws a live block on a terminal: done/total, executions/s per job, ETA, a line per job; clears it at the end', () => {
    let out = '';
    const stream = Object.assign(new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) }), { isTTY: true, columns: 100 });
    const progress = new Progress({ label: 'fence-lab check', unit: 'cells', total: 4, jobs: 2, mode: 'tty', stream });
    progress.start(0, 'current-shared-lock x is-signaled-put-uaf [sc]');
    progress.start(1, 'inline-lock x is-signaled-put-uaf [sc]');
    progress.finish(0, { executions: 3000, ms: 100 });
    expect(progress.summary()).toMatch(/^fence-lab check: 1\/4 cells, 30\.0k exec\/s per job, ETA \d/);
    const printed: string[] = [];
    progress.above(() => printed.push('a result'));
    expect(printed).toEqual(['a result']);
    expect(out).toMatch(/ {2}job 1 {2}idle\n {2}job 2 {2}inline-lock x is-signaled-put-uaf \[sc\] {2}\d+\.\ds\n/);
    expect(out).toContain('\x1b[3A\x1b[0J');
    progress.stop();
    expect(out.endsWith('\x1b[3A\x1b[0J')).toBe(true);
    expect([formatDuration(4_200), formatDuration(42_000), formatDuration(125_000), formatDuration(7_500_000)]).toEqual(['4.2s', '42s', '2m05s', '2h05m']);
    expect([formatRate(950), formatRate(21_300), formatRate(2_000_000)]).toEqual(['950', '21.3k', '2.0M']);
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
    const file = (name: string) => path.join(dir, `${name}.json`);
    // Text on stdout, JSON via --out; progress lines every 100 ms off a terminal, none with --quiet.
    const [one, two] = await Promise.all([
      fenceLab([...args, '--jobs', '1', '--quiet', '--out', file('one')], { FENCE_LAB_PROGRESS_MS: '100' }),
      fenceLab([...args, '--jobs', '2', '--out', file('two')], { FENCE_LAB_PROGRESS_MS: '100' }),
    ]);
    expect([one.code, two.code]).toEqual([0, 0]);
    const single = JSON.parse(readFileSync(file('one'), 'utf8')) as CheckResults;
    expect(single.results.map((r) => `${r.variant}/${r.scenario}/${r.verdict}`)).toEqual([
      'current-shared-lock/is-signaled-put-uaf/violation',
      'alpha/is-signaled-put-uaf/violation',
      'beta/is-signaled-put-uaf/violation',
      'current-shared-lock/held-ref-signal/pass',
      'alpha/held-ref-signal/pass',
      'beta/held-ref-signal/pass',
    ]);
    expect(withoutTimes(JSON.parse(readFileSync(file('two'), 'utf8')) as CheckResults)).toBe(withoutTimes(single));
    expect(textWithoutTimes(two.stdout)).toBe(textWithoutTimes(one.stdout));
    expect(one.stderr).toBe('');
    expect(two.stderr).toMatch(/^fence-lab check: \d\/6 cells/m);
    expect(two.stderr).toMatch(/^fence-lab check: 6\/6 cells in \d/m);
    expect(two.stderr).not.toContain('\x1b[');

    const shards = await Promise.all([1, 2, 3].map((i) => fenceLab([...args, '--shard', `${i}/3`, '--jobs', '1', '--quiet', '--json', '--out', file(`shard${i}`)])));
    expect(shards.map((s) => s.code)).toEqual([0, 0, 0]);
    expect(JSON.parse(shards[1]!.stdout).shard).toMatchObject({ index: 2, count: 3, planned: CELLS });
    const merged = await fenceLab(['merge', file('shard3'), file('shard1'), file('shard2'), '--json', '--out', file('merged')]);
    expect(merged.code).toBe(0);
    expect(withoutTimes(JSON.parse(merged.stdout) as CheckResults)).toBe(withoutTimes(single));
    expect(readFileSync(file('merged'), 'utf8')).toBe(`${merged.stdout.trimEnd()}\n`);
  });

  it('merge refuses files that are not the shards of one run', async () => {
    const dir = tmp();
    const cell = { variant: 'v', scenario: 's', model: 'sc', strategy: 'auto', verdict: 'pass', expected: 'pass', complete: true, executions: 1, ms: 1 };
    const write = (name: string, body: object) => {
      const f = path.join(dir, name);
      writeFileSync(f, JSON.stringify(body));
      return f;
    };
    const shard = (index: number, extra: object = {}) => ({ index, count: 3, planned: 4, plan: 'p1', ...extra });
    const s1 = write('s1.json', { results: [cell, cell], shard: shard(1) });
    const s2 = write('s2.json', { results: [cell], shard: shard(2) });
    const s3 = write('s3.json', { results: [cell], shard: shard(3) });
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await merge([s1, s2, s3])).toBe(0);
      expect(await merge([s1, s3])).toBe(2);
      expect(await merge([s1, s2, s2, s3])).toBe(2);
      expect(await merge([s1, write('o2.json', { results: [cell], shard: shard(2, { plan: 'p2' }) }), s3])).toBe(2);
      expect(await merge([s1, write('p2.json', { results: [], shard: shard(2), partial: true }), s3])).toBe(2);
      expect(await merge([s1, write('one.json', { results: [cell] }), s3])).toBe(2);
      expect(await merge([s1, write('bad.json', { results: [{ ...cell, verdict: 'maybe' }], shard: shard(2) }), s3])).toBe(2);
    } finally {
      spy.mockRestore();
      log.mockRestore();
    }
    expect(errors).toEqual([
      'fence-lab merge: missing shard 2/3',
      expect.stringMatching(/s2\.json and .*s2\.json are both shard 2\/3/),
      expect.stringMatching(/o2\.json \(shard 2\/3, plan p2, 4 cells\) and .*s1\.json \(shard 1\/3, plan p1, 4 cells\) are not shards of one run/),
      expect.stringMatching(/p2\.json: shard 2\/3 was interrupted \(partial results\); run it again/),
      expect.stringMatching(/one\.json: not a shard \(no "shard" field\)/),
      expect.stringMatching(/bad\.json: results\[0\]\.verdict: /),
    ]);
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

// Wall time of `fence-lab check` with --jobs 1 against --jobs 2 (issue 9's bar: the race group
// at least 1.5x faster with 2 jobs on a 2-core machine), and a check that both give the same
// results. Runs alternate (1, 2, 1, 2, ...) so a change in machine load hits both alike; the
// 1-minute load average before each run is printed, since a busy machine skews the ratio.
//
// Run: node --import tsx bench/jobs-speedup.ts [--reps N] [--all] [--jobs N] [-- extra check args]
//   default: the race group (--group races) with the default budgets, 2 repetitions each;
//   --all: also every scenario (both groups); --jobs N compares 1 with N (default 2).
// Numbers go in the issue notes; nothing here is asserted.

import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { CheckResults } from '../src/results/types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'fence-lab.js');
const run = promisify(execFile);

const { values, positionals } = parseArgs({
  options: { reps: { type: 'string', default: '2' }, all: { type: 'boolean', default: false }, jobs: { type: 'string', default: '2' } },
  allowPositionals: true,
});
const reps = Number(values.reps);
const jobsHigh = Number(values.jobs);

async function timeCheck(args: string[], jobs: number): Promise<{ seconds: number; results: CheckResults }> {
  const started = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await run('node', [BIN, 'check', ...args, '--jobs', String(jobs), '--quiet', '--json'], { cwd: ROOT, maxBuffer: 256 << 20 }));
  } catch (err) {
    // exit 1 (a verdict differs from its expectation) and 2 (a cell could not run) still print
    // the results; the cells that could not run are reported below
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if ((e.code !== 1 && e.code !== 2) || !e.stdout) throw new Error(`fence-lab check ${args.join(' ')} --jobs ${jobs} failed (exit ${e.code}): ${e.stderr}`);
    stdout = e.stdout;
  }
  return { seconds: (performance.now() - started) / 1000, results: JSON.parse(stdout) as CheckResults };
}

const withoutTimes = (r: CheckResults) => JSON.stringify(r.results.map((c) => ({ ...c, ms: 0 })));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function compare(label: string, args: string[]): Promise<void> {
  const times: Record<number, number[]> = { 1: [], [jobsHigh]: [] };
  let reference: CheckResults | null = null;
  let cells = 0;
  let executions = 0;
  let errors = 0;
  for (let rep = 0; rep < reps; rep++) {
    for (const jobs of [1, jobsHigh]) {
      const load = loadavg()[0]!.toFixed(2);
      const { seconds, results } = await timeCheck(args, jobs);
      times[jobs]!.push(seconds);
      cells = results.results.length;
      executions = results.results.reduce((n, r) => n + r.executions, 0);
      errors = results.results.filter((r) => r.error).length;
      if (reference === null) reference = results;
      else if (withoutTimes(results) !== withoutTimes(reference)) {
        // The tree may have changed under a long run (another engineer's edit): name the cells.
        const differ = results.results.flatMap((r, i) => {
          const ref = reference!.results[i];
          return ref && JSON.stringify({ ...r, ms: 0 }) === JSON.stringify({ ...ref, ms: 0 }) ? [] : [`${r.variant} x ${r.scenario} [${r.model}]`];
        });
        throw new Error(`${label}: --jobs ${jobs} gave different results from the first run (${results.results.length} vs ${reference.results.length} cells; differing: ${differ.slice(0, 10).join(', ')}${differ.length > 10 ? ', ...' : ''})`);
      }
      console.log(`  ${label} --jobs ${jobs}: ${seconds.toFixed(2)} s (load average before: ${load})`);
    }
  }
  const one = median(times[1]!);
  const many = median(times[jobsHigh]!);
  console.log(
    `${label}: ${cells} cells${errors ? ` (${errors} could not run)` : ''}, ${executions} executions; median --jobs 1 ${one.toFixed(2)} s, --jobs ${jobsHigh} ${many.toFixed(2)} s: ` +
      `${(one / many).toFixed(2)}x (best of each ${(Math.min(...times[1]!) / Math.min(...times[jobsHigh]!)).toFixed(2)}x, ` +
      `pairs ${times[1]!.map((t, i) => (t / times[jobsHigh]![i]!).toFixed(2)).join(' ')}); results identical\n`,
  );
}

console.log(`fence-lab check, --jobs 1 vs --jobs ${jobsHigh}, ${reps} repetition${reps === 1 ? '' : 's'} each, ${positionals.length ? `extra args: ${positionals.join(' ')}` : 'default budgets'}`);
await compare('race group (--group races)', ['--group', 'races', ...positionals]);
if (values.all) await compare('all scenarios', positionals);

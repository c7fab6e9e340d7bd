// How a command runs many tasks (verdict cells, litmus tests): on the worker pool with --jobs,
// with progress on stderr, and stoppable with Ctrl-C. Results come back in task order whatever
// the number of jobs; an interrupted run returns the tasks that finished.
//
//   const { results, interrupted } = await runReported(tasks, {
//     jobs, progress: progressMode(quiet), label: 'fence-lab litmus', unit: 'tests',
//     name: (i) => files[i], stats: (r) => r,          // { executions, ms } of a result
//     onResult: (r, i, progress) => progress.above(() => print(r)),
//   });

import type { CheckResult } from '../results/types.ts';
import type { Cell } from '../sim/cells.ts';
import type { CheckOptions } from '../sim/check.ts';
import { runTasks, task, type Task } from '../sim/pool.ts';
import { Progress, type ProgressMode } from './progress.ts';

export interface ReportedRunOptions<R> {
  jobs: number;
  progress: ProgressMode;
  /** names the command in progress lines: "fence-lab check" */
  label: string;
  /** what a task is, plural: "cells", "tests" */
  unit: string;
  /** what task i is, for the live per-job lines */
  name(index: number): string;
  /** a result's executions and its own run time, for executions/s */
  stats(result: R): { executions: number; ms: number };
  /**
   * Each finished task, in task order. After an interruption, the tasks that finished out of
   * order follow (still in task order among themselves).
   */
  onResult?(result: R, index: number, progress: Progress): void;
}

export interface ReportedRun<R> {
  /** the results of the tasks that finished, in task order */
  results: R[];
  /** Ctrl-C stopped the run before every task finished */
  interrupted: boolean;
}

export async function runReported<R>(tasks: readonly Task[], run: ReportedRunOptions<R>): Promise<ReportedRun<R>> {
  const jobs = Math.max(1, Math.min(run.jobs, tasks.length));
  const progress = new Progress({ label: run.label, unit: run.unit, total: tasks.length, jobs, mode: run.progress });
  const delivered = new Set<number>();
  // Ctrl-C: stop the workers and return what finished. A second Ctrl-C leaves at once.
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
    progress.stop();
    process.stderr.write(`\n${run.label}: interrupted; stopping the workers (Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', onSigint);
  let outcome;
  try {
    outcome = await runTasks<R>(tasks, {
      jobs,
      signal: abort.signal,
      onStart: (i, slot) => progress.start(slot, run.name(i)),
      onSettle: (_i, r, slot) => progress.finish(slot, run.stats(r)),
      onResult: (i, r) => {
        delivered.add(i);
        run.onResult?.(r, i, progress);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
  }
  const results: R[] = [];
  outcome.results.forEach((r, i) => {
    if (r === undefined) return;
    results.push(r);
    if (!delivered.has(i)) run.onResult?.(r, i, progress);
  });
  return { results, interrupted: outcome.interrupted };
}

const CELLS_MODULE = new URL('../sim/cells.ts', import.meta.url);

function cellName(cell: Cell): string {
  const name = (p: string) => p.replace(/^.*\//, '').replace(/\.ts$/, '');
  return `${name(cell.variant)} x ${name(cell.scenario)} [${cell.model}]`;
}

export interface RunCellsOptions {
  jobs: number;
  progress: ProgressMode;
  label: string;
  /** each finished cell, in plan order (see ReportedRunOptions.onResult) */
  onResult?(result: CheckResult, progress: Progress): void;
}

/** Verdict cells (check, report): `runCell` on the pool. */
export function runCells(cells: readonly Cell[], options: Omit<CheckOptions, 'model'>, run: RunCellsOptions): Promise<ReportedRun<CheckResult>> {
  return runReported<CheckResult>(
    cells.map((cell) => task(CELLS_MODULE, 'runCell', cell, options)),
    {
      jobs: run.jobs,
      progress: run.progress,
      label: run.label,
      unit: 'cells',
      name: (i) => cellName(cells[i]!),
      stats: (r) => r,
      ...(run.onResult ? { onResult: (r: CheckResult, _i: number, p: Progress) => run.onResult!(r, p) } : {}),
    },
  );
}

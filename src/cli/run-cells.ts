// Runs planned cells of the verdict matrix for a command (check, report): on the worker pool
// with --jobs, with progress on stderr, and stoppable with Ctrl-C. Results come back in plan
// order whatever the number of jobs; an interrupted run returns the cells that finished.

import type { CheckResult } from '../results/types.ts';
import type { Cell } from '../sim/cells.ts';
import type { CheckOptions } from '../sim/check.ts';
import { runTasks, task } from '../sim/pool.ts';
import { Progress, type ProgressMode } from './progress.ts';

const CELLS_MODULE = new URL('../sim/cells.ts', import.meta.url);

export interface RunCellsOptions {
  jobs: number;
  progress: ProgressMode;
  /** names the command in progress lines */
  label: string;
  /**
   * Each finished cell, in plan order. After an interruption, the cells that finished out of
   * order follow (still in plan order among themselves).
   */
  onResult?(result: CheckResult, progress: Progress): void;
}

export interface CellsRun {
  /** the cells that finished, in plan order */
  results: CheckResult[];
  /** Ctrl-C stopped the run before every cell finished */
  interrupted: boolean;
}

function cellName(cell: Cell): string {
  const name = (p: string) => p.replace(/^.*\//, '').replace(/\.ts$/, '');
  return `${name(cell.variant)} x ${name(cell.scenario)} [${cell.model}]`;
}

export async function runCells(cells: readonly Cell[], options: Omit<CheckOptions, 'model'>, run: RunCellsOptions): Promise<CellsRun> {
  const jobs = Math.max(1, Math.min(run.jobs, cells.length));
  const progress = new Progress({ label: run.label, unit: 'cells', total: cells.length, jobs, mode: run.progress });
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
    outcome = await runTasks<CheckResult>(
      cells.map((cell) => task(CELLS_MODULE, 'runCell', cell, options)),
      {
        jobs,
        signal: abort.signal,
        onStart: (i, slot) => progress.start(slot, cellName(cells[i]!)),
        onSettle: (_i, r, slot) => progress.finish(slot, r),
        onResult: (i, r) => {
          delivered.add(i);
          run.onResult?.(r, progress);
        },
      },
    );
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
  }
  const results: CheckResult[] = [];
  outcome.results.forEach((r, i) => {
    if (!r) return;
    results.push(r);
    if (!delivered.has(i)) run.onResult?.(r, progress);
  });
  return { results, interrupted: outcome.interrupted };
}

// The worker pool: runs independent tasks on every core (piscina worker threads) and hands the
// results back in task order, so what a command prints never depends on scheduling.
//
// API (used by `check` and `report` for verdict cells; `litmus` and `bench` use it the same way):
//
//   const tasks = files.map((f) => task(import.meta.resolve('../litmus/run.ts'), 'runLitmusFile', f, opts));
//   const { results, interrupted } = await runTasks<LitmusResult>(tasks, { jobs, signal, onResult });
//
// - A task is a module (an absolute path or a file: URL of a .ts or .js module), the name of a
//   function it exports, and that function's arguments. The function may be async; arguments
//   and result must survive structured cloning (plain data: no classes, no functions). The
//   worker imports the module itself, so each worker loads (and bundles) what it needs once.
// - `jobs` workers run at once; a task goes to the next free worker (tasks vary a lot in cost,
//   so they are handed out one at a time, never pre-split). `jobs: 1` runs every task here, in
//   this thread, one after another: no workers, so a debugger and in-process tests see it all.
// - `results[i]` is task i's result, whatever order they finished in. `onResult` sees them in
//   task order too (a result that finishes early waits for the ones before it); `onStart` and
//   `onSettle` see them as they happen, with the slot (0..jobs-1) that ran them: progress.
// - `signal` aborts the run: workers are terminated at once (even mid-task), nothing more is
//   started, and `runTasks` resolves with `interrupted: true` and the results that finished
//   (`undefined` elsewhere). With `jobs: 1` a task cannot be stopped midway: the abort takes
//   effect when the running task returns.
// - A task that throws rejects `runTasks` with its error (the other workers are stopped): tasks
//   turn expected failures into data themselves, as `runCell` does for bad input.

import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';

export interface Task {
  /** file: URL of the module */
  module: string;
  /** the exported function to call */
  fn: string;
  args: unknown[];
}

/** A task calling `fn(...args)` from `module` (a path or a file: URL, e.g. `import.meta.resolve(...)`). */
export function task(module: string | URL, fn: string, ...args: unknown[]): Task {
  const href = module instanceof URL ? module.href : module.startsWith('file:') ? module : pathToFileURL(module).href;
  return { module: href, fn, args };
}

/** The default for --jobs: one worker per core the process may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

export interface RunTasksOptions<R> {
  /** workers at once; 1 = in this thread, no workers. Capped at the number of tasks. */
  jobs: number;
  /** aborting stops the run and resolves with what finished */
  signal?: AbortSignal;
  /** a task starts on a slot (0..jobs-1) */
  onStart?(index: number, slot: number): void;
  /** a task finished (completion order) */
  onSettle?(index: number, result: R, slot: number): void;
  /** results in task order: called for task i only after tasks 0..i-1 */
  onResult?(index: number, result: R): void;
}

export interface TasksOutcome<R> {
  /** by task index; `undefined` for tasks that did not finish (interrupted run) */
  results: (R | undefined)[];
  /** how many finished */
  finished: number;
  interrupted: boolean;
}

const WORKER = fileURLToPath(new URL('./pool-worker.js', import.meta.url));

/** Calls a task's function in this thread (jobs 1, and the worker's own entry). */
export async function callTask(t: Task): Promise<unknown> {
  const mod = (await import(t.module)) as Record<string, unknown>;
  const fn = mod[t.fn];
  if (typeof fn !== 'function') throw new Error(`[lab internal bug] ${t.module} exports no function '${t.fn}'`);
  return (fn as (...args: unknown[]) => unknown)(...t.args);
}

export async function runTasks<R>(tasks: readonly Task[], options: RunTasksOptions<R>): Promise<TasksOutcome<R>> {
  const results: (R | undefined)[] = new Array(tasks.length).fill(undefined);
  const done: boolean[] = new Array(tasks.length).fill(false);
  let finished = 0;
  let delivered = 0;
  const settle = (index: number, result: R, slot: number) => {
    results[index] = result;
    done[index] = true;
    finished++;
    options.onSettle?.(index, result, slot);
    while (delivered < tasks.length && done[delivered]) {
      options.onResult?.(delivered, results[delivered] as R);
      delivered++;
    }
  };
  const jobs = Math.max(1, Math.min(options.jobs, tasks.length));
  const signal = options.signal;
  if (jobs === 1) {
    for (let i = 0; i < tasks.length; i++) {
      // A turn of the event loop between tasks, so a signal handler (Ctrl-C) gets to run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) break;
      options.onStart?.(i, 0);
      settle(i, (await callTask(tasks[i]!)) as R, 0);
    }
    return { results, finished, interrupted: finished < tasks.length };
  }

  const pool = new Piscina<Task, R>({ filename: WORKER, minThreads: jobs, maxThreads: jobs, idleTimeout: Infinity });
  let next = 0;
  let failure: { error: unknown } | null = null;
  let stopped = false;
  let wake: () => void = () => {};
  const stop = new Promise<void>((resolve) => (wake = resolve));
  const onAbort = () => {
    stopped = true;
    wake();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();

  const worker = async (slot: number): Promise<void> => {
    while (!stopped && next < tasks.length) {
      const index = next++;
      options.onStart?.(index, slot);
      let result: R;
      try {
        result = await pool.run(tasks[index]!);
      } catch (error) {
        if (!stopped) {
          failure ??= { error };
          stopped = true;
          wake();
        }
        return;
      }
      if (stopped) return;
      settle(index, result, slot);
    }
  };
  const all = Promise.all(Array.from({ length: jobs }, (_, slot) => worker(slot)));
  await Promise.race([all, stop]);
  signal?.removeEventListener('abort', onAbort);
  // Terminates the workers, mid-task if need be; tasks still running reject (ignored above).
  await pool.destroy();
  await all;
  if (failure) throw (failure as { error: unknown }).error;
  return { results, finished, interrupted: finished < tasks.length };
}

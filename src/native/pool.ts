// Worker threads for native runs. A NativePool keeps workers alive between jobs (starting one
// costs ~0.2 s: tsx and the lab's modules load in each), runs each job on an idle worker and
// starts another when none is idle, so N jobs submitted together run on N threads at once.
// A job that throws rejects with the worker's error; a worker that dies rejects its job and is
// replaced; the other jobs are not affected.

import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface JobMessage {
  id: number;
  /** file URL of the module that exports the handler */
  module: string;
  export: string;
  data: unknown;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'progress'; id: number; data: unknown }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string; stack: string } };

export interface Job {
  module: string | URL;
  export: string;
  data?: unknown;
  transfer?: Transferable[];
  onProgress?: (data: unknown) => void;
}

/** An error thrown inside a worker, re-created on the main thread. */
export class WorkerError extends Error {
  constructor(name: string, message: string, readonly workerStack: string) {
    super(message);
    this.name = name;
  }
}

interface PoolWorker {
  worker: Worker;
  job: { id: number; resolve(v: unknown): void; reject(e: Error): void; onProgress?: (d: unknown) => void } | null;
}

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

export class NativePool {
  /**
   * Per-worker V8 heap limits. A small old generation makes V8 collect sooner: mitata allocates
   * an 8 MiB sample array per measurement, and without a limit each worker's heap (and the
   * process's RSS) grows by hundreds of MiB before a collection.
   */
  constructor(private readonly limits: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number } = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 4 }) {}

  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  /** Number of worker threads started so far. */
  get size(): number {
    return this.workers.length;
  }

  run<T = unknown>(job: Job): Promise<T> {
    return this.start<T>(job).result;
  }

  /** Starts a job; `terminate()` ends its worker thread (the job rejects), leaving the others. */
  start<T = unknown>(job: Job): { result: Promise<T>; terminate(): Promise<void> } {
    if (this.closed) return { result: Promise.reject(new Error('native pool is closed')), terminate: async () => undefined };
    const pw = this.workers.find((w) => w.job === null) ?? this.spawn();
    const id = this.nextId++;
    const result = new Promise<T>((resolve, reject) => {
      pw.job = { id, resolve: resolve as (v: unknown) => void, reject, onProgress: job.onProgress };
      const msg: JobMessage = { id, module: String(job.module), export: job.export, data: job.data };
      pw.worker.postMessage(msg, (job.transfer ?? []) as never);
    });
    const terminate = async () => {
      if (pw.job?.id !== id) return;
      const j = pw.job;
      pw.job = null;
      const i = this.workers.indexOf(pw);
      if (i >= 0) this.workers.splice(i, 1);
      j.reject(new Error('worker thread terminated: its job did not finish'));
      await pw.worker.terminate();
    };
    return { result, terminate };
  }

  private spawn(): PoolWorker {
    const worker = new Worker(BOOTSTRAP, { stdout: false, stderr: false, resourceLimits: this.limits });
    const pw: PoolWorker = { worker, job: null };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') return;
      const job = pw.job;
      if (!job || job.id !== reply.id) return;
      if (reply.type === 'progress') {
        job.onProgress?.(reply.data);
        return;
      }
      pw.job = null;
      if (reply.type === 'done') job.resolve(reply.result);
      else job.reject(new WorkerError(reply.error.name, reply.error.message, reply.error.stack));
    });
    const fail = (err: Error) => {
      const i = this.workers.indexOf(pw);
      if (i >= 0) this.workers.splice(i, 1);
      const job = pw.job;
      pw.job = null;
      job?.reject(err);
    };
    worker.on('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
    worker.on('exit', (code) => fail(new Error(`worker thread exited (code ${code}) during a job`)));
    this.workers.push(pw);
    return pw;
  }

  /** Ends every worker that is running a job (a run that will not stop); their jobs reject. */
  async terminateBusy(): Promise<number> {
    const busy = this.workers.filter((w) => w.job !== null);
    for (const w of busy) {
      const job = w.job;
      w.job = null;
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
      job?.reject(new Error('worker thread did not finish its job and was terminated'));
    }
    await Promise.all(busy.map((w) => w.worker.terminate()));
    return busy.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}

/** Logical CPUs of this machine (what "oversubscribed" is measured against). */
export function machineCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

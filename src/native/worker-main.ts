// The job loop of a native worker thread (started by worker-bootstrap.mjs). A job names a module
// and an export; the export is called with the job's data and a progress callback, and its result
// (or the error it threw) is posted back. Handlers may block the thread for the whole job.

import { parentPort } from 'node:worker_threads';
import type { JobMessage, WorkerReply } from './pool.ts';

const port = parentPort!;

port.on('message', (msg: JobMessage) => {
  void runJob(msg);
});

async function runJob(msg: JobMessage): Promise<void> {
  const reply = (r: WorkerReply, transfer: Transferable[] = []) => port.postMessage(r, transfer as never);
  try {
    const mod = (await import(msg.module)) as Record<string, unknown>;
    const handler = mod[msg.export];
    if (typeof handler !== 'function') throw new Error(`${msg.module} has no export ${msg.export}`);
    const result = await (handler as (data: unknown, progress: (p: unknown) => void) => unknown)(msg.data, (p) => reply({ type: 'progress', id: msg.id, data: p }));
    reply({ type: 'done', id: msg.id, result }, transferablesOf(result));
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply({ type: 'error', id: msg.id, error: { name: e.name, message: e.message, stack: e.stack ?? '' } });
  }
}

/** Typed-array buffers in a result move instead of being copied. */
function transferablesOf(result: unknown): Transferable[] {
  const out: Transferable[] = [];
  const seen = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 3 || v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v)) {
      const b = v.buffer;
      if (b instanceof ArrayBuffer && !seen.has(b)) {
        seen.add(b);
        out.push(b);
      }
      return;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x, depth + 1);
  };
  visit(result, 0);
  return out;
}

port.postMessage({ type: 'ready' } satisfies WorkerReply);

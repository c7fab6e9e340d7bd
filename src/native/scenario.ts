// Runs a scenario (src/scenario.ts) on the native Cpu. A single-threaded scenario runs directly
// on the calling thread, once. A scenario with several threads runs as a stress loop: each
// iteration sets up a fresh heap on the calling thread, starts every scenario thread on its own
// worker thread at once (a start barrier), and fails on the first thread that throws. The native
// heap checks nothing, so only what the scenario itself asserts (lab_assert, BUG_ON) and WARN()s
// are seen: a race shows up only if it happens and breaks an assertion.

import type { ScenarioDef } from '../scenario.ts';
import type { Cpu } from '../kernel/cpu.ts';
import { NativeCpu } from './cpu.ts';
import type { NativeHeap } from './heap.ts';
import { NativePool } from './pool.ts';
import { attachSession, createSession, fileUrl, type AttachData } from './session.ts';
import type { NativeFences } from './variants.ts';

export interface NativeScenarioResult {
  scenario: string;
  variant: string;
  threads: number;
  iterations: number;
  ok: boolean;
  /** first failure: the thread and what it threw */
  error?: string;
  warnings: number;
}

export interface NativeScenarioOptions {
  /** stress iterations for multi-threaded scenarios (default 200) */
  iterations?: number;
  pool?: NativePool;
  heapWords?: number;
  /** an iteration whose threads have not all finished by then is abandoned (default 20 s) */
  timeoutMs?: number;
}

/**
 * Waits for every thread; past the timeout, sets the heap's kill word (spinning and sleeping
 * threads throw) and, if that does not end them, terminates the workers.
 */
async function settleOrAbandon<T>(jobs: Promise<T>[], heap: NativeHeap, pool: NativePool, timeoutMs: number): Promise<PromiseSettledResult<T>[]> {
  const all = Promise.allSettled(jobs);
  const timeout = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  if ((await Promise.race([all, timeout(timeoutMs)])) !== 'timeout') return all;
  heap.kill();
  heap.wakeAll();
  if ((await Promise.race([all, timeout(2000)])) !== 'timeout') return all;
  await pool.terminateBusy();
  return all;
}

async function loadScenarioDef(file: string): Promise<ScenarioDef<unknown>> {
  const mod = (await import(fileUrl(file))) as { default?: ScenarioDef<unknown> };
  const def = mod.default;
  if (!def || !Array.isArray(def.threads) || typeof def.setup !== 'function') throw new Error(`${file}: the default export must be scenario({ … })`);
  return def;
}

export async function runScenarioNative(variantFile: string, scenarioFile: string, opts: NativeScenarioOptions = {}): Promise<NativeScenarioResult> {
  const def = await loadScenarioDef(scenarioFile);
  const variant = variantFile.replace(/^.*\//, '').replace(/\.ts$/, '');
  const base = { scenario: def.name, variant, threads: def.threads.length };
  const init = { module: fileUrl(scenarioFile), export: 'default', member: 'setup' };
  const heapWords = opts.heapWords ?? 1 << 16;
  if (def.threads.length === 1) {
    let warnings = 0;
    try {
      const s = await createSession({ variantFile, init, heapWords });
      const t = def.threads[0]!;
      const cpu = new NativeCpu(s.heap, s.registry, { slot: 1, context: t.context, epochMs: s.epochMs, id: t.cpu });
      t.run(cpu, s.fences as never, s.shared);
      s.cpu.rcu_online();
      def.teardown?.(s.cpu, s.fences as never, s.shared);
      warnings = cpu.warnings + s.cpu.warnings;
      const warnText = cpu.firstWarning || s.cpu.firstWarning;
      if (warnings > 0 && !def.allowWarnings) return { ...base, iterations: 1, ok: false, error: `WARNING: ${warnText}`, warnings };
      return { ...base, iterations: 1, ok: true, warnings };
    } catch (err) {
      return { ...base, iterations: 1, ok: false, error: (err as Error).message, warnings };
    }
  }
  const pool = opts.pool ?? new NativePool();
  const iterations = opts.iterations ?? 200;
  let warnings = 0;
  try {
    for (let i = 0; i < iterations; i++) {
      const s = await createSession({ variantFile, init, heapWords });
      const jobs = def.threads.map((t, k) =>
        pool.run<{ warnings: number; firstWarning: string }>({
          module: import.meta.url,
          export: 'scenarioThreadJob',
          data: { attach: s.attachData(k + 1, t.context), scenarioFile, thread: k } satisfies ThreadJobData,
        }),
      );
      const failed = Promise.all(jobs).then(() => undefined);
      failed.catch(() => undefined);
      try {
        await Promise.race([s.heap.waitReady(jobs.length), failed]);
      } catch {
        // a thread failed before the start: reported below with the others
        s.heap.kill();
      }
      s.heap.go();
      const settled = await settleOrAbandon(jobs, s.heap, pool, opts.timeoutMs ?? 20_000);
      for (const [k, r] of settled.entries()) {
        if (r.status === 'rejected') {
          s.heap.kill();
          return { ...base, iterations: i + 1, ok: false, error: `thread ${def.threads[k]!.name}: ${(r.reason as Error).message}`, warnings };
        }
        warnings += r.value.warnings;
        if (r.value.warnings > 0 && !def.allowWarnings) return { ...base, iterations: i + 1, ok: false, error: `thread ${def.threads[k]!.name}: WARNING: ${r.value.firstWarning}`, warnings };
      }
      if (def.teardown) {
        s.cpu.rcu_online();
        def.teardown(s.cpu as Cpu, s.fences as never, s.shared);
      }
    }
    return { ...base, iterations, ok: true, warnings };
  } finally {
    if (!opts.pool) await pool.close();
  }
}

interface ThreadJobData {
  attach: AttachData;
  scenarioFile: string;
  thread: number;
}

/** Worker side: attach, wait for the start, run one scenario thread. */
export async function scenarioThreadJob(data: ThreadJobData): Promise<{ warnings: number; firstWarning: string }> {
  const def = await loadScenarioDef(data.scenarioFile);
  const a = await attachSession(data.attach);
  const t = def.threads[data.thread]!;
  a.heap.arriveAndWait();
  try {
    t.run(a.cpu, a.fences as NativeFences as never, a.shared);
  } finally {
    a.cpu.detach();
  }
  return { warnings: a.cpu.warnings, firstWarning: a.cpu.firstWarning };
}

// A native session: one shared heap, one design, set up once on the main thread and attached to
// by worker threads (replay.ts explains how the function pointers come out the same everywhere).
//
//   main:   const s = await createSession({ variantFile, init, heapWords })
//           ... pool.run({ ..., data: { attach: s.attachData(slot, 'hardirq'), ... } })
//   worker: const a = await attachSession(data.attach)   // a.cpu, a.fences, a.shared

import { pathToFileURL } from 'node:url';
import type { Cpu, ExecContext } from '../kernel/cpu.ts';
import { monoMs } from './clock.ts';
import { NativeCpu } from './cpu.ts';
import { DEFAULT_HEAP_WORDS, NativeHeap } from './heap.ts';
import { NativeRegistry } from './registry.ts';
import { RecordingCpu, ReplayCpu, type SetupLog } from './replay.ts';
import { loadVariantClass, type NativeFences } from './variants.ts';

/**
 * The set-up that runs on the main thread and is replayed in every worker: a module export (or
 * a method of one, e.g. a scenario's `setup`) called as `fn(cpu, fences, params)`. It runs
 * after the design's dma_buf_init and returns what the threads share (plain data: pointers).
 */
export interface InitSpec {
  module: string;
  export: string;
  /** call `module[export][member]` (a scenario definition's `setup`) */
  member?: string;
  params?: unknown;
}

export interface AttachData {
  sab: SharedArrayBuffer;
  log: SetupLog;
  variantFile: string;
  init: InitSpec | null;
  slot: number;
  context: ExecContext;
  epochMs: number;
}

type InitFn = (cpu: Cpu, fences: NativeFences, params: unknown) => unknown;

async function resolveInit(spec: InitSpec | null): Promise<InitFn> {
  if (!spec) return () => undefined;
  const mod = (await import(spec.module)) as Record<string, unknown>;
  let f = mod[spec.export] as unknown;
  let self: unknown = mod;
  if (spec.member !== undefined) {
    self = f;
    f = (f as Record<string, unknown>)[spec.member];
  }
  if (typeof f !== 'function') throw new Error(`${spec.module}: ${spec.export}${spec.member ? `.${spec.member}` : ''} is not a function`);
  return (cpu, fences, params) => (f as (...a: unknown[]) => unknown).call(self, cpu, fences, params);
}

export interface Session {
  heap: NativeHeap;
  registry: NativeRegistry;
  /** the main thread's Cpu (slot 0); offline for RCU unless the caller uses it */
  cpu: NativeCpu;
  fences: NativeFences;
  shared: unknown;
  log: SetupLog;
  epochMs: number;
  variantFile: string;
  init: InitSpec | null;
  attachData(slot: number, context?: ExecContext): AttachData;
}

export async function createSession(opts: { variantFile: string; init?: InitSpec | null; heapWords?: number }): Promise<Session> {
  const cls = await loadVariantClass(opts.variantFile);
  const initFn = await resolveInit(opts.init ?? null);
  const heap = new NativeHeap(opts.heapWords ?? DEFAULT_HEAP_WORDS);
  const registry = new NativeRegistry();
  const epochMs = monoMs();
  const cpu = new NativeCpu(heap, registry, { slot: 0, epochMs });
  const rec = new RecordingCpu(cpu);
  const fences = new cls();
  fences.dma_buf_init(rec);
  const shared = initFn(rec, fences, opts.init?.params);
  cpu.rcu_offline();
  const init = opts.init ?? null;
  return {
    heap,
    registry,
    cpu,
    fences,
    shared,
    log: rec.log,
    epochMs,
    variantFile: opts.variantFile,
    init,
    attachData: (slot, context = 'process') => ({ sab: heap.sab, log: rec.log, variantFile: opts.variantFile, init, slot, context, epochMs }),
  };
}

export interface Attached {
  heap: NativeHeap;
  registry: NativeRegistry;
  cpu: NativeCpu;
  fences: NativeFences;
  shared: unknown;
}

/** In a worker: map the heap, replay the set-up, and make this thread's Cpu. */
export async function attachSession(data: AttachData): Promise<Attached> {
  const cls = await loadVariantClass(data.variantFile);
  const initFn = await resolveInit(data.init);
  const heap = new NativeHeap(data.sab);
  const registry = new NativeRegistry();
  const replay = new ReplayCpu(data.log, registry, heap.m);
  const fences = new cls();
  fences.dma_buf_init(replay);
  const shared = initFn(replay, fences, data.init?.params);
  if (!replay.done) throw new Error('[lab internal bug] set-up replay ended before the log did');
  const cpu = new NativeCpu(heap, registry, { slot: data.slot, context: data.context, epochMs: data.epochMs });
  return { heap, registry, cpu, fences, shared };
}

export function fileUrl(file: string): string {
  return pathToFileURL(file).href;
}

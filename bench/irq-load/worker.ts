// One thread of an interrupt-load run (a worker-thread job). Every thread attaches to the shared
// heap (replaying the driver set-up), waits at the start barrier, runs its role until the end of
// the run, and returns per-interval counts, its lock spin time and its latency samples. A role
// that throws returns what it counted so far and the error; the run goes on without it.
//
// Roles (kernel-notes section 7, "typical GPU-interrupt pattern"):
//   irq        per context: the simulated GPU completes fences in seqno order (at the offered
//              rate, or at once when unthrottled); each interrupt takes the context lock,
//              signals every completed fence, drops the ring's reference, unlocks
//   submitter  per context: emits fences, keeping at most fpc unsignaled
//   poller     dma_fence_is_signaled() on the newest pending fence (holding a reference) and on
//              the stub fence every other call, until the fence signals
//   waiter     dma_fence_wait(f, intr=true) on the newest pending fence
//   adder      dma_fence_add_callback() on each new fence; the callback (run by the signaler)
//              records the interrupt -> callback latency and frees the callback
// Latencies run from the simulated hardware completion (the interrupt) to the callback or to the
// waiter's return from dma_fence_wait.

import { dma_fence } from '../../src/kernel/dma-fence.ts';
import { kfree, kzalloc, load } from '../../src/kernel/primitives.ts';
import { monoMs } from '../../src/native/clock.ts';
import type { NativeCpu } from '../../src/native/cpu.ts';
import { SLOT_YIELD } from '../../src/native/heap.ts';
import { attachSession, type AttachData } from '../../src/native/session.ts';
import type { Fences } from '../../src/scenario.ts';
import type { IrqConfig, RunTiming } from './config.ts';
import {
  RING, bench_cb, bench_completed, bench_emit, bench_get_pending, bench_irq_handler, bench_seqno, bench_submitted, benchHooks,
  type BenchCtx, type BenchWorld,
} from './driver.ts';

export type Role = 'irq' | 'submitter' | 'poller' | 'waiter' | 'adder';

/** Float64 words of the shared timing array before the per-context tables. */
export const TIMES_HEADER = 8;
/** timing array: [0] the go time (monoMs); per context: RING submit times, RING completion times */
export function timesWords(contexts: number): number {
  return TIMES_HEADER + contexts * 2 * RING;
}

export interface RoleJobData {
  attach: AttachData;
  role: Role;
  /** index among the threads of its role */
  index: number;
  /** the fence context it works on */
  ctx: number;
  config: IrqConfig;
  timing: RunTiming;
  times: SharedArrayBuffer;
}

export interface RoleResult {
  role: Role;
  index: number;
  ctx: number;
  /** operations per measurement interval (fences signaled, emitted, polls, waits, callbacks added) */
  counts: number[];
  /** ns spent spinning on contended locks, per interval */
  spinNs: number[];
  /** contended lock acquisitions, per interval */
  contended: number[];
  /** latency samples in ns (callbacks for irq threads, wake-ups for waiters) and their intervals */
  lat: Float64Array;
  latInterval: Uint16Array;
  latCount: number;
  latDropped: number;
  /** role-specific counters (late callbacks, waits skipped because already signaled, ...) */
  extra: Record<string, number>;
  warnings: number;
  error?: string;
}

const MASK = RING - 1;
const LAT_CAP = 1 << 19;

class Meter {
  readonly counts: number[];
  readonly spinNs: number[];
  readonly contended: number[];
  lat = new Float64Array(0);
  latInterval = new Uint16Array(0);
  latCount = 0;
  latDropped = 0;
  /** current interval: -1 warm-up, intervals = done */
  k = -1;
  private readonly measureStart: number;
  readonly end: number;
  private lastSpin = 0;
  private lastContended = 0;

  constructor(
    private readonly cpu: NativeCpu,
    goMs: number,
    private readonly timing: RunTiming,
  ) {
    this.counts = new Array<number>(timing.intervals).fill(0);
    this.spinNs = new Array<number>(timing.intervals).fill(0);
    this.contended = new Array<number>(timing.intervals).fill(0);
    this.measureStart = goMs + timing.warmupMs;
    this.end = this.measureStart + timing.intervals * timing.intervalMs;
  }

  /** Reads the clock; moves to the interval it falls in. Returns false once the run is over. */
  tick(now: number): boolean {
    const k = now < this.measureStart ? -1 : Math.floor((now - this.measureStart) / this.timing.intervalMs);
    if (k !== this.k) {
      const spin = this.cpu.spinNs;
      const cont = this.cpu.contended;
      if (this.k >= 0 && this.k < this.timing.intervals) {
        this.spinNs[this.k]! += spin - this.lastSpin;
        this.contended[this.k]! += cont - this.lastContended;
      }
      this.lastSpin = spin;
      this.lastContended = cont;
      this.k = k;
    }
    return k < this.timing.intervals && !this.cpu.signal_pending();
  }

  count(n: number): void {
    const k = this.k;
    if (k >= 0 && k < this.counts.length) this.counts[k]! += n;
  }

  latency(ns: number, now: number): void {
    const k = now < this.measureStart ? -1 : Math.floor((now - this.measureStart) / this.timing.intervalMs);
    if (k < 0 || k >= this.counts.length) return;
    if (this.latCount === this.lat.length) {
      if (this.lat.length >= LAT_CAP) {
        this.latDropped++;
        return;
      }
      const n = Math.max(4096, this.lat.length * 2);
      const lat = new Float64Array(n);
      lat.set(this.lat);
      const li = new Uint16Array(n);
      li.set(this.latInterval);
      this.lat = lat;
      this.latInterval = li;
    }
    this.lat[this.latCount] = ns;
    this.latInterval[this.latCount++] = k;
  }
}

interface RoleEnv {
  cpu: NativeCpu;
  fences: Fences;
  world: BenchWorld;
  c: BenchCtx;
  ctxIndex: number;
  meter: Meter;
  times: Float64Array;
  config: IrqConfig;
  extra: Record<string, number>;
  idle: () => void;
  sleep: (ms: number) => void;
}

export async function roleJob(data: RoleJobData): Promise<RoleResult> {
  const a = await attachSession(data.attach);
  const cpu = a.cpu;
  const fences = a.fences as unknown as Fences;
  const world = a.shared as BenchWorld;
  const times = new Float64Array(data.times);
  const extra: Record<string, number> = {};
  const yieldWord = a.heap.slotBase(data.attach.slot) + SLOT_YIELD;
  let spins = 0;
  const idle = () => {
    // nothing to do: spin briefly, then let other threads have the CPU
    if ((++spins & 63) === 0) Atomics.wait(cpu.m, yieldWord, 0, 0.02);
  };
  const sleep = (ms: number) => {
    Atomics.wait(cpu.m, yieldWord, 0, ms);
  };
  a.heap.arriveAndWait();
  const meter = new Meter(cpu, times[0]!, data.timing);
  const env: RoleEnv = { cpu, fences, world, c: world.ctxs[data.ctx]!, ctxIndex: data.ctx, meter, times, config: data.config, extra, idle, sleep };
  let error: string | undefined;
  try {
    switch (data.role) {
      case 'irq':
        irqRole(env);
        break;
      case 'submitter':
        submitterRole(env);
        break;
      case 'poller':
        pollerRole(env);
        break;
      case 'waiter':
        waiterRole(env);
        break;
      case 'adder':
        adderRole(env);
        break;
    }
  } catch (err) {
    const e = err as Error;
    error = `${e.name}: ${e.message}`;
  } finally {
    cpu.detach();
  }
  return {
    role: data.role,
    index: data.index,
    ctx: data.ctx,
    counts: meter.counts,
    spinNs: meter.spinNs,
    contended: meter.contended,
    lat: meter.lat.slice(0, meter.latCount),
    latInterval: meter.latInterval.slice(0, meter.latCount),
    latCount: meter.latCount,
    latDropped: meter.latDropped,
    extra,
    warnings: cpu.warnings,
    ...(error !== undefined ? { error } : {}),
  };
}

function submitBase(ctx: number): number {
  return TIMES_HEADER + ctx * 2 * RING;
}

function irqRole(env: RoleEnv): void {
  const { cpu, fences, world, c, meter, times, config } = env;
  const sub = submitBase(env.ctxIndex);
  const done = sub + RING;
  const periodMs = config.irq > 0 ? 1000 / config.irq : 0;
  // The callbacks the adders hang on this context's fences run here, in the signaler.
  const first = world.ctxs[0]!.context;
  benchHooks.onCallback = (cpu, fence, cb) => {
    const now = monoMs();
    const ctx = load(cpu, fence + dma_fence.context) - first;
    const seq = bench_seqno(cpu, fence);
    meter.latency((now - times[TIMES_HEADER + ctx * 2 * RING + RING + (seq & MASK)]!) * 1e6, now);
    kfree(cpu, cb);
  };
  let hw = 0; // newest seqno the simulated GPU completed
  let lastTc = 0;
  for (let now = monoMs(); meter.tick(now); now = monoMs()) {
    const submitted = bench_submitted(cpu, c);
    if (submitted <= hw) {
      env.idle();
      cpu.rcu_qs();
      continue;
    }
    let upto = hw;
    if (periodMs === 0) {
      for (let s = hw + 1; s <= submitted; s++) times[done + (s & MASK)] = now;
      upto = submitted;
    } else {
      // the GPU finishes one fence per period, never before it was submitted
      const tc = Math.max(lastTc + periodMs, times[sub + ((hw + 1) & MASK)]!);
      if (now < tc) {
        if (tc - now > 0.2) env.sleep(Math.min(tc - now - 0.1, 5));
        continue;
      }
      for (let s = hw + 1; s <= submitted; s++) {
        const t = Math.max(lastTc + periodMs, times[sub + (s & MASK)]!);
        if (t > now) break;
        times[done + (s & MASK)] = t;
        lastTc = t;
        upto = s;
      }
    }
    const n = bench_irq_handler(cpu, fences, world, c, upto);
    hw = upto;
    meter.count(n);
    cpu.rcu_qs();
  }
}

function submitterRole(env: RoleEnv): void {
  const { cpu, fences, world, c, meter, times, config } = env;
  const sub = submitBase(env.ctxIndex);
  let seqno = bench_submitted(cpu, c);
  for (let now = monoMs(); meter.tick(now); now = monoMs()) {
    if (seqno + 1 - bench_completed(cpu, c) > config.fpc) {
      env.idle();
      cpu.rcu_qs();
      continue;
    }
    seqno++;
    times[sub + (seqno & MASK)] = now;
    bench_emit(cpu, fences, world, c, seqno);
    meter.count(1);
    cpu.rcu_qs();
  }
}

function pollerRole(env: RoleEnv): void {
  const { cpu, fences, world, c, meter } = env;
  const stub = world.stub;
  let polls = 0;
  for (let now = monoMs(); meter.tick(now); now = monoMs()) {
    const s = bench_submitted(cpu, c);
    const f = s > 0 ? bench_get_pending(cpu, fences, c, s) : 0;
    if (f === 0) {
      fences.dma_fence_is_signaled(cpu, stub);
      meter.count(1);
      cpu.rcu_qs();
      continue;
    }
    let signaled = false;
    for (let i = 1; !signaled; i++) {
      signaled = fences.dma_fence_is_signaled(cpu, f);
      fences.dma_fence_is_signaled(cpu, stub);
      polls += 2;
      if ((i & 63) === 0) {
        meter.count(polls);
        polls = 0;
        if (!meter.tick(monoMs())) break;
      }
    }
    meter.count(polls);
    polls = 0;
    fences.dma_fence_put(cpu, f);
    cpu.rcu_qs();
  }
}

function waiterRole(env: RoleEnv): void {
  const { cpu, fences, c, meter, times, extra } = env;
  const done = submitBase(env.ctxIndex) + RING;
  extra['already_signaled'] = 0;
  let last = 0;
  for (let now = monoMs(); meter.tick(now); now = monoMs()) {
    const s = bench_submitted(cpu, c);
    if (s <= last) {
      env.idle();
      cpu.rcu_qs();
      continue;
    }
    last = s;
    const f = bench_get_pending(cpu, fences, c, s);
    if (f === 0) continue;
    if (fences.dma_fence_test_signaled_flag(cpu, f)) {
      extra['already_signaled']!++;
    } else {
      const seq = bench_seqno(cpu, f);
      const ret = fences.dma_fence_wait(cpu, f, true);
      const t = monoMs();
      if (ret === 0) {
        meter.latency((t - times[done + (seq & MASK)]!) * 1e6, t);
        meter.count(1);
      }
    }
    fences.dma_fence_put(cpu, f);
    cpu.rcu_qs();
  }
}

function adderRole(env: RoleEnv): void {
  const { cpu, fences, world, c, meter, extra } = env;
  extra['late'] = 0;
  let last = 0;
  for (let now = monoMs(); meter.tick(now); now = monoMs()) {
    const s = bench_submitted(cpu, c);
    if (s <= last) {
      env.idle();
      cpu.rcu_qs();
      continue;
    }
    last = s;
    const f = bench_get_pending(cpu, fences, c, s);
    if (f === 0) continue;
    const cb = kzalloc(cpu, bench_cb);
    if (fences.dma_fence_add_callback(cpu, f, cb + bench_cb.cb, world.cbFunc) !== 0) {
      kfree(cpu, cb);
      extra['late']!++;
    } else {
      meter.count(1);
    }
    fences.dma_fence_put(cpu, f);
    cpu.rcu_qs();
  }
}

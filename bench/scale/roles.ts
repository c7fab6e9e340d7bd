// The scale workload's threads, as kernel code (cpu first, shared memory only through
// primitives), run by the timing model (src/timing) on N simulated CPUs. They are the roles of
// bench/irq-load/worker.ts on the same driver (bench/irq-load/driver.ts), with the harness's
// bookkeeping (GPU completion times, counts, latencies) behind `h`, which is plain JavaScript
// and costs no simulated time, as the native harness's clock reads are not what is measured.
//
// A loop that waits or polls calls h.iteration() at the top of every iteration: when its
// iterations only read lines nobody writes, the timing model counts them instead of running
// them (src/timing/engine.ts), so a poller on a quiet fence costs no host time.

import type { Cpu, Ptr } from '../../src/kernel/cpu.ts';
import {
  READ_ONCE, WRITE_ONCE, atomic_fetch_add, cpu_relax, kfree, kzalloc, rcu_read_lock, rcu_read_unlock, smp_store_release,
  spin_lock, spin_unlock,
} from '../../src/kernel/primitives.ts';
import type { Fences } from '../../src/scenario.ts';
import {
  bench_cb, bench_completed, bench_driver_init, bench_emit, bench_fence_create, bench_get_pending, bench_irq_handler, bench_seqno,
  bench_submitted, benchHooks, type BenchCtx, type BenchWorld,
} from '../irq-load/driver.ts';
import { buildWorld, type MicroWorld } from '../micro/world.ts';

/** What the roles tell the harness and ask of it (src/timing/scale.ts implements it). */
export interface ScaleHarness {
  /** fences in flight per context before the submitter waits */
  fpc: number;
  /** the top of an iteration of a waiting or polling loop */
  iteration(): void;
  polled(n: number): void;
  /** fence `seqno` was emitted now (the GPU starts on it) */
  submitted(seqno: number): void;
  /** the newest seqno the GPU had completed when this interrupt arrived */
  completedByGpu(): number;
  /** the interrupt handler signaled `n` fences */
  signaled(n: number): void;
  /** a callback of fence `seqno` ran now */
  callback(seqno: number): void;
  /** a waiter on fence `seqno` returned from dma_fence_wait now */
  woke(seqno: number): void;
  /** one increment of the spinlock-counter validation */
  counted(): void;
}

/** Set-up, alone on CPU0: the dma-buf core, the driver with one fence context. */
export function scale_setup(cpu: Cpu, fences: Fences, h: ScaleHarness): BenchWorld {
  fences.dma_buf_init(cpu);
  const world = bench_driver_init(cpu, fences, { contexts: 1 });
  benchHooks.onCallback = (cpu: Cpu, fence: Ptr, cb: Ptr) => {
    h.callback(bench_seqno(cpu, fence));
    kfree(cpu, cb);
  };
  return world;
}

/** The interrupt: signals, in seqno order under the context lock, what the GPU completed. */
export function scale_irq(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  h.signaled(bench_irq_handler(cpu, fences, w, w.ctxs[0]!, h.completedByGpu()));
}

/** Emits fences, keeping at most fpc unsignaled. */
export function scale_submitter(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  const c = w.ctxs[0]!;
  let seqno = bench_submitted(cpu, c);
  for (;;) {
    h.iteration();
    if (seqno + 1 - bench_completed(cpu, c) > h.fpc) continue;
    seqno++;
    bench_emit(cpu, fences, w, c, seqno);
    h.submitted(seqno);
  }
}

/** dma_fence_is_signaled() on the newest pending fence and on the stub fence, until it signals. */
export function scale_poller(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  const c = w.ctxs[0]!;
  for (;;) {
    h.iteration();
    const s = bench_submitted(cpu, c);
    const f = s > 0 ? bench_get_pending(cpu, fences, c, s) : 0;
    if (f === 0) {
      fences.dma_fence_is_signaled(cpu, w.stub);
      h.polled(1);
      continue;
    }
    let signaled = false;
    while (!signaled) {
      h.iteration();
      signaled = fences.dma_fence_is_signaled(cpu, f);
      fences.dma_fence_is_signaled(cpu, w.stub);
      h.polled(2);
    }
    fences.dma_fence_put(cpu, f);
  }
}

/** "Every CPU polls the stub fence": dma_fence_is_signaled(stub) in a loop. */
export function scale_stub_poller(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  for (;;) {
    h.iteration();
    fences.dma_fence_is_signaled(cpu, w.stub);
    h.polled(1);
  }
}

/** Calls `use` on each new fence of the context (holding a reference), as the native roles do. */
function for_each_new_fence(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness, use: (cpu: Cpu, f: Ptr) => void): void {
  const c = w.ctxs[0]!;
  let last = 0;
  for (;;) {
    h.iteration();
    const s = bench_submitted(cpu, c);
    if (s <= last) continue;
    last = s;
    const f = bench_get_pending(cpu, fences, c, s);
    if (f === 0) continue;
    use(cpu, f);
    fences.dma_fence_put(cpu, f);
  }
}

/** dma_fence_wait(f, intr=true) on each new fence. */
export function scale_waiter(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  for_each_new_fence(cpu, fences, w, h, (cpu: Cpu, f: Ptr) => {
    if (fences.dma_fence_test_signaled_flag(cpu, f)) return;
    const seq = bench_seqno(cpu, f);
    if (fences.dma_fence_wait(cpu, f, true) === 0) h.woke(seq);
  });
}

/** dma_fence_add_callback() on each new fence; the callback (in the interrupt) records the latency. */
export function scale_adder(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  for_each_new_fence(cpu, fences, w, h, (cpu: Cpu, f: Ptr) => {
    const cb = kzalloc(cpu, bench_cb);
    if (fences.dma_fence_add_callback(cpu, f, cb + bench_cb.cb, w.cbFunc) !== 0) kfree(cpu, cb);
  });
}

// --- one-CPU operation loops (the native micro benchmarks' bodies, bench/micro/ops.ts) ----------

export function scale_micro_world(cpu: Cpu, fences: Fences): MicroWorld {
  fences.dma_buf_init(cpu);
  return buildWorld(cpu, fences);
}

/** Runs micro operation `op` `n` times. */
export function scale_micro_op(cpu: Cpu, fences: Fences, mw: MicroWorld, op: string, n: number): void {
  const { signaled, unsignaled, world, ctx, cb, cbFunc } = mw;
  for (let i = 0; i < n; i++) {
    if (op === 'is_signaled-signaled') fences.dma_fence_is_signaled(cpu, signaled);
    else if (op === 'is_signaled-unsignaled') fences.dma_fence_is_signaled(cpu, unsignaled);
    else if (op === 'get_status') fences.dma_fence_get_status(cpu, signaled);
    else if (op === 'signal-cycle') micro_signal_cycle(cpu, fences, world, ctx, mw);
    else if (op === 'add_callback-signal') micro_add_callback_signal(cpu, fences, world, ctx, mw, cb, cbFunc);
    else if (op === 'driver_name') {
      rcu_read_lock(cpu);
      fences.dma_fence_driver_name(cpu, unsignaled);
      rcu_read_unlock(cpu);
    }
  }
}

function micro_signal_cycle(cpu: Cpu, fences: Fences, world: BenchWorld, ctx: BenchCtx, mw: MicroWorld): void {
  const f = bench_fence_create(cpu, fences, world, ctx, mw.seq++);
  fences.dma_fence_enable_sw_signaling(cpu, f);
  fences.dma_fence_signal(cpu, f);
  fences.dma_fence_put(cpu, f);
}

function micro_add_callback_signal(cpu: Cpu, fences: Fences, world: BenchWorld, ctx: BenchCtx, mw: MicroWorld, cb: Ptr, cbFunc: Ptr): void {
  const f = bench_fence_create(cpu, fences, world, ctx, mw.seq++);
  fences.dma_fence_add_callback(cpu, f, cb, cbFunc);
  fences.dma_fence_signal(cpu, f);
  fences.dma_fence_put(cpu, f);
}

// --- the spinlock-counter validation (Boyd-Wickizer et al. 2012) ---------------------------------

/** Private work between increments: `n` loads of a line only this CPU touches. */
function private_work(cpu: Cpu, mine: Ptr, n: number): void {
  for (let i = 0; i < n; i++) READ_ONCE(cpu, mine);
}

/** The paper's ticket lock: fetch_add a ticket, spin until it is served, serve the next on unlock. */
export function scale_ticket_counter(cpu: Cpu, lock: Ptr, counter: Ptr, mine: Ptr, work: number, h: ScaleHarness): void {
  for (;;) {
    const ticket = atomic_fetch_add(cpu, 1, lock);
    while (READ_ONCE(cpu, lock + 8) !== ticket) cpu_relax(cpu);
    WRITE_ONCE(cpu, counter, READ_ONCE(cpu, counter) + 1);
    smp_store_release(cpu, lock + 8, ticket + 1);
    h.counted();
    private_work(cpu, mine, work);
  }
}

/** The same counter under the kernel's spinlock (a queued spinlock in the timing model). */
export function scale_qspin_counter(cpu: Cpu, lock: Ptr, counter: Ptr, mine: Ptr, work: number, h: ScaleHarness): void {
  for (;;) {
    spin_lock(cpu, lock);
    WRITE_ONCE(cpu, counter, READ_ONCE(cpu, counter) + 1);
    spin_unlock(cpu, lock);
    h.counted();
    private_work(cpu, mine, work);
  }
}

/** A per-CPU counter: no sharing at all. */
export function scale_percpu_counter(cpu: Cpu, mine: Ptr, work: number, h: ScaleHarness): void {
  for (;;) {
    WRITE_ONCE(cpu, mine, READ_ONCE(cpu, mine) + 1);
    h.counted();
    private_work(cpu, mine, work);
  }
}

/** Words for the validation's shared objects: the ticket lock (next, owner on its own line), the counter. */
export function scale_alloc(cpu: Cpu, words: number): Ptr {
  return kzalloc(cpu, words);
}

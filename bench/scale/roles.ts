// The scale workload's threads, as kernel code (cpu first, shared memory only through
// primitives), run by the timing model (src/timing) on N simulated CPUs. They are the roles of
// bench/irq-load/worker.ts on the same driver (bench/irq-load/driver.ts), with the harness's
// bookkeeping (GPU completion times, counts, latencies) behind `h`, which is plain JavaScript
// and costs no simulated time, as the native harness's clock reads are not what is measured.
//
// Every design does the same work (timing-2). A closed loop in which consumers skip to the newest
// fence lets a slow design do less: in timing-1, current-shared-lock's adders hung 4.6 callbacks
// on each fence at 64 CPUs where the floor's hung 13, and locked-reads' pollers, parked in the
// lock's queue, polled 70x less than the floor's and so left the fence's line alone; both then
// looked cheaper than the floor. So here:
//   - every consumer handles every fence, in seqno order: each adder hangs one callback on it,
//     each waiter waits for it, each poller polls it until it reads it signaled;
//   - the submitter keeps at most fpc fences ahead of the slowest consumer (and of the GPU), so a
//     design that cannot keep up shows it in fences/s, not in work left undone;
//   - pollers poll at a fixed pace (one poll of the fence and one of the stub, then POLL_GAP_NS of
//     other work): the same polls are offered to every design, and a design that cannot serve
//     them shows it in polls/s;
//   - every (consumer, fence) pair gives one latency sample: from the GPU's completion to the
//     callback running (in the interrupt, or in the adder when add_callback returned -ENOENT, as
//     drivers then call the function themselves) or to dma_fence_wait returning.
// The stub-pollers configuration keeps the tight loop: there, polls/s is the figure.
//
// A loop that waits or polls calls h.iteration() at the top of every iteration: when its
// iterations only read lines nobody writes, the timing model counts them instead of running
// them (src/timing/engine.ts), so a poller on a quiet fence costs no host time.

import type { Cpu, Ptr } from '../../src/kernel/cpu.ts';
import {
  MAX_SCHEDULE_TIMEOUT, READ_ONCE, TASK_NORMAL, TASK_RUNNING, TASK_UNINTERRUPTIBLE, WRITE_ONCE, __set_current_state,
  atomic_fetch_add, cpu_relax, current, kfree, kzalloc, rcu_read_lock, rcu_read_unlock, schedule_timeout, set_current_state,
  smp_store_release, spin_lock, spin_unlock, wake_up_state,
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
  /** `ns` of work that touches no shared memory (a paced poller between two polls) */
  pause(cpu: Cpu, ns: number): void;
  /** the gap between two polls of a paced poller (ns) */
  pollGapNs: number;
  polled(n: number): void;
  /** the submitter (task_struct `task`) is about to sleep until every consumer is done with `seqno` */
  submitterWaits(task: Ptr, seqno: number): void;
  /** the task_struct of the submitter (a consumer's wake_up_state target) */
  submitterTask: Ptr;
  /** whether every consumer is done with fence `seqno` (fences before the first count as done) */
  consumedBy(seqno: number): boolean;
  /** this consumer is done with fence `seqno`; true when the submitter waits for exactly that */
  consumed(seqno: number): boolean;
  /**
   * This consumer listens to fence `seqno` now: its callback is on the fence, it is asleep in
   * dma_fence_wait, or its first poll read the fence unsignaled (once per consumer and fence).
   */
  registered(seqno: number): void;
  /** this CPU's waiter is about to wait for fence `seqno` (it registers when it goes to sleep) */
  waitsFor(seqno: number): void;
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

/** Emits fences, keeping at most fpc unsignaled and at most fpc ahead of the slowest consumer. */
export function scale_submitter(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  const c = w.ctxs[0]!;
  let seqno = bench_submitted(cpu, c);
  for (;;) {
    h.iteration();
    if (seqno + 1 - bench_completed(cpu, c) > h.fpc) continue;
    if (!h.consumedBy(seqno + 1 - h.fpc)) {
      // the kernel's sleep pattern: a consumer finishing that fence wakes us (wake_up_state)
      set_current_state(cpu, TASK_UNINTERRUPTIBLE);
      h.submitterWaits(current(cpu), seqno + 1 - h.fpc);
      if (!h.consumedBy(seqno + 1 - h.fpc)) schedule_timeout(cpu, MAX_SCHEDULE_TIMEOUT);
      __set_current_state(cpu, TASK_RUNNING);
      continue;
    }
    seqno++;
    bench_emit(cpu, fences, w, c, seqno);
    h.submitted(seqno);
  }
}

/** A consumer is done with fence `seqno`: the last one wakes a submitter waiting for it. */
function consume(cpu: Cpu, h: ScaleHarness, seqno: number): void {
  if (h.consumed(seqno)) wake_up_state(cpu, h.submitterTask, TASK_NORMAL);
}

/** Calls `use` on every fence of the context in seqno order (holding a reference while it runs). */
function for_each_fence(
  cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness, use: (cpu: Cpu, f: Ptr, seqno: number) => void, gone: (seqno: number) => void,
): void {
  const c = w.ctxs[0]!;
  for (let seqno = 1; ; seqno++) {
    while (bench_submitted(cpu, c) < seqno) h.iteration();
    const f = bench_get_pending(cpu, fences, c, seqno);
    // NULL: the interrupt handler signaled it and the ring let it go before we looked
    if (f === 0) gone(seqno);
    else {
      use(cpu, f, seqno);
      fences.dma_fence_put(cpu, f);
    }
    consume(cpu, h, seqno);
  }
}

/** Polls each fence at the harness's pace, with the stub fence, until it reads signaled. */
export function scale_poller(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  for_each_fence(cpu, fences, w, h, (cpu: Cpu, f: Ptr, seqno: number) => {
    let signaled = false;
    while (!signaled) {
      h.iteration();
      signaled = fences.dma_fence_is_signaled(cpu, f);
      fences.dma_fence_is_signaled(cpu, w.stub);
      h.polled(2);
      h.registered(seqno);
      if (!signaled) h.pause(cpu, h.pollGapNs);
    }
  }, (seqno: number) => h.registered(seqno));
}

/** "Every CPU polls the stub fence": dma_fence_is_signaled(stub) in a tight loop. */
export function scale_stub_poller(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  for (;;) {
    h.iteration();
    fences.dma_fence_is_signaled(cpu, w.stub);
    h.polled(1);
  }
}

/** dma_fence_wait(f, intr=true) on every fence. */
export function scale_waiter(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  for_each_fence(cpu, fences, w, h, (cpu: Cpu, f: Ptr, seqno: number) => {
    h.waitsFor(seqno);
    if (fences.dma_fence_test_signaled_flag(cpu, f) || fences.dma_fence_wait(cpu, f, true) === 0) h.woke(seqno);
    h.registered(seqno);
  }, (seqno: number) => {
    h.registered(seqno);
    h.woke(seqno);
  });
}

/** dma_fence_add_callback() on every fence; -ENOENT: the adder runs the callback's work itself. */
export function scale_adder(cpu: Cpu, fences: Fences, w: BenchWorld, h: ScaleHarness): void {
  for_each_fence(cpu, fences, w, h, (cpu: Cpu, f: Ptr, seqno: number) => {
    const cb = kzalloc(cpu, bench_cb);
    const added = fences.dma_fence_add_callback(cpu, f, cb + bench_cb.cb, w.cbFunc) === 0;
    h.registered(seqno);
    if (!added) {
      h.callback(seqno);
      kfree(cpu, cb);
    }
  }, (seqno: number) => {
    h.registered(seqno);
    h.callback(seqno);
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

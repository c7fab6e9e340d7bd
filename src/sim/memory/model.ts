// The memory model the simulated Cpu reads and writes through. It owns every value in the
// heap; the execution owns allocation state, locks and threads. `cpu` arguments are CPU
// indices: an interrupt handler shares its CPU's store buffer or view with the process code it
// interrupted, as on hardware. Any choice a model makes (which write a load reads, where a store
// lands in coherence order, which store buffer drains next) goes through the Chooser or the
// scheduler, so it lands on the replayable choice path.

import type { FenceKind, MemOrder, Ptr } from '../../kernel/cpu.ts';
import type { ModelName } from '../../results/types.ts';

/** `r`: which write a load reads; `w`: where in coherence order a store lands. */
export type MemoryChoiceKind = 'r' | 'w';

export interface Chooser {
  /** Picks one of `count` alternatives (0 = the model's default); recorded under `kind`. */
  chooseIndex(kind: MemoryChoiceKind, count: number): number;
  /**
   * A write of `cpu` became visible to the other CPUs outside an access of its own (a
   * store-buffer drain): partial-order reduction notes it on the running step's footprint.
   */
  published?(cpu: number, addr: Ptr): void;
}

export type RmwFn = (old: number) => number | undefined;

export interface MemoryModel {
  readonly name: ModelName;
  /**
   * True when a fence only orders its own CPU (SC: nothing; TSO: mfence drains its own buffer,
   * and the drains are published). Otherwise full fences interact across CPUs (the weak
   * model's global view), and partial-order reduction treats them as dependent.
   */
  readonly fencesLocal?: boolean;
  /** Forget everything: a new execution starts; its choices go to `chooser`. */
  reset(cpus: number, chooser: Chooser): void;
  /** A fresh allocation's words hold `value`, visible to every CPU. */
  init(addr: Ptr, size: number, value: number): void;
  load(cpu: number, addr: Ptr, order: MemOrder): number;
  store(cpu: number, addr: Ptr, value: number, order: MemOrder): void;
  /**
   * An atomic read-modify-write reading the coherence-latest value. `f` returns the new value,
   * or undefined when the RMW does not write (bit already set, failed cmpxchg); then it is a
   * load with `failOrder`.
   */
  rmw(cpu: number, addr: Ptr, f: RmwFn, order: MemOrder, failOrder: MemOrder): number;
  fence(cpu: number, kind: FenceKind): void;
  /**
   * spin_lock's access to a free lock word (0 -> 1): an acquire RMW. The model owns it, not the
   * Cpu, because LKMM gives locks more than acquire: a lock that reads from an unlock hands the
   * unlocker's view on to later stores, and unlock(s); lock(t) on one CPU is a fence
   * (memory-model-notes (a), spin_lock row).
   */
  lock(cpu: number, addr: Ptr): void;
  /** spin_unlock: a release store of 0 to the lock word. */
  unlock(cpu: number, addr: Ptr): void;
  /** The coherence-latest value, for the runtime's bookkeeping (sleep/wake); never a kernel read. */
  latest(addr: Ptr): number;
  /** Every write so far becomes visible to every CPU (end of setup, before teardown). */
  synchronizeAll(): void;
  /**
   * A grace period starts on `cpu`, right after a full barrier: synchronize_rcu() (which will
   * wait for it: `waiter` true) or kfree_rcu() (nobody waits; readers that start later must
   * still see what preceded it, or they could find the object it frees).
   */
  gracePeriodStart(cpu: number, waiter: boolean): void;
  /**
   * rcu_read_lock() on `cpu` opens an outermost read-side section: a section that starts after
   * a grace period started sees what preceded that start (LKMM's RCU guarantee).
   */
  readSectionStart(cpu: number): void;
  /** rcu_read_unlock() on `cpu` closes its outermost read-side section. */
  readSectionEnd(cpu: number): void;
  /** A grace period ended for `waiter`: what the readers did in their sections is visible to it. */
  gracePeriod(waiter: number, readers: readonly number[]): void;
  /** Internal actions the model can take now (e.g. TSO buffer drains), as action ids. */
  pendingActions(out: number[]): number;
  performAction(action: number): void;
  /** Human-readable name of an action id, for traces. */
  describeAction(action: number): string;
  /**
   * Whether LKMM allows the execution so far (weak: its execution graph passes the axioms of
   * linux-kernel.cat, lkmm.ts). Models without it generate only LKMM-allowed executions.
   */
  consistent?(): boolean;
  /**
   * For traces: what `cpu`'s last access did that SC would not (" [stale: newest 1]",
   * " [store buffer]"), or ''. `show` renders a value as the trace does.
   */
  traceNote(cpu: number, show: (value: number) => string): string;
}

/**
 * Thrown by a model that found the execution so far forbidden by LKMM (weak, checking as it
 * goes): the execution is dropped, not reported; every extension of it is forbidden too.
 */
export class InconsistentExecution extends Error {
  override readonly name = 'InconsistentExecution';
}

// A simulated thread: kernel code bound to a CPU and an execution context.

import type { ExecContext, Ptr } from '../kernel/cpu.ts';

/** What a thread does at its next step, for deciding whether it can run. */
export const enum Pending {
  /** an ordinary access: always runnable */
  Access,
  /** spin_lock on a held lock: runnable once it is free */
  Lock,
  /** schedule_timeout: runnable once woken (task state RUNNING) */
  Sleep,
  /** synchronize_rcu: runnable once its grace period has ended */
  GracePeriod,
}

export const enum Status {
  Runnable,
  Done,
}

export interface SimThread {
  readonly tid: number;
  /** "CPU0 hardirq" or the scenario's name for it */
  readonly name: string;
  readonly cpuIndex: number;
  readonly context: ExecContext;
  gen: Generator<unknown, unknown, unknown> | null;
  status: Status;
  /** hardirq: has it arrived (started running) yet */
  started: boolean;
  pending: Pending;
  pendingAddr: Ptr;
  /** process context: are local interrupts enabled */
  irqsOn: boolean;
  /** spinlocks held, in acquisition order (also the preempt count) */
  locksHeld: Ptr[];
  rcuDepth: number;
  /** bumped each time the thread leaves an RCU read-side section (a quiescent state) */
  quiescentEpoch: number;
  task: Ptr;
  sleepStartJiffies: number;
  sleepTimeout: number;
  timedOut: boolean;
  gracePeriodDone: boolean;
  /** cpu_relax(): let others run before this thread spins again */
  spinning: boolean;
}

export function isRcuReader(t: SimThread): boolean {
  // Consolidated RCU: preempt-disabled (a spinlock held) and IRQ-disabled regions are readers.
  return t.rcuDepth > 0 || t.locksHeld.length > 0 || (t.context === 'hardirq' ? t.started : !t.irqsOn);
}

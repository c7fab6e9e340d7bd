// A violation stops an execution. The simulated Cpu throws it from inside the thread that
// made the faulting access; the execution catches it and ends.

import type { ViolationKind } from '../results/types.ts';

export interface AccessInfo {
  /** Thread name, e.g. "CPU1 process" */
  thread: string;
  primitive: string;
  /** Named address, e.g. "fence#1.cb_list.next/timestamp/rcu" */
  address: string;
  /** global step at which it happened */
  step: number;
}

export class Violation extends Error {
  constructor(
    readonly kind: ViolationKind,
    /** One line, kernel style. */
    readonly headline: string,
    /** Further lines (KASAN's "Freed by", lockdep's scenario table, ...). */
    readonly details: string[] = [],
    /** the access that faulted (first), if any */
    readonly accesses: AccessInfo[] = [],
  ) {
    super(headline);
  }
}

/** A bug in the lab itself, not in the code under test; printed as such. */
export class LabInternalError extends Error {
  constructor(message: string) {
    super(`[lab internal bug] ${message}`);
  }
}

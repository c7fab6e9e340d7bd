// The execution graph of one weak execution, as LKMM sees it (tools/memory-model/
// linux-kernel.bell and lock.cat): per CPU, in program order, its reads (R), writes (W) and
// fences (F), each with its annotation; for every read the write it read from (rf); for every
// write its place in its location's coherence order (co, kept by the weak model's message
// histories); the rmw pairs; and the address, data and control dependencies the litmus
// runner reports. lkmm.ts checks LKMM's axioms on it.
//
// Initial writes are not events: a read of one has rf source -1 and coherence position 0.
// They have no incoming edge in any LKMM relation, so they never lie on a cycle and the
// axioms (all acyclicity or emptiness) do not need them; only fr (a read of the initial value
// is fr-before every write of its location) does, and it is computed from the positions.

import type { Msg } from './views.ts';

export const enum EvKind {
  R = 1,
  W = 2,
  F = 3,
}

/** Annotations of an R or W event (linux-kernel.bell `Accesses`, lock.cat's lock events). */
export const enum EvFlag {
  Acquire = 1,
  Release = 2,
  /** read half of a non-value-returning RMW (cat: Noreturn; smp_rmb does not order it) */
  Noreturn = 4,
  /** part of an atomic read-modify-write (cat: RMW) */
  Rmw = 8,
  /** spin_lock's read and write (cat: LKR, LKW) and spin_unlock's write (UL) */
  Lkr = 16,
  Lkw = 32,
  Ul = 64,
}

/** The `__fence{...}` kinds of linux-kernel.def, and the RCU / SRCU markers. */
export const enum Fence {
  Mb = 1,
  Rmb,
  Wmb,
  BeforeAtomic,
  AfterAtomic,
  AfterSpinlock,
  AfterUnlockLock,
  RcuLock,
  RcuUnlock,
  SyncRcu,
  SrcuLock,
  SrcuUnlock,
  SyncSrcu,
}

export class ExecutionGraph {
  n = 0;
  readonly cpu: number[] = [];
  readonly kind: EvKind[] = [];
  readonly flags: number[] = [];
  /** F events: which fence */
  readonly fence: number[] = [];
  /** R and W: the address; SRCU markers: the srcu_struct's address; else -1 */
  readonly addr: number[] = [];
  /** W: its message (the position in coherence order); R: the message it read (null: initial) */
  readonly msg: (Msg | null)[] = [];
  /** R: the event that wrote what it read, -1 for the initial value */
  readonly rf: number[] = [];
  /** R of an rmw: its W; W of an rmw: its R; else -1 */
  readonly rmw: number[] = [];
  /** dependencies of an event on earlier reads of its CPU (litmus runner), or null */
  readonly addrDeps: (readonly number[] | null)[] = [];
  readonly dataDeps: (readonly number[] | null)[] = [];
  readonly ctrlDeps: (readonly number[] | null)[] = [];
  /** coherence positions once sealed (the model's histories are gone), else null */
  private sealedPos: Int32Array | null = null;

  private push(cpu: number, kind: EvKind, flags: number, fence: number, addr: number): number {
    const e = this.n++;
    this.cpu.push(cpu);
    this.kind.push(kind);
    this.flags.push(flags);
    this.fence.push(fence);
    this.addr.push(addr);
    this.msg.push(null);
    this.rf.push(-1);
    this.rmw.push(-1);
    this.addrDeps.push(null);
    this.dataDeps.push(null);
    this.ctrlDeps.push(null);
    return e;
  }

  read(cpu: number, addr: number, flags: number, from: Msg | null): number {
    const e = this.push(cpu, EvKind.R, flags, 0, addr);
    this.msg[e] = from;
    this.rf[e] = from ? from.ev : -1;
    return e;
  }

  write(cpu: number, addr: number, flags: number, m: Msg): number {
    const e = this.push(cpu, EvKind.W, flags, 0, addr);
    this.msg[e] = m;
    m.ev = e;
    return e;
  }

  pairRmw(r: number, w: number): void {
    this.rmw[r] = w;
    this.rmw[w] = r;
  }

  fenceEvent(cpu: number, fence: Fence, addr = -1): number {
    return this.push(cpu, EvKind.F, 0, fence, addr);
  }

  depend(e: number, addr: readonly number[] | null, data: readonly number[] | null, ctrl: readonly number[] | null): void {
    if (addr && addr.length) this.addrDeps[e] = addr;
    if (data && data.length) this.dataDeps[e] = data;
    if (ctrl && ctrl.length) this.ctrlDeps[e] = ctrl;
  }

  /**
   * Coherence positions of every event's message (a W's own, an R's source; 0 for the initial
   * value). Read off the messages each time: a store placed mid-way in coherence order shifts
   * the positions of the later ones.
   */
  positions(): Int32Array {
    if (this.sealedPos) return this.sealedPos;
    const pos = new Int32Array(this.n);
    for (let e = 0; e < this.n; e++) pos[e] = this.msg[e]?.idx ?? 0;
    return pos;
  }

  /** The model drops its histories (end of a phase): keep the positions, forget the messages. */
  seal(): void {
    this.sealedPos = this.positions();
    this.msg.fill(null);
  }
}

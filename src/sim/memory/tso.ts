// x86-TSO (Owens, Sarkar, Sewell, TPHOLs'09): one memory, and per CPU a FIFO store buffer.
// A store goes into its CPU's buffer; a load reads the CPU's own newest buffered store to that
// word if there is one (store forwarding), memory otherwise. Draining the oldest entry of a
// buffer is an internal action the scheduler chooses like a thread step (`m<cpu>` on the
// path), so every drain order is explored. Locked instructions (every RMW: xchg, cmpxchg,
// lock bts, lock xadd, and spin_lock's lock cmpxchg) and smp_mb (mfence) drain the CPU's buffer
// first. smp_rmb, smp_wmb, release and acquire cost nothing on x86: TSO already orders
// load->load, store->store and load->store; only store->load reordering remains (SB).
// spin_unlock is a plain store; the lock is free for others once it has drained
// (src/sim/execution.ts). When a synchronize_rcu() grace period ends, every CPU has drained
// at least up to the end of its last read-side section (quiescent states go through full
// barriers in the RCU core); kfree_rcu()'s grace periods order nothing.
//
// Not covered: x86's memory types and non-temporal stores (the kernel's dma_fence code uses
// neither); store buffers are unbounded.

import type { FenceKind, MemOrder, Ptr } from '../../kernel/cpu.ts';
import type { Chooser, MemoryModel, RmwFn } from './model.ts';

class StoreBuffer {
  addrs: number[] = [];
  values: number[] = [];
  head = 0;
  /** stores ever pushed / drained, this execution */
  pushed = 0;
  drained = 0;
  /** rcu_read_lock nesting, and `pushed` when the CPU last left an outermost section */
  sectionDepth = 0;
  sectionEnd = 0;
  /** for traces: what the CPU's last access did */
  note = '';

  get size(): number {
    return this.addrs.length - this.head;
  }

  push(addr: Ptr, value: number): void {
    this.addrs.push(addr);
    this.values.push(value);
    this.pushed++;
  }

  /** The newest buffered value for `addr`, or undefined. */
  forward(addr: Ptr): number | undefined {
    for (let i = this.addrs.length - 1; i >= this.head; i--) if (this.addrs[i] === addr) return this.values[i];
    return undefined;
  }

  clear(): void {
    this.addrs.length = 0;
    this.values.length = 0;
    this.head = 0;
  }

  reset(): void {
    this.clear();
    this.pushed = 0;
    this.drained = 0;
    this.sectionDepth = 0;
    this.sectionEnd = 0;
    this.note = '';
  }
}

export class TsoMemory implements MemoryModel {
  readonly name = 'tso' as const;
  readonly fencesLocal = true;
  private chooser: Chooser | null = null;
  private values = new Float64Array(1 << 14);
  /** one past the highest word initialised this execution: what reset must clear */
  private hi = 0;
  private buffers: StoreBuffer[] = [];
  private lastDrain = { cpu: 0, addr: 0, value: 0 };
  /** per CPU: it waits in synchronize_rcu() */
  private waiting: boolean[] = [];

  reset(cpus: number, chooser: Chooser): void {
    this.chooser = chooser;
    this.values.fill(0, 0, this.hi);
    this.hi = 0;
    if (this.buffers.length !== cpus) this.buffers = Array.from({ length: cpus }, () => new StoreBuffer());
    for (const b of this.buffers) b.reset();
    this.waiting = Array<boolean>(cpus).fill(false);
  }

  init(addr: Ptr, size: number, value: number): void {
    const end = addr + size;
    if (end > this.values.length) {
      const grown = new Float64Array(Math.max(this.values.length * 2, end));
      grown.set(this.values);
      this.values = grown;
    }
    this.values.fill(value, addr, end);
    if (end > this.hi) this.hi = end;
  }

  /** The oldest entry of `cpu`'s buffer reaches memory. */
  private drainOne(cpu: number): void {
    const b = this.buffers[cpu]!;
    const addr = b.addrs[b.head]!;
    const value = b.values[b.head]!;
    b.head++;
    b.drained++;
    if (b.head === b.addrs.length) b.clear();
    this.values[addr] = value;
    this.lastDrain = { cpu, addr, value };
    this.chooser?.published?.(cpu, addr);
  }

  private drain(cpu: number): void {
    const b = this.buffers[cpu]!;
    while (b.size > 0) this.drainOne(cpu);
    b.note = '';
  }

  load(cpu: number, addr: Ptr, _order: MemOrder): number {
    const b = this.buffers[cpu]!;
    b.note = '';
    if (b.size > 0) {
      const v = b.forward(addr);
      if (v !== undefined) {
        b.note = ' [own store buffer]';
        return v;
      }
    }
    return this.values[addr]!;
  }

  store(cpu: number, addr: Ptr, value: number, _order: MemOrder): void {
    const b = this.buffers[cpu]!;
    b.push(addr, value);
    b.note = ' [store buffer]';
  }

  traceNote(cpu: number): string {
    return this.buffers[cpu]?.note ?? '';
  }

  rmw(cpu: number, addr: Ptr, f: RmwFn, _order: MemOrder, _failOrder: MemOrder): number {
    // A locked instruction: the buffer drains, then read and write are one memory step,
    // whether or not it writes (a failed lock cmpxchg is locked too).
    this.drain(cpu);
    const old = this.values[addr]!;
    const next = f(old);
    if (next !== undefined) this.values[addr] = next;
    return old;
  }

  fence(cpu: number, kind: FenceKind): void {
    // mfence. The other kinds are compiler barriers on x86: smp_mb__{before,after}_atomic and
    // smp_mb__after_spinlock sit next to a locked instruction, which drains anyway.
    if (kind === 'mb') this.drain(cpu);
  }

  lock(cpu: number, addr: Ptr): void {
    this.drain(cpu);
    this.values[addr] = 1;
  }

  unlock(cpu: number, addr: Ptr): void {
    const b = this.buffers[cpu]!;
    b.push(addr, 0);
    b.note = ' [store buffer]';
  }

  latest(addr: Ptr): number {
    return this.values[addr]!;
  }

  synchronizeAll(): void {
    for (let cpu = 0; cpu < this.buffers.length; cpu++) this.drain(cpu);
  }

  // Stores before a grace period's start are in memory (its smp_mb drained them): every later
  // reader sees them.
  gracePeriodStart(cpu: number, waiter: boolean): void {
    if (waiter) this.waiting[cpu] = true;
  }

  readSectionStart(cpu: number): void {
    this.buffers[cpu]!.sectionDepth++;
  }

  readSectionEnd(cpu: number): void {
    const b = this.buffers[cpu]!;
    if (--b.sectionDepth === 0) b.sectionEnd = b.pushed;
  }

  gracePeriod(waiter: number): void {
    // Only synchronize_rcu() orders memory; kfree_rcu()'s grace period frees, nothing more.
    if (!this.waiting[waiter]) return;
    this.waiting[waiter] = false;
    // Every CPU reports a quiescent state after the grace period started, through code with
    // full barriers (the RCU core), so what any read-side section stored, also one that
    // ended before the grace period started, is in memory when it ends. Stores after the
    // section may stay buffered.
    for (let cpu = 0; cpu < this.buffers.length; cpu++) {
      const b = this.buffers[cpu]!;
      while (b.drained < b.sectionEnd) this.drainOne(cpu);
    }
  }

  pendingActions(out: number[]): number {
    let n = 0;
    for (let cpu = 0; cpu < this.buffers.length; cpu++) {
      if (this.buffers[cpu]!.size > 0) {
        out.push(cpu);
        n++;
      }
    }
    return n;
  }

  performAction(action: number): void {
    const b = this.buffers[action];
    if (!b || b.size === 0) throw new Error(`tso memory: CPU${action}'s store buffer is empty`);
    this.drainOne(action);
  }

  describeAction(action: number): string {
    const d = this.lastDrain;
    return `CPU${action} store buffer drains: word ${d.addr} = ${d.value}`;
  }
}

// x86-TSO (Owens, Sarkar, Sewell, TPHOLs'09): one memory, and per CPU a FIFO store buffer.
// A store goes into its CPU's buffer; a load reads the CPU's own newest buffered store to that
// word if there is one (store forwarding), memory otherwise. Draining the oldest entry of a
// buffer is an internal action the scheduler chooses like a thread step (`m<cpu>` on the
// path), so every drain order is explored. Locked instructions (every RMW: xchg, cmpxchg,
// lock bts, lock xadd, and spin_lock's lock cmpxchg) and smp_mb (mfence) drain the CPU's buffer
// first. smp_rmb, smp_wmb, release and acquire cost nothing on x86: TSO already orders
// load->load, store->store and load->store; only store->load reordering remains (SB).
// spin_unlock is a plain store; the lock is free for others once it has drained
// (src/sim/execution.ts).
//
// Not covered: x86's memory types and non-temporal stores (the kernel's dma_fence code uses
// neither); store buffers are unbounded.

import type { FenceKind, MemOrder, Ptr } from '../../kernel/cpu.ts';
import type { MemoryModel, RmwFn } from './model.ts';

class StoreBuffer {
  addrs: number[] = [];
  values: number[] = [];
  head = 0;

  get size(): number {
    return this.addrs.length - this.head;
  }

  push(addr: Ptr, value: number): void {
    this.addrs.push(addr);
    this.values.push(value);
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
}

export class TsoMemory implements MemoryModel {
  readonly name = 'tso' as const;
  private values = new Float64Array(1 << 14);
  /** one past the highest word initialised this execution: what reset must clear */
  private hi = 0;
  private buffers: StoreBuffer[] = [];
  private lastDrain = { cpu: 0, addr: 0, value: 0 };

  reset(cpus: number): void {
    this.values.fill(0, 0, this.hi);
    this.hi = 0;
    if (this.buffers.length !== cpus) this.buffers = Array.from({ length: cpus }, () => new StoreBuffer());
    for (const b of this.buffers) b.clear();
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
    if (b.head === b.addrs.length) b.clear();
    this.values[addr] = value;
    this.lastDrain = { cpu, addr, value };
  }

  private drain(cpu: number): void {
    const b = this.buffers[cpu]!;
    while (b.size > 0) this.drainOne(cpu);
  }

  load(cpu: number, addr: Ptr, _order: MemOrder): number {
    const b = this.buffers[cpu]!;
    if (b.size > 0) {
      const v = b.forward(addr);
      if (v !== undefined) return v;
    }
    return this.values[addr]!;
  }

  store(cpu: number, addr: Ptr, value: number, _order: MemOrder): void {
    this.buffers[cpu]!.push(addr, value);
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
    this.buffers[cpu]!.push(addr, 0);
  }

  latest(addr: Ptr): number {
    return this.values[addr]!;
  }

  synchronizeAll(): void {
    for (let cpu = 0; cpu < this.buffers.length; cpu++) this.drain(cpu);
  }

  // Stores before a grace period's start are in memory (its smp_mb drained them): every later
  // reader sees them.
  gracePeriodStart(): void {}
  readSectionStart(): void {}
  readSectionEnd(): void {}

  gracePeriod(): void {
    // Every CPU reports a quiescent state after the grace period started, through code with
    // full barriers (the RCU core), so what any read-side section stored, also one that ended
    // before the grace period started, is in memory when it ends.
    this.synchronizeAll();
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

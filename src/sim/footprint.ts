// What one interleaving step touched, for partial-order reduction (src/sim/schedulers/dpor.ts):
// two steps commute unless they touch a common location and at least one writes it. Locations
// are heap words, plus pseudo-locations for the state the simulator keeps outside the heap:
//   CPU(n)  everything on CPU n: its store buffer or views, its interrupt state. Every step of
//           a thread on CPU n writes it, so an interrupt handler and the process code it
//           interrupts never commute, nor a store-buffer drain with its CPU's threads.
//   HEAP    the allocator: two allocations in the other order hand out other addresses.
//   RCU     readers and grace periods: a grace period's start and end write it; a step that
//           enters or leaves a read-side section (rcu_read_lock, a spinlock, interrupts off),
//           or resumes after synchronize_rcu(), reads it.
//   FENCE   the weak model's global view G that every full fence joins both ways.
//   CLOCK   ktime_get(): timestamps keep their order.
// A step marked global (a module unload, a timeout that fires because nothing else could run)
// is dependent with every other.

import type { Ptr } from '../kernel/cpu.ts';

const PSEUDO_BASE = 1 << 28;
export const HEAP_LOCATION = PSEUDO_BASE;
export const RCU_LOCATION = PSEUDO_BASE + 1;
export const FENCE_LOCATION = PSEUDO_BASE + 2;
export const CLOCK_LOCATION = PSEUDO_BASE + 3;
export function cpuLocation(cpu: number): number {
  return PSEUDO_BASE + 16 + cpu;
}

/** A finished step's footprint: location * 2 + (1 if written), duplicates removed. */
export interface Footprint {
  readonly entries: readonly number[];
  readonly global: boolean;
}

/** Collects one step's footprint; reused across steps. */
export class FootprintRecorder {
  private entries: number[] = [];
  private global = false;

  /** A thread step on `cpu`, or a memory-model action (null: its effects name their CPU). */
  begin(cpu: number | null): void {
    this.entries.length = 0;
    this.global = false;
    if (cpu !== null) this.write(cpuLocation(cpu));
  }

  read(location: number): void {
    this.entries.push(location * 2);
  }

  write(location: number): void {
    this.entries.push(location * 2 + 1);
  }

  writeRange(base: Ptr, size: number): void {
    for (let a = base; a < base + size; a++) this.write(a);
  }

  markGlobal(): void {
    this.global = true;
  }

  finish(): Footprint {
    // Sorted by location (insertion sort: a step touches a handful), keeping the strongest
    // entry per location: a location written is also read.
    const e = this.entries;
    const out: number[] = [];
    for (const x of e) {
      let i = out.length;
      while (i > 0 && out[i - 1]! >> 1 > x >> 1) i--;
      if (i > 0 && out[i - 1]! >> 1 === x >> 1) out[i - 1] = out[i - 1]! | x;
      else out.splice(i, 0, x);
    }
    return { entries: out, global: this.global };
  }
}

/** Do the two steps fail to commute? (entries are sorted by location) */
export function dependent(a: Footprint, b: Footprint): boolean {
  if (a.global || b.global) return true;
  const x = a.entries;
  const y = b.entries;
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const lx = x[i]! >> 1;
    const ly = y[j]! >> 1;
    if (lx < ly) i++;
    else if (ly < lx) j++;
    else {
      if ((x[i]! | y[j]!) & 1) return true;
      i++;
      j++;
    }
  }
  return false;
}

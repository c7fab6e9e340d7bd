// The timing model's memory: a word heap (8-byte words, 8 to a 64-byte line) with a slab-like
// allocator, and a coherence directory per line (the owner holding it modified, the sharers
// holding it clean). It answers what an access costs the CPU making it:
//   - a hit (the CPU holds the line: owner, or sharer for a load) costs the profile's L1 figure;
//   - a load of a line another CPU holds modified is a line transfer from that CPU;
//   - a store or RMW to a line other CPUs hold invalidates them all and is a transfer from the
//     farthest of them (the invalidations go out together; the last acknowledgement gates it);
//   - a line nobody holds comes from the last-level cache (no transfer).
// Transfers of one line are serialized (a line is in flight to one CPU at a time): that queue
// is what makes N CPUs re-reading a lock word after every release cost N transfers in a row
// (Boyd-Wickizer et al., "Non-scalable locks are dangerous", Linux Symposium 2012, section 3).
// Every write bumps the line's version and wakes the CPUs spinning on it (event-driven spinning:
// a spinner costs nothing until the line it reads changes). All state lives in typed arrays
// grown by doubling: the access path allocates nothing.

import type { Profile } from './profile.ts';
import { transferNs } from './profile.ts';

export const WORDS_PER_LINE = 8;
const LINE_SHIFT = 3;
export const NULL_PAGE_WORDS = 64;

export class Machine {
  mem = new Float64Array(1 << 16);
  private owner = new Int16Array(1 << 13).fill(-1);
  private sharersLo = new Uint32Array(1 << 13);
  private sharersHi = new Uint32Array(1 << 13);
  private busyUntil = new Float64Array(1 << 13);
  versions = new Uint32Array(1 << 13);
  waitersLo = new Uint32Array(1 << 13);
  waitersHi = new Uint32Array(1 << 13);
  private top = NULL_PAGE_WORDS;
  /** free objects per size class (log2 of the words) */
  private readonly free: number[][] = Array.from({ length: 32 }, () => []);
  /** line transfers so far (all CPUs) */
  transfers = 0;
  /** whether the last access was a transfer (read by the CPU to attribute it) */
  lastTransfer = false;
  private readonly xfer: Float64Array;

  constructor(
    readonly profile: Profile,
    readonly cpus: number,
  ) {
    // transfer latency per CPU pair, looked up on every miss
    this.xfer = new Float64Array(cpus * cpus);
    for (let a = 0; a < cpus; a++) for (let b = 0; b < cpus; b++) this.xfer[a * cpus + b] = transferNs(profile, a, b);
  }

  // --- allocation ---------------------------------------------------------------------------

  /** Words of the size class `words` falls in, and its alignment (a line at most). */
  private static sizeClass(words: number): number {
    let c = 0;
    while (1 << c < words) c++;
    return c;
  }

  allocate(words: number): number {
    const c = Machine.sizeClass(Math.max(1, words));
    const list = this.free[c]!;
    if (list.length > 0) return list.pop()!;
    const size = 1 << c;
    const align = Math.min(size, WORDS_PER_LINE);
    const base = Math.ceil(this.top / align) * align;
    this.top = base + size;
    this.ensure(this.top);
    return base;
  }

  release(ptr: number, words: number): void {
    this.free[Machine.sizeClass(Math.max(1, words))]!.push(ptr);
  }

  private ensure(words: number): void {
    if (words <= this.mem.length) return;
    let n = this.mem.length;
    while (n < words) n *= 2;
    const mem = new Float64Array(n);
    mem.set(this.mem);
    this.mem = mem;
    const lines = n >> LINE_SHIFT;
    const grow = <T extends Int16Array | Uint32Array | Float64Array>(a: T, make: (k: number) => T, fill?: number): T => {
      const b = make(lines);
      if (fill !== undefined) (b as Int16Array).fill(fill);
      b.set(a as never);
      return b;
    };
    this.owner = grow(this.owner, (k) => new Int16Array(k), -1);
    this.sharersLo = grow(this.sharersLo, (k) => new Uint32Array(k));
    this.sharersHi = grow(this.sharersHi, (k) => new Uint32Array(k));
    this.busyUntil = grow(this.busyUntil, (k) => new Float64Array(k));
    this.versions = grow(this.versions, (k) => new Uint32Array(k));
    this.waitersLo = grow(this.waitersLo, (k) => new Uint32Array(k));
    this.waitersHi = grow(this.waitersHi, (k) => new Uint32Array(k));
  }

  // --- coherence ------------------------------------------------------------------------------

  private holds(line: number, cpu: number): boolean {
    if (this.owner[line] === cpu) return true;
    return cpu < 32 ? (this.sharersLo[line]! & (1 << cpu)) !== 0 : (this.sharersHi[line]! & (1 << (cpu - 32))) !== 0;
  }

  private addSharer(line: number, cpu: number): void {
    if (cpu < 32) this.sharersLo[line]! |= 1 << cpu;
    else this.sharersHi[line]! |= 1 << (cpu - 32);
  }

  /**
   * The slowest (`farthest`) or fastest transfer from any CPU holding `line` (other than `cpu`)
   * to `cpu`; -1 if none holds it.
   */
  private holderLatency(line: number, cpu: number, farthest: boolean): number {
    let worst = -1;
    const row = cpu;
    const o = this.owner[line]!;
    if (o >= 0 && o !== cpu) worst = this.xfer[o * this.cpus + row]!;
    for (let half = 0; half < 2; half++) {
      let bits = half === 0 ? this.sharersLo[line]! : this.sharersHi[line]!;
      while (bits !== 0) {
        const low = bits & -bits;
        const other = 31 - Math.clz32(low) + half * 32;
        bits ^= low;
        if (other !== cpu && other < this.cpus) {
          const x = this.xfer[other * this.cpus + row]!;
          if (worst < 0 || (farthest ? x > worst : x < worst)) worst = x;
        }
      }
    }
    return worst;
  }

  /** Waits for the line's earlier transfers, then moves it: returns the time it arrives. */
  private transfer(line: number, now: number, latency: number): number {
    const start = Math.max(now, this.busyUntil[line]!);
    const done = start + latency;
    this.busyUntil[line] = done;
    this.transfers++;
    this.lastTransfer = true;
    return done;
  }

  /** A load by `cpu` at `now`: returns its cost in ns. */
  read(cpu: number, addr: number, now: number): number {
    const line = addr >> LINE_SHIFT;
    this.lastTransfer = false;
    const c = this.profile.costs;
    if (this.holds(line, cpu)) return c.l1_hit;
    const o = this.owner[line]!;
    let cost: number;
    if (o >= 0) {
      cost = this.transfer(line, now, this.xfer[o * this.cpus + cpu]!) - now;
      this.owner[line] = -1;
      this.addSharer(line, o);
    } else if ((this.sharersLo[line]! | this.sharersHi[line]!) !== 0) {
      cost = this.transfer(line, now, this.holderLatency(line, cpu, false)) - now;
    } else {
      cost = c.llc_hit;
    }
    this.addSharer(line, cpu);
    return cost;
  }

  /** A store or RMW by `cpu` at `now` (`base`: the instruction's own cost): returns its cost. */
  write(cpu: number, addr: number, now: number, base: number): number {
    const line = addr >> LINE_SHIFT;
    this.lastTransfer = false;
    let cost = base;
    if (this.owner[line] !== cpu) {
      const worst = this.holderLatency(line, cpu, true);
      if (worst >= 0) cost = this.transfer(line, now, worst) - now + base;
      else if (!this.holds(line, cpu)) cost = this.profile.costs.llc_hit + base;
      this.owner[line] = cpu;
      this.sharersLo[line] = 0;
      this.sharersHi[line] = 0;
    }
    this.versions[line]!++;
    return cost;
  }

  lineOf(addr: number): number {
    return addr >> LINE_SHIFT;
  }
}

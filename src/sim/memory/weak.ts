// The weak model: arm64-like, operational, view-based (the promising semantics of Kang et al.,
// POPL'17, without promises), with the refinements the Linux-kernel memory model needs. It is
// validated against LKMM's own litmus tests (README "Memory models"; memory-model-notes.md
// section (c) lists, test by test, what each refinement is for).
//
// State (views.ts): per location written while threads run, its writes in coherence order
// (messages); per CPU, views: coherence floors per location.
//   cur  what the CPU has observed: a load reads a message at or after cur[x], a store lands
//        after cur[x].
//   acq  the join of the views of the messages it has read: what an acquire fence (smp_rmb,
//        smp_mb) adds to cur.
//   rel  what its relaxed stores carry: grows at release fences (smp_mb: everything,
//        smp_wmb: only its own stores) and at a lock hand-off.
//   own  its own newest store per location (smp_wmb publishes exactly these).
// plus one global view G that full fences join both ways (LKMM's strong fences).
//
// Accesses:
//   load       relaxed: any message not older than cur[x] — the choice `r` on the path,
//              newest first. acquire: also joins the message's view into cur.
//   store      relaxed: lands in any gap of the history after cur[x] — the choice `w`,
//              appending first (S+poonceonces needs a store *before* a newer one).
//              Carries rel. release: carries the whole cur, writes it read included
//              (A-cumulative: WRC+pooncerelease+fencermbonceonce).
//   rmw        reads the coherence-latest message and writes right after it; nothing may
//              later land in between. Its message continues the release sequence of the one
//              it read. 'mb' = smp_mb(); rmw; smp_mb(). A conditional RMW that does not write
//              (set bit already set, failed cmpxchg) is a read with `failOrder`, like a
//              READ_ONCE: of the latest write, or of an older one it would fail on too.
//              'relaxed' RMWs are the non-value-returning ones (set_bit, atomic_inc): smp_rmb
//              does not order their read half (LKMM: R4rmb = R \ Noreturn).
//   fences     smp_mb (and the smp_mb__{before,after}_atomic / __after_spinlock variants):
//              acquire fence, then cur ⊔ G into both, then a release fence: an SC fence
//              joined both ways (SB/R/IRIW+fencemb*). smp_rmb and smp_acquire__after_ctrl_dep:
//              acquire fence. smp_wmb: release fence for the CPU's own stores only (not
//              A-cumulative: WRC+wmb+rmb stays Sometimes).
//   lock       an acquire RMW of a free lock word; stores after it also carry the view of the
//              unlock it read (lock hand-off, ISA2+pooncelock+pooncelock+pombonce) but not the
//              lock's own write (MP+polockonce+poacquiresilsil stays Sometimes); and an unlock
//              earlier on the same CPU, of any lock, plus this lock act as an acquire+release
//              fence, not an SC fence (MP+unlocklockonceonce+fencermbonceonce).
//   unlock     a release store of 0.
//   grace period  synchronize_rcu is smp_mb; GP; smp_mb (src/sim/cpu.ts). At its start the
//              waiter's view joins R, the view every later read-side section starts with
//              (rcu_read_lock joins R into cur): a section that begins after a grace period
//              started sees what preceded the start. At its end the waiter sees every section
//              that began before the start: the views the CPUs had when they left their last
//              section before the start, and the views of the readers it waited for as they
//              left theirs. Together: a cycle needs fewer grace periods than read-side
//              sections (RCU-MP and RCU-SB shapes in test/memory-models.test.ts).
//   fairness   a CPU reads a given stale write of a location at most MAX_STALE_READS times
//              in a row; the next read of that location sees something newer. Stores reach
//              every CPU eventually (LKMM assumes so); without this a spin loop such as
//              dma_fence_timestamp()'s could read the old flag forever under dfs.
//   dependencies  an access whose address came from a load sees at least what the message
//              that load read carries (LKMM's addr dependencies; rcu_dereference is a
//              READ_ONCE plus this). The litmus runner passes register dependencies exactly
//              (dependOn/lastReadDependency). Kernel code under the simulator passes plain
//              numbers, so there the model tracks them by value: a loaded value that points
//              into an allocation makes later accesses to that allocation dependent on the
//              load (`valueDependencies`).
//
// LKMM check: the model also records the execution graph (graph.ts: events, rf, co, rmw and,
// from the litmus runner, addr/data/ctrl dependencies) and lkmm.ts checks linux-kernel.cat's
// axioms on it. The views above generate candidate executions, a few of them (cumulativity
// and propagation shapes: S, WWC, ISA2, release chains through address dependencies, several
// grace periods) weaker than LKMM; the check drops those: eagerly after every departure
// from SC when `eagerPruning` (litmus), else when asked (`consistent()`, an execution that
// reached a violation). So the model is never weaker than LKMM; where it is stronger is
// listed below.
//
// Not covered (README "Memory models" lists each with its skipped test):
//   load buffering: no promises, so a load never reads a store that is po-later in a thread
//   that has not run it yet (LB+poonceonces is Sometimes in LKMM, Never here);
//   an RMW that writes reads the latest write (LKMM also lets it read an older one and land
//   right after it, before newer writes);
//   smp_mb__{before,after}_atomic are full fences even with no RMW next to them;
//   the fairness bound above (three stale reads of x in a row in MP are Never here).
// Stronger than LKMM, never weaker:
//   a waited-for reader that leaves its section and runs a whole new one before the grace
//   period ends has that newer section joined too (stronger than LKMM, never weaker);
//   only rcu_read_lock() opens a section here (LKMM's notion); the simulator also waits for
//   spinlock and IRQ-off regions (consolidated RCU), the memory model does not order them.

import type { FenceKind, MemOrder, Ptr } from '../../kernel/cpu.ts';
import { NULL_PAGE_WORDS } from '../heap.ts';
import { EvFlag, ExecutionGraph, Fence } from './graph.ts';
import { lkmmViolation } from './lkmm.ts';
import { InconsistentExecution, type Chooser, type MemoryModel, type RmwFn } from './model.ts';
import { at, joined, joinInto, raise, type Msg, type View } from './views.ts';

/** How a read synchronizes with the message it reads. */
const enum ReadKind {
  /** READ_ONCE, plain, failed conditional RMW: cur[x] only; the view goes to acq */
  Relaxed,
  /** acquire: the message's view joins cur (and acq) */
  Acquire,
  /** read half of a non-value-returning RMW: not even acq (smp_rmb ignores it) */
  NoReturn,
}

class CpuViews {
  cur: View = [];
  acq: View = [];
  /** immutable once set: messages share it */
  rel: View | null = null;
  own: View = [];
  /** cur and acq at this CPU's last spin_unlock (immutable) */
  unlockRel: View | null = null;
  unlockAcq: View | null = null;
  /** value dependencies: allocation base + 1 -> what accesses into it must see */
  deps: Map<number, View> | null = null;
  /** an explicit dependency for this CPU's next access (litmus registers) */
  pendingDep: View | null = null;
  /** the reads the next access depends on, for the execution graph (litmus registers) */
  graphDeps: GraphDeps | null = null;
  /** the graph event of this CPU's last read */
  lastReadEvent = -1;
  lastMsg: Msg | null = null;
  lastSlot = -1;
  /** for traces: the newest write when the last load read an older one; the write a store landed before */
  noteNewest: Msg | null = null;
  noteBefore: Msg | null = null;
  /** per slot: the stale write this CPU read last, and how many times in a row */
  staleMsg: (Msg | undefined)[] = [];
  staleReads: number[] = [];
  /** rcu_read_lock nesting, and cur when it last left an outermost section (immutable) */
  sectionDepth = 0;
  sectionEnd: View | null = null;
  /** while it waits in synchronize_rcu: the sections that ended before the grace period started */
  gpStart: View | null = null;
}

/** Reads (graph events) an access depends on through its address, its value, a branch. */
export interface GraphDeps {
  readonly addr: readonly number[];
  readonly data: readonly number[];
  readonly ctrl: readonly number[];
}

function readFlags(order: MemOrder): number {
  return order === 'acquire' || order === 'mb' ? EvFlag.Acquire : order === 'relaxed' ? EvFlag.Noreturn : 0;
}

const GRAPH_FENCE: Record<FenceKind, Fence> = {
  mb: Fence.Mb,
  rmb: Fence.Rmb,
  // smp_acquire__after_ctrl_dep is at least an smp_rmb (an LKMM graph records no more)
  acquire: Fence.Rmb,
  wmb: Fence.Wmb,
  before_atomic: Fence.BeforeAtomic,
  after_atomic: Fence.AfterAtomic,
  after_spinlock: Fence.AfterSpinlock,
};

/** How often in a row a CPU may read the same stale write of a location (fairness). */
export const MAX_STALE_READS = 2;

function readKind(order: MemOrder): ReadKind {
  return order === 'acquire' || order === 'mb' ? ReadKind.Acquire : order === 'relaxed' ? ReadKind.NoReturn : ReadKind.Relaxed;
}

const NO_CHOOSER: Chooser = {
  chooseIndex() {
    return 0;
  },
};

export class WeakMemory implements MemoryModel {
  readonly name = 'weak' as const;
  /**
   * Track address dependencies by value (for kernel code, which passes plain numbers). The
   * litmus runner turns this off and passes register dependencies exactly.
   */
  valueDependencies = true;

  private chooser: Chooser = NO_CHOOSER;
  /** values of the locations without a history: one write, visible to every CPU */
  private base = new Float64Array(1 << 14);
  /** address -> slot + 1 (0: no history) */
  private slotOf = new Int32Array(1 << 14);
  /** address -> base address of its allocation + 1 (0: none) */
  private objBase = new Int32Array(1 << 14);
  private hi = 0;
  private histories: Msg[][] = [];
  private slotAddr: number[] = [];
  private cpus: CpuViews[] = [];
  private global: View = [];
  /** join of the waiters' views at every grace-period start so far */
  private rcu: View = [];
  /**
   * Check LKMM's axioms after every choice that departs from SC, and drop the execution
   * (InconsistentExecution) as soon as they fail: the litmus runner does. Otherwise they are
   * checked only when asked (`consistent()`, for an execution that reached a violation).
   */
  eagerPruning = false;
  /** the events of the current phase, and of the phases before (setup) */
  private graph = new ExecutionGraph();
  private sealed: ExecutionGraph[] = [];

  reset(cpus: number, chooser: Chooser): void {
    this.chooser = chooser;
    this.base.fill(0, 0, this.hi);
    this.objBase.fill(0, 0, this.hi);
    this.hi = 0;
    this.dropHistories();
    this.cpus = Array.from({ length: cpus }, () => new CpuViews());
    this.graph = new ExecutionGraph();
    this.sealed = [];
  }

  private dropHistories(): void {
    for (const a of this.slotAddr) this.slotOf[a] = 0;
    this.histories = [];
    this.slotAddr = [];
    this.global = [];
    this.rcu = [];
  }

  private grow(end: number): void {
    if (end <= this.base.length) return;
    const size = Math.max(this.base.length * 2, end);
    const base = new Float64Array(size);
    base.set(this.base);
    this.base = base;
    const slotOf = new Int32Array(size);
    slotOf.set(this.slotOf);
    this.slotOf = slotOf;
    const objBase = new Int32Array(size);
    objBase.set(this.objBase);
    this.objBase = objBase;
  }

  init(addr: Ptr, size: number, value: number): void {
    const end = addr + size;
    this.grow(end);
    if (end > this.hi) this.hi = end;
    this.base.fill(value, addr, end);
    this.objBase.fill(addr + 1, addr, end);
    // A fresh allocation starts a fresh history (the heap never reuses memory within an
    // execution, but be exact if it ever does): a new slot is made on its first store.
    for (let a = addr; a < end; a++) this.slotOf[a] = 0;
  }

  private slotFor(addr: Ptr): number {
    const s = this.slotOf[addr]! - 1;
    if (s >= 0) return s;
    if (addr >= this.base.length) this.grow(addr + 1);
    const slot = this.histories.length;
    this.histories.push([{ value: this.base[addr]!, idx: 0, view: null, rmw: false, ev: -1 }]);
    this.slotAddr.push(addr);
    this.slotOf[addr] = slot + 1;
    return slot;
  }

  // --- dependencies -------------------------------------------------------------------------

  /** The coherence floor an access's address dependencies put on `slot`. */
  private depFloor(c: CpuViews, addr: Ptr, slot: number): number {
    let floor = 0;
    if (c.pendingDep) {
      floor = at(c.pendingDep, slot);
      c.pendingDep = null;
    }
    if (c.deps) {
      const b = this.objBase[addr]!;
      const v = b ? c.deps.get(b) : undefined;
      if (v) floor = Math.max(floor, at(v, slot));
    }
    return floor;
  }

  private noteValueDependency(c: CpuViews, m: Msg): void {
    const v = m.value;
    if (!m.view || v < NULL_PAGE_WORDS || v >= this.hi || !Number.isInteger(v)) return;
    const b = this.objBase[v]!;
    if (!b) return;
    if (!c.deps) c.deps = new Map();
    c.deps.set(b, joined(c.deps.get(b) ?? null, m.view)!);
  }

  /**
   * The dependency a value just loaded by `cpu` carries: what an access whose address is
   * computed from it must see. Null when the load read a location without history.
   */
  lastReadDependency(cpu: number): View | null {
    const c = this.cpus[cpu]!;
    const m = c.lastMsg;
    if (!m) return null;
    const v = m.view ? m.view.slice() : [];
    raise(v, c.lastSlot, m);
    return v;
  }

  /** `cpu`'s next access has an address dependency on loads that carried `dep`. */
  dependOn(cpu: number, dep: View | null): void {
    this.cpus[cpu]!.pendingDep = dep;
  }

  /** The reads `cpu`'s next access depends on (its graph events: `lastReadEvent`). */
  dependOnReads(cpu: number, deps: GraphDeps | null): void {
    this.cpus[cpu]!.graphDeps = deps;
  }

  /** The graph event of `cpu`'s last read (for the reads a register's value depends on). */
  lastReadEvent(cpu: number): number {
    return this.cpus[cpu]!.lastReadEvent;
  }

  // --- the execution graph --------------------------------------------------------------------

  private readEvent(cpu: number, addr: Ptr, flags: number, from: Msg | null): number {
    const c = this.cpus[cpu]!;
    const e = this.graph.read(cpu, addr, flags, from);
    c.lastReadEvent = e;
    const d = c.graphDeps;
    if (d) this.graph.depend(e, d.addr, null, d.ctrl);
    return e;
  }

  private writeEvent(cpu: number, addr: Ptr, flags: number, m: Msg): number {
    const e = this.graph.write(cpu, addr, flags, m);
    const d = this.cpus[cpu]!.graphDeps;
    if (d) this.graph.depend(e, d.addr, d.data, d.ctrl);
    return e;
  }

  /** A fence only LKMM's axioms need (the operational model gives it no meaning of its own). */
  graphFence(cpu: number, fence: Fence, addr = -1): void {
    this.graph.fenceEvent(cpu, fence, addr);
  }

  /** After a choice that departs from SC: drop the execution now if LKMM forbids it. */
  private pruneIfForbidden(): void {
    if (this.eagerPruning && lkmmViolation(this.graph)) throw new InconsistentExecution('LKMM forbids this execution');
  }

  consistent(): boolean {
    return lkmmViolation(this.graph) === null && this.sealed.every((g) => lkmmViolation(g) === null);
  }

  // --- accesses -----------------------------------------------------------------------------

  traceNote(cpu: number, show: (value: number) => string): string {
    const c = this.cpus[cpu];
    if (c?.noteNewest) return ` [stale: newest ${show(c.noteNewest.value)}]`;
    if (c?.noteBefore) return ` [coherence: before ${show(c.noteBefore.value)}]`;
    return '';
  }

  private observe(c: CpuViews, slot: number, m: Msg, kind: ReadKind): void {
    raise(c.cur, slot, m);
    c.lastMsg = m;
    c.lastSlot = slot;
    if (!m.view) return;
    if (kind === ReadKind.Acquire) joinInto(c.cur, m.view);
    if (kind !== ReadKind.NoReturn) joinInto(c.acq, m.view);
  }

  load(cpu: number, addr: Ptr, order: MemOrder): number {
    const c = this.cpus[cpu]!;
    const slot = this.slotOf[addr]! - 1;
    if (slot < 0) {
      c.pendingDep = null;
      c.lastMsg = null;
      c.noteNewest = null;
      c.noteBefore = null;
      this.readEvent(cpu, addr, readFlags(order), null);
      c.graphDeps = null;
      return this.base[addr]!;
    }
    const h = this.histories[slot]!;
    let floor = Math.max(at(c.cur, slot), this.depFloor(c, addr, slot));
    const stale = c.staleMsg[slot];
    if (stale && c.staleReads[slot]! >= MAX_STALE_READS && stale.idx >= floor) floor = Math.min(stale.idx + 1, h.length - 1);
    const n = h.length - floor;
    // 0 = the newest write (what SC would read), then ever older ones.
    const k = n > 1 ? this.chooser.chooseIndex('r', n) : 0;
    const m = h[h.length - 1 - k]!;
    c.noteNewest = k === 0 ? null : h[h.length - 1]!;
    c.noteBefore = null;
    if (k === 0) c.staleMsg[slot] = undefined;
    else if (stale === m) c.staleReads[slot]!++;
    else {
      c.staleMsg[slot] = m;
      c.staleReads[slot] = 1;
    }
    this.observe(c, slot, m, readKind(order));
    if (this.valueDependencies) this.noteValueDependency(c, m);
    this.readEvent(cpu, addr, readFlags(order), m);
    c.graphDeps = null;
    if (k > 0) this.pruneIfForbidden();
    return m.value;
  }

  store(cpu: number, addr: Ptr, value: number, order: MemOrder): void {
    const c = this.cpus[cpu]!;
    const slot = this.slotFor(addr);
    const h = this.histories[slot]!;
    const floor = Math.max(at(c.cur, slot), this.depFloor(c, addr, slot));
    // Places: just before h[p] for floor < p < length, unless h[p] is an RMW's write (it
    // must stay right after the write it read), or at the end (p = length, choice 0).
    let n = 1;
    for (let p = floor + 1; p < h.length; p++) if (!h[p]!.rmw) n++;
    let p = h.length;
    if (n > 1) {
      let k = this.chooser.chooseIndex('w', n);
      while (k > 0) {
        p--;
        if (!h[p]!.rmw) k--;
      }
    }
    const m: Msg = { value, idx: p, view: order === 'release' ? null : c.rel, rmw: false, ev: -1 };
    c.noteNewest = null;
    c.noteBefore = p === h.length ? null : h[p]!;
    if (p === h.length) h.push(m);
    else {
      h.splice(p, 0, m);
      for (let i = p + 1; i < h.length; i++) h[i]!.idx = i;
    }
    raise(c.cur, slot, m);
    raise(c.own, slot, m);
    // A release store carries everything the CPU has seen, the writes it only read included.
    if (order === 'release') m.view = c.cur.slice();
    this.writeEvent(cpu, addr, order === 'release' ? EvFlag.Release : 0, m);
    c.graphDeps = null;
    if (p !== h.length - 1) this.pruneIfForbidden();
  }

  rmw(cpu: number, addr: Ptr, f: RmwFn, order: MemOrder, failOrder: MemOrder): number {
    const c = this.cpus[cpu]!;
    let slot = this.slotOf[addr]! - 1;
    if (slot >= 0) {
      // Older writes it may read instead: those it fails on (LKMM: a failed conditional RMW
      // is only a read). 0 = the latest, as for a load.
      const h = this.histories[slot]!;
      const floor = Math.max(at(c.cur, slot), this.depFloor(c, addr, slot));
      let n = 1;
      for (let i = h.length - 2; i >= floor; i--) if (f(h[i]!.value) === undefined) n++;
      let k = n > 1 ? this.chooser.chooseIndex('r', n) : 0;
      c.noteBefore = null;
      c.noteNewest = k > 0 ? h[h.length - 1]! : null;
      if (k > 0) {
        let i = h.length - 1;
        while (k > 0) if (f(h[--i]!.value) === undefined) k--;
        this.observe(c, slot, h[i]!, readKind(failOrder));
        this.readEvent(cpu, addr, readFlags(failOrder), h[i]!);
        c.graphDeps = null;
        this.pruneIfForbidden();
        return h[i]!.value;
      }
    } else {
      c.noteNewest = null;
      c.noteBefore = null;
    }
    const latest = slot < 0 ? this.base[addr]! : this.histories[slot]![this.histories[slot]!.length - 1]!.value;
    const next = f(latest);
    if (next === undefined) {
      // It does not write: a read of the latest write, ordered as `failOrder` (a failed
      // conditional RMW orders nothing unless it says so; kernel-notes section 2).
      const h = slot >= 0 ? this.histories[slot]! : null;
      if (h) this.observe(c, slot, h[h.length - 1]!, readKind(failOrder));
      else c.lastMsg = null;
      c.pendingDep = null;
      this.readEvent(cpu, addr, readFlags(failOrder), h ? h[h.length - 1]! : null);
      c.graphDeps = null;
      return latest;
    }
    if (order === 'mb') this.mbEvent(cpu);
    slot = this.slotFor(addr);
    c.pendingDep = null;
    const h = this.histories[slot]!;
    const read = h[h.length - 1]!;
    this.observe(c, slot, read, readKind(order));
    const m: Msg = { value: next, idx: h.length, view: null, rmw: true, ev: -1 };
    h.push(m);
    raise(c.cur, slot, m);
    raise(c.own, slot, m);
    // The write continues the release sequence of the write it read (PS: an update's message
    // joins the view of the message it reads), so refcount_dec_and_test's acquire on zero
    // sees every earlier holder's accesses, not only the last one's.
    m.view = joined(read.view, order === 'release' || order === 'mb' ? c.cur : c.rel);
    // herd: a fully ordered RMW is smp_mb(); rmw; smp_mb() (its R and W themselves relaxed).
    const r = this.readEvent(cpu, addr, EvFlag.Rmw | (order === 'mb' ? 0 : readFlags(order)), read);
    const w = this.writeEvent(cpu, addr, EvFlag.Rmw | (order === 'release' ? EvFlag.Release : 0), m);
    this.graph.pairRmw(r, w);
    c.graphDeps = null;
    if (order === 'mb') this.mbEvent(cpu);
    return latest;
  }

  // --- fences -------------------------------------------------------------------------------

  private acquireFence(c: CpuViews): void {
    joinInto(c.cur, c.acq);
  }

  /** smp_mb() on `cpu`, also as a graph event. */
  private mbEvent(cpu: number): void {
    this.fullFence(this.cpus[cpu]!);
    this.graph.fenceEvent(cpu, Fence.Mb);
  }

  /** smp_mb(): acquire fence, SC fence joined both ways with G, release fence. */
  private fullFence(c: CpuViews): void {
    joinInto(c.cur, c.acq);
    joinInto(this.global, c.cur);
    joinInto(c.cur, this.global);
    c.rel = c.cur.slice();
  }

  fence(cpu: number, kind: FenceKind): void {
    const c = this.cpus[cpu]!;
    // The graph records the fence LKMM knows; the operational model below may be stronger.
    this.graph.fenceEvent(cpu, GRAPH_FENCE[kind]);
    switch (kind) {
      case 'mb':
      case 'after_spinlock':
      // LKMM orders only across the adjacent RMW; as full fences they are a little stronger
      // when no RMW is next to them (the lab only uses them next to one).
      case 'before_atomic':
      case 'after_atomic':
        this.fullFence(c);
        return;
      case 'rmb':
      case 'acquire':
        this.acquireFence(c);
        return;
      case 'wmb':
        c.rel = joined(c.rel, c.own);
        return;
    }
  }

  // --- locks --------------------------------------------------------------------------------

  lock(cpu: number, addr: Ptr): void {
    const c = this.cpus[cpu]!;
    const slot = this.slotFor(addr);
    c.pendingDep = null;
    const h = this.histories[slot]!;
    const unlock = h[h.length - 1]!;
    this.observe(c, slot, unlock, ReadKind.Acquire);
    // Hand-off: stores after the lock propagate after the stores before the unlock it read
    // (LKMM's second lock property), so they carry that unlock's view. Not the lock's own
    // write, which is not ordered before the critical section's stores.
    if (unlock.view) c.rel = joined(c.rel, unlock.view);
    // po-unlock-lock-po: an earlier unlock on this CPU, of any lock, and this lock order
    // everything before the unlock before everything after the lock.
    if (c.unlockRel) {
      c.rel = joined(c.rel, c.unlockRel);
      joinInto(c.cur, c.unlockAcq);
    }
    const m: Msg = { value: 1, idx: h.length, view: unlock.view, rmw: true, ev: -1 };
    h.push(m);
    raise(c.cur, slot, m);
    raise(c.own, slot, m);
    const r = this.readEvent(cpu, addr, EvFlag.Lkr | EvFlag.Acquire, unlock);
    const w = this.writeEvent(cpu, addr, EvFlag.Lkw, m);
    this.graph.pairRmw(r, w);
    c.graphDeps = null;
  }

  unlock(cpu: number, addr: Ptr): void {
    const c = this.cpus[cpu]!;
    const slot = this.slotFor(addr);
    c.pendingDep = null;
    const h = this.histories[slot]!;
    // The owner has seen its own lock write, the newest: the unlock goes at the end.
    const m: Msg = { value: 0, idx: h.length, view: null, rmw: false, ev: -1 };
    h.push(m);
    raise(c.cur, slot, m);
    raise(c.own, slot, m);
    m.view = c.cur.slice();
    this.writeEvent(cpu, addr, EvFlag.Ul | EvFlag.Release, m);
    c.graphDeps = null;
    c.unlockRel = m.view;
    c.unlockAcq = c.acq.slice();
  }

  // --- runtime --------------------------------------------------------------------------------

  latest(addr: Ptr): number {
    const slot = this.slotOf[addr]! - 1;
    if (slot < 0) return this.base[addr]!;
    const h = this.histories[slot]!;
    return h[h.length - 1]!.value;
  }

  synchronizeAll(): void {
    for (let s = 0; s < this.histories.length; s++) {
      const h = this.histories[s]!;
      this.base[this.slotAddr[s]!] = h[h.length - 1]!.value;
    }
    this.dropHistories();
    this.cpus = this.cpus.map(() => new CpuViews());
    // The phase's graph keeps its coherence positions and is checked with the next phase's.
    if (this.graph.n > 0) {
      this.graph.seal();
      this.sealed.push(this.graph);
      this.graph = new ExecutionGraph();
    }
  }

  gracePeriodStart(cpu: number, waiter: boolean): void {
    const w = this.cpus[cpu]!;
    joinInto(this.rcu, w.cur);
    if (!waiter) return;
    this.graph.fenceEvent(cpu, Fence.SyncRcu);
    const ended: View = [];
    for (const c of this.cpus) if (c.sectionDepth === 0) joinInto(ended, c.sectionEnd);
    w.gpStart = ended;
  }

  readSectionStart(cpu: number): void {
    const c = this.cpus[cpu]!;
    if (c.sectionDepth++ === 0) joinInto(c.cur, this.rcu);
    this.graph.fenceEvent(cpu, Fence.RcuLock);
  }

  readSectionEnd(cpu: number): void {
    const c = this.cpus[cpu]!;
    if (--c.sectionDepth === 0) c.sectionEnd = c.cur.slice();
    this.graph.fenceEvent(cpu, Fence.RcuUnlock);
  }

  gracePeriod(waiter: number, readers: readonly number[]): void {
    const w = this.cpus[waiter]!;
    // Only synchronize_rcu() orders memory; kfree_rcu()'s grace period frees, nothing more.
    if (!w.gpStart) return;
    joinInto(w.cur, w.gpStart);
    w.gpStart = null;
    for (const r of readers) {
      if (r === waiter) continue;
      const c = this.cpus[r]!;
      // A reader by rcu_read_lock() is seen as it left its section; one by a spinlock or
      // disabled interrupts (the simulator's consolidated RCU) as it is now.
      joinInto(w.cur, c.sectionDepth === 0 && c.sectionEnd ? c.sectionEnd : c.cur);
    }
  }

  pendingActions(): number {
    return 0;
  }

  performAction(action: number): void {
    throw new Error(`weak memory has no internal action ${action}`);
  }

  describeAction(action: number): string {
    return `action ${action}`;
  }
}

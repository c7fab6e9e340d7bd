// The timing model's discrete-event engine: N simulated CPUs, each with its own clock, running
// kernel code in the generator form the sim transform builds (src/sim/loader.ts). The engine
// always advances the CPU whose next event is earliest (ties: the lower CPU number), and that
// CPU runs until its clock passes the next one's, so every shared access happens in time order:
// memory is sequentially consistent, and what is modelled is time, not reordering. Same inputs,
// same order of events, byte-identical results on any host.
//
// Per CPU: a process thread and, where a device interrupt is routed, a hardirq thread that
// arrives when the device raised it and the process thread has interrupts enabled, and runs to
// completion on that CPU (with the profile's entry and exit costs).
//
// Waiting costs no host time: a CPU waiting for a lock sleeps in the lock's FIFO queue (the
// queued spinlock Linux uses on x86 and arm64), a CPU spinning on memory (cpu_relax, or a harness
// loop whose iterations only read) sleeps until one of the lines it read is written, and a task
// in schedule_timeout sleeps until woken. A polling loop whose iterations only read lines that
// do not change is fast-forwarded: its iterations are counted, not executed.

import { Machine } from './machine.ts';
import type { Profile } from './profile.ts';

type Gen = Generator<unknown, unknown, unknown>;

const MAX_READS = 8;

/** A thread: a CPU's process context or its hardirq context. */
export class TThread {
  /** when it may run next; Infinity while it waits */
  readyAt = 0;
  done = false;
  gen: Gen | null = null;
  irqsOn = true;
  locks = 0;
  rcuDepth = 0;
  task = 0;
  /** lock-wait bookkeeping */
  waitStart = 0;
  granted = false;
  /** sleeping in schedule_timeout */
  sleeping = false;
  timerAt = Infinity;
  // the current and the previous iteration of a polling loop (fast-forward)
  iterStart = -1;
  iterPure = false;
  prevPure = false;
  prevDuration = 0;
  readonly reads = new Int32Array(MAX_READS);
  readonly readVers = new Uint32Array(MAX_READS);
  nReads = 0;
  readonly prevReads = new Int32Array(MAX_READS);
  readonly prevVers = new Uint32Array(MAX_READS);
  nPrev = 0;
  ffPending = false;
  ffActive = false;
  ffStart = 0;
  ffPeriod = 0;
  /** more lines read than the read set holds: this iteration is never skipped or waited on */
  readsOverflow = false;
  /** lines this thread waits on (cpu_relax or fast-forward) */
  waiting = false;
  /** line transfers this thread caused */
  transfers = 0;
  /** lock acquisitions and the ns spent waiting for them */
  acquisitions = 0;
  lockWaitNs = 0;
  /** primitives run */
  events = 0;
  /** the harness's tag for this thread (role) */
  role = '';
  /** credited iterations of a fast-forwarded loop: (count, first start, period) */
  onCredit: ((count: number, firstStart: number, period: number) => void) | null = null;

  constructor(
    readonly core: Core,
    readonly irq: boolean,
  ) {}

  isReader(): boolean {
    return this.rcuDepth > 0 || this.locks > 0 || !this.irqsOn || this.irq;
  }
}

export class Core {
  clock = 0;
  inIrq = false;
  /** when the device next raises this CPU's interrupt (Infinity: not pending) */
  irqAt = Infinity;
  irqHandler: (() => Gen) | null = null;
  readonly proc: TThread;
  readonly irqThread: TThread;
  /** a per-CPU line of its own (the queued spinlock's MCS node) */
  mcsNode = 0;

  constructor(readonly id: number) {
    this.proc = new TThread(this, false);
    this.irqThread = new TThread(this, true);
    this.irqThread.irqsOn = false;
    this.proc.done = true;
  }
}

/** A contended lock's FIFO of waiting threads (pooled: created only on contention). */
class LockQueue {
  readonly q: TThread[] = [];
  head = 0;
  get length(): number {
    return this.q.length - this.head;
  }
  push(t: TThread): void {
    this.q.push(t);
  }
  shift(): TThread {
    const t = this.q[this.head++]!;
    if (this.head === this.q.length) {
      this.q.length = 0;
      this.head = 0;
    }
    return t;
  }
}

export class Engine {
  readonly machine: Machine;
  readonly cores: Core[];
  current: TThread;
  /** the next event of any other CPU: the running CPU yields once its clock passes it */
  horizonTime = 0;
  horizonId = 0;
  private readonly lockQueues = new Map<number, LockQueue>();
  private readonly queuePool: LockQueue[] = [];
  // RCU: one grace period at a time; CPUs that must pass a quiescent state before it ends
  private gpActive = false;
  private needQsLo = 0;
  private needQsHi = 0;
  private gpBatch: number[] = [];
  private nextBatch: number[] = [];
  private gpWaiters: TThread[] = [];
  private nextWaiters: TThread[] = [];
  /** words of each allocated object (kfree and kfree_rcu give back its size class) */
  readonly sizeOf = new Map<number, number>();
  /** task_struct -> the process thread it is (wake_up_state wakes it) */
  readonly tasks = new Map<number, TThread>();
  // a tournament tree over the CPUs' next-event times: the earliest is at the root
  private readonly leaves: number;
  private readonly treeT: Float64Array;
  private readonly treeId: Int32Array;

  constructor(
    readonly profile: Profile,
    readonly ncpus: number,
  ) {
    if (ncpus < 1 || ncpus > 64) throw new Error(`timing model: ${ncpus} CPUs; 1 to 64 are modelled`);
    this.machine = new Machine(profile, ncpus);
    this.cores = Array.from({ length: ncpus }, (_, i) => new Core(i));
    for (const c of this.cores) c.mcsNode = this.machine.allocate(8);
    this.current = this.cores[0]!.proc;
    let leaves = 1;
    while (leaves < ncpus) leaves *= 2;
    this.leaves = leaves;
    this.treeT = new Float64Array(2 * leaves).fill(Infinity);
    this.treeId = new Int32Array(2 * leaves).fill(ncpus);
    for (let i = 0; i < ncpus; i++) this.update(i);
  }

  /** Recomputes CPU `id`'s next-event time in the tree. */
  update(id: number): void {
    let i = this.leaves + id;
    this.treeT[i] = this.eventTime(this.cores[id]!);
    this.treeId[i] = id;
    const T = this.treeT;
    const I = this.treeId;
    for (i >>= 1; i >= 1; i >>= 1) {
      const l = 2 * i;
      const r = l + 1;
      const left = T[l]! < T[r]! || (T[l] === T[r] && I[l]! < I[r]!);
      T[i] = left ? T[l]! : T[r]!;
      I[i] = left ? I[l]! : I[r]!;
    }
  }

  get now(): number {
    return this.current.core.clock;
  }

  /** An event for `core` at `time` (a wake-up, an interrupt): the running CPU must not pass it. */
  noteEvent(time: number, core: number): void {
    this.update(core);
    if (time < this.horizonTime || (time === this.horizonTime && core < this.horizonId)) {
      this.horizonTime = time;
      this.horizonId = core;
    }
  }

  /** Whether the running CPU has passed the next event of another: then it must yield. */
  past(core: Core): boolean {
    return core.clock > this.horizonTime || (core.clock === this.horizonTime && core.id > this.horizonId);
  }

  // --- scheduling ---------------------------------------------------------------------------

  private irqDue(c: Core): boolean {
    return !c.inIrq && c.irqAt !== Infinity && c.proc.irqsOn && c.irqHandler !== null;
  }

  /** When CPU `c` next has something to do. */
  private eventTime(c: Core): number {
    if (c.inIrq) return Math.max(c.clock, c.irqThread.readyAt);
    const p = c.proc;
    const pt = p.done ? Infinity : Math.max(c.clock, p.readyAt);
    if (this.irqDue(c)) return Math.min(pt, Math.max(c.clock, c.irqAt));
    return pt;
  }

  /**
   * Runs every CPU until simulated time `until` (ns). Returns false when nothing is left to run
   * (every thread done or waiting forever).
   */
  run(until: number): boolean {
    const T = this.treeT;
    const I = this.treeId;
    for (;;) {
      const bestT = T[1]!;
      const best = I[1]!;
      if (bestT === Infinity) return false;
      if (bestT >= until) return true;
      // the earliest of the others: the best sibling along the path from the winner's leaf
      let secondT = Infinity;
      let secondId = this.ncpus;
      for (let i = this.leaves + best; i > 1; i >>= 1) {
        const sib = i ^ 1;
        if (T[sib]! < secondT || (T[sib] === secondT && I[sib]! < secondId)) {
          secondT = T[sib]!;
          secondId = I[sib]!;
        }
      }
      if (secondT > until) {
        secondT = until;
        secondId = this.ncpus;
      }
      this.horizonTime = secondT;
      this.horizonId = secondId;
      this.dispatch(this.cores[best]!, bestT);
      this.update(best);
    }
  }

  private dispatch(c: Core, t: number): void {
    let th: TThread;
    if (this.irqDue(c) && Math.max(c.clock, c.irqAt) <= t) {
      const p = c.proc;
      if (p.ffActive) this.settleFastForward(p, Math.max(c.clock, c.irqAt), false);
      c.clock = Math.max(c.clock, c.irqAt) + this.profile.costs.irq_entry;
      c.irqAt = Infinity;
      c.inIrq = true;
      th = c.irqThread;
      th.gen = c.irqHandler!();
      th.done = false;
      th.readyAt = c.clock;
    } else {
      th = c.inIrq ? c.irqThread : c.proc;
      if (th.readyAt > c.clock) c.clock = th.readyAt;
    }
    this.current = th;
    const r = th.gen!.next();
    if (r.done) {
      th.done = true;
      th.gen = null;
      if (th.irq) {
        c.clock += this.profile.costs.irq_exit;
        c.inIrq = false;
        this.quiescent(c);
        this.onIrqExit?.(c);
      } else {
        th.readyAt = Infinity;
        this.quiescent(c);
      }
    }
  }

  /** Called when a hardirq handler returns (the harness re-arms the device). */
  onIrqExit: ((c: Core) => void) | null = null;

  /** Called when a process thread goes to sleep in schedule_timeout (the harness sees a waiter park). */
  onSleep: ((t: TThread) => void) | null = null;

  /** Starts kernel code as CPU `id`'s process thread. */
  startProcess(id: number, gen: Gen, role: string): TThread {
    const c = this.cores[id]!;
    const p = c.proc;
    if (p.task === 0) {
      p.task = this.machine.allocate(8);
      this.tasks.set(p.task, p);
    }
    p.gen = gen;
    p.done = false;
    p.readyAt = c.clock;
    p.role = role;
    this.update(id);
    return p;
  }

  /** Runs set-up code on CPU 0 to completion, alone (it may not wait). */
  runAlone(gen: Gen): unknown {
    const c = this.cores[0]!;
    this.current = c.proc;
    this.horizonTime = Infinity;
    for (;;) {
      const r = gen.next();
      if (r.done) return r.value;
      if (c.proc.readyAt === Infinity) throw new Error('timing model: set-up code waited (for a lock, a wake-up or a grace period); set-up must run alone');
    }
  }

  // --- waking -------------------------------------------------------------------------------

  /** Makes a waiting thread runnable at `time`. */
  wake(t: TThread, time: number): void {
    if (t.readyAt !== Infinity) return;
    t.readyAt = time;
    this.noteEvent(Math.max(time, t.core.clock), t.core.id);
  }

  // --- spinning on memory: cpu_relax and fast-forwarded polling loops -------------------------

  /** A load by thread `t` of `line` (version `v`): part of its current iteration's read set. */
  noteRead(t: TThread, line: number): void {
    const n = t.nReads;
    if (n === MAX_READS) {
      t.iterPure = false;
      t.readsOverflow = true;
      return;
    }
    t.reads[n] = line;
    t.readVers[n] = this.machine.versions[line]!;
    t.nReads = n + 1;
  }

  /** A write, lock, allocation or sleep: the iteration has effects, so it is never skipped. */
  noteEffect(t: TThread): void {
    t.iterPure = false;
  }

  /** Wakes the threads spinning on `line` (it was just written at `time`). */
  lineWritten(line: number, time: number): void {
    const m = this.machine;
    const lo = m.waitersLo[line]!;
    const hi = m.waitersHi[line]!;
    if ((lo | hi) === 0) return;
    for (let half = 0; half < 2; half++) {
      let bits = half === 0 ? lo : hi;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const id = 31 - Math.clz32(low) + half * 32;
        this.endSpin(this.cores[id]!.proc, time);
      }
    }
  }

  private watch(t: TThread, lines: Int32Array, n: number, on: boolean): void {
    const id = t.core.id;
    const m = this.machine;
    for (let i = 0; i < n; i++) {
      const l = lines[i]!;
      if (id < 32) m.waitersLo[l] = on ? m.waitersLo[l]! | (1 << id) : m.waitersLo[l]! & ~(1 << id);
      else m.waitersHi[l] = on ? m.waitersHi[l]! | (1 << (id - 32)) : m.waitersHi[l]! & ~(1 << (id - 32));
    }
  }

  /** Ends a spin (cpu_relax wait or fast-forward) because a watched line changed at `time`. */
  private endSpin(t: TThread, time: number): void {
    if (!t.waiting) return;
    if (t.ffActive) {
      this.settleFastForward(t, time, true);
      return;
    }
    this.watch(t, t.reads, t.nReads, false);
    t.waiting = false;
    this.wake(t, time);
  }

  /**
   * Marks the start of an iteration of a polling loop (the harness calls it). When the last two
   * iterations only read, read the same lines, and none of them changed since, every further
   * iteration would do exactly the same in the same time: the next primitive fast-forwards.
   */
  iteration(t: TThread): number {
    const now = t.core.clock;
    let same = t.iterStart >= 0 && t.iterPure && t.prevPure && t.nReads === t.nPrev && t.nReads > 0;
    if (same) {
      const v = this.machine.versions;
      for (let i = 0; i < t.nReads; i++) {
        const l = t.reads[i]!;
        if (l !== t.prevReads[i] || t.readVers[i] !== t.prevVers[i] || v[l] !== t.readVers[i]) {
          same = false;
          break;
        }
      }
    }
    const duration = now - t.iterStart;
    if (same && duration > 0 && duration === t.prevDuration) {
      t.ffPending = true;
      t.ffPeriod = duration;
    }
    t.prevPure = t.iterStart >= 0 && t.iterPure;
    t.prevDuration = duration;
    t.prevReads.set(t.reads);
    t.prevVers.set(t.readVers);
    t.nPrev = t.nReads;
    t.nReads = 0;
    t.readsOverflow = false;
    t.iterPure = true;
    t.iterStart = now;
    return now;
  }

  /** Begins a fast-forward of thread `t` (called by its next primitive): it waits, counted. */
  beginFastForward(t: TThread): void {
    t.ffPending = false;
    t.ffActive = true;
    t.ffStart = t.core.clock;
    t.waiting = true;
    this.watch(t, t.prevReads, t.nPrev, true);
    t.readyAt = Infinity;
  }

  /**
   * Ends a fast-forward at `time`: credits the iterations that started before it; `changed`
   * (a watched line was written) resumes at the first iteration start at or after `time`, an
   * interrupt resumes the iteration it interrupted.
   */
  private settleFastForward(t: TThread, time: number, changed: boolean): void {
    const span = Math.max(0, time - t.ffStart);
    const k = changed ? Math.ceil(span / t.ffPeriod) : Math.floor(span / t.ffPeriod);
    if (k > 0) t.onCredit?.(k, t.ffStart, t.ffPeriod);
    this.watch(t, t.prevReads, t.nPrev, false);
    t.ffActive = false;
    t.waiting = false;
    t.iterStart = -1;
    t.prevPure = false;
    t.nReads = 0;
    const resume = t.ffStart + k * t.ffPeriod;
    t.readyAt = Infinity;
    this.wake(t, resume);
  }

  /** At the end of a run: credits the fast-forwarded iterations started before `end`. */
  settleAll(end: number): void {
    for (const c of this.cores) {
      const p = c.proc;
      if (p.ffActive) {
        const k = Math.ceil(Math.max(0, end - p.ffStart) / p.ffPeriod);
        if (k > 0) p.onCredit?.(k, p.ffStart, p.ffPeriod);
        p.ffActive = false;
      }
    }
  }

  /** cpu_relax(): waits until one of the lines read since the last cpu_relax changes. */
  beginSpinWait(t: TThread): boolean {
    if (t.irq || t.nReads === 0 || t.readsOverflow) return false;
    const v = this.machine.versions;
    for (let i = 0; i < t.nReads; i++) if (v[t.reads[i]!] !== t.readVers[i]) return false;
    this.watch(t, t.reads, t.nReads, true);
    t.waiting = true;
    t.readyAt = Infinity;
    return true;
  }

  /** Resets the read set cpu_relax watches (each spin-loop iteration reads afresh). */
  restartReads(t: TThread): void {
    t.nReads = 0;
    t.readsOverflow = false;
  }

  // --- locks ----------------------------------------------------------------------------------

  queueFor(lock: number): LockQueue {
    let q = this.lockQueues.get(lock);
    if (!q) {
      q = this.queuePool.pop() ?? new LockQueue();
      this.lockQueues.set(lock, q);
    }
    return q;
  }

  /** The next waiter of `lock`, or null (the queue goes back to the pool when empty). */
  nextWaiter(lock: number): TThread | null {
    const q = this.lockQueues.get(lock);
    if (!q) return null;
    const t = q.shift();
    if (q.length === 0) {
      this.lockQueues.delete(lock);
      this.queuePool.push(q);
    }
    return t;
  }

  hasWaiters(lock: number): boolean {
    return this.lockQueues.has(lock);
  }

  // --- RCU ------------------------------------------------------------------------------------

  private coreIsReader(c: Core): boolean {
    return c.inIrq || (!c.proc.done && !c.proc.sleeping && c.proc.isReader());
  }

  /** A CPU may have left its read-side critical section: a quiescent state for the grace period. */
  quiescent(c: Core): void {
    if (!this.gpActive) return;
    const id = c.id;
    const has = id < 32 ? (this.needQsLo & (1 << id)) !== 0 : (this.needQsHi & (1 << (id - 32))) !== 0;
    if (!has || this.coreIsReader(c)) return;
    if (id < 32) this.needQsLo &= ~(1 << id);
    else this.needQsHi &= ~(1 << (id - 32));
    if ((this.needQsLo | this.needQsHi) === 0) this.endGracePeriod(c.clock);
  }

  private startGracePeriod(now: number): void {
    this.gpActive = true;
    this.needQsLo = 0;
    this.needQsHi = 0;
    [this.gpBatch, this.nextBatch] = [this.nextBatch, this.gpBatch];
    [this.gpWaiters, this.nextWaiters] = [this.nextWaiters, this.gpWaiters];
    for (const c of this.cores) {
      if (!this.coreIsReader(c)) continue;
      if (c.id < 32) this.needQsLo |= 1 << c.id;
      else this.needQsHi |= 1 << (c.id - 32);
    }
    if ((this.needQsLo | this.needQsHi) === 0) this.endGracePeriod(now);
  }

  private endGracePeriod(now: number): void {
    this.gpActive = false;
    for (const p of this.gpBatch) this.machine.release(p, this.sizeOf.get(p) ?? 1);
    this.gpBatch.length = 0;
    for (const t of this.gpWaiters) this.wake(t, now);
    this.gpWaiters.length = 0;
    if (this.nextBatch.length > 0 || this.nextWaiters.length > 0) this.startGracePeriod(now);
  }

  /** kfree_rcu(): frees `ptr` once every CPU passed a quiescent state. */
  freeAfterGracePeriod(ptr: number, now: number): void {
    this.nextBatch.push(ptr);
    if (!this.gpActive) this.startGracePeriod(now);
  }

  /** synchronize_rcu(): `t` waits for a full grace period. */
  waitGracePeriod(t: TThread, now: number): void {
    this.nextWaiters.push(t);
    t.readyAt = Infinity;
    if (!this.gpActive) this.startGracePeriod(now);
  }
}

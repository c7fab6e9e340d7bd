// The timing Cpu: every method of the primitive table (src/kernel/cpu.ts) as a generator that
// performs the access at its CPU's clock, charges what it costs on the machine profile (the
// instruction, plus a line transfer when another CPU holds the line), and yields to the engine
// only when its clock passed another CPU's next event or it must wait. Values are plain (SC):
// no store buffer, no reordering; the memory-model checker (src/sim) owns those questions.
//
// Locks are queued spinlocks (kernel/locking/qspinlock.c, the lock Linux uses on x86 and arm64):
// an uncontended lock is one compare-exchange on the lock word; a contended one waits in FIFO
// order, spinning on its own per-CPU MCS node, and is handed the lock by the unlocker: one
// transfer of the lock line to the next owner and one write to the following waiter's node.

import type { FenceKind, LoadedModule, MemOrder, ModuleDesc, Ptr, StructLayout } from '../kernel/cpu.ts';
import { MAX_SCHEDULE_TIMEOUT, TASK_RUNNING } from '../kernel/primitives.ts';
import type { Engine, TThread } from './engine.ts';
import type { Machine } from './machine.ts';
import type { CostName } from './profile.ts';

/** A jiffy of schedule_timeout (HZ=250), ns. */
const JIFFY_NS = 4_000_000;

type Gen<T> = Generator<unknown, T, unknown>;
type KernelGen = (cpu: TimingCpu, ...args: unknown[]) => Gen<unknown>;

/** What a failing kernel check or a bad call in timed code throws (the checker explains these). */
export class TimingKernelError extends Error {}

export class TimingCpu {
  // READ_ONCE and WRITE_ONCE cost what a plain load and store cost (one mov either way)
  declare READ_ONCE: TimingCpu['load'];
  declare WRITE_ONCE: TimingCpu['store'];
  readonly id: number;
  readonly context: 'process' | 'hardirq';
  private readonly m: Machine;
  private readonly c: Record<CostName, number>;
  /** the instructions around every primitive (call, arguments, the branch on its result) */
  private readonly o: number;
  warnings = 0;

  constructor(
    private readonly eng: Engine,
    readonly t: TThread,
    private readonly kernel: KernelMemory,
  ) {
    this.id = t.core.id;
    this.context = t.irq ? 'hardirq' : 'process';
    this.m = eng.machine;
    this.c = eng.profile.costs;
    this.o = this.c.call_overhead;
  }

  // --- accounting -----------------------------------------------------------------------------

  private read(addr: Ptr, extra: number): number {
    const core = this.t.core;
    core.clock += this.m.read(this.id, addr, core.clock) + extra;
    if (this.m.lastTransfer) this.t.transfers++;
    this.t.events++;
    this.eng.noteRead(this.t, addr >> 3);
    return this.m.mem[addr]!;
  }

  private write(addr: Ptr, value: number, base: number): void {
    const core = this.t.core;
    core.clock += this.m.write(this.id, addr, core.clock, base);
    if (this.m.lastTransfer) this.t.transfers++;
    this.t.events++;
    this.m.mem[addr] = value;
    this.eng.noteEffect(this.t);
    this.eng.lineWritten(addr >> 3, core.clock);
  }

  /** An RMW: ownership of the line, then `f(old)` (undefined: no change, still an RMW). */
  private rmw(addr: Ptr, next: number | undefined): void {
    const old = this.m.mem[addr]!;
    this.write(addr, next === undefined ? old : next, this.c.atomic_rmw);
  }

  private charge(ns: number): void {
    this.t.core.clock += ns;
  }

  private mustYield(): boolean {
    return this.eng.past(this.t.core);
  }

  // --- plain and marked accesses ---------------------------------------------------------------

  *load(addr: Ptr): Gen<number> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const v = this.read(addr, 0);
    if (this.mustYield()) yield;
    return v;
  }

  *store(addr: Ptr, value: number): Gen<void> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    this.write(addr, value, this.c.store);
    if (this.mustYield()) yield;
  }

  *smp_load_acquire(addr: Ptr): Gen<number> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const v = this.read(addr, this.c.acquire_release_extra);
    if (this.mustYield()) yield;
    return v;
  }

  *smp_store_release(addr: Ptr, value: number): Gen<void> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    this.write(addr, value, this.c.store + this.c.acquire_release_extra);
    if (this.mustYield()) yield;
  }

  *smp_store_mb(addr: Ptr, value: number): Gen<void> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    this.write(addr, value, this.c.store + this.c.full_fence);
    if (this.mustYield()) yield;
  }

  *fence(kind: FenceKind): Gen<void> {
    this.t.core.clock += this.o;
    this.charge(kind === 'mb' ? this.c.full_fence : this.c.partial_fence);
    if (this.mustYield()) yield;
  }

  // --- read-modify-writes ------------------------------------------------------------------------

  *xchg(addr: Ptr, value: number, _order: MemOrder): Gen<number> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const old = this.m.mem[addr]!;
    this.rmw(addr, value);
    if (this.mustYield()) yield;
    return old;
  }

  *cmpxchg(addr: Ptr, old: number, value: number, _order: MemOrder): Gen<number> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const cur = this.m.mem[addr]!;
    this.rmw(addr, cur === old ? value : undefined);
    if (this.mustYield()) yield;
    return cur;
  }

  *fetch_add(addr: Ptr, delta: number, _order: MemOrder): Gen<number> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const old = this.m.mem[addr]!;
    this.rmw(addr, old + delta);
    if (this.mustYield()) yield;
    return old;
  }

  /** asm-generic/bitops/atomic.h: a set bit returns early after a plain load. */
  *test_and_set_bit(nr: number, addr: Ptr, _order: MemOrder): Gen<boolean> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const mask = 1 << nr;
    let was: boolean;
    if ((this.m.mem[addr]! & mask) !== 0) {
      this.read(addr, 0);
      was = true;
    } else {
      this.rmw(addr, this.m.mem[addr]! | mask);
      was = false;
    }
    if (this.mustYield()) yield;
    return was;
  }

  *test_and_clear_bit(nr: number, addr: Ptr, _order: MemOrder): Gen<boolean> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const mask = 1 << nr;
    let was: boolean;
    if ((this.m.mem[addr]! & mask) === 0) {
      this.read(addr, 0);
      was = false;
    } else {
      this.rmw(addr, this.m.mem[addr]! & ~mask);
      was = true;
    }
    if (this.mustYield()) yield;
    return was;
  }

  *test_bit(nr: number, addr: Ptr, order: MemOrder): Gen<boolean> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const v = this.read(addr, order === 'acquire' ? this.c.acquire_release_extra : 0);
    if (this.mustYield()) yield;
    return (v & (1 << nr)) !== 0;
  }

  // --- refcount_t -------------------------------------------------------------------------------

  *refcount_inc(addr: Ptr): Gen<void> {
    yield* this.fetch_add(addr, 1, 'relaxed');
  }

  *refcount_inc_not_zero(addr: Ptr): Gen<boolean> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const old = this.m.mem[addr]!;
    this.rmw(addr, old === 0 ? undefined : old + 1);
    if (this.mustYield()) yield;
    return old !== 0;
  }

  *refcount_dec_and_test(addr: Ptr): Gen<boolean> {
    const old = yield* this.fetch_add(addr, -1, 'release');
    if (old <= 0) throw new TimingKernelError(`refcount_t: underflow at word ${addr}; run 'fence-lab check' on this design`);
    return old === 1;
  }

  // --- spinlocks and interrupts -------------------------------------------------------------------

  *spin_lock_init(lock: Ptr): Gen<void> {
    yield* this.store(lock, 0);
  }

  *spin_lock(lock: Ptr): Gen<void> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const t = this.t;
    const start = t.core.clock;
    const held = this.m.mem[lock]! !== 0 || this.eng.hasWaiters(lock);
    this.rmw(lock, held ? undefined : this.id + 1);
    if (held) {
      // queued: sleep on the own MCS node until the unlocker hands the lock over
      t.granted = false;
      this.eng.queueFor(lock).push(t);
      t.readyAt = Infinity;
      while (!t.granted) yield;
      // the lock line moves here, then the lock word is set; the next waiter is told it heads the queue
      this.read(lock, 0);
      this.rmw(lock, this.id + 1);
    }
    t.locks++;
    t.acquisitions++;
    t.lockWaitNs += t.core.clock - start;
    if (this.mustYield()) yield;
  }

  *spin_unlock(lock: Ptr): Gen<void> {
    this.t.core.clock += this.o;
    const t = this.t;
    this.write(lock, 0, this.c.store + this.c.acquire_release_extra);
    t.locks--;
    const next = this.eng.nextWaiter(lock);
    if (next) {
      this.m.mem[lock] = next.core.id + 1;
      next.granted = true;
      this.eng.wake(next, t.core.clock);
      // the MCS handover: the new head's successor learns it is next (a write to its node)
      const after = this.eng.hasWaiters(lock);
      if (after) this.write(next.core.mcsNode, 1, this.c.store);
    }
    this.eng.quiescent(t.core);
    if (this.mustYield()) yield;
  }

  *spin_trylock(lock: Ptr): Gen<boolean> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const free = this.m.mem[lock]! === 0 && !this.eng.hasWaiters(lock);
    this.rmw(lock, free ? this.id + 1 : undefined);
    if (free) {
      this.t.locks++;
      this.t.acquisitions++;
    }
    if (this.mustYield()) yield;
    return free;
  }

  *spin_lock_irqsave(lock: Ptr): Gen<number> {
    const flags = yield* this.local_irq_save();
    yield* this.spin_lock(lock);
    return flags;
  }

  *spin_unlock_irqrestore(lock: Ptr, flags: number): Gen<void> {
    yield* this.spin_unlock(lock);
    yield* this.local_irq_restore(flags);
  }

  *spin_is_locked(lock: Ptr): Gen<boolean> {
    return (yield* this.load(lock)) !== 0;
  }

  *local_irq_save(): Gen<number> {
    this.t.core.clock += this.o;
    const t = this.t;
    const was = t.irqsOn ? 1 : 0;
    t.irqsOn = false;
    this.charge(this.c.irq_save_restore);
    return was;
  }

  *local_irq_restore(flags: number): Gen<void> {
    this.t.core.clock += this.o;
    const t = this.t;
    if (!t.irq) t.irqsOn = flags !== 0;
    this.charge(this.c.irq_save_restore);
    this.eng.quiescent(t.core);
    if (this.mustYield()) yield;
  }

  *lockdep_assert_held(_lock: Ptr): Gen<void> {}

  // --- RCU ----------------------------------------------------------------------------------------

  *rcu_read_lock(): Gen<void> {
    this.t.core.clock += this.o;
    this.t.rcuDepth++;
  }

  *rcu_read_unlock(): Gen<void> {
    this.t.core.clock += this.o;
    this.t.rcuDepth--;
    this.eng.quiescent(this.t.core);
  }

  *synchronize_rcu(): Gen<void> {
    this.t.core.clock += this.o;
    this.eng.noteEffect(this.t);
    this.eng.waitGracePeriod(this.t, this.t.core.clock);
    while (this.t.readyAt === Infinity) yield;
  }

  // --- memory -------------------------------------------------------------------------------------

  *kmalloc(layout: StructLayout | number, zero: boolean): Gen<Ptr> {
    this.t.core.clock += this.o;
    if (this.t.ffPending) yield* this.fastForward();
    const words = typeof layout === 'number' ? layout : layout.size;
    const p = this.m.allocate(words);
    this.eng.sizeOf.set(p, words);
    this.charge(this.c.kmalloc);
    this.eng.noteEffect(this.t);
    if (zero) {
      // memset: the object's lines become this CPU's
      for (let w = 0; w < words; w += 8) this.write(p + w, 0, this.c.store);
      this.m.mem.fill(0, p, p + words);
    }
    if (this.mustYield()) yield;
    return p;
  }

  *kfree(ptr: Ptr): Gen<void> {
    this.t.core.clock += this.o;
    if (ptr === 0) return;
    this.m.release(ptr, this.eng.sizeOf.get(ptr) ?? 1);
    this.charge(this.c.kfree);
    this.eng.noteEffect(this.t);
    if (this.mustYield()) yield;
  }

  *kfree_rcu(ptr: Ptr): Gen<void> {
    this.t.core.clock += this.o;
    this.eng.freeAfterGracePeriod(ptr, this.t.core.clock);
    this.charge(this.c.kfree);
    this.eng.noteEffect(this.t);
    if (this.mustYield()) yield;
  }

  *module_load(desc: ModuleDesc): Gen<LoadedModule> {
    this.t.core.clock += this.o;
    return this.kernel.load(desc);
  }

  *module_unload(_mod: LoadedModule): Gen<void> {}

  *call(fnptr: Ptr, nargs: number, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown, a4?: unknown, a5?: unknown): Gen<unknown> {
    this.t.core.clock += this.o;
    const f = this.kernel.fn(fnptr);
    this.charge(this.c.indirect_call);
    let r: unknown;
    switch (nargs) {
      case 0: r = f(this); break;
      case 1: r = f(this, a0); break;
      case 2: r = f(this, a0, a1); break;
      case 3: r = f(this, a0, a1, a2); break;
      case 4: r = f(this, a0, a1, a2, a3); break;
      case 5: r = f(this, a0, a1, a2, a3, a4); break;
      default: r = f(this, a0, a1, a2, a3, a4, a5);
    }
    // a callback that does nothing with the CPU (no cpu parameter) is not a generator
    return isGenerator(r) ? yield* r : r;
  }

  *str_read(ptr: Ptr): Gen<string> {
    this.t.core.clock += this.o;
    this.read(ptr, 0);
    return this.kernel.str(ptr);
  }

  // --- scheduler ----------------------------------------------------------------------------------

  *current(): Gen<Ptr> {
    this.t.core.clock += this.o;
    return this.t.task;
  }

  *set_task_state(state: number, mb: boolean): Gen<void> {
    this.t.core.clock += this.o;
    this.write(this.t.task, state, this.c.store + (mb ? this.c.full_fence : 0));
    if (this.mustYield()) yield;
  }

  *schedule_timeout(timeout: number): Gen<number> {
    this.t.core.clock += this.o;
    const t = this.t;
    if (t.irq || t.locks > 0 || !t.irqsOn) throw new TimingKernelError(`BUG: scheduling while atomic on CPU${this.id}; run 'fence-lab check' on this design`);
    this.eng.noteEffect(t);
    if (this.m.mem[t.task]! === TASK_RUNNING) return timeout;
    const start = t.core.clock;
    t.sleeping = true;
    t.timerAt = timeout >= MAX_SCHEDULE_TIMEOUT ? Infinity : start + timeout * JIFFY_NS;
    t.readyAt = t.timerAt;
    if (t.timerAt !== Infinity) this.eng.noteEvent(t.timerAt, this.id);
    this.eng.quiescent(t.core);
    this.eng.onSleep?.(t);
    yield;
    t.sleeping = false;
    if (this.m.mem[t.task]! !== TASK_RUNNING) {
      this.m.mem[t.task] = TASK_RUNNING;
      return 0;
    }
    if (timeout >= MAX_SCHEDULE_TIMEOUT) return timeout;
    return Math.max(1, timeout - Math.floor((t.core.clock - start) / JIFFY_NS));
  }

  *wake_up_state(task: Ptr, state: number): Gen<boolean> {
    this.t.core.clock += this.o;
    this.charge(this.c.full_fence);
    const cur = this.read(task, 0);
    const woke = (cur & state) !== 0;
    if (woke) {
      this.write(task, TASK_RUNNING, this.c.store);
      const sleeper = this.eng.tasks.get(task);
      const at = this.t.core.clock + this.c.wake_latency;
      if (sleeper && sleeper.sleeping && at < sleeper.readyAt) {
        sleeper.readyAt = Infinity;
        this.eng.wake(sleeper, at);
      }
    }
    if (this.mustYield()) yield;
    return woke;
  }

  *signal_pending(): Gen<boolean> {
    this.t.core.clock += this.o;
    return false;
  }

  *ktime_get(): Gen<number> {
    this.t.core.clock += this.o;
    this.charge(this.c.ktime_get);
    return Math.round(this.t.core.clock);
  }

  /** PAUSE, then wait until a line read since the last cpu_relax changes (event-driven spinning). */
  *cpu_relax(): Gen<void> {
    this.t.core.clock += this.o;
    this.charge(this.c.pause);
    if (this.eng.beginSpinWait(this.t)) yield;
    this.eng.restartReads(this.t);
    if (this.mustYield()) yield;
  }

  /** `ns` of work that touches no shared memory (the harness's paced pollers; not a kernel primitive). */
  *delay(ns: number): Gen<void> {
    if (this.t.ffPending) yield* this.fastForward();
    this.charge(ns);
    if (this.mustYield()) yield;
  }

  // --- fast-forward -------------------------------------------------------------------------------

  private *fastForward(): Gen<void> {
    this.eng.beginFastForward(this.t);
    yield;
  }

  // --- checks -------------------------------------------------------------------------------------

  loopTick(): void {}

  *WARN(cond: boolean, _msg: string): Gen<boolean> {
    this.t.core.clock += this.o;
    if (cond) this.warnings++;
    return cond;
  }

  *BUG_ON(cond: boolean, msg: string): Gen<void> {
    this.t.core.clock += this.o;
    if (cond) throw new TimingKernelError(`kernel BUG: ${msg} on CPU${this.id} in the timing model; run 'fence-lab check' on this design`);
  }

  *assert(cond: boolean, msg: string): Gen<void> {
    this.t.core.clock += this.o;
    if (!cond) throw new TimingKernelError(`assertion failed: ${msg} on CPU${this.id} in the timing model`);
  }
}

TimingCpu.prototype.READ_ONCE = TimingCpu.prototype.load;
TimingCpu.prototype.WRITE_ONCE = TimingCpu.prototype.store;

function isGenerator(x: unknown): x is Gen<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as Gen<unknown>).next === 'function' && typeof (x as Gen<unknown>)[Symbol.iterator] === 'function';
}

/** Module text, strings and statics of the timed program (set-up only, never on the hot path). */
export class KernelMemory {
  private readonly fns = new Map<Ptr, KernelGen>();
  private readonly strs = new Map<Ptr, string>();

  constructor(private readonly m: Machine) {}

  fn(ptr: Ptr): KernelGen {
    const f = this.fns.get(ptr);
    if (!f) throw new TimingKernelError(`call through ${ptr === 0 ? 'a NULL' : 'a bad'} function pointer in the timing model; run 'fence-lab check' on this design`);
    return f;
  }

  str(ptr: Ptr): string {
    return this.strs.get(ptr) ?? '';
  }

  load(desc: ModuleDesc): LoadedModule {
    const fn: Record<string, Ptr> = {};
    const names = Object.keys(desc.functions ?? {});
    if (names.length > 0) {
      const text = this.m.allocate(names.length);
      names.forEach((n, i) => {
        fn[n] = text + i;
        this.fns.set(text + i, desc.functions![n] as unknown as KernelGen);
      });
    }
    const str: Record<string, Ptr> = {};
    for (const [k, v] of Object.entries(desc.strings ?? {})) {
      const p = this.m.allocate(1);
      this.strs.set(p, v);
      str[k] = p;
    }
    const ops: Record<string, Ptr> = {};
    for (const [k, table] of Object.entries(desc.ops ?? {})) {
      const p = this.m.allocate(table.struct.size);
      for (const [field, target] of Object.entries(table.fields)) {
        const off = (table.struct as unknown as Record<string, number>)[field]!;
        this.m.mem[p + off] = target === 0 ? 0 : fn[target]!;
      }
      ops[k] = p;
    }
    // statics one after another, in declaration order
    const data: Record<string, Ptr> = {};
    for (const [k, type] of Object.entries(desc.data ?? {})) data[k] = this.m.allocate(typeof type === 'number' ? type : type.size);
    return Object.freeze({ name: desc.name, fn, str, ops, data });
  }
}

// The simulated Cpu: every method of the primitive table (src/kernel/cpu.ts) as a generator.
// A primitive that touches shared memory first yields, so the scheduler may run another CPU
// right before the access, then validates the address (KASAN-style), then performs the access
// through the memory model. Primitives with no shared effect (rcu_read_lock, local_irq_save,
// ktime_get) do not yield: they are not interleaving points.

import type { FenceKind, LoadedModule, MemOrder, ModuleDesc, Ptr, StructLayout } from '../kernel/cpu.ts';
import { MAX_SCHEDULE_TIMEOUT, TASK_INTERRUPTIBLE, TASK_RUNNING } from '../kernel/primitives.ts';
import { bitName } from '../kernel/struct.ts';
import { task_struct } from '../kernel/dma-fence.ts';
import type { Execution } from './execution.ts';
import type { RmwFn } from './memory/model.ts';
import { isRcuReader, Pending, type SimThread } from './thread.ts';
import { Violation } from './violation.ts';
import { NULL_PAGE_WORDS } from './heap.ts';
import { CLOCK_LOCATION, HEAP_LOCATION } from './footprint.ts';

/** Loop iterations one execution may run in kernel code (across all threads). */
const MAX_LOOP_ITERATIONS = 1_000_000;

const GeneratorFunction = Object.getPrototypeOf(function* () {}) as object;

function bitOp(mask: number, set: boolean): RmwFn {
  return set ? (v) => ((v & mask) !== 0 ? undefined : v | mask) : (v) => ((v & mask) === 0 ? undefined : v & ~mask);
}

export class SimCpu {
  readonly id: number;
  readonly context: SimThread['context'];

  constructor(
    private readonly ex: Execution,
    readonly t: SimThread,
  ) {
    this.id = t.cpuIndex;
    this.context = t.context;
  }

  // --- helpers (not primitives) ----------------------------------------------------------------

  private loadOp(addr: Ptr, order: MemOrder, prim: string): number {
    const ex = this.ex;
    ex.check(this.t, addr, false, prim);
    const v = ex.memory.load(this.id, addr, order);
    if (ex.tracing) ex.recordEvent(this.t, `${prim}(${ex.heap.name(addr)}) = ${this.value(v)}${ex.memory.traceNote(this.id, (x) => this.value(x))}`);
    return v;
  }

  /** A loaded value as a reviewer wants it: a pointer by what it points at. */
  private value(v: number): string {
    if (v >= NULL_PAGE_WORDS && Number.isInteger(v) && this.ex.heap.find(v)) return `&${this.ex.heap.pointerName(v)}`;
    return show(v);
  }

  private storeOp(addr: Ptr, value: number, order: MemOrder, prim: string): void {
    const ex = this.ex;
    ex.check(this.t, addr, true, prim);
    ex.memory.store(this.id, addr, value, order);
    if (ex.tracing) ex.recordEvent(this.t, `${prim}(${ex.heap.name(addr)}, ${this.value(value)})${ex.memory.traceNote(this.id, (x) => this.value(x))}`);
  }

  /** `bit` >= 0: a bit operation, whose argument text (the bit's name) is only looked up for traces. */
  private rmwOp(addr: Ptr, f: RmwFn, order: MemOrder, failOrder: MemOrder, prim: string, argText: string, bit = -1): number {
    const ex = this.ex;
    ex.check(this.t, addr, true, prim);
    const old = ex.memory.rmw(this.id, addr, f, order, failOrder);
    if (ex.tracing) ex.recordEvent(this.t, `${prim}(${bit >= 0 ? this.bitText(bit, addr) : argText}${ex.heap.name(addr)}) = ${show(old)}${ex.memory.traceNote(this.id, show)}`);
    return old;
  }

  private bitText(nr: number, addr: Ptr): string {
    const a = this.ex.heap.find(addr);
    return `${a ? bitName(a.layout, addr - a.base, nr) : nr}, `;
  }

  // --- plain and marked accesses ---------------------------------------------------------------

  *load(addr: Ptr): Generator<unknown, number> {
    yield;
    return this.loadOp(addr, 'plain', 'load');
  }

  *store(addr: Ptr, value: number): Generator<unknown, void> {
    yield;
    this.storeOp(addr, value, 'plain', 'store');
  }

  *READ_ONCE(addr: Ptr): Generator<unknown, number> {
    yield;
    return this.loadOp(addr, 'once', 'READ_ONCE');
  }

  *WRITE_ONCE(addr: Ptr, value: number): Generator<unknown, void> {
    yield;
    this.storeOp(addr, value, 'once', 'WRITE_ONCE');
  }

  *smp_load_acquire(addr: Ptr): Generator<unknown, number> {
    yield;
    return this.loadOp(addr, 'acquire', 'smp_load_acquire');
  }

  *smp_store_release(addr: Ptr, value: number): Generator<unknown, void> {
    yield;
    this.storeOp(addr, value, 'release', 'smp_store_release');
  }

  *smp_store_mb(addr: Ptr, value: number): Generator<unknown, void> {
    yield;
    this.storeOp(addr, value, 'once', 'smp_store_mb');
    this.ex.memory.fence(this.id, 'mb');
  }

  *fence(kind: FenceKind): Generator<unknown, void> {
    yield;
    this.ex.memory.fence(this.id, kind);
    if (this.ex.tracing) this.ex.recordEvent(this.t, kind === 'acquire' ? 'smp_acquire__after_ctrl_dep()' : `smp_${kind === 'mb' || kind === 'rmb' || kind === 'wmb' ? kind : `mb__${kind}`}()`);
  }

  // --- read-modify-writes ------------------------------------------------------------------------

  *xchg(addr: Ptr, value: number, order: MemOrder): Generator<unknown, number> {
    yield;
    return this.rmwOp(addr, () => value, order, order, order === 'mb' ? 'xchg' : `xchg_${order}`, `${show(value)} -> `);
  }

  *cmpxchg(addr: Ptr, old: number, value: number, order: MemOrder): Generator<unknown, number> {
    yield;
    return this.rmwOp(addr, (v) => (v === old ? value : undefined), order, 'once', order === 'mb' ? 'cmpxchg' : `cmpxchg_${order}`, `${show(old)} -> ${show(value)}, `);
  }

  *fetch_add(addr: Ptr, delta: number, order: MemOrder): Generator<unknown, number> {
    yield;
    return this.rmwOp(addr, (v) => v + delta, order, order, order === 'relaxed' ? 'atomic_add' : 'atomic_fetch_add', `${delta}, `);
  }

  *test_and_set_bit(nr: number, addr: Ptr, order: MemOrder): Generator<unknown, boolean> {
    yield;
    const mask = 1 << nr;
    const prim = order === 'relaxed' ? 'set_bit' : order === 'acquire' ? 'test_and_set_bit_lock' : 'test_and_set_bit';
    return (this.rmwOp(addr, bitOp(mask, true), order, 'once', prim, '', nr) & mask) !== 0;
  }

  *test_and_clear_bit(nr: number, addr: Ptr, order: MemOrder): Generator<unknown, boolean> {
    yield;
    const mask = 1 << nr;
    const prim = order === 'relaxed' ? 'clear_bit' : order === 'release' ? 'clear_bit_unlock' : 'test_and_clear_bit';
    return (this.rmwOp(addr, bitOp(mask, false), order, 'once', prim, '', nr) & mask) !== 0;
  }

  *test_bit(nr: number, addr: Ptr, order: MemOrder): Generator<unknown, boolean> {
    yield;
    const ex = this.ex;
    const prim = order === 'acquire' ? 'test_bit_acquire' : 'test_bit';
    ex.check(this.t, addr, false, prim);
    const v = ex.memory.load(this.id, addr, order);
    const set = (v & (1 << nr)) !== 0;
    if (ex.tracing) ex.recordEvent(this.t, `${prim}(${this.bitText(nr, addr)}${ex.heap.name(addr)}) = ${set ? 1 : 0}${ex.memory.traceNote(this.id, show)}`);
    return set;
  }

  // --- refcount_t (lib/refcount.c semantics: saturate and warn) --------------------------------

  *refcount_inc(addr: Ptr): Generator<unknown, void> {
    yield;
    const old = this.rmwOp(addr, (v) => v + 1, 'relaxed', 'relaxed', 'refcount_inc', '');
    if (old === 0) this.refcountBug(addr, 'addition on 0');
  }

  *refcount_inc_not_zero(addr: Ptr): Generator<unknown, boolean> {
    yield;
    return this.rmwOp(addr, (v) => (v === 0 ? undefined : v + 1), 'acquire', 'once', 'refcount_inc_not_zero', '') !== 0;
  }

  *refcount_dec_and_test(addr: Ptr): Generator<unknown, boolean> {
    yield;
    const old = this.rmwOp(addr, (v) => v - 1, 'release', 'release', 'refcount_dec_and_test', '');
    if (old <= 0) this.refcountBug(addr, 'underflow');
    if (old !== 1) return false;
    this.ex.memory.fence(this.id, 'acquire');
    return true;
  }

  private refcountBug(addr: Ptr, what: string): never {
    throw new Violation('use-after-free', `refcount_t: ${what}; use-after-free. in {fn}`, [`${this.ex.heap.name(addr)} by ${this.t.name}`], [
      this.ex.access(this.t, 'refcount', addr),
    ]);
  }

  // --- spinlocks and interrupts -------------------------------------------------------------------

  *spin_lock_init(lock: Ptr): Generator<unknown, void> {
    yield;
    this.storeOp(lock, 0, 'once', 'spin_lock_init');
  }

  private lockRecursion(lock: Ptr, prim: string): Violation {
    return new Violation('deadlock', `BUG: spinlock recursion on CPU#${this.id}: ${this.t.name} takes ${this.ex.heap.name(lock)} again in {fn}`, [
      'WARNING: possible recursive locking detected',
      `${this.t.name} is trying to acquire lock ${this.ex.heap.name(lock)} via ${prim}, but already holds it`,
      '*** DEADLOCK ***',
    ], [this.ex.access(this.t, prim, lock)]);
  }

  private *acquire(lock: Ptr, prim: string, flagsText: string): Generator<unknown, void> {
    const t = this.t;
    if (t.locksHeld.includes(lock)) throw this.lockRecursion(lock, prim);
    // lockdep validates at lock_acquire(), before spinning: it reports an order that can
    // deadlock whether or not this execution deadlocks. A trylock never waits, so it adds none.
    if (prim !== 'spin_trylock' && this.ex.lockdep && this.ex.heap.find(lock)?.state !== 'freed') {
      try {
        this.ex.lockdep.acquired(this.ex.heap, t, lock, t.locksHeld);
      } catch (err) {
        if (err instanceof Violation) err.accesses.push(this.ex.access(t, prim, lock));
        throw err;
      }
    }
    t.pending = Pending.Lock;
    t.pendingAddr = lock;
    yield;
    t.pending = Pending.Access;
    const ex = this.ex;
    ex.check(t, lock, true, prim);
    ex.lockOwner.set(lock, t);
    t.locksHeld.push(lock);
    // The model's lock op, not a plain acquire RMW: LKMM's lock hand-off and unlock+lock
    // fence (memory-model-notes (a)) are the model's business.
    ex.memory.lock(this.id, lock);
    if (ex.tracing) ex.recordEvent(t, `${prim}(${ex.heap.name(lock)}${flagsText})`);
  }

  private *release(lock: Ptr, prim: string): Generator<unknown, void> {
    yield;
    const t = this.t;
    const ex = this.ex;
    ex.check(t, lock, true, prim);
    if (ex.lockOwner.get(lock) !== t) {
      throw new Violation('lockdep', `WARNING: bad unlock balance detected! ${t.name} releases ${ex.heap.name(lock)} in {fn}`, [
        `${t.name} is trying to release lock ${ex.heap.name(lock)} but there are no more locks to release!`,
      ], [ex.access(t, prim, lock)]);
    }
    ex.lockOwner.delete(lock);
    t.locksHeld.splice(t.locksHeld.lastIndexOf(lock), 1);
    ex.memory.unlock(this.id, lock);
    if (ex.tracing) ex.recordEvent(t, `${prim}(${ex.heap.name(lock)})`);
  }

  *spin_lock(lock: Ptr): Generator<unknown, void> {
    yield* this.acquire(lock, 'spin_lock', '');
  }

  *spin_unlock(lock: Ptr): Generator<unknown, void> {
    yield* this.release(lock, 'spin_unlock');
    this.ex.quiesce(this.t);
  }

  *spin_lock_irqsave(lock: Ptr): Generator<unknown, number> {
    const flags = this.saveIrqs();
    yield* this.acquire(lock, 'spin_lock_irqsave', '');
    return flags;
  }

  *spin_unlock_irqrestore(lock: Ptr, flags: number): Generator<unknown, void> {
    yield* this.release(lock, 'spin_unlock_irqrestore');
    this.restoreIrqs(flags);
  }

  *spin_trylock(lock: Ptr): Generator<unknown, boolean> {
    const t = this.t;
    // Decided here, before the yield: this step reads the lock.
    this.ex.footprint?.read(lock);
    // Held, or released by a store that has not reached memory yet (TSO store buffer).
    if (this.ex.lockOwner.has(lock) || t.locksHeld.includes(lock) || this.ex.memory.latest(lock) !== 0) {
      yield;
      this.loadOp(lock, 'once', 'spin_trylock');
      return false;
    }
    yield* this.acquire(lock, 'spin_trylock', '');
    return true;
  }

  *spin_is_locked(lock: Ptr): Generator<unknown, boolean> {
    yield;
    return this.loadOp(lock, 'once', 'spin_is_locked') !== 0;
  }

  private saveIrqs(): number {
    const t = this.t;
    const flags = t.irqsOn ? 1 : 0;
    t.irqsOn = false;
    return flags;
  }

  private restoreIrqs(flags: number): void {
    const t = this.t;
    if (t.context === 'process') t.irqsOn = flags === 1;
    this.ex.quiesce(t);
  }

  *local_irq_save(): Generator<unknown, number> {
    return this.saveIrqs();
  }

  *local_irq_restore(flags: number): Generator<unknown, void> {
    this.restoreIrqs(flags);
  }

  *lockdep_assert_held(lock: Ptr): Generator<unknown, void> {
    if (this.ex.lockOwner.get(lock) !== this.t) {
      throw new Violation('lockdep', `WARNING: lockdep_assert_held(${this.ex.heap.name(lock)}) failed in {fn}`, [`${this.t.name} does not hold ${this.ex.heap.name(lock)}`]);
    }
  }

  // --- RCU ----------------------------------------------------------------------------------------

  *rcu_read_lock(): Generator<unknown, void> {
    if (this.t.rcuDepth++ === 0) this.ex.memory.readSectionStart(this.id);
  }

  *rcu_read_unlock(): Generator<unknown, void> {
    const t = this.t;
    if (t.rcuDepth === 0) throw new Violation('lockdep', `WARNING: bad unlock balance: rcu_read_unlock() without rcu_read_lock() in {fn}`, [`by ${t.name}`]);
    if (--t.rcuDepth === 0) this.ex.memory.readSectionEnd(this.id);
    this.ex.quiesce(t);
  }

  *synchronize_rcu(): Generator<unknown, void> {
    const t = this.t;
    if (isRcuReader(t)) {
      throw new Violation('deadlock', 'WARNING: suspicious RCU usage: Illegal synchronize_rcu() in RCU read-side critical section in {fn}', [`by ${t.name}`]);
    }
    const ex = this.ex;
    ex.memory.fence(this.id, 'mb');
    ex.memory.gracePeriodStart(this.id, true);
    t.gracePeriodDone = false;
    ex.startGracePeriod(t, () => {
      t.gracePeriodDone = true;
    });
    t.pending = Pending.GracePeriod;
    yield;
    t.pending = Pending.Access;
    ex.memory.fence(this.id, 'mb');
    if (ex.tracing) ex.recordEvent(t, 'synchronize_rcu()');
  }

  // --- memory and modules ----------------------------------------------------------------------

  *kmalloc(type: StructLayout | number, zero: boolean): Generator<unknown, Ptr> {
    yield;
    const ex = this.ex;
    const layout = typeof type === 'number' ? null : type;
    const a = ex.heap.allocate(layout ? layout.size : (type as number), layout, 'heap', null, this.t.name, ex.steps);
    if (ex.footprint) {
      ex.footprint.write(HEAP_LOCATION);
      ex.footprint.writeRange(a.base, a.size);
    }
    ex.memory.init(a.base, a.size, 0);
    if (ex.tracing) ex.recordEvent(this.t, `${zero ? 'kzalloc' : 'kmalloc'}(${layout ? `struct ${layout.name}` : `${a.size} words`}) = ${a.label}`);
    return a.base;
  }

  private freeTarget(ptr: Ptr, prim: string) {
    const ex = this.ex;
    const a = ex.heap.find(ptr);
    if (a) ex.footprint?.writeRange(a.base, a.size);
    if (!a || a.base !== ptr || a.kind !== 'heap') {
      throw new Violation('double-free', `BUG: KASAN: invalid-free in {fn}`, [`${prim}(${ex.heap.name(ptr)}) by ${this.t.name}: not the start of a kmalloc object`], [ex.access(this.t, prim, ptr)]);
    }
    if (a.state !== 'live') {
      throw new Violation('double-free', `BUG: KASAN: double-free in {fn}`, [
        `${prim}(${a.label}) by ${this.t.name}`,
        `Allocated by ${a.allocThread} at step ${a.allocStep}`,
        a.state === 'freed' ? `Freed by ${a.freeThread} at step ${a.freeStep} (${a.freeHow})` : 'Already queued for kfree_rcu()',
      ], [ex.access(this.t, prim, ptr)]);
    }
    return a;
  }

  *kfree(ptr: Ptr): Generator<unknown, void> {
    yield;
    if (ptr === 0) return;
    const a = this.freeTarget(ptr, 'kfree');
    this.ex.freeAllocation(a, this.t.name, 'kfree');
    if (this.ex.tracing) this.ex.recordEvent(this.t, `kfree(${a.label})`);
  }

  *kfree_rcu(ptr: Ptr): Generator<unknown, void> {
    yield;
    const ex = this.ex;
    const a = this.freeTarget(ptr, 'kfree_rcu');
    a.state = 'rcu-pending';
    if (ex.tracing) ex.recordEvent(this.t, `kfree_rcu(${a.label})`);
    // The grace period begins after the caller's earlier stores (the unpublishing of the
    // object) are visible everywhere, as RCU's own barriers make them.
    ex.memory.fence(this.id, 'mb');
    ex.memory.gracePeriodStart(this.id, false);
    ex.startGracePeriod(this.t, () => ex.freeAllocation(a, 'RCU', 'kfree_rcu after a grace period'));
  }

  *module_load(desc: ModuleDesc): Generator<unknown, LoadedModule> {
    yield;
    const ex = this.ex;
    ex.footprint?.markGlobal();
    const { heap, memory } = ex;
    const owner = (size: number, layout: StructLayout | null, kind: 'text' | 'rodata' | 'static', label: string) => {
      const a = heap.allocate(size, layout, kind, desc.name, this.t.name, ex.steps, `${desc.name}.${label}`);
      memory.init(a.base, a.size, 0);
      return a;
    };
    const fnNames = Object.keys(desc.functions ?? {});
    const fn: Record<string, Ptr> = {};
    if (fnNames.length > 0) {
      const text = owner(fnNames.length, null, 'text', 'text');
      text.payload = fnNames.map((name) => {
        const f = desc.functions![name]!;
        if (Object.getPrototypeOf(f) !== GeneratorFunction) {
          throw new Violation('error', `module ${desc.name}: function ${name} is not kernel code (its first parameter must be cpu)`);
        }
        return f;
      });
      fnNames.forEach((name, i) => (fn[name] = text.base + i));
    }
    const str: Record<string, Ptr> = {};
    for (const [key, value] of Object.entries(desc.strings ?? {})) {
      const a = owner(1, null, 'rodata', `"${value}"`);
      a.payload = value;
      memory.init(a.base, 1, value.length);
      str[key] = a.base;
    }
    const ops: Record<string, Ptr> = {};
    for (const [key, table] of Object.entries(desc.ops ?? {})) {
      const a = owner(table.struct.size, table.struct, 'rodata', key);
      for (const [field, target] of Object.entries(table.fields)) {
        const offset = (table.struct as unknown as Record<string, number>)[field];
        if (offset === undefined) throw new Violation('error', `module ${desc.name}: struct ${table.struct.name} has no field ${field}`);
        if (target !== 0 && fn[target] === undefined) throw new Violation('error', `module ${desc.name}: ops ${key}.${field} names unknown function ${target}`);
        memory.init(a.base + offset, 1, target === 0 ? 0 : fn[target]!);
      }
      ops[key] = a.base;
    }
    const data: Record<string, Ptr> = {};
    for (const [key, type] of Object.entries(desc.data ?? {})) {
      data[key] = owner(typeof type === 'number' ? type : type.size, typeof type === 'number' ? null : type, 'static', key).base;
    }
    if (ex.tracing) ex.recordEvent(this.t, `module_load(${desc.name})`);
    return Object.freeze({ name: desc.name, fn, str, ops, data });
  }

  *module_unload(mod: LoadedModule): Generator<unknown, void> {
    yield;
    const ex = this.ex;
    ex.footprint?.markGlobal();
    for (const a of ex.heap.liveModuleAllocations(mod)) ex.freeAllocation(a, this.t.name, `module_unload(${mod.name})`);
    if (ex.tracing) ex.recordEvent(this.t, `module_unload(${mod.name})`);
  }

  *call(fnptr: Ptr, nargs: number, ...args: unknown[]): Generator<unknown, unknown> {
    yield;
    const ex = this.ex;
    const t = this.t;
    if (fnptr === 0) {
      throw new Violation('null-deref', 'BUG: kernel NULL pointer dereference, address: 0x0000000000000000 in {fn}', [
        `${t.name} calls through a NULL function pointer`,
      ], [ex.access(t, 'call', 0)]);
    }
    const a = ex.check(t, fnptr, false, 'call');
    if (a.kind !== 'text') throw new Violation('error', `Oops: ${t.name} calls ${ex.heap.name(fnptr)}, which is not a function, in {fn}`);
    const f = (a.payload as ((...xs: unknown[]) => Generator<unknown, unknown>)[])[fnptr - a.base]!;
    if (ex.tracing) ex.recordEvent(t, `call ${a.module}:${f.name.replace(/^bound /, '')}()`);
    args.length = nargs; // a0..a5 arrive padded with undefined
    return yield* f(this, ...args);
  }

  *str_read(ptr: Ptr): Generator<unknown, string> {
    yield;
    const a = this.ex.check(this.t, ptr, false, 'str_read');
    const s = typeof a.payload === 'string' ? a.payload : `<${this.ex.heap.name(ptr)}>`;
    if (this.ex.tracing) this.ex.recordEvent(this.t, `strcpy(<- ${this.ex.heap.name(ptr)}) = "${s}"`);
    return s;
  }

  // --- scheduler ----------------------------------------------------------------------------------

  *current(): Generator<unknown, Ptr> {
    return this.t.task;
  }

  *set_task_state(state: number, mb: boolean): Generator<unknown, void> {
    yield;
    this.storeOp(this.t.task, state, 'once', mb ? 'set_current_state' : '__set_current_state');
    if (mb) this.ex.memory.fence(this.id, 'mb');
  }

  *schedule_timeout(timeout: number): Generator<unknown, number> {
    const t = this.t;
    const ex = this.ex;
    if (t.context === 'hardirq' || !t.irqsOn || t.locksHeld.length > 0) {
      throw new Violation('assertion', `BUG: scheduling while atomic: ${t.name} in {fn}`, [`${t.name} sleeps with ${t.context === 'hardirq' ? 'hardirq context' : t.locksHeld.length ? 'a spinlock held' : 'interrupts disabled'}`]);
    }
    // __schedule(): "LOCK rq->lock; smp_mb__after_spinlock(); if (signal_pending_state())" against
    // signal_wake_up()'s "set TIF_SIGPENDING; smp_mb__after_spinlock(); if (p->state & state)":
    // a store-buffering pair, so either the sleeper sees the signal and does not sleep, or the
    // sender sees the sleep state and wakes it. The barrier is modelled for interruptible
    // sleeps only, the ones a signal can end; an uninterruptible sleep is modelled as before
    // (no barrier), which keeps every race scenario's executions as they were.
    if ((ex.memory.latest(t.task) & TASK_INTERRUPTIBLE) !== 0) ex.memory.fence(this.id, 'mb');
    if ((ex.memory.latest(t.task) & TASK_INTERRUPTIBLE) !== 0 && ex.memory.latest(t.task + task_struct.sigpending) !== 0) {
      ex.memory.store(this.id, t.task, TASK_RUNNING, 'once');
      if (ex.tracing) ex.recordEvent(t, `schedule_timeout(${timeout >= MAX_SCHEDULE_TIMEOUT ? 'MAX_SCHEDULE_TIMEOUT' : timeout}) = signal pending, not sleeping`);
      return timeout;
    }
    t.pending = Pending.Sleep;
    t.sleepStartJiffies = ex.jiffies;
    t.sleepTimeout = timeout;
    t.timedOut = false;
    if (ex.tracing) ex.recordEvent(t, `schedule_timeout(${timeout >= MAX_SCHEDULE_TIMEOUT ? 'MAX_SCHEDULE_TIMEOUT' : timeout})`);
    yield;
    t.pending = Pending.Access;
    if (t.timedOut) {
      ex.memory.store(this.id, t.task, TASK_RUNNING, 'once');
      if (ex.tracing) ex.recordEvent(t, '  ... timed out = 0');
      return 0;
    }
    ex.memory.fence(this.id, 'mb');
    const left = timeout >= MAX_SCHEDULE_TIMEOUT ? timeout : Math.max(1, timeout - (ex.jiffies - t.sleepStartJiffies));
    if (ex.tracing) ex.recordEvent(t, `  ... woken = ${left >= MAX_SCHEDULE_TIMEOUT ? 'MAX' : left}`);
    return left;
  }

  *wake_up_state(task: Ptr, state: number): Generator<unknown, boolean> {
    yield;
    const ex = this.ex;
    ex.check(this.t, task, true, 'wake_up_state');
    ex.memory.fence(this.id, 'mb');
    const cur = ex.memory.load(this.id, task, 'once');
    const woke = (cur & state) !== 0;
    if (woke) ex.memory.store(this.id, task, TASK_RUNNING, 'once');
    if (ex.tracing) ex.recordEvent(this.t, `wake_up_state(${ex.heap.name(task)}) = ${woke ? 1 : 0}`);
    return woke;
  }

  /**
   * TIF_SIGPENDING of the current task, set by send_sig() (src/kernel/lib/signal.ts). Read as
   * the newest value and without a scheduling point: the flag is set before the sender's
   * wake_up_state() (a full barrier), and a task that was never sent a signal -- every race
   * scenario -- takes exactly the paths it took before signals existed.
   */
  *signal_pending(): Generator<unknown, boolean> {
    return this.ex.memory.latest(this.t.task + task_struct.sigpending) !== 0;
  }

  *ktime_get(): Generator<unknown, number> {
    this.ex.footprint?.write(CLOCK_LOCATION);
    // Nanoseconds since an arbitrary boot time: far above any heap address, so traces never
    // mistake a timestamp for a pointer. Time passes with steps and with timeouts (jiffies).
    return 1_000_000_000 + this.ex.jiffies * 1_000_000 + this.ex.steps;
  }

  *cpu_relax(): Generator<unknown, void> {
    this.t.spinning = true;
    yield;
  }

  // --- checks -------------------------------------------------------------------------------------

  /** Inserted by the transform at the top of every loop body in kernel code (not a primitive). */
  loopTick(): void {
    if (++this.ex.loopIterations > MAX_LOOP_ITERATIONS) {
      throw new Violation('step-bound', `${MAX_LOOP_ITERATIONS} loop iterations without finishing: an endless loop in {fn}`, [`by ${this.t.name}`]);
    }
  }

  *WARN(cond: boolean, msg: string): Generator<unknown, boolean> {
    if (cond) this.ex.warn(this.t, msg);
    return cond;
  }

  *warn_count(): Generator<unknown, number> {
    return this.ex.warnings.length;
  }

  *BUG_ON(cond: boolean, msg: string): Generator<unknown, void> {
    if (cond) throw new Violation('assertion', `kernel BUG: ${msg} in {fn}`, [`by ${this.t.name}`]);
  }

  *assert(cond: boolean, msg: string): Generator<unknown, void> {
    if (!cond) throw new Violation('assertion', `assertion failed: ${msg} in {fn}`, [`by ${this.t.name}`]);
  }
}

function show(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

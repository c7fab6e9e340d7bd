// The native Cpu: every primitive of src/kernel/cpu.ts as plain JavaScript over a shared
// Int32Array, so kernel code runs as written on real threads. What each primitive compiles to,
// and where that over- or under-charges against the kernel, is tabled in README "Benchmarks"
// (NATIVE_PRIMITIVES below is the same table as data). It checks nothing.
//
// Per thread (one NativeCpu per JavaScript thread, or per simulated CPU when a single-threaded
// scenario runs directly):
//  - kmalloc: size classes with a thread-local free list; a block freed by another thread is
//    pushed onto its owner's remote-free stack (multi-producer push, the owner takes the whole
//    stack with one exchange, so no ABA); blocks carry a one-word header (owner, class);
//  - RCU: rcu_read_lock/unlock only count nesting (non-preemptible kernel RCU costs nothing
//    either); a thread reports quiescent states from its harness loop (rcu_qs(), the analogue of
//    the scheduler tick) and goes offline while it sleeps; a grace period ends when every online
//    thread has reported a quiescent state after it began (QSBR, as liburcu-qsbr); kfree_rcu
//    queues the block and frees it at a quiescent state after such a grace period;
//  - spinlocks: compare-exchange of the lock word from 0 to the holder's slot + 1, test-and-
//    test-and-set spinning, time spent spinning counted per thread; after ~20 us of spinning the
//    thread yields (a JS thread can be preempted holding a lock, which a kernel spinlock holder
//    cannot); taking a lock the thread already holds throws (an AA deadlock would hang the run);
//  - sleeping: schedule_timeout waits with Atomics.wait on the task word, wake_up_state
//    compare-exchanges it to TASK_RUNNING and Atomics.notify()s.

import type { Cpu, ExecContext, FenceKind, KernelFn, LoadedModule, MemOrder, ModuleDesc, Ptr, StructLayout } from '../kernel/cpu.ts';
import { MAX_SCHEDULE_TIMEOUT, TASK_INTERRUPTIBLE, TASK_RUNNING } from '../kernel/primitives.ts';
import { task_struct } from '../kernel/dma-fence.ts';
import { monoMs } from './clock.ts';
import {
  CTRL_GP, CTRL_KILL, CTRL_NSLOTS, CTRL_STOP, CTRL_TOP, CHUNK_WORDS, MAX_CLASS, MAX_THREADS, NativeHeap, SLOT_MB, SLOT_RCU, SLOT_REMOTE,
  SLOT_TASK, SLOT_YIELD,
} from './heap.ts';
import { NativeRegistry } from './registry.ts';

/** HZ of the native Cpu: 100, as the scenarios assume (scenarios/lib/semantics.ts). */
export const HZ = 100;
/** A jiffy of schedule_timeout, in ms. */
export const JIFFY_MS = 1000 / HZ;
/** kfree_rcu blocks a thread collects before it starts a grace period for them... */
const RCU_BATCH = 64;
/** ...or quiescent states it passes with blocks queued before it does anyway. */
const RCU_TICKS = 32;
/** Spin this long on a lock or a grace period before yielding the CPU. */
const SPIN_BEFORE_YIELD_MS = 0.02;
const YIELD_MS = 0.02;
const TWO_POW_31 = 2147483648;

/** Thrown in a thread when the harness abandons a run (its KILL word is set). */
export class NativeAbort extends Error {
  constructor(where: string) {
    super(`run abandoned while ${where}`);
    this.name = 'NativeAbort';
  }
}

/** A kernel BUG_ON()/assertion on the native Cpu. */
export class NativeBug extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeBug';
  }
}

export interface NativeCpuOptions {
  /** thread slot in the heap, 0..63; one per concurrently running NativeCpu */
  slot: number;
  context?: ExecContext;
  /** ktime_get() counts ns from this monoMs() value (default: now) */
  epochMs?: number;
  /** CPU number kernel code sees (default: the slot) */
  id?: number;
}

export class NativeCpu implements Cpu {
  readonly id: number;
  readonly context: ExecContext;
  readonly slot: number;
  readonly m: Int32Array;
  private readonly fns: KernelFn[];
  private readonly strings: string[];
  private readonly slotBase: number;
  private readonly mbWord: number;
  private readonly rcuWord: number;
  private readonly yieldWord: number;
  private readonly epochMs: number;
  private readonly task: Ptr;
  /** what this thread writes into a lock word it holds: its slot + 1 (so recursion shows) */
  private readonly lockValue: number;

  // allocator
  private readonly heads = new Int32Array(MAX_CLASS + 1);
  private chunkPtr = 0;
  private chunkEnd = 0;

  // interrupts, RCU
  private irqFlags = 1;
  private rcuNesting = 0;
  private offline = true;
  private readonly rcuCur: number[] = [];
  private readonly rcuWaitPtrs: number[] = [];
  private readonly rcuWaitGp: number[] = [];
  private rcuWaitHead = 0;
  private rcuTicks = 0;

  // statistics the harness reads
  /** ns spent spinning on contended locks (including yields) */
  spinNs = 0;
  /** lock acquisitions that found the lock taken */
  contended = 0;
  warnings = 0;
  firstWarning = '';
  private relaxCount = 0;

  constructor(
    readonly heap: NativeHeap,
    readonly registry: NativeRegistry,
    opts: NativeCpuOptions,
  ) {
    if (!Number.isInteger(opts.slot) || opts.slot < 0 || opts.slot >= MAX_THREADS) throw new RangeError(`thread slot ${opts.slot} out of 0..${MAX_THREADS - 1}`);
    this.slot = opts.slot;
    this.id = opts.id ?? opts.slot;
    this.context = opts.context ?? 'process';
    this.m = heap.m;
    this.fns = registry.fns;
    this.strings = registry.strings;
    this.slotBase = heap.slotBase(opts.slot);
    this.mbWord = this.slotBase + SLOT_MB;
    this.rcuWord = this.slotBase + SLOT_RCU;
    this.yieldWord = this.slotBase + SLOT_YIELD;
    this.epochMs = opts.epochMs ?? monoMs();
    this.lockValue = opts.slot + 1;
    heap.registerSlot(opts.slot);
    this.task = this.kmalloc(task_struct, true);
    Atomics.store(this.m, this.slotBase + SLOT_TASK, this.task);
    this.rcu_online();
  }

  // --- plain and marked accesses ---------------------------------------------------------------

  load(addr: Ptr): number {
    return this.m[addr]!;
  }

  store(addr: Ptr, value: number): void {
    this.m[addr] = value;
  }

  READ_ONCE(addr: Ptr): number {
    return Atomics.load(this.m, addr);
  }

  WRITE_ONCE(addr: Ptr, value: number): void {
    Atomics.store(this.m, addr, value);
  }

  smp_load_acquire(addr: Ptr): number {
    return Atomics.load(this.m, addr);
  }

  smp_store_release(addr: Ptr, value: number): void {
    Atomics.store(this.m, addr, value);
  }

  smp_store_mb(addr: Ptr, value: number): void {
    Atomics.store(this.m, addr, value);
  }

  fence(kind: FenceKind): void {
    // smp_mb() is x86's `lock; addl $0,-4(%rsp)`: a locked add on a word nobody else touches.
    // The others are barrier() on x86; Atomics.load of a private word keeps V8 from moving
    // memory accesses across it.
    if (kind === 'mb') Atomics.add(this.m, this.mbWord, 0);
    else Atomics.load(this.m, this.mbWord);
  }

  // --- read-modify-writes (all sequentially consistent in JavaScript) ---------------------------

  xchg(addr: Ptr, value: number, _order: MemOrder): number {
    return Atomics.exchange(this.m, addr, value);
  }

  cmpxchg(addr: Ptr, old: number, value: number, _order: MemOrder): number {
    return Atomics.compareExchange(this.m, addr, old, value);
  }

  fetch_add(addr: Ptr, delta: number, _order: MemOrder): number {
    return Atomics.add(this.m, addr, delta);
  }

  test_and_set_bit(nr: number, addr: Ptr, order: MemOrder): boolean {
    const mask = 1 << nr;
    // asm-generic: the ordered forms return early, with a plain READ_ONCE, on a set bit.
    if (order !== 'relaxed' && (Atomics.load(this.m, addr) & mask) !== 0) return true;
    return (Atomics.or(this.m, addr, mask) & mask) !== 0;
  }

  test_and_clear_bit(nr: number, addr: Ptr, order: MemOrder): boolean {
    const mask = 1 << nr;
    if (order !== 'relaxed' && (Atomics.load(this.m, addr) & mask) === 0) return false;
    return (Atomics.and(this.m, addr, ~mask) & mask) !== 0;
  }

  test_bit(nr: number, addr: Ptr, _order: MemOrder): boolean {
    return (Atomics.load(this.m, addr) & (1 << nr)) !== 0;
  }

  // --- refcount_t ----------------------------------------------------------------------------------

  refcount_inc(addr: Ptr): void {
    Atomics.add(this.m, addr, 1);
  }

  refcount_inc_not_zero(addr: Ptr): boolean {
    const m = this.m;
    for (let v = Atomics.load(m, addr); v !== 0; ) {
      const seen = Atomics.compareExchange(m, addr, v, v + 1);
      if (seen === v) return true;
      v = seen;
    }
    return false;
  }

  refcount_dec_and_test(addr: Ptr): boolean {
    return Atomics.sub(this.m, addr, 1) === 1;
  }

  // --- spinlocks and interrupts ----------------------------------------------------------------------

  spin_lock_init(lock: Ptr): void {
    Atomics.store(this.m, lock, 0);
  }

  spin_lock(lock: Ptr): void {
    if (Atomics.compareExchange(this.m, lock, 0, this.lockValue) !== 0) this.spinSlow(lock);
  }

  private spinSlow(lock: Ptr): void {
    const m = this.m;
    if (Atomics.load(m, lock) === this.lockValue) throw new NativeBug(`BUG: spinlock recursion on CPU#${this.id}: the lock at ${lock} is already held by this thread`);
    const t0 = performance.now();
    this.contended++;
    let spins = 0;
    for (;;) {
      while (Atomics.load(m, lock) !== 0) {
        if ((++spins & 255) === 0) this.spinPause(t0, 'spinning on a lock');
      }
      if (Atomics.compareExchange(m, lock, 0, this.lockValue) === 0) break;
    }
    this.spinNs += (performance.now() - t0) * 1e6;
  }

  /** In a spin loop: after SPIN_BEFORE_YIELD_MS, sleep briefly so a preempted holder can run. */
  private spinPause(t0: number, where: string): void {
    if (Atomics.load(this.m, CTRL_KILL) !== 0) throw new NativeAbort(where);
    if (performance.now() - t0 > SPIN_BEFORE_YIELD_MS) Atomics.wait(this.m, this.yieldWord, 0, YIELD_MS);
  }

  spin_unlock(lock: Ptr): void {
    Atomics.store(this.m, lock, 0);
  }

  spin_trylock(lock: Ptr): boolean {
    return Atomics.compareExchange(this.m, lock, 0, this.lockValue) === 0;
  }

  spin_lock_irqsave(lock: Ptr): number {
    const flags = this.irqFlags;
    this.irqFlags = 0;
    if (Atomics.compareExchange(this.m, lock, 0, this.lockValue) !== 0) this.spinSlow(lock);
    return flags;
  }

  spin_unlock_irqrestore(lock: Ptr, flags: number): void {
    Atomics.store(this.m, lock, 0);
    this.irqFlags = flags;
  }

  spin_is_locked(lock: Ptr): boolean {
    return Atomics.load(this.m, lock) !== 0;
  }

  local_irq_save(): number {
    const flags = this.irqFlags;
    this.irqFlags = 0;
    return flags;
  }

  local_irq_restore(flags: number): void {
    this.irqFlags = flags;
  }

  lockdep_assert_held(_lock: Ptr): void {}

  // --- RCU -------------------------------------------------------------------------------------------

  rcu_read_lock(): void {
    this.rcuNesting++;
  }

  rcu_read_unlock(): void {
    this.rcuNesting--;
  }

  synchronize_rcu(): void {
    if (this.rcuNesting !== 0) throw new NativeBug('synchronize_rcu() in an RCU read-side critical section');
    const m = this.m;
    const gp = Atomics.add(m, CTRL_GP, 1) + 1;
    Atomics.store(m, this.rcuWord, gp);
    // what kfree_rcu queued before this call is covered by this grace period
    for (const p of this.rcuCur) {
      this.rcuWaitPtrs.push(p);
      this.rcuWaitGp.push(gp);
    }
    this.rcuCur.length = 0;
    const t0 = performance.now();
    let spins = 0;
    while (this.completedGp() < gp) {
      if ((++spins & 15) === 0) this.spinPause(t0, 'waiting for a grace period');
    }
    this.rcuReclaim(gp);
  }

  /**
   * A quiescent state of this thread (not a kernel primitive: the harness calls it between
   * operations, as the scheduler tick or a context switch would). Also frees kfree_rcu blocks
   * whose grace period has ended, and starts a grace period for a full batch.
   */
  rcu_qs(): void {
    if (this.rcuNesting !== 0) return;
    const m = this.m;
    const gp = Atomics.load(m, CTRL_GP);
    if (m[this.rcuWord] !== gp) Atomics.store(m, this.rcuWord, gp);
    if (this.rcuCur.length === 0 && this.rcuWaitHead === this.rcuWaitPtrs.length) return;
    // amortized: a grace period and a scan of the other threads every RCU_TICKS or RCU_BATCH
    if (++this.rcuTicks < RCU_TICKS && this.rcuCur.length < RCU_BATCH) return;
    this.rcuTicks = 0;
    this.rcuAdvance();
  }

  /** Extended quiescent state (sleeping, idle, finished): grace periods stop waiting for us. */
  rcu_offline(): void {
    if (this.rcuNesting !== 0 || this.offline) return;
    this.offline = true;
    Atomics.store(this.m, this.rcuWord, 0);
  }

  rcu_online(): void {
    if (!this.offline) return;
    this.offline = false;
    Atomics.store(this.m, this.rcuWord, Atomics.load(this.m, CTRL_GP));
  }

  /** kfree_rcu blocks this thread still holds back. */
  get rcuPending(): number {
    return this.rcuCur.length + this.rcuWaitPtrs.length - this.rcuWaitHead;
  }

  private rcuAdvance(): void {
    const cur = this.rcuCur;
    if (cur.length !== 0) {
      const gp = Atomics.add(this.m, CTRL_GP, 1) + 1;
      Atomics.store(this.m, this.rcuWord, gp);
      for (let i = 0; i < cur.length; i++) {
        this.rcuWaitPtrs.push(cur[i]!);
        this.rcuWaitGp.push(gp);
      }
      cur.length = 0;
    }
    if (this.rcuWaitHead !== this.rcuWaitPtrs.length) this.rcuReclaim(this.completedGp());
  }

  /** Frees every queued block whose grace period is <= done. */
  private rcuReclaim(done: number): void {
    const ptrs = this.rcuWaitPtrs;
    const gps = this.rcuWaitGp;
    let head = this.rcuWaitHead;
    while (head < ptrs.length && gps[head]! <= done) this.kfree(ptrs[head++]!);
    if (head === ptrs.length) {
      ptrs.length = 0;
      gps.length = 0;
      head = 0;
    }
    this.rcuWaitHead = head;
  }

  /** The newest grace period every online thread has passed. */
  private completedGp(): number {
    const m = this.m;
    let done = Atomics.load(m, CTRL_GP);
    const slots = Atomics.load(m, CTRL_NSLOTS);
    for (let slot = 0; slot < slots; slot++) {
      const c = Atomics.load(m, this.heap.slotBase(slot) + SLOT_RCU);
      if (c !== 0 && c < done) done = c;
    }
    return done;
  }

  // --- memory and modules -------------------------------------------------------------------------------

  kmalloc(type: StructLayout | number, _zero: boolean): Ptr {
    // Zeroed always, as the simulated heap does, so the two Cpus run the same scenarios alike.
    const size = typeof type === 'number' ? type : type.size;
    const cls = size <= MAX_CLASS ? (size < 1 ? 1 : size) : 0;
    const m = this.m;
    let p = cls === 0 ? 0 : this.heads[cls]!;
    if (p !== 0) this.heads[cls] = m[p]!;
    else p = this.refill(cls, cls === 0 ? size : cls);
    for (let i = 0; i < size; i++) m[p + i] = 0;
    return p;
  }

  /** A block of class `cls` (0: an unrecycled large block of `size` words). */
  private refill(cls: number, size: number): Ptr {
    const m = this.m;
    if (cls !== 0) {
      const remote = Atomics.exchange(m, this.slotBase + SLOT_REMOTE + cls - 1, 0);
      if (remote !== 0) {
        this.heads[cls] = m[remote]!;
        return remote;
      }
    }
    // blocks are whole cache lines, header first: no false sharing between two objects
    const need = (size + 1 + 15) & ~15;
    if (this.chunkPtr + need > this.chunkEnd) {
      const words = Math.max(CHUNK_WORDS, need);
      this.chunkPtr = this.heap.takeChunk(words);
      this.chunkEnd = this.chunkPtr + words;
    }
    const p = this.chunkPtr + 1;
    this.chunkPtr += need;
    m[p - 1] = (this.slot << 8) | cls;
    return p;
  }

  kfree(ptr: Ptr): void {
    if (ptr === 0) return;
    const m = this.m;
    const hdr = m[ptr - 1]!;
    const cls = hdr & 255;
    if (cls === 0) return;
    const owner = hdr >>> 8;
    if (owner === this.slot) {
      m[ptr] = this.heads[cls]!;
      this.heads[cls] = ptr;
      return;
    }
    const head = this.heap.slotBase(owner) + SLOT_REMOTE + cls - 1;
    for (let old = Atomics.load(m, head); ; ) {
      m[ptr] = old;
      const seen = Atomics.compareExchange(m, head, old, ptr);
      if (seen === old) return;
      old = seen;
    }
  }

  kfree_rcu(ptr: Ptr): void {
    this.rcuCur.push(ptr);
  }

  module_load(desc: ModuleDesc): LoadedModule {
    const m = this.m;
    const reg = this.registry;
    const fn: Record<string, Ptr> = {};
    const names = Object.keys(desc.functions ?? {});
    if (names.length > 0) {
      const text = this.allocStatic(names.length);
      names.forEach((name, i) => {
        m[text + i] = reg.addFunction(`${desc.name}:${name}`, desc.functions![name]!);
        fn[name] = text + i;
      });
    }
    const str: Record<string, Ptr> = {};
    for (const [key, value] of Object.entries(desc.strings ?? {})) {
      const p = this.allocStatic(1);
      m[p] = reg.addString(value);
      str[key] = p;
    }
    const ops: Record<string, Ptr> = {};
    for (const [key, table] of Object.entries(desc.ops ?? {})) {
      const p = this.allocStatic(table.struct.size);
      for (const [field, target] of Object.entries(table.fields)) {
        const offset = (table.struct as unknown as Record<string, number>)[field];
        if (offset === undefined) throw new Error(`module ${desc.name}: struct ${table.struct.name} has no field ${field}`);
        if (target !== 0 && fn[target] === undefined) throw new Error(`module ${desc.name}: ops ${key}.${field} names unknown function ${target}`);
        m[p + offset] = target === 0 ? 0 : fn[target]!;
      }
      ops[key] = p;
    }
    const data: Record<string, Ptr> = {};
    for (const [key, type] of Object.entries(desc.data ?? {})) {
      data[key] = this.allocStatic(typeof type === 'number' ? type : type.size);
    }
    return Object.freeze({ name: desc.name, fn: Object.freeze(fn), str: Object.freeze(str), ops: Object.freeze(ops), data: Object.freeze(data) });
  }

  /** Module memory: never freed or recycled, zeroed, on cache lines of its own. */
  private allocStatic(size: number): Ptr {
    const p = this.refill(0, size);
    for (let i = 0; i < size; i++) this.m[p + i] = 0;
    return p;
  }

  module_unload(_mod: LoadedModule): void {}

  call(fnptr: Ptr, nargs: number, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown, a4?: unknown, a5?: unknown): unknown {
    if (fnptr === 0) throw new NativeBug(`BUG: kernel NULL pointer dereference: call through a NULL function pointer (CPU${this.id})`);
    const f = this.fns[this.m[fnptr]!]!;
    switch (nargs) {
      case 0:
        return f(this);
      case 1:
        return f(this, a0);
      case 2:
        return f(this, a0, a1);
      case 3:
        return f(this, a0, a1, a2);
      default:
        return f(this, ...[a0, a1, a2, a3, a4, a5].slice(0, nargs));
    }
  }

  str_read(ptr: Ptr): string {
    return this.strings[this.m[ptr]!] ?? '';
  }

  // --- scheduler ----------------------------------------------------------------------------------------

  current(): Ptr {
    return this.task;
  }

  set_task_state(state: number, _mb: boolean): void {
    Atomics.store(this.m, this.task, state);
  }

  schedule_timeout(timeout: number): number {
    const m = this.m;
    const task = this.task;
    const forever = timeout >= MAX_SCHEDULE_TIMEOUT;
    const start = performance.now();
    const deadline = forever ? Infinity : start + timeout * JIFFY_MS;
    this.rcu_offline();
    try {
      for (;;) {
        const state = Atomics.load(m, task);
        if (state === TASK_RUNNING) break;
        // __schedule(): an interruptible sleeper with a signal pending does not sleep
        if ((state & TASK_INTERRUPTIBLE) !== 0 && Atomics.load(m, task + task_struct.sigpending) !== 0) {
          Atomics.store(m, task, TASK_RUNNING);
          break;
        }
        const left = deadline - performance.now();
        if (left <= 0) {
          Atomics.store(m, task, TASK_RUNNING);
          return 0;
        }
        Atomics.wait(m, task, state, left < 50 ? left : 50);
        if (Atomics.load(m, CTRL_KILL) !== 0) throw new NativeAbort('sleeping in schedule_timeout');
      }
    } finally {
      this.rcu_online();
    }
    if (forever) return timeout;
    return Math.max(1, Math.ceil((deadline - performance.now()) / JIFFY_MS));
  }

  wake_up_state(task: Ptr, state: number): boolean {
    // The F[mb] before the read is implied: JavaScript atomics are sequentially consistent.
    const m = this.m;
    for (let cur = Atomics.load(m, task); (cur & state) !== 0; ) {
      const seen = Atomics.compareExchange(m, task, cur, TASK_RUNNING);
      if (seen === cur) {
        Atomics.notify(m, task, 1);
        return true;
      }
      cur = seen;
    }
    return false;
  }

  /** True once the harness stops the run: interruptible waits return -ERESTARTSYS. */
  signal_pending(): boolean {
    return Atomics.load(this.m, CTRL_STOP) !== 0 || Atomics.load(this.m, this.task + task_struct.sigpending) !== 0;
  }

  ktime_get(): number {
    // ns since the heap's epoch, modulo 2^31 so it fits a heap word (wraps every 2.1 s)
    return ((monoMs() - this.epochMs) * 1e6) % TWO_POW_31 | 0;
  }

  cpu_relax(): void {
    if ((++this.relaxCount & 1023) === 0) {
      if (Atomics.load(this.m, CTRL_KILL) !== 0) throw new NativeAbort('in a cpu_relax() loop');
      Atomics.wait(this.m, this.yieldWord, 0, YIELD_MS);
    }
  }

  // --- checks -----------------------------------------------------------------------------------------

  WARN(cond: boolean, msg: string): boolean {
    if (cond) {
      if (this.warnings++ === 0) this.firstWarning = msg;
    }
    return cond;
  }

  warn_count(): number {
    return this.warnings;
  }

  BUG_ON(cond: boolean, msg: string): void {
    if (cond) throw new NativeBug(`kernel BUG: ${msg} (CPU${this.id})`);
  }

  assert(cond: boolean, msg: string): void {
    if (!cond) throw new NativeBug(`assertion failed: ${msg} (CPU${this.id})`);
  }

  // --- for the harness -------------------------------------------------------------------------------

  /** Leaves the run: offline for RCU, frees what can be freed. */
  detach(): void {
    this.rcu_offline();
  }

  get top(): number {
    return Atomics.load(this.m, CTRL_TOP);
  }
}

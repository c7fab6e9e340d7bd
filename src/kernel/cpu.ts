// The Cpu that kernel code runs on. Kernel code (variants, driver models, helpers) takes
// `cpu: Cpu` as its first parameter and reaches shared memory only through it, usually via the
// free functions of primitives.ts. Two implementations exist: the simulated Cpu (src/sim), under
// which every primitive is a scheduling point, and the native Cpu (src/native) on a
// SharedArrayBuffer for benchmarks. The ordering each primitive promises is in primitives.ts.

/** A word address in the lab's heap. NULL is 0; the first page is never mapped. */
export type Ptr = number;
export const NULL: Ptr = 0;

export type ExecContext = 'process' | 'hardirq';

/** A kernel function: plain synchronous code whose first parameter is the Cpu. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KernelFn = (cpu: Cpu, ...args: any[]) => any;

export interface StructLayout {
  readonly name: string;
  /** Label prefix of objects of this type in traces, e.g. "fence" gives "fence#1". */
  readonly label: string;
  readonly size: number;
  /** offset -> field names (more than one where a union overlays them) */
  readonly fieldsAt: readonly (readonly string[])[];
}

/** What a module owns. Unloading it frees all of it: later accesses are use-after-free. */
export interface ModuleDesc {
  name: string;
  /** Module text: functions reachable through function pointers. */
  functions?: Record<string, KernelFn>;
  /** Rodata strings (driver and timeline names). */
  strings?: Record<string, string>;
  /** Rodata ops tables: each field is a function name from `functions`, or 0 for NULL. */
  ops?: Record<string, { struct: StructLayout; fields: Record<string, string | 0> }>;
  /** Static data, zero-initialised (a driver's fence-context lock, counters, a stub fence). */
  data?: Record<string, StructLayout | number>;
}

export interface LoadedModule {
  readonly name: string;
  readonly fn: Readonly<Record<string, Ptr>>;
  readonly str: Readonly<Record<string, Ptr>>;
  readonly ops: Readonly<Record<string, Ptr>>;
  readonly data: Readonly<Record<string, Ptr>>;
}

export type MemOrder = 'plain' | 'once' | 'acquire' | 'release' | 'mb' | 'relaxed';
/** 'acquire' is smp_acquire__after_ctrl_dep(), as used by refcount_dec_and_test on zero. */
export type FenceKind = 'mb' | 'rmb' | 'wmb' | 'before_atomic' | 'after_atomic' | 'after_spinlock' | 'acquire';

/** Arguments a call through a function pointer can take: as many as x86-64 passes in registers. */
export const MAX_CALL_ARGS = 6;

/**
 * The primitive table as methods. Names follow the kernel; the ordering of each is documented
 * in primitives.ts (PRIMITIVES). Both Cpus implement every method.
 */
export interface Cpu {
  readonly id: number;
  readonly context: ExecContext;

  // plain C accesses and marked accesses
  load(addr: Ptr): number;
  store(addr: Ptr, value: number): void;
  READ_ONCE(addr: Ptr): number;
  WRITE_ONCE(addr: Ptr, value: number): void;
  smp_load_acquire(addr: Ptr): number;
  smp_store_release(addr: Ptr, value: number): void;
  smp_store_mb(addr: Ptr, value: number): void;
  fence(kind: FenceKind): void;

  // read-modify-writes; `order` per primitives.ts
  xchg(addr: Ptr, value: number, order: MemOrder): number;
  cmpxchg(addr: Ptr, old: number, value: number, order: MemOrder): number;
  /** Adds `delta`, returns the old value. */
  fetch_add(addr: Ptr, delta: number, order: MemOrder): number;
  /** Bit RMWs: return the old bit. `order` applies when the bit changes; a no-op is a relaxed load. */
  test_and_set_bit(nr: number, addr: Ptr, order: MemOrder): boolean;
  test_and_clear_bit(nr: number, addr: Ptr, order: MemOrder): boolean;
  test_bit(nr: number, addr: Ptr, order: MemOrder): boolean;

  // refcounts (refcount_t): inc relaxed, dec_and_test release + acquire on zero
  refcount_inc(addr: Ptr): void;
  refcount_inc_not_zero(addr: Ptr): boolean;
  refcount_dec_and_test(addr: Ptr): boolean;

  // locks and interrupts
  spin_lock_init(lock: Ptr): void;
  spin_lock(lock: Ptr): void;
  spin_unlock(lock: Ptr): void;
  spin_trylock(lock: Ptr): boolean;
  /** local_irq_save() then spin_lock(); returns the saved flags */
  spin_lock_irqsave(lock: Ptr): number;
  spin_unlock_irqrestore(lock: Ptr, flags: number): void;
  spin_is_locked(lock: Ptr): boolean;
  local_irq_save(): number;
  local_irq_restore(flags: number): void;
  lockdep_assert_held(lock: Ptr): void;

  // RCU
  rcu_read_lock(): void;
  rcu_read_unlock(): void;
  synchronize_rcu(): void;

  // memory
  kmalloc(layout: StructLayout | number, zero: boolean): Ptr;
  kfree(ptr: Ptr): void;
  kfree_rcu(ptr: Ptr): void;
  module_load(desc: ModuleDesc): LoadedModule;
  module_unload(mod: LoadedModule): void;
  /**
   * Calls through a function pointer (checks NULL and that the owning module is loaded) with the
   * first `nargs` of a0..a5 (primitives.ts `call` says why not an array).
   */
  call(fnptr: Ptr, nargs: number, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown, a4?: unknown, a5?: unknown): unknown;
  /** Reads a NUL-terminated string the way a consumer copies a driver name. */
  str_read(ptr: Ptr): string;

  // scheduler
  current(): Ptr;
  /** set_current_state (mb = true: store then full barrier) / __set_current_state. */
  set_task_state(state: number, mb: boolean): void;
  schedule_timeout(timeout: number): number;
  wake_up_state(task: Ptr, state: number): boolean;
  signal_pending(): boolean;
  ktime_get(): number;
  cpu_relax(): void;

  // checks
  WARN(cond: boolean, msg: string): boolean;
  /** WARN()s reported so far by this execution (only non-fatal ones: a scenario with allowWarnings). */
  warn_count(): number;
  BUG_ON(cond: boolean, msg: string): void;
  assert(cond: boolean, msg: string): void;
}

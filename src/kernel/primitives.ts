// The primitive table: every kernel primitive the lab knows, the memory-model events it stands
// for (in the manner of tools/memory-model/linux-kernel.def), and the free function kernel code
// calls. The orderings follow kernel-notes section 2 and Documentation/atomic_bitops.txt:
// non-returning RMWs and test_bit are unordered; value-returning RMWs are fully ordered;
// test_and_set_bit is fully ordered only when it changes the bit (asm-generic returns early on
// a set bit, a relaxed load). Each free function is a thin call into the Cpu, which owns all
// state (loom's sync/ over rt/ split): under the simulator the Cpu method is a generator, and
// the transformed call site delegates to it with `yield*`. So each free function is exactly one
// call of one Cpu method: composing two here would break under the simulator.
//
// Adding a primitive: add a row here, a free function below, and the method to both Cpus.

import { type Cpu, type FenceKind, type LoadedModule, MAX_CALL_ARGS, type ModuleDesc, type Ptr, type StructLayout } from './cpu.ts';

export interface PrimitiveRow {
  name: string;
  /** The events it stands for, herd-style. */
  events: string;
  /** What it orders, in LKMM terms. */
  ordering: string;
}

export const PRIMITIVES: readonly PrimitiveRow[] = [
  { name: 'load / store', events: 'R[plain] / W[plain]', ordering: 'none (plain C access)' },
  { name: 'READ_ONCE', events: 'R[once]', ordering: 'relaxed' },
  { name: 'WRITE_ONCE', events: 'W[once]', ordering: 'relaxed' },
  { name: 'smp_load_acquire', events: 'R[acquire]', ordering: 'acquire: before every po-later access' },
  { name: 'smp_store_release', events: 'W[release]', ordering: 'release, A-cumulative' },
  { name: 'smp_store_mb', events: 'W[once]; F[mb]', ordering: 'store then full barrier' },
  { name: 'smp_mb', events: 'F[mb]', ordering: 'full, A-cumulative, propagation' },
  { name: 'smp_rmb', events: 'F[rmb]', ordering: 'load -> load' },
  { name: 'smp_wmb', events: 'F[wmb]', ordering: 'store -> store, own stores only' },
  { name: 'smp_mb__before_atomic', events: 'F[before-atomic]', ordering: 'full, before the next RMW' },
  { name: 'smp_mb__after_atomic', events: 'F[after-atomic]', ordering: 'full, after the previous RMW' },
  { name: 'smp_mb__after_spinlock', events: 'F[after-spinlock]', ordering: 'full, after spin_lock' },
  { name: 'atomic_read / atomic_set', events: 'R[once] / W[once]', ordering: 'relaxed' },
  { name: 'atomic_inc / atomic_dec / atomic_add', events: 'RMW[relaxed]', ordering: 'relaxed (no return value)' },
  { name: 'atomic_*_return / atomic_fetch_*', events: 'F[mb]; RMW; F[mb]', ordering: 'full (value-returning)' },
  { name: 'xchg / cmpxchg', events: 'F[mb]; RMW; F[mb]', ordering: 'full; failed cmpxchg: R[once]' },
  { name: 'xchg_relaxed / cmpxchg_relaxed / atomic_fetch_add_relaxed', events: 'RMW[relaxed]', ordering: 'relaxed (atomic only)' },
  { name: 'test_bit', events: 'R[once]', ordering: 'relaxed' },
  { name: 'test_bit_acquire', events: 'R[acquire]', ordering: 'acquire' },
  { name: 'set_bit / clear_bit / change_bit', events: 'RMW[relaxed]', ordering: 'relaxed (atomic only)' },
  { name: 'test_and_set_bit / test_and_clear_bit', events: 'F[mb]; RMW; F[mb] | R[once]', ordering: 'full when it changes the bit, else a relaxed load' },
  { name: 'test_and_set_bit_lock / clear_bit_unlock', events: 'RMW[acquire] / RMW[release]', ordering: 'acquire / release' },
  { name: 'kref_get (refcount_inc)', events: 'RMW[relaxed]', ordering: 'relaxed' },
  { name: 'kref_get_unless_zero', events: 'RMW[acquire] | R[once]', ordering: 'acquire on success' },
  { name: 'kref_put (refcount_dec_and_test)', events: 'RMW[release]; F[acquire] if zero', ordering: 'release; acquire when it hits zero' },
  { name: 'spin_lock / spin_lock_irqsave / spin_trylock', events: 'LKW[acquire] (+ IRQs off)', ordering: 'acquire; unlock+lock on one CPU orders po-before/po-after' },
  { name: 'spin_unlock / spin_unlock_irqrestore', events: 'UL[release] (+ IRQs restored)', ordering: 'release' },
  { name: 'spin_is_locked', events: 'R[once]', ordering: 'relaxed' },
  { name: 'rcu_read_lock / rcu_read_unlock', events: 'F[rcu-lock] / F[rcu-unlock]', ordering: 'none by themselves; delimit a read-side section' },
  { name: 'rcu_dereference', events: 'R[once] (+ addr dep)', ordering: 'relaxed; accesses through the pointer it returns are ordered after it (address dependency)' },
  { name: 'rcu_assign_pointer', events: 'W[release]', ordering: 'release' },
  { name: 'RCU_INIT_POINTER / rcu_access_pointer', events: 'W[once] / R[once]', ordering: 'relaxed' },
  { name: 'synchronize_rcu', events: 'F[sync-rcu]', ordering: 'full; waits for every pre-existing reader' },
  { name: 'kfree_rcu', events: 'free after a grace period', ordering: 'frees once every pre-existing reader has left' },
  { name: 'set_current_state', events: 'W[once]; F[mb]', ordering: 'store then full barrier' },
  { name: '__set_current_state', events: 'W[once]', ordering: 'relaxed' },
  { name: 'wake_up_state', events: 'F[mb]; R; W', ordering: 'full barrier before reading the task state' },
  { name: 'schedule_timeout', events: 'sleep until woken or timed out', ordering: 'full barrier on wake-up' },
  { name: 'ktime_get / cpu_relax', events: '(none)', ordering: 'none' },
];

/**
 * The weaker form of each ordered primitive, with the same arguments: what `fence-lab
 * necessity` puts in its place to ask what its ordering buys (src/sim/ordering-points.ts).
 * Acquire and release forms weaken to the relaxed access, fully ordered value-returning RMWs to
 * their `_relaxed` form. The bitops have no `_relaxed` form in the kernel: their relaxed RMW
 * is set_bit()/clear_bit() (Documentation/atomic_bitops.txt), which in the lab still returns
 * the old bit, so the caller's control flow is kept and only the ordering goes. Barriers
 * (BARRIERS) weaken to nothing.
 */
export const RELAXED_FORMS: Readonly<Record<string, string>> = {
  smp_load_acquire: 'READ_ONCE',
  smp_store_release: 'WRITE_ONCE',
  smp_store_mb: 'WRITE_ONCE',
  atomic_read_acquire: 'atomic_read',
  atomic_set_release: 'atomic_set',
  test_bit_acquire: 'test_bit',
  rcu_assign_pointer: 'RCU_INIT_POINTER',
  set_current_state: '__set_current_state',
  atomic_fetch_add: 'atomic_fetch_add_relaxed',
  atomic64_fetch_add: 'atomic64_fetch_add_relaxed',
  xchg: 'xchg_relaxed',
  cmpxchg: 'cmpxchg_relaxed',
  test_and_set_bit: 'set_bit',
  test_and_clear_bit: 'clear_bit',
  test_and_set_bit_lock: 'set_bit',
  clear_bit_unlock: 'clear_bit',
  kfree_rcu: 'kfree',
};

/** The barriers: each one is an ordering point that weakens to nothing. */
export const BARRIERS: readonly string[] = ['smp_mb', 'smp_rmb', 'smp_wmb', 'smp_mb__before_atomic', 'smp_mb__after_atomic', 'smp_mb__after_spinlock'];

// --- plain and marked accesses ---------------------------------------------------------------
export function load(cpu: Cpu, addr: Ptr): number { return cpu.load(addr); }
export function store(cpu: Cpu, addr: Ptr, value: number): void { return cpu.store(addr, value); }
export function READ_ONCE(cpu: Cpu, addr: Ptr): number { return cpu.READ_ONCE(addr); }
export function WRITE_ONCE(cpu: Cpu, addr: Ptr, value: number): void { return cpu.WRITE_ONCE(addr, value); }
export function smp_load_acquire(cpu: Cpu, addr: Ptr): number { return cpu.smp_load_acquire(addr); }
export function smp_store_release(cpu: Cpu, addr: Ptr, value: number): void { return cpu.smp_store_release(addr, value); }
export function smp_store_mb(cpu: Cpu, addr: Ptr, value: number): void { return cpu.smp_store_mb(addr, value); }

// --- barriers -------------------------------------------------------------------------------
function barrier(cpu: Cpu, kind: FenceKind): void { return cpu.fence(kind); }
export function smp_mb(cpu: Cpu): void { return barrier(cpu, 'mb'); }
export function smp_rmb(cpu: Cpu): void { return barrier(cpu, 'rmb'); }
export function smp_wmb(cpu: Cpu): void { return barrier(cpu, 'wmb'); }
export function smp_mb__before_atomic(cpu: Cpu): void { return barrier(cpu, 'before_atomic'); }
export function smp_mb__after_atomic(cpu: Cpu): void { return barrier(cpu, 'after_atomic'); }
export function smp_mb__after_spinlock(cpu: Cpu): void { return barrier(cpu, 'after_spinlock'); }

// --- atomic_t ---------------------------------------------------------------------------------
export function atomic_read(cpu: Cpu, v: Ptr): number { return cpu.READ_ONCE(v); }
export function atomic_set(cpu: Cpu, v: Ptr, i: number): void { return cpu.WRITE_ONCE(v, i); }
export function atomic_read_acquire(cpu: Cpu, v: Ptr): number { return cpu.smp_load_acquire(v); }
export function atomic_set_release(cpu: Cpu, v: Ptr, i: number): void { return cpu.smp_store_release(v, i); }
export function atomic_add(cpu: Cpu, i: number, v: Ptr): number { return cpu.fetch_add(v, i, 'relaxed'); }
export function atomic_inc(cpu: Cpu, v: Ptr): number { return cpu.fetch_add(v, 1, 'relaxed'); }
export function atomic_dec(cpu: Cpu, v: Ptr): number { return cpu.fetch_add(v, -1, 'relaxed'); }
export function atomic_fetch_add(cpu: Cpu, i: number, v: Ptr): number { return cpu.fetch_add(v, i, 'mb'); }
export function atomic64_fetch_add(cpu: Cpu, i: number, v: Ptr): number { return cpu.fetch_add(v, i, 'mb'); }
export function xchg(cpu: Cpu, addr: Ptr, value: number): number { return cpu.xchg(addr, value, 'mb'); }
export function cmpxchg(cpu: Cpu, addr: Ptr, old: number, value: number): number { return cpu.cmpxchg(addr, old, value, 'mb'); }
export function atomic_fetch_add_relaxed(cpu: Cpu, i: number, v: Ptr): number { return cpu.fetch_add(v, i, 'relaxed'); }
export function atomic64_fetch_add_relaxed(cpu: Cpu, i: number, v: Ptr): number { return cpu.fetch_add(v, i, 'relaxed'); }
export function xchg_relaxed(cpu: Cpu, addr: Ptr, value: number): number { return cpu.xchg(addr, value, 'relaxed'); }
export function cmpxchg_relaxed(cpu: Cpu, addr: Ptr, old: number, value: number): number { return cpu.cmpxchg(addr, old, value, 'relaxed'); }

// --- bitops (Documentation/atomic_bitops.txt) -------------------------------------------------
export function test_bit(cpu: Cpu, nr: number, addr: Ptr): boolean { return cpu.test_bit(nr, addr, 'once'); }
export function test_bit_acquire(cpu: Cpu, nr: number, addr: Ptr): boolean { return cpu.test_bit(nr, addr, 'acquire'); }
export function set_bit(cpu: Cpu, nr: number, addr: Ptr): boolean { return cpu.test_and_set_bit(nr, addr, 'relaxed'); }
export function clear_bit(cpu: Cpu, nr: number, addr: Ptr): boolean { return cpu.test_and_clear_bit(nr, addr, 'relaxed'); }
export function test_and_set_bit(cpu: Cpu, nr: number, addr: Ptr): boolean { return cpu.test_and_set_bit(nr, addr, 'mb'); }
export function test_and_clear_bit(cpu: Cpu, nr: number, addr: Ptr): boolean { return cpu.test_and_clear_bit(nr, addr, 'mb'); }
export function test_and_set_bit_lock(cpu: Cpu, nr: number, addr: Ptr): boolean { return cpu.test_and_set_bit(nr, addr, 'acquire'); }
export function clear_bit_unlock(cpu: Cpu, nr: number, addr: Ptr): boolean { return cpu.test_and_clear_bit(nr, addr, 'release'); }

// --- refcount_t -------------------------------------------------------------------------------
export function refcount_set(cpu: Cpu, r: Ptr, n: number): void { return cpu.WRITE_ONCE(r, n); }
export function refcount_read(cpu: Cpu, r: Ptr): number { return cpu.READ_ONCE(r); }
export function refcount_inc(cpu: Cpu, r: Ptr): void { return cpu.refcount_inc(r); }
export function refcount_inc_not_zero(cpu: Cpu, r: Ptr): boolean { return cpu.refcount_inc_not_zero(r); }
export function refcount_dec_and_test(cpu: Cpu, r: Ptr): boolean { return cpu.refcount_dec_and_test(r); }

// --- spinlocks and interrupts -----------------------------------------------------------------
export function spin_lock_init(cpu: Cpu, lock: Ptr): void { return cpu.spin_lock_init(lock); }
export function spin_lock(cpu: Cpu, lock: Ptr): void { return cpu.spin_lock(lock); }
export function spin_unlock(cpu: Cpu, lock: Ptr): void { return cpu.spin_unlock(lock); }
export function spin_trylock(cpu: Cpu, lock: Ptr): boolean { return cpu.spin_trylock(lock); }
export function spin_lock_irqsave(cpu: Cpu, lock: Ptr): number { return cpu.spin_lock_irqsave(lock); }
export function spin_unlock_irqrestore(cpu: Cpu, lock: Ptr, flags: number): void { return cpu.spin_unlock_irqrestore(lock, flags); }
export function spin_is_locked(cpu: Cpu, lock: Ptr): boolean { return cpu.spin_is_locked(lock); }
export function local_irq_save(cpu: Cpu): number { return cpu.local_irq_save(); }
export function local_irq_restore(cpu: Cpu, flags: number): void { return cpu.local_irq_restore(flags); }
export function lockdep_assert_held(cpu: Cpu, lock: Ptr): void { return cpu.lockdep_assert_held(lock); }

// --- RCU ----------------------------------------------------------------------------------------
export function rcu_read_lock(cpu: Cpu): void { return cpu.rcu_read_lock(); }
export function rcu_read_unlock(cpu: Cpu): void { return cpu.rcu_read_unlock(); }
/**
 * A READ_ONCE, as in linux-kernel.def: it orders only the accesses made through the pointer it
 * returns, which the weak model honours as an address dependency (src/sim/memory/weak.ts).
 * Not an acquire: a later test_bit of another field may be satisfied before it (R3).
 */
export function rcu_dereference(cpu: Cpu, pp: Ptr): Ptr { return cpu.READ_ONCE(pp); }
export function rcu_dereference_protected(cpu: Cpu, pp: Ptr): Ptr { return cpu.load(pp); }
export function rcu_access_pointer(cpu: Cpu, pp: Ptr): Ptr { return cpu.READ_ONCE(pp); }
export function rcu_assign_pointer(cpu: Cpu, pp: Ptr, p: Ptr): void { return cpu.smp_store_release(pp, p); }
export function RCU_INIT_POINTER(cpu: Cpu, pp: Ptr, p: Ptr): void { return cpu.WRITE_ONCE(pp, p); }
export function synchronize_rcu(cpu: Cpu): void { return cpu.synchronize_rcu(); }

// --- memory and modules -----------------------------------------------------------------------
export function kmalloc(cpu: Cpu, type: StructLayout | number): Ptr { return cpu.kmalloc(type, false); }
export function kzalloc(cpu: Cpu, type: StructLayout | number): Ptr { return cpu.kmalloc(type, true); }
export function kfree(cpu: Cpu, ptr: Ptr): void { return cpu.kfree(ptr); }
export function kfree_rcu(cpu: Cpu, ptr: Ptr): void { return cpu.kfree_rcu(ptr); }
export function module_load(cpu: Cpu, desc: ModuleDesc): LoadedModule { return cpu.module_load(desc); }
export function module_unload(cpu: Cpu, mod: LoadedModule): void { return cpu.module_unload(mod); }
/**
 * `fnptr(args...)` in C: a call through a function pointer read from memory, with at most
 * MAX_CALL_ARGS arguments. The arguments reach the Cpu one by one, not as an array: on the native
 * Cpu the rest array then never leaves this function and V8 drops it, where an array handed on
 * cost every call through an ops pointer ~40 bytes of JS heap (a scavenge every few ms in the
 * micro benchmarks) that the kernel's call does not cost.
 */
export function call(cpu: Cpu, fnptr: Ptr, ...args: unknown[]): unknown {
  if (args.length > MAX_CALL_ARGS) throw new Error(`call(): ${args.length} arguments through a function pointer; at most ${MAX_CALL_ARGS} (pass a struct pointer instead)`);
  return cpu.call(fnptr, args.length, args[0], args[1], args[2], args[3], args[4], args[5]);
}
export function str_read(cpu: Cpu, ptr: Ptr): string { return cpu.str_read(ptr); }

// --- tasks, sleeping, time --------------------------------------------------------------------
export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_UNINTERRUPTIBLE = 2;
export const TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;
export const MAX_SCHEDULE_TIMEOUT = Number.MAX_SAFE_INTEGER;
/** task_struct.state is the first word of the task object current() returns. */
export function current(cpu: Cpu): Ptr { return cpu.current(); }
export function set_current_state(cpu: Cpu, state: number): void { return cpu.set_task_state(state, true); }
export function __set_current_state(cpu: Cpu, state: number): void { return cpu.set_task_state(state, false); }
export function schedule_timeout(cpu: Cpu, timeout: number): number { return cpu.schedule_timeout(timeout); }
export function wake_up_state(cpu: Cpu, task: Ptr, state: number): boolean { return cpu.wake_up_state(task, state); }
export function wake_up_process(cpu: Cpu, task: Ptr): boolean { return cpu.wake_up_state(task, TASK_NORMAL); }
export function signal_pending(cpu: Cpu): boolean { return cpu.signal_pending(); }
export function ktime_get(cpu: Cpu): number { return cpu.ktime_get(); }
export function cpu_relax(cpu: Cpu): void { return cpu.cpu_relax(); }

// --- checks -----------------------------------------------------------------------------------
export function WARN_ON(cpu: Cpu, cond: boolean, msg = 'WARN_ON'): boolean { return cpu.WARN(cond, msg); }
export function WARN(cpu: Cpu, cond: boolean, msg: string): boolean { return cpu.WARN(cond, msg); }
export function BUG_ON(cpu: Cpu, cond: boolean, msg = 'BUG_ON'): void { return cpu.BUG_ON(cond, msg); }
/**
 * How many WARN()s fired so far, for a scenario that checks a kernel WARN is there (it sets
 * allowWarnings, so a WARN is counted instead of stopping the run, and pins the count before
 * and after the call that must WARN; after the kunit idea of counting suppressed warnings).
 */
export function lab_warn_count(cpu: Cpu): number { return cpu.warn_count(); }
/** A scenario's own invariant. */
export function lab_assert(cpu: Cpu, cond: boolean, msg: string): void { return cpu.assert(cond, msg); }

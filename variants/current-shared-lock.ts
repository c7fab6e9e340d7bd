// current-shared-lock: upstream dma_fence before the 7.1 "independence" series (design (a) of
// kernel-notes section 4.a), modelled from drivers/dma-buf/dma-fence.c and
// include/linux/dma-fence.h of the 5.x-6.x kernels (torvalds/linux dma-fence.h 86329873,
// intel-lab-lkp/linux dma-fence.c 0361ae70 for the late-6.x bodies: test_signaled_flag,
// check_and_signal, void signal functions).
//
//  - fence->lock points at a spinlock the driver owns and shares among every fence of a fence
//    context; dma_fence_init() BUG()s on a NULL lock;
//  - fence->ops is a plain pointer set once at init and never changed (no RCU, no NULL checks);
//  - the SIGNALED bit is set with test_and_set_bit() under the lock, and read locklessly by
//    the fast paths (dma_fence_is_signaled, add_callback, the name getters).
//
// Internal helpers are methods (as the 7.1 "abstract fence locking" patch made them
// functions), so a design that patches one overrides exactly that method and every caller
// follows. The method names and bodies follow the C line by line.

import type { Cpu, LoadedModule, Ptr } from '../src/kernel/cpu.ts';
import { NULL } from '../src/kernel/cpu.ts';
import {
  BUG_ON, MAX_SCHEDULE_TIMEOUT, TASK_INTERRUPTIBLE, TASK_NORMAL, TASK_RUNNING, TASK_UNINTERRUPTIBLE,
  WARN, WARN_ON, __set_current_state, atomic64_fetch_add, call, current, cpu_relax, kfree, kfree_rcu,
  ktime_get, kzalloc, load, lockdep_assert_held, module_load, rcu_dereference,
  rcu_read_lock, rcu_read_unlock, refcount_dec_and_test, schedule_timeout, set_bit, set_current_state, signal_pending,
  spin_lock_init, spin_lock_irqsave, spin_unlock_irqrestore, store, test_and_set_bit, test_bit,
  wake_up_state, READ_ONCE,
} from '../src/kernel/primitives.ts';
import {
  DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, DMA_FENCE_FLAG_INITIALIZED_BIT, DMA_FENCE_FLAG_SEQNO64_BIT,
  DMA_FENCE_FLAG_SIGNALED_BIT, DMA_FENCE_FLAG_TIMESTAMP_BIT, EDEADLK, EINVAL, ENOENT, ERESTARTSYS,
  MAX_ERRNO, default_wait_cb, dma_fence, dma_fence_cb, dma_fence_ops, list_head, spinlock_t,
} from '../src/kernel/dma-fence.ts';
import {
  INIT_LIST_HEAD, list_add, list_add_tail, list_del, list_del_init, list_empty, list_entries, list_replace,
} from '../src/kernel/lib/list.ts';
import { kref_get, kref_get_unless_zero, kref_init } from '../src/kernel/lib/kref.ts';

const flags = (f: Ptr): Ptr => f + dma_fence.flags;

/** Strings the core returns for fences whose ops are gone (7.1 safe name getters). */
const CORE_STRINGS = { detached_driver: 'detached-driver', signaled_timeline: 'signaled-timeline', stub: 'stub' };

export default class CurrentSharedLock {
  static title = 'Shared driver lock (upstream before 7.1)';
  static summary =
    'fence->lock points at a spinlock shared by the fence context; ops is a plain pointer that never changes; SIGNALED is set under the lock and read locklessly on the fast paths.';
  static source = 'drivers/dma-buf/dma-fence.c (5.x-6.x); kernel-notes 3 and 4.a';
  /** Whether drivers in scenarios give this design their context lock or let it use its own. */
  static lockModel: 'extern' | 'inline' = 'extern';
  /**
   * Whether signalling NULLs fence->ops (the 7.1 "detach", for ops without release and wait).
   * Scenarios assert "ops cleared after signal" only for designs that declare it.
   */
  static detachesOps = false;
  /**
   * How the core calls ops->enable_signaling, so scenarios' drivers implement the matching
   * contract: 'locked-bool' (up to 7.1): with the fence lock held and IRQs off, returning false
   * when the fence already passed, and the core signals it; 'unlocked-void' (June 2026 patches
   * 09+10): without the fence lock, return value ignored; the driver takes the fence lock itself
   * if it needs it and signals an already passed fence itself.
   */
  static enableSignalingContract: 'locked-bool' | 'unlocked-void' = 'locked-bool';

  /** The dma-buf core module: its callbacks, strings and static data (stub fence, counters). */
  core!: LoadedModule;

  // --- module init ------------------------------------------------------------------------------

  /** dma_buf_init(): loads the core as a module (never unloaded) and sets up the stub fence. */
  dma_buf_init(cpu: Cpu): void {
    this.core = module_load(cpu, {
      name: 'dma-buf',
      functions: {
        dma_fence_default_wait_cb: this.dma_fence_default_wait_cb.bind(this),
        dma_fence_stub_get_name: this.dma_fence_stub_get_name.bind(this),
      },
      strings: CORE_STRINGS,
      ops: {
        dma_fence_stub_ops: {
          struct: dma_fence_ops,
          fields: { get_driver_name: 'dma_fence_stub_get_name', get_timeline_name: 'dma_fence_stub_get_name' },
        },
      },
      data: { dma_fence_stub: dma_fence, dma_fence_stub_lock: spinlock_t, dma_fence_context_counter: 1 },
    });
    this.dma_fence_stub_init(cpu);
  }

  dma_fence_stub_get_name(cpu: Cpu, _fence: Ptr): Ptr {
    return this.core.str['stub']!;
  }

  /** dma_fence_init_stub(): the static stub fence, signaled at init, ENABLE bit set. */
  dma_fence_stub_init(cpu: Cpu): void {
    const stub = this.core.data['dma_fence_stub']!;
    const lock = this.core.data['dma_fence_stub_lock']!;
    spin_lock_init(cpu, lock);
    store(cpu, this.core.data['dma_fence_context_counter']!, 1);
    this.dma_fence_init(cpu, stub, this.core.ops['dma_fence_stub_ops']!, lock, 0, 0);
    set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(stub));
    this.dma_fence_signal(cpu, stub);
  }

  // --- locking ----------------------------------------------------------------------------------

  /** The spinlock protecting this fence: the driver's, through the lock pointer. */
  dma_fence_spinlock(cpu: Cpu, fence: Ptr): Ptr {
    return load(cpu, fence + dma_fence.extern_lock);
  }

  dma_fence_lock_irqsave(cpu: Cpu, fence: Ptr): number {
    return spin_lock_irqsave(cpu, this.dma_fence_spinlock(cpu, fence));
  }

  dma_fence_unlock_irqrestore(cpu: Cpu, fence: Ptr, irqflags: number): void {
    spin_unlock_irqrestore(cpu, this.dma_fence_spinlock(cpu, fence), irqflags);
  }

  dma_fence_assert_held(cpu: Cpu, fence: Ptr): void {
    lockdep_assert_held(cpu, this.dma_fence_spinlock(cpu, fence));
  }


  // --- creation and lifetime --------------------------------------------------------------------

  dma_fence_context_alloc(cpu: Cpu, num: number): number {
    WARN_ON(cpu, num === 0, 'dma_fence_context_alloc(0)');
    return atomic64_fetch_add(cpu, num, this.core.data['dma_fence_context_counter']!);
  }

  __dma_fence_init(cpu: Cpu, fence: Ptr, ops: Ptr, lock: Ptr, context: number, seqno: number, extraFlags: number): void {
    BUG_ON(cpu, lock === NULL, '!lock');
    BUG_ON(cpu, ops === NULL || load(cpu, ops + dma_fence_ops.get_driver_name) === NULL || load(cpu, ops + dma_fence_ops.get_timeline_name) === NULL, '!ops');
    kref_init(cpu, fence + dma_fence.refcount);
    store(cpu, fence + dma_fence.ops, ops);
    INIT_LIST_HEAD(cpu, fence + dma_fence.cb_list);
    store(cpu, fence + dma_fence.extern_lock, lock);
    store(cpu, fence + dma_fence.context, context);
    store(cpu, fence + dma_fence.seqno, seqno);
    store(cpu, flags(fence), extraFlags | (1 << DMA_FENCE_FLAG_INITIALIZED_BIT));
    store(cpu, fence + dma_fence.error, 0);
  }

  dma_fence_init(cpu: Cpu, fence: Ptr, ops: Ptr, lock: Ptr, context: number, seqno: number): void {
    this.__dma_fence_init(cpu, fence, ops, lock, context, seqno, 0);
  }

  dma_fence_init64(cpu: Cpu, fence: Ptr, ops: Ptr, lock: Ptr, context: number, seqno: number): void {
    this.__dma_fence_init(cpu, fence, ops, lock, context, seqno, 1 << DMA_FENCE_FLAG_SEQNO64_BIT);
  }

  dma_fence_get(cpu: Cpu, fence: Ptr): Ptr {
    if (fence !== NULL) kref_get(cpu, fence + dma_fence.refcount);
    return fence;
  }

  dma_fence_get_rcu(cpu: Cpu, fence: Ptr): Ptr {
    return kref_get_unless_zero(cpu, fence + dma_fence.refcount) ? fence : NULL;
  }

  /** Caller holds rcu_read_lock; `fencep` is the address of an RCU-published fence pointer. */
  dma_fence_get_rcu_safe(cpu: Cpu, fencep: Ptr): Ptr {
    for (;;) {
      const fence = rcu_dereference(cpu, fencep);
      if (fence === NULL) return NULL;
      if (this.dma_fence_get_rcu(cpu, fence) === NULL) continue;
      if (fence === READ_ONCE(cpu, fencep)) return fence;
      this.dma_fence_put(cpu, fence);
    }
  }

  /** kref_put(&fence->refcount, dma_fence_release), spelled out so the release is a method. */
  dma_fence_put(cpu: Cpu, fence: Ptr): void {
    if (fence !== NULL && refcount_dec_and_test(cpu, fence + dma_fence.refcount)) this.dma_fence_release(cpu, fence);
  }

  dma_fence_release(cpu: Cpu, fence: Ptr): void {
    rcu_read_lock(cpu);
    if (!list_empty(cpu, fence + dma_fence.cb_list) && !this.dma_fence_test_signaled_flag(cpu, fence)) {
      WARN(cpu, true, 'Fence released with pending signals!');
      // "Failed to signal before release, likely a refcounting issue."
      const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
      store(cpu, fence + dma_fence.error, -EDEADLK);
      this.dma_fence_signal_locked(cpu, fence);
      this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    }
    const release = load(cpu, load(cpu, fence + dma_fence.ops) + dma_fence_ops.release);
    if (release !== NULL) call(cpu, release, fence);
    else this.dma_fence_free(cpu, fence);
    rcu_read_unlock(cpu);
  }

  dma_fence_free(cpu: Cpu, fence: Ptr): void {
    kfree_rcu(cpu, fence);
  }

  // --- signalling -------------------------------------------------------------------------------

  dma_fence_signal_timestamp_locked(cpu: Cpu, fence: Ptr, timestamp: number): void {
    this.dma_fence_assert_held(cpu, fence);
    if (test_and_set_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) return;
    const cbList = this.dma_fence_stash_callbacks(cpu, fence);
    store(cpu, fence + dma_fence.timestamp, timestamp);
    set_bit(cpu, DMA_FENCE_FLAG_TIMESTAMP_BIT, flags(fence));
    this.dma_fence_run_callbacks(cpu, fence, cbList);
  }

  /** list_replace(&fence->cb_list, &cb_list): the callbacks move to a list on the stack. */
  dma_fence_stash_callbacks(cpu: Cpu, fence: Ptr): Ptr {
    const cbList = kzalloc(cpu, list_head);
    list_replace(cpu, fence + dma_fence.cb_list, cbList);
    return cbList;
  }

  /** list_for_each_entry_safe(cur, tmp, &cb_list, node) { INIT_LIST_HEAD; cur->func(fence, cur); } */
  dma_fence_run_callbacks(cpu: Cpu, fence: Ptr, cbList: Ptr): void {
    for (const cur of list_entries(cpu, cbList)) {
      INIT_LIST_HEAD(cpu, cur + dma_fence_cb.node);
      call(cpu, load(cpu, cur + dma_fence_cb.func), fence, cur);
    }
    kfree(cpu, cbList);
  }

  dma_fence_signal_timestamp(cpu: Cpu, fence: Ptr, timestamp: number): void {
    if (WARN_ON(cpu, fence === NULL)) return;
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    this.dma_fence_signal_timestamp_locked(cpu, fence, timestamp);
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
  }

  dma_fence_signal_locked(cpu: Cpu, fence: Ptr): void {
    this.dma_fence_signal_timestamp_locked(cpu, fence, ktime_get(cpu));
  }

  dma_fence_signal(cpu: Cpu, fence: Ptr): void {
    if (WARN_ON(cpu, fence === NULL)) return;
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    this.dma_fence_signal_timestamp_locked(cpu, fence, ktime_get(cpu));
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
  }

  dma_fence_check_and_signal_locked(cpu: Cpu, fence: Ptr): boolean {
    const ret = this.dma_fence_test_signaled_flag(cpu, fence);
    this.dma_fence_signal_locked(cpu, fence);
    return ret;
  }

  dma_fence_check_and_signal(cpu: Cpu, fence: Ptr): boolean {
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    const ret = this.dma_fence_check_and_signal_locked(cpu, fence);
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return ret;
  }

  // --- querying ---------------------------------------------------------------------------------

  dma_fence_test_signaled_flag(cpu: Cpu, fence: Ptr): boolean {
    return test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence));
  }

  dma_fence_is_signaled(cpu: Cpu, fence: Ptr): boolean {
    if (this.dma_fence_test_signaled_flag(cpu, fence)) return true;
    const signaled = load(cpu, load(cpu, fence + dma_fence.ops) + dma_fence_ops.signaled);
    if (signaled !== NULL && call(cpu, signaled, fence)) {
      this.dma_fence_signal(cpu, fence);
      return true;
    }
    return false;
  }

  dma_fence_is_signaled_locked(cpu: Cpu, fence: Ptr): boolean {
    if (this.dma_fence_test_signaled_flag(cpu, fence)) return true;
    const signaled = load(cpu, load(cpu, fence + dma_fence.ops) + dma_fence_ops.signaled);
    if (signaled !== NULL && call(cpu, signaled, fence)) {
      this.dma_fence_signal_locked(cpu, fence);
      return true;
    }
    return false;
  }

  dma_fence_get_status_locked(cpu: Cpu, fence: Ptr): number {
    if (this.dma_fence_is_signaled_locked(cpu, fence)) {
      const error = load(cpu, fence + dma_fence.error);
      return error !== 0 ? error : 1;
    }
    return 0;
  }

  dma_fence_get_status(cpu: Cpu, fence: Ptr): number {
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    const status = this.dma_fence_get_status_locked(cpu, fence);
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return status;
  }

  dma_fence_set_error(cpu: Cpu, fence: Ptr, error: number): void {
    WARN_ON(cpu, test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence)), 'dma_fence_set_error on a signaled fence');
    WARN_ON(cpu, error >= 0 || error < -MAX_ERRNO, 'dma_fence_set_error: invalid error');
    store(cpu, fence + dma_fence.error, error);
  }

  /** "setting the timestamp can race with tasks waiting for the signaling": busy-waits for it. */
  dma_fence_timestamp(cpu: Cpu, fence: Ptr): number {
    if (WARN_ON(cpu, !test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence)), 'dma_fence_timestamp on an unsignaled fence')) return ktime_get(cpu);
    while (!test_bit(cpu, DMA_FENCE_FLAG_TIMESTAMP_BIT, flags(fence))) cpu_relax(cpu);
    return load(cpu, fence + dma_fence.timestamp);
  }

  /** Caller holds rcu_read_lock. The 2025 "safe access wrapper": driver strings only while unsignaled. */
  dma_fence_driver_name(cpu: Cpu, fence: Ptr): Ptr {
    const ops = load(cpu, fence + dma_fence.ops);
    if (!this.dma_fence_test_signaled_flag(cpu, fence)) return call(cpu, load(cpu, ops + dma_fence_ops.get_driver_name), fence) as Ptr;
    return this.core.str['detached_driver']!;
  }

  dma_fence_timeline_name(cpu: Cpu, fence: Ptr): Ptr {
    const ops = load(cpu, fence + dma_fence.ops);
    if (!this.dma_fence_test_signaled_flag(cpu, fence)) return call(cpu, load(cpu, ops + dma_fence_ops.get_timeline_name), fence) as Ptr;
    return this.core.str['signaled_timeline']!;
  }

  __dma_fence_is_later(cpu: Cpu, fence: Ptr, f1: number, f2: number): boolean {
    if (test_bit(cpu, DMA_FENCE_FLAG_SEQNO64_BIT, flags(fence))) return f1 > f2;
    return ((f1 - f2) | 0) > 0;
  }

  dma_fence_is_later(cpu: Cpu, f1: Ptr, f2: Ptr): boolean {
    if (WARN_ON(cpu, load(cpu, f1 + dma_fence.context) !== load(cpu, f2 + dma_fence.context), 'fences of different contexts')) return false;
    return this.__dma_fence_is_later(cpu, f1, load(cpu, f1 + dma_fence.seqno), load(cpu, f2 + dma_fence.seqno));
  }

  // --- enabling signalling, callbacks, waiting --------------------------------------------------

  /** Lock held. Returns whether the fence is still pending. */
  __dma_fence_enable_signaling(cpu: Cpu, fence: Ptr): boolean {
    this.dma_fence_assert_held(cpu, fence);
    const wasSet = test_and_set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(fence));
    if (this.dma_fence_test_signaled_flag(cpu, fence)) return false;
    const enable = load(cpu, load(cpu, fence + dma_fence.ops) + dma_fence_ops.enable_signaling);
    if (!wasSet && enable !== NULL && !call(cpu, enable, fence)) {
      this.dma_fence_signal_locked(cpu, fence);
      return false;
    }
    return true;
  }

  dma_fence_enable_sw_signaling(cpu: Cpu, fence: Ptr): void {
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    this.__dma_fence_enable_signaling(cpu, fence);
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
  }

  /** Returns 0, -ENOENT if the fence is already signaled (the callback will never run), or -EINVAL. */
  dma_fence_add_callback(cpu: Cpu, fence: Ptr, cb: Ptr, func: Ptr): number {
    if (WARN_ON(cpu, fence === NULL || func === NULL)) return -EINVAL;
    if (this.dma_fence_test_signaled_flag(cpu, fence)) {
      INIT_LIST_HEAD(cpu, cb + dma_fence_cb.node);
      return -ENOENT;
    }
    let ret = 0;
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    if (this.__dma_fence_enable_signaling(cpu, fence)) {
      store(cpu, cb + dma_fence_cb.func, func);
      list_add_tail(cpu, cb + dma_fence_cb.node, fence + dma_fence.cb_list);
    } else {
      INIT_LIST_HEAD(cpu, cb + dma_fence_cb.node);
      ret = -ENOENT;
    }
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return ret;
  }

  dma_fence_remove_callback(cpu: Cpu, fence: Ptr, cb: Ptr): boolean {
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    const ret = !list_empty(cpu, cb + dma_fence_cb.node);
    if (ret) list_del_init(cpu, cb + dma_fence_cb.node);
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return ret;
  }

  dma_fence_default_wait_cb(cpu: Cpu, _fence: Ptr, cb: Ptr): void {
    wake_up_state(cpu, load(cpu, cb - default_wait_cb.base + default_wait_cb.task), TASK_NORMAL);
  }

  /** Returns -ERESTARTSYS, 0 when the wait timed out, or the remaining jiffies (>= 1). */
  dma_fence_default_wait(cpu: Cpu, fence: Ptr, intr: boolean, timeout: number): number {
    let ret = timeout !== 0 ? timeout : 1;
    let irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    let cb = NULL;
    if (this.dma_fence_test_signaled_flag(cpu, fence)) {
      // goto out
    } else if (intr && signal_pending(cpu)) {
      ret = -ERESTARTSYS;
    } else if (timeout === 0) {
      ret = 0;
    } else {
      cb = kzalloc(cpu, default_wait_cb);
      store(cpu, cb + default_wait_cb['base.func'], this.core.fn['dma_fence_default_wait_cb']!);
      store(cpu, cb + default_wait_cb.task, current(cpu));
      list_add(cpu, cb + default_wait_cb['base.node'], fence + dma_fence.cb_list);
      while (!this.dma_fence_test_signaled_flag(cpu, fence) && ret > 0) {
        __set_current_state(cpu, intr ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
        this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
        ret = schedule_timeout(cpu, ret);
        irqflags = this.dma_fence_lock_irqsave(cpu, fence);
        if (ret > 0 && intr && signal_pending(cpu)) ret = -ERESTARTSYS;
      }
      if (!list_empty(cpu, cb + default_wait_cb['base.node'])) list_del(cpu, cb + default_wait_cb['base.node']);
      __set_current_state(cpu, TASK_RUNNING);
    }
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    if (cb !== NULL) kfree(cpu, cb);
    return ret;
  }

  dma_fence_wait_timeout(cpu: Cpu, fence: Ptr, intr: boolean, timeout: number): number {
    if (WARN_ON(cpu, timeout < 0)) return -EINVAL;
    this.dma_fence_enable_sw_signaling(cpu, fence);
    const wait = load(cpu, load(cpu, fence + dma_fence.ops) + dma_fence_ops.wait);
    if (wait !== NULL) return call(cpu, wait, fence, intr, timeout) as number;
    return this.dma_fence_default_wait(cpu, fence, intr, timeout);
  }

  dma_fence_wait(cpu: Cpu, fence: Ptr, intr: boolean): number {
    const ret = this.dma_fence_wait_timeout(cpu, fence, intr, MAX_SCHEDULE_TIMEOUT);
    return ret < 0 ? ret : 0;
  }

  dma_fence_test_signaled_any(cpu: Cpu, fences: readonly Ptr[]): number {
    for (const [i, fence] of fences.entries()) if (this.dma_fence_test_signaled_flag(cpu, fence)) return i;
    return -1;
  }

  /** Returns [ret, idx]: ret as dma_fence_wait_timeout, idx the fence that signaled (or -1). */
  dma_fence_wait_any_timeout(cpu: Cpu, fences: readonly Ptr[], intr: boolean, timeout: number): [number, number] {
    if (WARN_ON(cpu, fences.length === 0 || timeout < 0, '!fences || !count || timeout < 0')) return [-EINVAL, -1];
    if (timeout === 0) {
      for (const [i, fence] of fences.entries()) if (this.dma_fence_is_signaled(cpu, fence)) return [1, i];
      return [0, -1];
    }
    const cbs: Ptr[] = [];
    let ret = timeout;
    let idx = -1;
    for (const [i, fence] of fences.entries()) {
      const cb = kzalloc(cpu, default_wait_cb);
      store(cpu, cb + default_wait_cb.task, current(cpu));
      cbs.push(cb);
      if (this.dma_fence_add_callback(cpu, fence, cb + default_wait_cb.base, this.core.fn['dma_fence_default_wait_cb']!) !== 0) {
        idx = i; // "this fence is already signaled"
        break;
      }
    }
    while (idx === -1 && ret > 0) {
      set_current_state(cpu, intr ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
      idx = this.dma_fence_test_signaled_any(cpu, fences);
      if (idx !== -1) break;
      ret = schedule_timeout(cpu, ret);
      if (ret > 0 && intr && signal_pending(cpu)) ret = -ERESTARTSYS;
    }
    __set_current_state(cpu, TASK_RUNNING);
    for (const [i, cb] of cbs.entries()) {
      this.dma_fence_remove_callback(cpu, fences[i]!, cb + default_wait_cb.base);
      kfree(cpu, cb);
    }
    return [ret, idx];
  }

  /** Called without the fence lock (by contract); locking is up to the callee. */
  dma_fence_set_deadline(cpu: Cpu, fence: Ptr, deadline: number): void {
    const setDeadline = load(cpu, load(cpu, fence + dma_fence.ops) + dma_fence_ops.set_deadline);
    if (setDeadline !== NULL && !this.dma_fence_is_signaled(cpu, fence)) call(cpu, setDeadline, fence, deadline);
  }

  dma_fence_get_stub(cpu: Cpu): Ptr {
    return this.dma_fence_get(cpu, this.core.data['dma_fence_stub']!);
  }

  /** A kzalloc'ed, already signaled fence on the core's stub ops and lock. */
  dma_fence_allocate_private_stub(cpu: Cpu, timestamp: number): Ptr {
    const fence = kzalloc(cpu, dma_fence);
    this.dma_fence_init(cpu, fence, this.core.ops['dma_fence_stub_ops']!, this.core.data['dma_fence_stub_lock']!, 0, 0);
    set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(fence));
    this.dma_fence_signal_timestamp(cpu, fence, timestamp);
    return fence;
  }
}

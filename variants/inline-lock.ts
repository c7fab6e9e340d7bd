// inline-lock: Christian König's "Independence for dma_fences!" series as merged for 7.1
// (design (b), kernel-notes 4.b): "dma-buf: protected fence ops by RCU v8" (f4cc3ab824d6),
// "dma-buf: detach fence ops on signal v3" (541c8f2468b9), "dma-buf: abstract fence locking",
// "dma-buf: inline spinlock for fence protection v5" and the stub fence's inline lock
// (20260219160822.1529-*-christian.koenig@amd.com; cover letter: seed 002). The bodies follow
// mj22226/linux drivers/dma-buf/dma-fence.c @ 9370a5c664e8 and akiyks/linux
// include/linux/dma-fence.h @ 6da37262991937f7: 7.1 before the 2026-06-29 name-getter fix.
//
//  - struct dma_fence holds union { spinlock_t *extern_lock; spinlock_t inline_lock; }:
//    dma_fence_init(..., lock = NULL, ...) picks the fence's own lock and sets INLINE_LOCK, and
//    every lock user goes through dma_fence_spinlock();
//  - fence->ops is RCU-protected: every core use is rcu_read_lock(); ops = rcu_dereference();
//    if (ops && ops->X) ops->X(); rcu_read_unlock() -- except ops->wait (called after
//    rcu_read_unlock: deprecated, such fences never detach) and ops->release (inside the RCU
//    section; the memory must then be freed RCU-safe);
//  - dma_fence_signal_timestamp_locked() detaches: once SIGNALED is set it NULLs fence->ops
//    unless the ops have release or wait, so the issuing module may unload after a grace
//    period. The order is kernel-notes 4.b item 3: test_and_set_bit(SIGNALED); trace;
//    RCU_INIT_POINTER(ops, NULL); list_replace; timestamp; set_bit(TIMESTAMP); callbacks;
//  - dma_fence_driver_name()/dma_fence_timeline_name() decide by the SIGNALED flag, not by the
//    ops pointer (R3; fixed on 2026-06-29, see inline-lock-ops-check). The snapshot above also
//    calls get_driver_name from dma_fence_timeline_name (R23, a copy/paste bug a merge brought
//    back and the list fixed twice); this file calls get_timeline_name, so the name-getters
//    semantic test pins the contract, not the merge accident.
//
// Only what the series changed is overridden; everything else is design (a) as it was.

import type { Cpu, Ptr } from '../src/kernel/cpu.ts';
import { NULL } from '../src/kernel/cpu.ts';
import {
  BUG_ON, RCU_INIT_POINTER, WARN, WARN_ON, call, kzalloc, load, rcu_dereference, rcu_dereference_protected,
  rcu_read_lock, rcu_read_unlock, set_bit, spin_lock_init, store, test_and_set_bit, test_bit,
} from '../src/kernel/primitives.ts';
import {
  DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, DMA_FENCE_FLAG_INITIALIZED_BIT, DMA_FENCE_FLAG_INLINE_LOCK_BIT,
  DMA_FENCE_FLAG_SIGNALED_BIT, DMA_FENCE_FLAG_TIMESTAMP_BIT, EDEADLK, EINVAL, dma_fence, dma_fence_ops,
} from '../src/kernel/dma-fence.ts';
import { INIT_LIST_HEAD, list_empty } from '../src/kernel/lib/list.ts';
import { kref_init } from '../src/kernel/lib/kref.ts';
import CurrentSharedLock from './current-shared-lock.ts';

const flags = (f: Ptr): Ptr => f + dma_fence.flags;

export default class InlineLock extends CurrentSharedLock {
  static override title = 'Inline lock, RCU-protected ops detached at signal (7.1)';
  static override summary =
    'A spinlock inside the fence replaces the driver\'s shared lock; fence->ops is RCU-protected and NULLed once the fence signals (unless it has release or wait), so the issuing module may unload after a grace period; lockless readers still test SIGNALED, and the name getters decide by that flag.';
  static override source =
    'Christian König, "Independence for dma_fences!" v8 (20260219160822.1529-*, seed 002; merged for 7.1); mj22226/linux dma-fence.c @ 9370a5c6; kernel-notes 4.b';
  static override lockModel = 'inline' as const;
  static override detachesOps = true;

  // "dma-buf: use inline lock for the stub fence": dma_fence_init(&dma_fence_stub, &ops, NULL, 0, 0)
  override dma_fence_stub_init(cpu: Cpu): void {
    const stub = this.core.data['dma_fence_stub']!;
    store(cpu, this.core.data['dma_fence_context_counter']!, 1);
    this.dma_fence_init(cpu, stub, this.core.ops['dma_fence_stub_ops']!, NULL, 0, 0);
    set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(stub));
    this.dma_fence_signal(cpu, stub);
  }

  /** The embedded or the external spin lock; INLINE_LOCK is set at init and never changes. */
  override dma_fence_spinlock(cpu: Cpu, fence: Ptr): Ptr {
    return test_bit(cpu, DMA_FENCE_FLAG_INLINE_LOCK_BIT, flags(fence)) ? fence + dma_fence.inline_lock : load(cpu, fence + dma_fence.extern_lock);
  }

  override __dma_fence_init(cpu: Cpu, fence: Ptr, ops: Ptr, lock: Ptr, context: number, seqno: number, extraFlags: number): void {
    BUG_ON(cpu, ops === NULL || load(cpu, ops + dma_fence_ops.get_driver_name) === NULL || load(cpu, ops + dma_fence_ops.get_timeline_name) === NULL, '!ops');
    kref_init(cpu, fence + dma_fence.refcount);
    // "it allows modules to wait for an RCU grace period before they unload"
    RCU_INIT_POINTER(cpu, fence + dma_fence.ops, ops);
    INIT_LIST_HEAD(cpu, fence + dma_fence.cb_list);
    store(cpu, fence + dma_fence.context, context);
    store(cpu, fence + dma_fence.seqno, seqno);
    store(cpu, flags(fence), extraFlags | (1 << DMA_FENCE_FLAG_INITIALIZED_BIT));
    if (lock !== NULL) {
      store(cpu, fence + dma_fence.extern_lock, lock);
    } else {
      spin_lock_init(cpu, fence + dma_fence.inline_lock);
      store(cpu, flags(fence), load(cpu, flags(fence)) | (1 << DMA_FENCE_FLAG_INLINE_LOCK_BIT));
    }
    store(cpu, fence + dma_fence.error, 0);
  }

  override dma_fence_release(cpu: Cpu, fence: Ptr): void {
    rcu_read_lock(cpu);
    if (!list_empty(cpu, fence + dma_fence.cb_list) && !this.dma_fence_test_signaled_flag(cpu, fence)) {
      WARN(cpu, true, 'Fence released with pending signals!');
      const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
      store(cpu, fence + dma_fence.error, -EDEADLK);
      this.dma_fence_signal_locked(cpu, fence);
      this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    }
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    const release = ops !== NULL ? load(cpu, ops + dma_fence_ops.release) : NULL;
    if (release !== NULL) call(cpu, release, fence);
    else this.dma_fence_free(cpu, fence);
    rcu_read_unlock(cpu);
  }

  // --- signalling -------------------------------------------------------------------------------

  override dma_fence_signal_timestamp_locked(cpu: Cpu, fence: Ptr, timestamp: number): void {
    this.dma_fence_assert_held(cpu, fence);
    if (test_and_set_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) return;
    // trace_dma_fence_signaled(fence): moved before the detach in April 2026
    // "When neither a release nor a wait operation is specified set the ops pointer to NULL to
    //  allow the fence structure to become independent from who originally issued it."
    const ops = rcu_dereference_protected(cpu, fence + dma_fence.ops);
    if (load(cpu, ops + dma_fence_ops.release) === NULL && load(cpu, ops + dma_fence_ops.wait) === NULL) {
      RCU_INIT_POINTER(cpu, fence + dma_fence.ops, NULL);
    }
    const cbList = this.dma_fence_stash_callbacks(cpu, fence);
    store(cpu, fence + dma_fence.timestamp, timestamp);
    set_bit(cpu, DMA_FENCE_FLAG_TIMESTAMP_BIT, flags(fence));
    this.dma_fence_run_callbacks(cpu, fence, cbList);
  }

  // --- querying ---------------------------------------------------------------------------------

  override dma_fence_is_signaled(cpu: Cpu, fence: Ptr): boolean {
    if (this.dma_fence_test_signaled_flag(cpu, fence)) return true;
    rcu_read_lock(cpu);
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    const signaled = ops !== NULL ? load(cpu, ops + dma_fence_ops.signaled) : NULL;
    if (signaled !== NULL && call(cpu, signaled, fence)) {
      rcu_read_unlock(cpu);
      this.dma_fence_signal(cpu, fence);
      return true;
    }
    rcu_read_unlock(cpu);
    return false;
  }

  override dma_fence_is_signaled_locked(cpu: Cpu, fence: Ptr): boolean {
    if (this.dma_fence_test_signaled_flag(cpu, fence)) return true;
    rcu_read_lock(cpu);
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    const signaled = ops !== NULL ? load(cpu, ops + dma_fence_ops.signaled) : NULL;
    if (signaled !== NULL && call(cpu, signaled, fence)) {
      rcu_read_unlock(cpu);
      this.dma_fence_signal_locked(cpu, fence);
      return true;
    }
    rcu_read_unlock(cpu);
    return false;
  }

  /** Caller holds rcu_read_lock. Decides by the SIGNALED flag (7.1 before the June fix). */
  override dma_fence_driver_name(cpu: Cpu, fence: Ptr): Ptr {
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    if (!this.dma_fence_test_signaled_flag(cpu, fence)) return call(cpu, load(cpu, ops + dma_fence_ops.get_driver_name), fence) as Ptr;
    return this.core.str['detached_driver']!;
  }

  override dma_fence_timeline_name(cpu: Cpu, fence: Ptr): Ptr {
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    if (!this.dma_fence_test_signaled_flag(cpu, fence)) return call(cpu, load(cpu, ops + dma_fence_ops.get_timeline_name), fence) as Ptr;
    return this.core.str['signaled_timeline']!;
  }

  // --- enabling signalling, waiting -------------------------------------------------------------

  override __dma_fence_enable_signaling(cpu: Cpu, fence: Ptr): boolean {
    this.dma_fence_assert_held(cpu, fence);
    const wasSet = test_and_set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(fence));
    if (this.dma_fence_test_signaled_flag(cpu, fence)) return false;
    rcu_read_lock(cpu);
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    const enable = ops !== NULL ? load(cpu, ops + dma_fence_ops.enable_signaling) : NULL;
    if (!wasSet && enable !== NULL) {
      // trace_dma_fence_enable_signal(fence)
      if (!call(cpu, enable, fence)) {
        rcu_read_unlock(cpu);
        this.dma_fence_signal_locked(cpu, fence);
        return false;
      }
    }
    rcu_read_unlock(cpu);
    return true;
  }

  override dma_fence_wait_timeout(cpu: Cpu, fence: Ptr, intr: boolean, timeout: number): number {
    if (WARN_ON(cpu, timeout < 0)) return -EINVAL;
    this.dma_fence_enable_sw_signaling(cpu, fence);
    rcu_read_lock(cpu);
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    const wait = ops !== NULL ? load(cpu, ops + dma_fence_ops.wait) : NULL;
    rcu_read_unlock(cpu);
    // "Implementing the wait ops is deprecated ... so it is ok to use the ops outside the RCU
    //  protected section."
    if (wait !== NULL) return call(cpu, wait, fence, intr, timeout) as number;
    return this.dma_fence_default_wait(cpu, fence, intr, timeout);
  }

  override dma_fence_set_deadline(cpu: Cpu, fence: Ptr, deadline: number): void {
    rcu_read_lock(cpu);
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    const setDeadline = ops !== NULL ? load(cpu, ops + dma_fence_ops.set_deadline) : NULL;
    if (setDeadline !== NULL && !this.dma_fence_is_signaled(cpu, fence)) call(cpu, setDeadline, fence, deadline);
    rcu_read_unlock(cpu);
  }

  /** dma_fence_init(fence, &dma_fence_stub_ops, NULL, 0, 0): the private stub uses its own lock. */
  override dma_fence_allocate_private_stub(cpu: Cpu, timestamp: number): Ptr {
    const fence = kzalloc(cpu, dma_fence);
    this.dma_fence_init(cpu, fence, this.core.ops['dma_fence_stub_ops']!, NULL, 0, 0);
    set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(fence));
    this.dma_fence_signal_timestamp(cpu, fence, timestamp);
    return fence;
  }
}

// locked-reads: Philipp Stanner's position that reads of the signaled state must be locked like
// its writes (design (c), kernel-notes 4.c): seed 000, "Properly synchronize dma_fence->signaled
// bit" (2026-06-15): "Modifying the bit is consistently done under lock protection, so reading
// must be done, too ... both dma_fence_is_signaled() and dma_fence_test_signaled_flag() need to
// be properly synchronized"; and the RFC "dma-fence: Fix races of fence callbacks versus
// destructors by locking" (20260608142436.265820-2-phasta@kernel.org).
//
// The RFC was compile-tested only (it kept the lockless early-out of dma_fence_is_signaled and
// took the fence lock inside __dma_fence_enable_signaling, which already holds it). This file is
// the intended semantics of kernel-notes 4.c, on top of 7.1:
//  1. dma_fence_test_signaled_flag() takes the fence lock;
//  2. dma_fence_is_signaled() takes the fence lock and has no lockless early-out: it is
//     dma_fence_is_signaled_locked() under the lock; the add_callback fast path is gone too;
//  3. every ops->X call (enable_signaling, signaled, get_*_name, set_deadline) runs under the
//     fence lock, after SIGNALED was tested under that same lock;
//  4. so once dma_fence_signal() returns, no ops callback of the fence runs or will start.
// Because dma_fence_test_signaled_flag() now locks, the core paths that already hold the lock
// test the bit directly, as they did before the helper existed (Nov 2025): a patch making the
// helper lock has to change them, so they are overridden here. Left lockless: the WARN in
// dma_fence_set_error() (drivers call it with the fence lock held, so it cannot take it; it
// only diagnoses a caller that sets an error after signalling).

import type { Cpu, Ptr } from '../src/kernel/cpu.ts';
import { NULL } from '../src/kernel/cpu.ts';
import {
  TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE, WARN_ON, __set_current_state, call, current, kfree,
  ktime_get, kzalloc, load, rcu_dereference, rcu_read_lock, rcu_read_unlock, schedule_timeout, signal_pending, store,
  test_and_set_bit, test_bit,
} from '../src/kernel/primitives.ts';
import {
  DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, DMA_FENCE_FLAG_SIGNALED_BIT, EINVAL, ENOENT, ERESTARTSYS, default_wait_cb, dma_fence, dma_fence_cb,
  dma_fence_ops,
} from '../src/kernel/dma-fence.ts';
import { INIT_LIST_HEAD, list_add, list_add_tail, list_del, list_empty } from '../src/kernel/lib/list.ts';
import InlineLock from './inline-lock.ts';

const flags = (f: Ptr): Ptr => f + dma_fence.flags;

export default class LockedReads extends InlineLock {
  static override title = 'Fully locked reads (no lockless fast paths)';
  static override summary =
    'Every read of SIGNALED and every ops callback happens under the fence lock: dma_fence_test_signaled_flag() and dma_fence_is_signaled() lock, the add_callback fast path is gone, so nobody sees "signaled" before the signaler is done and no callback of a signaled fence is still running.';
  static override source =
    'Philipp Stanner, seed 000 "Properly synchronize dma_fence->signaled bit" (2026-06-15) and RFC 20260608142436.265820-2-phasta; intended semantics of kernel-notes 4.c';

  // --- querying ---------------------------------------------------------------------------------

  override dma_fence_test_signaled_flag(cpu: Cpu, fence: Ptr): boolean {
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    const signaled = test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence));
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return signaled;
  }

  /** No lockless early-out: the locked check, under the lock. */
  override dma_fence_is_signaled(cpu: Cpu, fence: Ptr): boolean {
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    const signaled = this.dma_fence_is_signaled_locked(cpu, fence);
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return signaled;
  }

  override dma_fence_is_signaled_locked(cpu: Cpu, fence: Ptr): boolean {
    this.dma_fence_assert_held(cpu, fence);
    if (test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) return true;
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

  override dma_fence_check_and_signal_locked(cpu: Cpu, fence: Ptr): boolean {
    const ret = test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence));
    this.dma_fence_signal_locked(cpu, fence);
    return ret;
  }

  /** Under the lock: SIGNALED implies TIMESTAMP (one critical section sets both), no busy wait. */
  override dma_fence_timestamp(cpu: Cpu, fence: Ptr): number {
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    if (WARN_ON(cpu, !test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence)), 'dma_fence_timestamp on an unsignaled fence')) {
      this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
      return ktime_get(cpu);
    }
    const timestamp = load(cpu, fence + dma_fence.timestamp);
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return timestamp;
  }

  /** Caller holds rcu_read_lock; the driver is called under the fence lock, never after signal. */
  override dma_fence_driver_name(cpu: Cpu, fence: Ptr): Ptr {
    let name = this.core.str['detached_driver']!;
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    if (!test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) {
      const ops = rcu_dereference(cpu, fence + dma_fence.ops);
      name = call(cpu, load(cpu, ops + dma_fence_ops.get_driver_name), fence) as Ptr;
    }
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return name;
  }

  override dma_fence_timeline_name(cpu: Cpu, fence: Ptr): Ptr {
    let name = this.core.str['signaled_timeline']!;
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    if (!test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) {
      const ops = rcu_dereference(cpu, fence + dma_fence.ops);
      name = call(cpu, load(cpu, ops + dma_fence_ops.get_timeline_name), fence) as Ptr;
    }
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return name;
  }

  // --- enabling signalling, callbacks, waiting --------------------------------------------------

  override __dma_fence_enable_signaling(cpu: Cpu, fence: Ptr): boolean {
    this.dma_fence_assert_held(cpu, fence);
    const wasSet = test_and_set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(fence));
    if (test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) return false;
    rcu_read_lock(cpu);
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    const enable = ops !== NULL ? load(cpu, ops + dma_fence_ops.enable_signaling) : NULL;
    if (!wasSet && enable !== NULL) {
      if (!call(cpu, enable, fence)) {
        rcu_read_unlock(cpu);
        this.dma_fence_signal_locked(cpu, fence);
        return false;
      }
    }
    rcu_read_unlock(cpu);
    return true;
  }

  /** No lockless fast path: SIGNALED is tested under the lock by __dma_fence_enable_signaling. */
  override dma_fence_add_callback(cpu: Cpu, fence: Ptr, cb: Ptr, func: Ptr): number {
    if (WARN_ON(cpu, fence === NULL || func === NULL)) return -EINVAL;
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

  override dma_fence_default_wait(cpu: Cpu, fence: Ptr, intr: boolean, timeout: number): number {
    let ret = timeout !== 0 ? timeout : 1;
    let irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    let cb = NULL;
    if (test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) {
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
      while (!test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence)) && ret > 0) {
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

  /** The RFC's: lock around "if (!dma_fence_is_signaled_locked(f)) ops->set_deadline(f, d)". */
  override dma_fence_set_deadline(cpu: Cpu, fence: Ptr, deadline: number): void {
    rcu_read_lock(cpu);
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    if (!this.dma_fence_is_signaled_locked(cpu, fence)) {
      const ops = rcu_dereference(cpu, fence + dma_fence.ops);
      const setDeadline = ops !== NULL ? load(cpu, ops + dma_fence_ops.set_deadline) : NULL;
      if (setDeadline !== NULL) call(cpu, setDeadline, fence, deadline);
    }
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    rcu_read_unlock(cpu);
  }
}

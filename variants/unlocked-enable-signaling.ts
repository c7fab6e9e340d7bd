// unlocked-enable-signaling: Christian König's "[PATCH 10/10] dma-buf: move locking into
// dma_fence_ops.enable_signaling" (2026-06-24, 20260624122917.2483-11-christian.koenig@amd.com,
// on top of patch 09 "enable_signaling returns void"), the refresh of "[PATCH 7/7] dma-buf:
// rework the enable_signaling handling" (2024-09-11, seed 004); design (e), kernel-notes 4.e.
//
// Seed 004: "The enable_signaling callback is the only function the dma_fence objects calls
// with the fence lock held ... it's just that informing the installed callbacks is blocking for
// the enable signaling to finish. If that is required (radeon is an example of that) then
// drivers can still grab the fence [lock] themselves, everybody else doesn't need that." The
// 2026 cover letter: it lets backends "acquire locks which are semantically ordered outside of
// the dma_fence lock".
//
// The core delta against 7.1: __dma_fence_enable_signaling() no longer asserts the lock and
// calls ops->enable_signaling() without it (IRQs on) and ignores its result -- with patch 09
// the callback "must call dma_fence_signal_locked() before returning" when the fence already
// passed, taking the fence lock itself ("responsible for acquiring the fence lock if needed
// using dma_fence_lock_irqsave()"); dma_fence_enable_sw_signaling() takes no lock; and
// dma_fence_add_callback() enables signalling before it takes the lock, then re-checks SIGNALED
// under the lock before linking. The ops table keeps its 7.1 shape (bool signaled, no
// check_signaled: patch 08 is not part of this design). Drivers in scenarios read
// enableSignalingContract = 'unlocked-void' and implement the callback as patch 10's drivers do.

import type { Cpu, Ptr } from '../src/kernel/cpu.ts';
import { NULL } from '../src/kernel/cpu.ts';
import {
  WARN_ON, call, load, rcu_dereference, rcu_read_lock, rcu_read_unlock, store, test_and_set_bit,
} from '../src/kernel/primitives.ts';
import {
  DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, EINVAL, ENOENT, dma_fence, dma_fence_cb, dma_fence_ops,
} from '../src/kernel/dma-fence.ts';
import { INIT_LIST_HEAD, list_add_tail } from '../src/kernel/lib/list.ts';
import InlineLock from './inline-lock.ts';

const flags = (f: Ptr): Ptr => f + dma_fence.flags;

export default class UnlockedEnableSignaling extends InlineLock {
  static override title = 'ops->enable_signaling called without the fence lock';
  static override summary =
    'The core calls ops->enable_signaling without the fence lock and with interrupts enabled; a driver that needs the lock takes it itself and signals an already passed fence itself. dma_fence_add_callback enables signalling first, then re-checks SIGNALED under the lock before linking the callback.';
  static override source =
    'Christian König, "[PATCH 10/10] dma-buf: move locking into dma_fence_ops.enable_signaling" (20260624122917.2483-11) and "[PATCH 7/7] dma-buf: rework the enable_signaling handling" (2024, seed 004); kernel-notes 4.e';
  static override enableSignalingContract = 'unlocked-void' as const;

  /** No fence lock held. Returns whether the fence was still pending when the callback ran. */
  override __dma_fence_enable_signaling(cpu: Cpu, fence: Ptr): boolean {
    const wasSet = test_and_set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(fence));
    if (this.dma_fence_test_signaled_flag(cpu, fence)) return false;
    rcu_read_lock(cpu);
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    const enable = ops !== NULL ? load(cpu, ops + dma_fence_ops.enable_signaling) : NULL;
    if (!wasSet && enable !== NULL) {
      // trace_dma_fence_enable_signal(fence); the callback signals a passed fence itself
      call(cpu, enable, fence);
    }
    rcu_read_unlock(cpu);
    return true;
  }

  override dma_fence_enable_sw_signaling(cpu: Cpu, fence: Ptr): void {
    this.__dma_fence_enable_signaling(cpu, fence);
  }

  override dma_fence_add_callback(cpu: Cpu, fence: Ptr, cb: Ptr, func: Ptr): number {
    if (WARN_ON(cpu, fence === NULL || func === NULL)) return -EINVAL;
    if (this.dma_fence_test_signaled_flag(cpu, fence)) {
      INIT_LIST_HEAD(cpu, cb + dma_fence_cb.node);
      return -ENOENT;
    }
    this.dma_fence_enable_sw_signaling(cpu, fence);
    let ret = 0;
    const irqflags = this.dma_fence_lock_irqsave(cpu, fence);
    if (!this.dma_fence_test_signaled_flag(cpu, fence)) {
      store(cpu, cb + dma_fence_cb.func, func);
      list_add_tail(cpu, cb + dma_fence_cb.node, fence + dma_fence.cb_list);
    } else {
      INIT_LIST_HEAD(cpu, cb + dma_fence_cb.node);
      ret = -ENOENT;
    }
    this.dma_fence_unlock_irqrestore(cpu, fence, irqflags);
    return ret;
  }
}

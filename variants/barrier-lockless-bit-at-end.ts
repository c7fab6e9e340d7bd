// barrier-lockless-bit-at-end: design (d) with the other knob of kernel-notes 4.d, Philipp
// Stanner's stated intent (2026-06-17, index 67454094078): "enforce that the bit is only set
// once the callbacks have completed, so someone who wants to drop his reference once
// dma_fence_is_signaled() returns true doesn't cause a UAF". His reply to André Draszik (seed
// 001) names the cost: "the test_and_set_bit() in dma_fence_signal_timestamp_locked() would have
// to be replaced with the more weakly ordered test_bit() and set_bit() ... Setting the bit
// would then be done after setting the ops-pointer to NULL. So one would have to try to move
// the NULL set, too."
//
// The signal path, lock held throughout (every writer of SIGNALED holds it, so the opening
// test_bit() is enough): stash the callbacks, write the timestamp, set TIMESTAMP, run the
// callbacks, then smp_mb__before_atomic(); set_bit(SIGNALED) -- a set_bit_release() that
// publishes the timestamp, the error and the callbacks' effects -- and only then detach the
// ops, after smp_mb__after_atomic(), so the name getters never see NULL ops before SIGNALED.
// Readers are barrier-lockless's (test_bit_acquire, ops-tested name getters).
//
// Known costs the checker should show (kernel-notes 4.d): callbacks run while SIGNALED is still
// clear, so a waiter that re-checks the flag locklessly after its wake-up can sleep through it
// (R19, dma_fence_wait_any_timeout); the final unlock of the inline lock still writes the fence
// after SIGNALED is visible, so an immediate free after "is signaled" remains a use-after-free
// unless the free is RCU-deferred (R9).

import type { Cpu, Ptr } from '../src/kernel/cpu.ts';
import { NULL } from '../src/kernel/cpu.ts';
import {
  RCU_INIT_POINTER, load, rcu_dereference_protected, set_bit, smp_mb__after_atomic, smp_mb__before_atomic, store,
  test_bit,
} from '../src/kernel/primitives.ts';
import {
  DMA_FENCE_FLAG_SIGNALED_BIT, DMA_FENCE_FLAG_TIMESTAMP_BIT, dma_fence, dma_fence_ops,
} from '../src/kernel/dma-fence.ts';
import BarrierLockless from './barrier-lockless.ts';

const flags = (f: Ptr): Ptr => f + dma_fence.flags;

export default class BarrierLocklessBitAtEnd extends BarrierLockless {
  static override title = 'Lockless reads ordered by acquire/release (bit set after the callbacks)';
  static override summary =
    'As barrier-lockless, but the signaler sets SIGNALED only after the callbacks have run, with smp_mb__before_atomic(); set_bit() as a release, and NULLs the ops after it: whoever sees SIGNALED sees a finished signal, except for the final unlock; callbacks now run while the bit is still clear.';
  static override source =
    'Philipp Stanner, 2026-06-17 (index 67454094078) and seed 001; kernel-notes 4.d (lab construction, knob bit-at-end)';

  override dma_fence_signal_timestamp_locked(cpu: Cpu, fence: Ptr, timestamp: number): void {
    this.dma_fence_assert_held(cpu, fence);
    if (test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) return;
    const cbList = this.dma_fence_stash_callbacks(cpu, fence);
    store(cpu, fence + dma_fence.timestamp, timestamp);
    set_bit(cpu, DMA_FENCE_FLAG_TIMESTAMP_BIT, flags(fence));
    this.dma_fence_run_callbacks(cpu, fence, cbList);
    smp_mb__before_atomic(cpu); // set_bit_release(): publishes everything above with the bit
    set_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence));
    const ops = rcu_dereference_protected(cpu, fence + dma_fence.ops);
    if (load(cpu, ops + dma_fence_ops.release) === NULL && load(cpu, ops + dma_fence_ops.wait) === NULL) {
      smp_mb__after_atomic(cpu); // SIGNALED before the NULL ops
      RCU_INIT_POINTER(cpu, fence + dma_fence.ops, NULL);
    }
  }
}

// barrier-lockless: lockless reads of the signaled state kept, but ordered by acquire/release
// (design (d), kernel-notes 4.d, knob "bit-at-start", the default). From Philipp Stanner's
// barrier RFC (20260612104251.2264707-2-phasta@kernel.org, referenced in seed 000: "A hacky
// lockless way might hypothetically be doable by setting barriers"; its text and Gary Guo's
// barrier list could not be retrieved, so this is the lab's construction of kernel-notes 4.d,
// relative to 7.1) and Philipp's reply to André Draszik (seed 001).
//
// Bit-at-start keeps test_and_set_bit(SIGNALED) at the top of the signal path (fully ordered
// when it sets the bit, so what the driver wrote before signalling -- error, its data -- is
// published with it) and orders the readers:
//  - dma_fence_test_signaled_flag() is test_bit_acquire(), so a reader that sees SIGNALED sees
//    every write before the test_and_set_bit (R11: no stale error on arm64);
//  - smp_mb__before_atomic() before set_bit(TIMESTAMP) stands in for the set_bit_release() the
//    kernel does not have (Linus, 2025), and dma_fence_timestamp() spins on test_bit_acquire(),
//    so a reader that sees TIMESTAMP reads the timestamp, not the cb_list pointer bits it
//    overlays (R12);
//  - the name getters test the ops pointer, not the flag (as the 2026-06-29 fix does).
// What it does not change: the rest of the signal path (detach, callback list, callbacks, the
// unlock) still runs after SIGNALED is visible, so "if (dma_fence_is_signaled(f))
// dma_fence_put(f)" still races with it (R9). barrier-lockless-bit-at-end takes the other knob.

import type { Cpu, Ptr } from '../src/kernel/cpu.ts';
import { NULL } from '../src/kernel/cpu.ts';
import {
  RCU_INIT_POINTER, WARN_ON, call, cpu_relax, ktime_get, load, rcu_dereference, rcu_dereference_protected, set_bit,
  smp_mb__before_atomic, store, test_and_set_bit, test_bit_acquire,
} from '../src/kernel/primitives.ts';
import {
  DMA_FENCE_FLAG_SIGNALED_BIT, DMA_FENCE_FLAG_TIMESTAMP_BIT, dma_fence, dma_fence_ops,
} from '../src/kernel/dma-fence.ts';
import InlineLock from './inline-lock.ts';

const flags = (f: Ptr): Ptr => f + dma_fence.flags;

export default class BarrierLockless extends InlineLock {
  static override title = 'Lockless reads ordered by acquire/release (bit set at the start)';
  static override summary =
    'Readers stay lockless but test SIGNALED and TIMESTAMP with test_bit_acquire(); the signaler keeps the fully ordered test_and_set_bit(SIGNALED) and puts smp_mb__before_atomic() before set_bit(TIMESTAMP); the name getters test the ops pointer. What a reader sees after SIGNALED is ordered, but the signal path still runs after the bit is visible.';
  static override source =
    'Philipp Stanner, barrier RFC 20260612104251.2264707-2-phasta (seed 000) and seed 001; kernel-notes 4.d (lab construction, knob bit-at-start)';

  override dma_fence_test_signaled_flag(cpu: Cpu, fence: Ptr): boolean {
    return test_bit_acquire(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence));
  }

  override dma_fence_signal_timestamp_locked(cpu: Cpu, fence: Ptr, timestamp: number): void {
    this.dma_fence_assert_held(cpu, fence);
    if (test_and_set_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) return;
    const ops = rcu_dereference_protected(cpu, fence + dma_fence.ops);
    if (load(cpu, ops + dma_fence_ops.release) === NULL && load(cpu, ops + dma_fence_ops.wait) === NULL) {
      RCU_INIT_POINTER(cpu, fence + dma_fence.ops, NULL);
    }
    const cbList = this.dma_fence_stash_callbacks(cpu, fence);
    store(cpu, fence + dma_fence.timestamp, timestamp);
    smp_mb__before_atomic(cpu); // set_bit_release(): publishes the timestamp with the bit
    set_bit(cpu, DMA_FENCE_FLAG_TIMESTAMP_BIT, flags(fence));
    this.dma_fence_run_callbacks(cpu, fence, cbList);
  }

  override dma_fence_timestamp(cpu: Cpu, fence: Ptr): number {
    if (WARN_ON(cpu, !test_bit_acquire(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence)), 'dma_fence_timestamp on an unsignaled fence')) return ktime_get(cpu);
    while (!test_bit_acquire(cpu, DMA_FENCE_FLAG_TIMESTAMP_BIT, flags(fence))) cpu_relax(cpu);
    return load(cpu, fence + dma_fence.timestamp);
  }

  /** Caller holds rcu_read_lock. */
  override dma_fence_driver_name(cpu: Cpu, fence: Ptr): Ptr {
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    if (ops !== NULL) return call(cpu, load(cpu, ops + dma_fence_ops.get_driver_name), fence) as Ptr;
    return this.core.str['detached_driver']!;
  }

  override dma_fence_timeline_name(cpu: Cpu, fence: Ptr): Ptr {
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    if (ops !== NULL) return call(cpu, load(cpu, ops + dma_fence_ops.get_timeline_name), fence) as Ptr;
    return this.core.str['signaled_timeline']!;
  }
}

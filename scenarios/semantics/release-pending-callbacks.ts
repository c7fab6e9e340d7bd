// dma_fence_release() on a fence that still has callbacks queued and was never signaled -- a
// refcounting bug of the caller (kernel-notes R22). The kernel WARNs ("Fence %s:%s:%llx:%llx
// released with pending signals!") and then, "This should never happen, but if it does make
// sure that we don't leave chains dangling. We set the error flag first so that the callbacks
// know this signal is due to an error": it sets fence->error = -EDEADLK and signals the fence
// under its lock before freeing it. So the queued callback runs exactly once, sees -EDEADLK,
// and nothing is left linked to freed memory.
import { READ_ONCE, kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { EDEADLK } from '../../src/kernel/dma-fence.ts';
import { mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { expect_one_warn, expect_warnings_total, mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'release-pending-callbacks',
  title: 'the last put of an unsignaled fence with a queued callback WARNs, then signals it with -EDEADLK',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_release: WARN(1, "... released with pending signals!") if (!list_empty(&fence->cb_list) && !dma_fence_test_signaled_flag(fence)), then error = -EDEADLK and dma_fence_signal_locked (mj22226/linux @ 9370a5c6, 7.1; the same since 4.x); kernel-notes R22',
  allowWarnings: true,
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    const cb = simple_cb_alloc(cpu);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.error_callback) === 0, 'Failed to add callback');
    // the caller's bug: the only reference goes while the callback is queued
    expect_one_warn(cpu, 'dma_fence_release() of an unsignaled fence with a callback queued', (cpu) => fences.dma_fence_put(cpu, f));
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.calls) === 1, 'the release left the queued callback dangling (it never ran)');
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.error) === -EDEADLK, 'the callback run by the release did not see fence->error == -EDEADLK');
    expect_warnings_total(cpu, 1);
    kfree(cpu, cb);
  },
});

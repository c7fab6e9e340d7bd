// dma_fence_set_error() on a fence that is already signaled: the header's kerneldoc says the
// error "must be set before signaling (so that the value is visible before any waiters on the
// signal callback are woken). This helper exists to help catching erroneous setting of
// #dma_fence.error", and it does so with WARN_ON(test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
// &fence->flags)) -- the WARN nouveau's context kill hits when the core signalled a fence
// behind its back (kernel-notes R20). Setting the error on a pending fence does not WARN.
import { lab_assert } from '../../src/kernel/primitives.ts';
import { EIO, ETIME } from '../../src/kernel/dma-fence.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { expect_one_warn, expect_warnings_total, mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'set-error-after-signal',
  title: 'dma_fence_set_error() WARNs on a signaled fence, not on a pending one',
  source: 'include/linux/dma-fence.h dma_fence_set_error: WARN_ON(test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags)) and its kerneldoc "must be set before signaling" (akiyks/linux @ 6da37262, 7.1; the same since 4.x); kernel-notes R20',
  allowWarnings: true,
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    fences.dma_fence_set_error(cpu, f, -EIO);
    expect_warnings_total(cpu, 0);
    fences.dma_fence_signal(cpu, f);
    expect_one_warn(cpu, 'dma_fence_set_error() on a signaled fence', (cpu) => fences.dma_fence_set_error(cpu, f, -ETIME));
    lab_assert(cpu, fences.dma_fence_get_status(cpu, f) !== 0, 'Fence not signaled after the late dma_fence_set_error()');
    fences.dma_fence_put(cpu, f);
  },
});

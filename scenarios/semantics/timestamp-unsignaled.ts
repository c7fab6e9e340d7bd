// dma_fence_timestamp() on a fence that has not signaled: "if
// (WARN_ON(!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))) return ktime_get();". Without
// the check the helper would busy-wait for a TIMESTAMP bit that no signal is going to set, and
// the word it would finally read is cb_list.next (timestamp overlays it). It must WARN once and
// return the current time, not list pointer bits.
import { ktime_get, lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { expect_one_warn, expect_warnings_total, mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'timestamp-unsignaled',
  title: 'dma_fence_timestamp() of a pending fence WARNs and returns the current time',
  source: 'include/linux/dma-fence.h dma_fence_timestamp: if (WARN_ON(!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))) return ktime_get(); (akiyks/linux @ 6da37262, 7.1)',
  allowWarnings: true,
  // a correct run takes a few hundred steps; a design that spins here is caught sooner
  stepBound: 2000,
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    const before = ktime_get(cpu);
    const ts = expect_one_warn(cpu, 'dma_fence_timestamp() of a pending fence', (cpu) => fences.dma_fence_timestamp(cpu, f));
    lab_assert(cpu, ts >= before && ts <= ktime_get(cpu), 'dma_fence_timestamp() of a pending fence did not return the current time');
    fences.dma_fence_signal(cpu, f);
    fences.dma_fence_timestamp(cpu, f);
    expect_warnings_total(cpu, 1);
    fences.dma_fence_put(cpu, f);
  },
});

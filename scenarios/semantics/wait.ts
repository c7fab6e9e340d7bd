// st-dma-fence.c test_wait (kernel-notes 6.1 #9), in the form after Christian König dropped
// mock_wait (2025-12, "instead of comming up with a mock_wait implementation which uses
// undocumented and non standard return codes"): a zero-timeout wait on a pending fence returns
// 0 (timed out), and on a signaled fence 1 ("for consistency with other functions taking a
// jiffies timeout").
import { lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'wait',
  title: 'a zero-timeout wait returns 0 while pending and 1 once signaled',
  source: 'drivers/dma-buf/st-dma-fence.c test_wait (intel-lab-lkp/linux @ 0939deec; mock_wait dropped 20251211122407.1709-5); kernel-notes 6.1 #9',
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    lab_assert(cpu, fences.dma_fence_wait_timeout(cpu, f, false, 0) === 0, 'Wait reported complete before being signaled');
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, fences.dma_fence_wait_timeout(cpu, f, false, 0) === 1, 'Wait reported incomplete after being signaled');
    fences.dma_fence_signal(cpu, f);
    fences.dma_fence_put(cpu, f);
  },
});

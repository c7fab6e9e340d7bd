// st-dma-fence.c test_status (kernel-notes 6.1 #7): dma_fence_get_status() is 0 while the
// fence is pending and 1 once it signaled without an error.
import { lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'status',
  title: 'get_status is 0 while pending, 1 once signaled',
  source: 'drivers/dma-buf/st-dma-fence.c test_status (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #7',
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    lab_assert(cpu, fences.dma_fence_get_status(cpu, f) === 0, 'Fence unexpectedly has signaled status on creation');
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, fences.dma_fence_get_status(cpu, f) === 1, 'Fence not reporting signaled status');
    fences.dma_fence_put(cpu, f);
  },
});

// st-dma-fence.c test_error (kernel-notes 6.1 #8): an error set before the signal is not
// visible through dma_fence_get_status() while the fence is pending, and is its status after.
import { lab_assert } from '../../src/kernel/primitives.ts';
import { EIO } from '../../src/kernel/dma-fence.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'error',
  title: 'set_error is invisible to get_status until the signal, then it is the status',
  source: 'drivers/dma-buf/st-dma-fence.c test_error (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #8',
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    fences.dma_fence_set_error(cpu, f, -EIO);
    lab_assert(cpu, fences.dma_fence_get_status(cpu, f) === 0, 'Fence unexpectedly has error status before signal');
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, fences.dma_fence_get_status(cpu, f) === -EIO, 'Fence not reporting error status');
    fences.dma_fence_put(cpu, f);
  },
});

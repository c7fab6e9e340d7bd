// st-dma-fence.c sanitycheck (kunit "dma-buf-fence" test_sanitycheck; kernel-notes 6.1 #1):
// create a fence, enable signalling, signal it, drop it. Nothing may crash, leak or WARN.
//
// The kernel's mock, as of Christian König's 2025-12 and 2026-02 selftest updates (kernel-notes
// 6): a kmalloc'ed fence on ops with only the two name callbacks, so no enable_signaling, no
// wait, no release (the default RCU-deferred free), and, in designs that have one, the inline
// lock. Read from intel-lab-lkp/linux drivers/dma-buf/st-dma-fence.c @ 0939deec6f01 (the older
// slab/mock_wait form) and the changes kernel-notes 6 records.
import { mock_fence } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'sanitycheck',
  title: 'create, enable signalling, signal, put: no crash, leak or warning',
  source: 'drivers/dma-buf/st-dma-fence.c sanitycheck (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #1',
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    fences.dma_fence_signal(cpu, f);
    fences.dma_fence_put(cpu, f);
  },
});

// st-dma-fence.c test_add_callback (kernel-notes 6.1 #3): a callback added to an unsignaled
// fence (no explicit enable: add_callback enables signalling) returns 0 and has run -- its
// smp_store_mb() visible -- by the time dma_fence_signal() returns.
import { READ_ONCE, kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'add-callback',
  title: 'a callback added before the signal has run when dma_fence_signal returns',
  source: 'drivers/dma-buf/st-dma-fence.c test_add_callback (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #3',
  run(cpu, fences, drv) {
    const cb = simple_cb_alloc(cpu);
    const f = mock_fence(cpu, fences, drv);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback) === 0, 'Failed to add callback, fence already signaled!');
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.seen) === 1, 'Callback failed!');
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.calls) === 1, 'Callback ran more than once');
    fences.dma_fence_put(cpu, f);
    kfree(cpu, cb);
  },
});

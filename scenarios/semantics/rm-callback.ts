// st-dma-fence.c test_rm_callback (kernel-notes 6.1 #5): a callback removed before the signal
// is reported removed and never runs.
import { READ_ONCE, kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'rm-callback',
  title: 'remove_callback before the signal returns true and the callback never runs',
  source: 'drivers/dma-buf/st-dma-fence.c test_rm_callback (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #5',
  run(cpu, fences, drv) {
    const cb = simple_cb_alloc(cpu);
    const f = mock_fence(cpu, fences, drv);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback) === 0, 'Failed to add callback, fence already signaled!');
    lab_assert(cpu, fences.dma_fence_remove_callback(cpu, f, cb + simple_cb.cb), 'Failed to remove callback!');
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.seen) === 0, 'Callback still signaled after removal!');
    fences.dma_fence_put(cpu, f);
    kfree(cpu, cb);
  },
});

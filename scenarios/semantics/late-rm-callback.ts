// st-dma-fence.c test_late_rm_callback (kernel-notes 6.1 #6): once the signal ran a callback,
// remove_callback reports false (the core re-initialised cb->node before calling it).
import { READ_ONCE, kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'late-rm-callback',
  title: 'remove_callback after the callback ran returns false',
  source: 'drivers/dma-buf/st-dma-fence.c test_late_rm_callback (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #6',
  run(cpu, fences, drv) {
    const cb = simple_cb_alloc(cpu);
    const f = mock_fence(cpu, fences, drv);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback) === 0, 'Failed to add callback, fence already signaled!');
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.seen) === 1, 'Callback failed!');
    lab_assert(cpu, !fences.dma_fence_remove_callback(cpu, f, cb + simple_cb.cb), 'Callback removal succeed after being executed!');
    fences.dma_fence_put(cpu, f);
    kfree(cpu, cb);
  },
});

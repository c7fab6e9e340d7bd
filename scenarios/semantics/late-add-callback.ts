// st-dma-fence.c test_late_add_callback (kernel-notes 6.1 #4): adding a callback to a signaled
// fence fails (-ENOENT: "the callback will never be called"), and signalling again does not
// call it.
import { READ_ONCE, kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { ENOENT } from '../../src/kernel/dma-fence.ts';
import { mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'late-add-callback',
  title: 'add_callback on a signaled fence returns -ENOENT and the callback never runs',
  source: 'drivers/dma-buf/st-dma-fence.c test_late_add_callback (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #4',
  run(cpu, fences, drv) {
    const cb = simple_cb_alloc(cpu);
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback) === -ENOENT, 'Added callback, but fence was already signaled!');
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.seen) === 0, 'Callback called after failed attachment !');
    fences.dma_fence_put(cpu, f);
    kfree(cpu, cb);
  },
});

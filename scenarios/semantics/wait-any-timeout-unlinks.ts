// dma_fence_wait_any_timeout() adds a wake-up callback to every fence it waits on (an array it
// kzalloc'ed) and, when it times out, removes them all ("fence_rm_cb: while (i-- > 0)
// dma_fence_remove_callback(fences[i], &cb[i].base);") before it frees the array. Signalling
// the fences afterwards must not reach the freed callbacks, and a callback added later still
// runs once per fence.
import { READ_ONCE, kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'wait-any-timeout-unlinks',
  title: 'a timed-out wait_any removes its callbacks from every fence before freeing them',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_wait_any_timeout: fence_rm_cb: dma_fence_remove_callback(fences[i], &cb[i].base), then kfree(cb); kerneldoc "0 if the wait timed out" (mj22226/linux @ 9370a5c6, 7.1)',
  run(cpu, fences, drv) {
    const f1 = mock_fence(cpu, fences, drv, 1);
    const f2 = mock_fence(cpu, fences, drv, 2);
    const [ret, idx] = fences.dma_fence_wait_any_timeout(cpu, [f1, f2], false, 1);
    lab_assert(cpu, ret === 0 && idx === -1, 'dma_fence_wait_any_timeout() on pending fences did not time out');
    const cb = simple_cb_alloc(cpu);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f2, cb + simple_cb.cb, drv.simple_callback) === 0, 'Failed to add callback');
    fences.dma_fence_signal(cpu, f1);
    fences.dma_fence_signal(cpu, f2);
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.calls) === 1, 'callback added after the timed-out wait did not run exactly once');
    kfree(cpu, cb);
    fences.dma_fence_put(cpu, f1);
    fences.dma_fence_put(cpu, f2);
  },
});

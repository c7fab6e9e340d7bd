// A dma_fence_wait_timeout() that times out must take its wake-up callback off the fence's
// list before it returns: the callback (struct default_wait_cb) lives on the waiter's stack.
// dma_fence_default_wait() ends every sleeping path with "if (!list_empty(&cb.base.node))
// list_del(&cb.base.node);". If it did not, the later signal would walk into the dead stack
// frame. Here the waiter's callback is freed when the wait returns, so a signal that reaches it
// is a use-after-free; a callback added afterwards must still run, exactly once (the list is
// intact).
import { READ_ONCE, kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'wait-timeout-unlinks',
  title: 'a wait that times out unlinks its wake-up callback; the later signal never reaches it',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_default_wait: "if (!list_empty(&cb.base.node)) list_del(&cb.base.node)" after the loop; dma_fence_wait_timeout kerneldoc "0 if the wait timed out" (mj22226/linux @ 9370a5c6, 7.1)',
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    lab_assert(cpu, fences.dma_fence_wait_timeout(cpu, f, false, 1) === 0, 'Wait on a pending fence did not time out');
    const cb = simple_cb_alloc(cpu);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback) === 0, 'Failed to add callback');
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.calls) === 1, 'callback added after the timed-out wait did not run exactly once');
    kfree(cpu, cb);
    fences.dma_fence_put(cpu, f);
  },
});

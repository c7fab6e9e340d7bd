// kernel-notes R18 (iii): the interrupt signals the fence while a poller's
// dma_fence_is_signaled() finds it complete through ops->signaled and signals it too (the
// "opportunistic signalling" the dma-fence.c DOC allows). Both reach
// dma_fence_signal_timestamp_locked(); the second finds SIGNALED under the lock and returns, so
// the callback runs exactly once and the poller, if it said "signaled", said it truthfully.
import { READ_ONCE, kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence, mock_hw_complete, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { EVERY_DESIGN_PASSES } from '../lib/semantics.ts';

export default scenario({
  name: 'signal-and-poll-callback-once',
  title: 'IRQ signal and an ops->signaled poll signal together: the callback runs once',
  source: 'dma_fence_is_signaled and dma_fence_ops.signaled kerneldoc (akiyks/linux dma-fence.h @ 6da37262); kernel-notes R18 (iii)',
  group: 'semantics',
  setup(cpu, fences) {
    const drv = mock_driver_load(cpu, fences, { signaled: true });
    const f = mock_fence(cpu, fences, drv);
    const cb = simple_cb_alloc(cpu);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback) === 0, 'Failed to add callback');
    return { drv, f, cb };
  },
  threads: [
    {
      name: 'irq',
      cpu: 0,
      context: 'hardirq',
      run(cpu, fences, { drv, f }) {
        mock_hw_complete(cpu, drv, 1);
        fences.dma_fence_signal(cpu, f);
      },
    },
    {
      name: 'poller',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        if (fences.dma_fence_is_signaled(cpu, f)) lab_assert(cpu, fences.dma_fence_get_status(cpu, f) === 1, 'is_signaled said signaled, get_status disagrees');
      },
    },
  ],
  teardown(cpu, fences, { f, cb }) {
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.calls) === 1, 'callback did not run exactly once');
    fences.dma_fence_put(cpu, f);
    kfree(cpu, cb);
  },
  expect: EVERY_DESIGN_PASSES,
});

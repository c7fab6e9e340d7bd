// kernel-notes 6.3 and R1: ops->enable_signaling runs at most once per fence, however many
// enable signalling at once (here add_callback and a waiter, while the interrupt signals the
// fence without waiting for either), and -- where the core calls it under the
// fence lock ('locked-bool', designs a-d) -- never for a fence already signaled (the dma-fence.h
// comment: "after dma_fence_signal was called, any enable_signaling call will have either been
// completed, or never called at all"). The mock driver WARNs on either; a WARN is a violation.
// Under 'unlocked-void' (unlocked-enable-signaling) the call may race with the signal, and the
// driver copes as Christian König's patch 10 has drivers cope: it takes the fence lock itself
// and signals a fence its hardware already passed. For every design: a callback added with 0
// runs exactly once, one refused with -ENOENT never.
import { READ_ONCE, WRITE_ONCE, kfree, kzalloc, lab_assert, test_bit } from '../../src/kernel/primitives.ts';
import { DMA_FENCE_FLAG_SIGNALED_BIT, ENOENT, dma_fence } from '../../src/kernel/dma-fence.ts';
import { scenario } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence, mock_hw_complete, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { EVERY_DESIGN_PASSES } from '../lib/semantics.ts';

export default scenario({
  name: 'enable-signaling-once',
  title: 'enable_signaling at most once, never after SIGNALED under the lock; callbacks once iff added',
  source: 'include/linux/dma-fence.h ENABLE_SIGNAL/SIGNALED comment and enable_signaling kerneldoc (akiyks/linux @ 6da37262); seed 004; kernel-notes 6.3, R1',
  group: 'semantics',
  setup(cpu, fences) {
    const drv = mock_driver_load(cpu, fences, { enable_signaling: true });
    return { drv, f: mock_fence(cpu, fences, drv), cb: simple_cb_alloc(cpu), ret: kzalloc(cpu, 1) };
  },
  threads: [
    {
      name: 'consumer',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { drv, f, cb, ret }) {
        WRITE_ONCE(cpu, ret, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback));
      },
    },
    {
      name: 'waiter',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        fences.dma_fence_enable_sw_signaling(cpu, f);
      },
    },
    {
      // Drivers signal whether or not signalling was enabled ("many implementations can call
      // dma_fence_signal() even when before @enable_signaling has been called").
      name: 'irq',
      cpu: 2,
      context: 'hardirq',
      run(cpu, fences, { drv, f }) {
        mock_hw_complete(cpu, drv, 1);
        fences.dma_fence_signal(cpu, f);
      },
    },
  ],
  teardown(cpu, fences, { f, cb, ret }) {
    lab_assert(cpu, test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, f + dma_fence.flags), 'fence not signaled');
    const added = READ_ONCE(cpu, ret);
    lab_assert(cpu, added === 0 || added === -ENOENT, `add_callback returned ${added}`);
    lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.calls) === (added === 0 ? 1 : 0), added === 0 ? 'callback added with 0 did not run exactly once' : 'callback refused with -ENOENT ran');
    fences.dma_fence_put(cpu, f);
    kfree(cpu, cb);
    kfree(cpu, ret);
  },
  expect: EVERY_DESIGN_PASSES,
});

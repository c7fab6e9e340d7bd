// kernel-notes 6.3 and R18 (ii): dma_fence_remove_callback() racing with the signal. Exactly
// one of the two wins: either the callback was removed (true) and never runs, or it ran (the
// core re-initialised its node first) and remove_callback reports false. The caller holds a
// reference, as the kerneldoc requires ("with a reference held to the fence").
import { READ_ONCE, WRITE_ONCE, kfree, kzalloc, lab_assert } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { EVERY_DESIGN_PASSES } from '../lib/semantics.ts';

export default scenario({
  name: 'remove-callback-vs-signal',
  title: 'remove_callback against a concurrent signal: removed xor ran',
  source: 'dma_fence_remove_callback kerneldoc (mj22226/linux dma-fence.c @ 9370a5c6); kernel-notes 6.3, R18',
  group: 'semantics',
  setup(cpu, fences) {
    const drv = mock_driver_load(cpu, fences);
    const f = mock_fence(cpu, fences, drv);
    const cb = simple_cb_alloc(cpu);
    lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback) === 0, 'Failed to add callback');
    return { f, cb, removed: kzalloc(cpu, 1) };
  },
  threads: [
    {
      name: 'irq',
      cpu: 0,
      context: 'hardirq',
      run(cpu, fences, { f }) {
        fences.dma_fence_signal(cpu, f);
      },
    },
    {
      name: 'recovery',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f, cb, removed }) {
        WRITE_ONCE(cpu, removed, fences.dma_fence_remove_callback(cpu, f, cb + simple_cb.cb) ? 1 : 0);
      },
    },
  ],
  teardown(cpu, fences, { f, cb, removed }) {
    const calls = READ_ONCE(cpu, cb + simple_cb.calls);
    if (READ_ONCE(cpu, removed)) lab_assert(cpu, calls === 0, 'callback ran although remove_callback returned true');
    else lab_assert(cpu, calls === 1, 'remove_callback returned false but the callback did not run exactly once');
    fences.dma_fence_put(cpu, f);
    kfree(cpu, cb);
    kfree(cpu, removed);
  },
  expect: EVERY_DESIGN_PASSES,
});

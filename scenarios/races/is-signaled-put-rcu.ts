// R9, the other driver (kernel-notes section 5, "cond"): the same "if (dma_fence_is_signaled(f))
// dma_fence_put(f)" race with a driver that leaves the free to the core, dma_fence_free() =
// kfree_rcu(). The signaler runs with interrupts off, an RCU read-side section, so the fence
// memory survives until it is done: every design is safe (the 7.1 rule that ->release must
// free RCU-safe exists for exactly this).
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'is-signaled-put-rcu',
  title: 'if (dma_fence_is_signaled(f)) dma_fence_put(f) with the core\'s RCU-deferred free',
  source: 'seed 000 (Philipp Stanner, "the Nouveau case"); dma_fence_free(); kernel-notes R9',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'nouveau' });
    const f = gpu_fence_emit(cpu, fences, drv, 1);
    return { drv, f };
  },
  threads: [
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
    {
      name: 'cleanup',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        if (!fences.dma_fence_is_signaled(cpu, f)) fences.dma_fence_wait(cpu, f, false);
        fences.dma_fence_put(cpu, f);
      },
    },
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': 'pass',
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': 'pass',
  },
});

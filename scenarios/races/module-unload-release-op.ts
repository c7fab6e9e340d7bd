// R7, the other driver (kernel-notes section 5, "cond"): ops with a release callback never
// detach ("Implementing this callback prevents the fence from detaching after signaling ...
// necessary for the module providing the dma_fence_ops to stay loaded as long as the
// dma_fence exists", 7.1 dma-fence.h). A driver that still unloads after signaling and a
// grace period crashes in every design: the last put calls the unloaded ->release.
import { module_unload, synchronize_rcu } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'module-unload-release-op',
  title: 'the last reference dropped after the issuing module unloaded (ops with release)',
  source: 'dma_fence_ops.release kerneldoc (7.1); seed 002; kernel-notes R7',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'amdgpu', release: 'kfree_rcu' });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    {
      name: 'module-exit',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { drv }) {
        gpu_irq_complete(cpu, fences, drv, 1);
        synchronize_rcu(cpu);
        module_unload(cpu, drv.module);
      },
    },
    { name: 'dma_resv', cpu: 1, context: 'process', run: (cpu, fences, { f }) => fences.dma_fence_put(cpu, f) },
  ],
  expect: {
    'current-shared-lock': 'violation',
    'inline-lock': 'violation',
    'inline-lock-ops-check': 'violation',
    'locked-reads': 'violation',
    'barrier-lockless': 'violation',
    'barrier-lockless-bit-at-end': 'violation',
    'unlocked-enable-signaling': 'violation',
  },
});

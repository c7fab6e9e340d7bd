// R7 (kernel-notes section 5): the ops table used after its module unloaded. Seed 002 (the
// "Independence for dma_fences!" cover letter): a fence that outlives its issuer, e.g. lazily
// released from a dma_resv, crashes in dma_fence_release() when it dereferences fence->ops.
// The driver follows the protocol design (b) introduced: signal every fence, wait a grace
// period, unload. With a plain ops pointer (a) the last put still reads the unloaded ops; a
// design that detaches ops at signal finds NULL and frees with the core's own code.
//
//   CPU0 (module exit)                       CPU1 (holds the last reference)
//   all fences signaled
//   synchronize_rcu()
//   module memory freed
//                                            dma_fence_put(f) -> dma_fence_release():
//                                              (a) f->ops->release -> use-after-free of rodata
import { synchronize_rcu, module_unload } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'module-unload-ops-uaf',
  title: 'the last reference dropped after the issuing module unloaded (ops without release)',
  source: 'seed 002 (Christian König, cover letter of "Independence for dma_fences!"); kernel-notes R7',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'amdgpu' });
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
    'inline-lock': 'pass',
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': 'pass',
  },
});

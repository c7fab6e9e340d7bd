// R10, the other driver (kernel-notes section 5, "cond"): the driver keeps the documented
// contract ("drivers are mandated to guarantee a RCU grace period between signalling the
// fence and freeing said data", 7.1 dma-fence.h) and waits in synchronize_rcu() before it
// frees its context. Every reader of the name is inside rcu_read_lock(): all designs are safe.
import { synchronize_rcu } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_context_free, gpu_driver_load, gpu_fence_emit, gpu_irq_complete, sync_file_info } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'driver-data-after-grace-period',
  title: 'the driver waits a grace period before freeing what its name callback reads',
  source: 'dma-fence.h "safe access" DOC (7.1); Christian König in seed 000; kernel-notes R10',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'nova', context: 'kmalloc', nameFromContext: true });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    {
      name: 'driver',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { drv }) {
        gpu_irq_complete(cpu, fences, drv, 1);
        synchronize_rcu(cpu);
        gpu_context_free(cpu, drv);
      },
    },
    {
      name: 'sync_file',
      cpu: 1,
      context: 'process',
      run: (cpu, fences, { f }) => sync_file_info(cpu, fences, f),
    },
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': { sc: 'pass', tso: 'pass', weak: 'violation' }, // R3's NULL ops in the name getter
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': { sc: 'pass', tso: 'pass', weak: 'violation' }, // R3, as inline-lock
  },
});

// R8 (kernel-notes section 5): use-after-free of the driver's lock that fence->lock points at.
// dma_fence_init() kerneldoc (7.1): "New users MUST NOT use external locks, as they force the
// issuer to outlive all fences that reference the lock"; xe needed synchronize_rcu() before
// freeing irq->lock ("Safe release of the irq->lock used in dma_fence_init"). The driver
// signals everything, waits a grace period and frees its context, lock included; a consumer
// holding a reference then asks for the status, which takes the fence lock.
//
//   CPU0 (driver teardown)                   CPU1 (consumer with a reference)
//   all fences signaled; synchronize_rcu()
//   kfree(fctx)   // holds the spinlock
//                                            dma_fence_get_status(f) -> spin_lock(f->lock)  UAF
import { synchronize_rcu } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_context_free, gpu_driver_load, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'extern-lock-uaf',
  title: 'the driver frees the context lock its fences point at',
  source: 'dma_fence_init() kerneldoc (7.1); xe_hw_fence_irq_finish synchronize_rcu (13404486645); kernel-notes R8',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'xe', context: 'kmalloc' });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    {
      name: 'driver-remove',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { drv }) {
        gpu_irq_complete(cpu, fences, drv, 1);
        synchronize_rcu(cpu);
        gpu_context_free(cpu, drv);
      },
    },
    {
      name: 'consumer',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        fences.dma_fence_get_status(cpu, f);
        fences.dma_fence_put(cpu, f);
      },
    },
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

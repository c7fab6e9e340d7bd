// R10 (kernel-notes section 5): driver data destroyed while an ops callback runs, "callbacks vs
// destructors". Philipp Stanner's RFC (67468131115: "there are only pragmatic checks for the
// signaled flag of a fence, without taking the fence lock"); Danilo Krummrich in seed 000 ("if
// a driver signals a fence, it is lifecycle-wise reasonable to destruct the private data");
// Christian König: "That's why we need the RCU grace period". This driver frees its context as
// soon as it signaled; its get_driver_name reads the name through that context.
//
//   CPU0 (consumer)                              CPU1 (driver)
//   rcu_read_lock(); ops = rcu_dereference(f->ops)
//   !test_signaled_flag(f) -> true
//   ops->get_driver_name(f)
//                                                dma_fence_signal(f)
//                                                kfree(fctx)   (no synchronize_rcu)
//     fctx->name  -> use-after-free
import { scenario } from '../../src/scenario.ts';
import { gpu_context_free, gpu_driver_load, gpu_fence_emit, gpu_irq_complete, sync_file_info } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'driver-data-vs-callback',
  title: 'the driver frees what its name callback reads right after signaling',
  source: 'Philipp Stanner RFC (67468131115); Danilo Krummrich and Christian König in seed 000; kernel-notes R10',
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
    'current-shared-lock': 'violation',
    'inline-lock': 'violation',
    'inline-lock-ops-check': 'violation',
    'locked-reads': 'pass',
    'barrier-lockless': 'violation',
    'barrier-lockless-bit-at-end': 'violation',
    'unlocked-enable-signaling': 'violation',
  },
});

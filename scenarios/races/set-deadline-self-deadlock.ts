// R15 (kernel-notes section 5): AA self-deadlock when the core takes the fence lock around
// ops->set_deadline. Boris Brezillon (67580534510): sw_sync.c and msm_fence.c take the fence
// lock inside their set_deadline, as the contract allows ("called without &dma_fence.lock
// held ... Locking is up to the callee"); design (c) calls it under that lock.
//
//   CPU0: dma_fence_set_deadline(f)  [design c]
//         dma_fence_lock_irqsave(f)
//         ops->set_deadline(f) -> spin_lock_irqsave(f lock) -> spinlock recursion
import { ktime_get } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'set-deadline-self-deadlock',
  title: 'ops->set_deadline that takes the fence lock, as sw_sync and msm do',
  source: 'Boris Brezillon (67580534510: sw_sync.c, msm_fence.c in v7.0.11); dma_fence_ops.set_deadline kerneldoc; kernel-notes R15',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'msm', setDeadlineTakesFenceLock: true });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    {
      name: 'atomic-commit',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { f }) {
        fences.dma_fence_set_deadline(cpu, f, ktime_get(cpu) + 16_000_000);
        fences.dma_fence_put(cpu, f);
      },
    },
    { name: 'irq', cpu: 1, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': 'pass',
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'violation',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': 'pass',
  },
});

// R11 (kernel-notes section 5): a stale fence->error after a lockless SIGNALED read. The driver
// stores the error before signaling, as dma_fence_set_error() demands ("must be set before
// signaling, so that the value is visible before any waiters on the signal callback are
// woken"); the writer is ordered by the fully ordered test_and_set_bit. The reader's test_bit
// is relaxed, so on a weakly ordered CPU its later load of error may be satisfied first: a
// failed job is taken for a success. The general concern: André Draszik (00369), seed 000.
//
//   CPU0 (hardirq: job failed)              CPU1 (consumer, lockless)
//   f->error = -ETIME
//   lock; test_and_set_bit(SIGNALED) {mb}
//                                           if (dma_fence_is_signaled(f))   // test_bit sees 1
//                                               err = f->error              // may read 0 on arm64
import { READ_ONCE, lab_assert } from '../../src/kernel/primitives.ts';
import { ETIME, dma_fence } from '../../src/kernel/dma-fence.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'stale-error',
  title: 'fence->error read after a lockless SIGNALED test',
  source: 'dma_fence_set_error() kerneldoc; André Draszik (00369) and seed 000 on missing barriers; kernel-notes R11',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'amdgpu' });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    {
      name: 'irq',
      cpu: 0,
      context: 'hardirq',
      run(cpu, fences, { drv, f }) {
        fences.dma_fence_set_error(cpu, f, -ETIME);
        gpu_irq_complete(cpu, fences, drv, 1);
      },
    },
    {
      name: 'consumer',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        if (fences.dma_fence_is_signaled(cpu, f)) lab_assert(cpu, READ_ONCE(cpu, f + dma_fence.error) === -ETIME, 'a signaled fence shows the error set before signaling');
        fences.dma_fence_put(cpu, f);
      },
    },
  ],
  expect: {
    'current-shared-lock': { sc: 'pass', tso: 'pass', weak: 'violation' },
    'inline-lock': { sc: 'pass', tso: 'pass', weak: 'violation' },
    'inline-lock-ops-check': { sc: 'pass', tso: 'pass', weak: 'violation' },
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': { sc: 'pass', tso: 'pass', weak: 'violation' },
  },
});

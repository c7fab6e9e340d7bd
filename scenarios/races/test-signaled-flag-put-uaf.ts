// R9 (kernel-notes section 5) through the other lockless reader: seed 000 (Philipp Stanner,
// 2026-06-15) asks that "both dma_fence_is_signaled() and dma_fence_test_signaled_flag() need
// to be properly synchronized", and dma_fence_test_signaled_flag()'s kerneldoc only says it
// "should be used opportunistically". A cleanup that drops the last reference as soon as the
// flag reads set races with the signal still writing the fence, as in is-signaled-put-uaf.
// Added for `fence-lab necessity` (issue 18): no race read the flag through this helper, so
// locked-reads' lock in dma_fence_test_signaled_flag() showed "no violation found".
//
//   CPU0 (hardirq: signal)                  CPU1 (cleanup, last reference)
//   spin_lock_irqsave(fence->lock)
//   test_and_set_bit(SIGNALED)
//                                           dma_fence_test_signaled_flag(f) -> true
//                                           dma_fence_put(f) -> release -> kfree(f)
//   list_replace(&f->cb_list, ...)   <- use-after-free
import { scenario } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence } from '../lib/mock-driver.ts';

export default scenario({
  name: 'test-signaled-flag-put-uaf',
  title: 'if (dma_fence_test_signaled_flag(f)) dma_fence_put(f) against a signal in progress',
  source: 'seed 000 (Philipp Stanner, "Properly synchronize dma_fence->signaled bit", 2026-06-15); kernel-notes R9',
  group: 'races',
  setup(cpu, fences) {
    const drv = mock_driver_load(cpu, fences, { name: 'nouveau', release: 'kfree' });
    return { drv, f: mock_fence(cpu, fences, drv) };
  },
  threads: [
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { f }) => fences.dma_fence_signal(cpu, f) },
    {
      name: 'cleanup',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        if (!fences.dma_fence_test_signaled_flag(cpu, f)) fences.dma_fence_wait(cpu, f, false);
        fences.dma_fence_put(cpu, f);
      },
    },
  ],
  // As is-signaled-put-uaf: only locked-reads reports the flag after the signaler's unlock.
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

// R9 (kernel-notes section 5), seed 000, Philipp Stanner 2026-06-15: "It's very conceivable
// that the Nouveau case will often happen: if (dma_fence_is_signaled(f)) dma_fence_put(f);".
// The interrupt signals a fence it holds no reference to; the cleanup thread owns the last
// reference and drops it as soon as the lockless fast path reports SIGNALED, while the
// signaler is still writing the fence (cb_list stash, timestamp) and holds its lock. The
// driver's ->release frees at once (allowed before 7.1; the 7.1 docs demand an RCU-safe free).
//
//   CPU0 (hardirq: signal)                  CPU1 (cleanup, last reference)
//   spin_lock_irqsave(fence->lock)
//   test_and_set_bit(SIGNALED)
//                                           dma_fence_is_signaled(f) -> true
//                                           dma_fence_put(f) -> release -> kfree(f)
//   list_replace(&f->cb_list, ...)   <- use-after-free
import { scenario } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence } from '../lib/mock-driver.ts';

export default scenario({
  name: 'is-signaled-put-uaf',
  title: 'if (dma_fence_is_signaled(f)) dma_fence_put(f) against a signal in progress',
  source: 'seed 000 (Philipp Stanner, "Properly synchronize dma_fence->signaled bit", 2026-06-15); kernel-notes R9',
  group: 'races',
  setup(cpu, fences) {
    const drv = mock_driver_load(cpu, fences, { name: 'nouveau', release: 'kfree' });
    return { drv, f: mock_fence(cpu, fences, drv) };
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
      name: 'cleanup',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        if (!fences.dma_fence_is_signaled(cpu, f)) fences.dma_fence_wait(cpu, f, false);
        fences.dma_fence_put(cpu, f);
      },
    },
  ],
  // Under SC, as kernel-notes R9 implies with an immediate kfree: every design whose reader can
  // see SIGNALED before the signaler is done frees the fence under it. For the inline-lock
  // designs that holds even for bit-at-end, which publishes SIGNALED last: the final
  // spin_unlock_irqrestore() of the inline lock still writes the fence. Only locked-reads
  // reports "signaled" after the signaler's unlock.
  expect: {
    'current-shared-lock': 'violation',
    'inline-lock': 'violation',
    'inline-lock-ops-check': 'violation',
    'locked-reads': 'pass',
    'barrier-lockless': 'violation',
    // publishes SIGNALED last, but the unlock of the inline lock still writes the freed fence
    'barrier-lockless-bit-at-end': 'violation',
    'unlocked-enable-signaling': 'violation',
  },
});

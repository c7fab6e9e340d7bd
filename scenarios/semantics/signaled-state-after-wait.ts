// kernel-notes 6.3 (R11, R12 through the locked path): once dma_fence_wait() returned, the
// waiter sees the whole signal: SIGNALED, the timestamp the signaler passed (not the cb_list
// pointer bits it overlays), and the error it set before signalling ("This must be set before
// signaling (so that the value is visible before any waiters on the signal callback are
// woken)"). dma_fence_wait() takes the fence lock after the signaler dropped it, so this holds in
// every design and under every memory model; a lockless reader is the race R11/R12.
import { lab_assert } from '../../src/kernel/primitives.ts';
import { EIO } from '../../src/kernel/dma-fence.ts';
import { scenario } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence } from '../lib/mock-driver.ts';
import { EVERY_DESIGN_PASSES } from '../lib/semantics.ts';

/** The signal time the driver passes, in ktime_get()'s nanoseconds. */
const TIMESTAMP = 1_234_000_000;

export default scenario({
  name: 'signaled-state-after-wait',
  title: 'after dma_fence_wait returns: signaled, its timestamp and its error are visible',
  source: 'dma_fence_set_error and dma_fence_timestamp kerneldoc (akiyks/linux dma-fence.h @ 6da37262); kernel-notes 6.3, R11, R12',
  group: 'semantics',
  setup(cpu, fences) {
    const drv = mock_driver_load(cpu, fences);
    return { f: mock_fence(cpu, fences, drv) };
  },
  threads: [
    {
      name: 'irq',
      cpu: 0,
      context: 'hardirq',
      run(cpu, fences, { f }) {
        fences.dma_fence_set_error(cpu, f, -EIO);
        fences.dma_fence_signal_timestamp(cpu, f, TIMESTAMP);
      },
    },
    {
      name: 'waiter',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        lab_assert(cpu, fences.dma_fence_wait(cpu, f, false) === 0, 'dma_fence_wait failed');
        lab_assert(cpu, fences.dma_fence_test_signaled_flag(cpu, f), 'not signaled after dma_fence_wait');
        lab_assert(cpu, fences.dma_fence_timestamp(cpu, f) === TIMESTAMP, 'dma_fence_timestamp is not the signal time');
        lab_assert(cpu, fences.dma_fence_get_status(cpu, f) === -EIO, 'error set before the signal not reported after it');
        fences.dma_fence_put(cpu, f);
      },
    },
  ],
  expect: EVERY_DESIGN_PASSES,
});

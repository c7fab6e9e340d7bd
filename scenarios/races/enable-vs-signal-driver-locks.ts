// R1, the other driver (kernel-notes section 5, "cond" for design e): the driver does what
// Christian König's June 2026 patch 10 asks of enable_signaling implementations ("The
// callback is responsible for acquiring the fence lock if needed using
// dma_fence_lock_irqsave()"): it takes the fence lock itself and arms only if the fence has
// not signaled. Under design e that closes the race of enable-vs-signal. Under every design
// that still calls enable_signaling with the fence lock held, the same driver takes a lock it
// already holds: a driver converted for patch 10 cannot run on a kernel without it.
import { scenario } from '../../src/scenario.ts';
import { consumer_race_setup, consumer_thread, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'enable-vs-signal-driver-locks',
  title: 'enable_signaling racing a signal, with a driver that takes the fence lock and re-checks',
  source: 'Christian König, "[PATCH 10/10] dma-buf: move locking into dma_fence_ops.enable_signaling" (2026-06-24); kernel-notes R1',
  group: 'races',
  setup: (cpu, fences) => consumer_race_setup(cpu, fences, { name: 'radeon', enableSignaling: 'arm-under-fence-lock' }),
  threads: [
    consumer_thread(0),
    { name: 'irq', cpu: 1, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
  ],
  expect: {
    'current-shared-lock': 'violation',
    'inline-lock': 'violation',
    'inline-lock-ops-check': 'violation',
    'locked-reads': 'violation',
    'barrier-lockless': 'violation',
    'barrier-lockless-bit-at-end': 'violation',
    'unlocked-enable-signaling': 'pass',
  },
});

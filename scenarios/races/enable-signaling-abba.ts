// R13 (kernel-notes section 5): ABBA between a driver's list lock and the fence lock around
// enable_signaling. Christian König's example (67540687186) and Philipp Stanner (00353): "the
// driver, in that callback, cannot take a driver-specific lock IF there is another driver
// party (like an IRQ) taking first the driver lock and then the fence lock." This driver keeps
// a list lock of its own, so the shared-lock trick of design (a) does not save it either.
//
//   CPU0 (IRQ path)                              CPU1 (add_callback)
//   spin_lock_irqsave(&drv->list_lock)
//                                                dma_fence_lock_irqsave(f)
//                                                ops->enable_signaling(f):
//                                                    spin_lock(&drv->list_lock) -- waits CPU0
//   dma_fence_signal(f) -> lock(f) -- waits CPU1       => deadlock; lockdep reports the cycle
import { scenario } from '../../src/scenario.ts';
import { consumer_race_setup, consumer_thread, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'enable-signaling-abba',
  title: 'enable_signaling takes a driver list lock that the IRQ path holds around dma_fence_signal',
  source: 'Christian König (67540687186, ABBA example); Philipp Stanner (00353, seed 001); kernel-notes R13',
  group: 'races',
  setup: (cpu, fences) => consumer_race_setup(cpu, fences, { name: 'vmwgfx', enableSignaling: 'list-lock' }),
  threads: [
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1, 'list') },
    consumer_thread(1),
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

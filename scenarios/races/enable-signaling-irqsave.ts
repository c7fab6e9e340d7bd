// R14, the other driver (kernel-notes section 5): the same driver takes its lock with
// spin_lock_irqsave everywhere, as the 7.1 kerneldoc now demands ("only spinlocks which
// disable IRQ's can be used"). No lock is ever taken with interrupts on while it can also be
// needed from an interrupt: every design is safe.
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { consumer_race_setup, consumer_thread, gpu_fctx, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'enable-signaling-irqsave',
  title: 'enable_signaling takes a driver lock that is always taken with interrupts off',
  source: 'dma_fence_ops.enable_signaling kerneldoc (7.1); seed 004; kernel-notes R14',
  group: 'races',
  setup: (cpu, fences) => consumer_race_setup(cpu, fences, { name: 'i915', enableSignaling: 'list-lock' }),
  threads: [
    {
      name: 'retire-worker',
      cpu: 0,
      context: 'process',
      run(cpu, _fences, { drv }) {
        const flags = spin_lock_irqsave(cpu, drv.fctx + gpu_fctx.list_lock);
        spin_unlock_irqrestore(cpu, drv.fctx + gpu_fctx.list_lock, flags);
      },
    },
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1, 'context') },
    consumer_thread(1),
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': 'pass',
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': 'pass',
  },
});

// R14 (kernel-notes section 5): IRQ lock inversion through enable_signaling. Seed 004
// (Christian König): the old kerneldoc "suggests an illegal operation to implementations:
// 'This function can be called from atomic context, but not from irq context, so normal
// spinlocks can be used.' Since the enable_signaling callback was called with interrupts
// disabled that practice could deadlock." The fence lock is taken in hardirq context (the
// driver signals from its IRQ handler); this driver's lock L is taken with interrupts enabled
// elsewhere and under the fence lock in enable_signaling: HARDIRQ-safe -> HARDIRQ-unsafe.
//
//   CPU0                                     CPU1
//   spin_lock(&drv->L)    // IRQs on
//     <hard IRQ on CPU0>                     dma_fence_lock_irqsave(f)
//     dma_fence_signal(f): lock(f) -- waits  ops->enable_signaling(f): spin_lock(&drv->L) -- waits
import { scenario } from '../../src/scenario.ts';
import { consumer_race_setup, consumer_thread, gpu_fctx, gpu_irq_complete } from '../lib/gpu-driver.ts';
import { spin_lock, spin_unlock } from '../../src/kernel/primitives.ts';

export default scenario({
  name: 'enable-signaling-irq-inversion',
  title: 'enable_signaling takes a lock the driver elsewhere takes with interrupts enabled',
  source: 'seed 004 (Christian König, "rework the enable_signaling handling"); kernel-notes R14',
  group: 'races',
  setup: (cpu, fences) => consumer_race_setup(cpu, fences, { name: 'i915', enableSignaling: 'list-lock-irq-on' }),
  threads: [
    {
      name: 'retire-worker',
      cpu: 0,
      context: 'process',
      run(cpu, _fences, { drv }) {
        spin_lock(cpu, drv.fctx + gpu_fctx.list_lock);
        spin_unlock(cpu, drv.fctx + gpu_fctx.list_lock);
      },
    },
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1, 'context') },
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

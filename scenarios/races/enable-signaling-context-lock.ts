// R13, the other driver (kernel-notes section 5, "cond" for design a): the driver guards its
// pending list with the fence-context lock, nouveau's fctx->lock. Under design (a) that lock
// *is* every fence's lock, so enable_signaling already holds it and takes nothing else: safe.
// With the fence's own inline lock the driver must take the context lock inside
// enable_signaling, under the fence lock, while its IRQ path takes the context lock and then
// signals (fence lock): the ABBA that keeps nouveau off the inline lock (Philipp Stanner,
// 00353: "without fence->inline_lock, you can protect the fctx with the same lock").
import { scenario } from '../../src/scenario.ts';
import { consumer_race_setup, consumer_thread, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'enable-signaling-context-lock',
  title: 'enable_signaling guarded by the fence-context lock (nouveau fctx->lock)',
  source: 'Philipp Stanner (00353, seed 001); nouveau_fence.c; kernel-notes R13 and 4.a',
  group: 'races',
  setup: (cpu, fences) => consumer_race_setup(cpu, fences, { name: 'nouveau', enableSignaling: 'context-list' }),
  threads: [
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1, 'context') },
    consumer_thread(1),
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': 'violation',
    'inline-lock-ops-check': 'violation',
    'locked-reads': 'violation',
    'barrier-lockless': 'violation',
    'barrier-lockless-bit-at-end': 'violation',
    'unlocked-enable-signaling': 'pass',
  },
});

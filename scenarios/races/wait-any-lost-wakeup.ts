// R19 (kernel-notes section 5): a lost wake-up in dma_fence_wait_any_timeout(). It re-checks
// SIGNALED locklessly after set_current_state(). With the bit set before the callbacks run
// (every design but one), the waker's set and the waiter's state store form a closed
// store-buffering pair. Philipp Stanner's "set the bit only once the callbacks have completed"
// (67454094078) wakes the waiter *before* the bit is set: the waiter re-arms its sleep, reads
// SIGNALED == 0 and sleeps until its timeout. Unsafe under every memory model, SC included.
//
//   CPU0 (wait_any)                          CPU1 (signal, bit at the end)
//   add_callback(cb: wake me) -> 0
//                                            lock; cb->func: wake_up_state(CPU0 task)
//   set_current_state(TASK_UNINTERRUPTIBLE)  // the wake-up is overwritten
//   test_bit(SIGNALED) -> 0
//                                            set_bit(SIGNALED); unlock
//   schedule_timeout() -> sleeps until the timeout
import { lab_assert } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'wait-any-lost-wakeup',
  title: 'dma_fence_wait_any_timeout() against a signal that sets the bit after the callbacks',
  source: 'Philipp Stanner (67454094078, bit at the end); dma_fence_wait_any_timeout(); kernel-notes R19',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'drm_sched' });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    {
      name: 'waiter',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { f }) {
        const [ret] = fences.dma_fence_wait_any_timeout(cpu, [f], false, 10);
        lab_assert(cpu, ret > 0, 'dma_fence_wait_any_timeout() returns before its timeout once the fence signaled');
        fences.dma_fence_put(cpu, f);
      },
    },
    { name: 'irq', cpu: 1, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': 'pass',
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'violation',
    'unlocked-enable-signaling': 'pass',
  },
});

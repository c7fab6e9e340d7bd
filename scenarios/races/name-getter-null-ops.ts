// R3 (kernel-notes section 5): NULL ops in dma_fence_driver_name(). The sashiko report André
// Draszik quoted (00369), fixed by Philipp Stanner ("dma-buf: dma-fence: Fix potential NULL
// pointer dereference" v1 smp_rmb, v2 `if (ops)`, applied 2026-06-29). The getter loads ops,
// then tests SIGNALED: two loads of different words with nothing ordering them, so on a weakly
// ordered CPU the flag load may be satisfied first, see 0, and the ops load see the NULL the
// signaler stored after setting the flag. "These set and load operations could occur out of
// order on weakly ordered platforms."
//
//   CPU0 (hardirq: signal)            CPU1 (SYNC_IOC_FILE_INFO)
//                                     r1 = test_bit(SIGNALED) -> 0   (satisfied early)
//   test_and_set_bit(SIGNALED)
//   RCU_INIT_POINTER(f->ops, NULL)
//                                     ops = rcu_dereference(f->ops) -> NULL
//                                     if (!r1) ops->get_driver_name(f) -> NULL dereference
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete, sync_file_info } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'name-getter-null-ops',
  title: 'dma_fence_driver_name() against the signal that detaches ops',
  source: 'André Draszik / sashiko (00369); Philipp Stanner, "Fix potential NULL pointer dereference" v1/v2 (2026-06-26/29); kernel-notes R3',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'crtc' });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
    {
      name: 'sync_file',
      cpu: 1,
      context: 'process',
      run: (cpu, fences, { f }) => sync_file_info(cpu, fences, f),
    },
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': { sc: 'pass', tso: 'pass', weak: 'violation' },
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': { sc: 'pass', tso: 'pass', weak: 'violation' },
  },
});

// R3 (kernel-notes section 5) on the other name getter: dma_fence_timeline_name() has the same
// shape as dma_fence_driver_name() -- load ops, then decide by the SIGNALED flag -- and the same
// fix (Philipp Stanner, "Fix potential NULL pointer dereference" v1 smp_rmb() in both getters,
// v2 `if (ops)` in both, applied 2026-06-29). sync_file's SYNC_IOC_FILE_INFO copies the
// timeline name too (sync_fill_fence_info: obj_name from dma_fence_timeline_name()), so the
// reader here is that copy. Added for `fence-lab necessity` (issue 18): name-getter-null-ops
// reads only the driver name, so no race needed the timeline getter's ordering and the v1
// fix's smp_rmb() there showed "no violation found".
//
//   CPU0 (hardirq: signal)            CPU1 (SYNC_IOC_FILE_INFO: obj_name)
//                                     r1 = test_bit(SIGNALED) -> 0   (satisfied early)
//   test_and_set_bit(SIGNALED)
//   RCU_INIT_POINTER(f->ops, NULL)
//                                     ops = rcu_dereference(f->ops) -> NULL
//                                     if (!r1) ops->get_timeline_name(f) -> NULL dereference
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete, sync_file_info } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'timeline-name-null-ops',
  title: 'dma_fence_timeline_name() against the signal that detaches ops',
  source: 'sync_fill_fence_info() (sync_file.c); Philipp Stanner, "Fix potential NULL pointer dereference" v1/v2 (2026-06-26/29); kernel-notes R3',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'crtc' });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
    { name: 'sync_file', cpu: 1, context: 'process', run: (cpu, fences, { f }) => sync_file_info(cpu, fences, f, 'timeline') },
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

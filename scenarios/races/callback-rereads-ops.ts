// R4 (kernel-notes section 5): a driver callback that re-reads fence->ops. drm_crtc's
// get_driver_name did BUG_ON(rcu_access_pointer(fence->ops) != &drm_crtc_fence_ops); André
// Draszik hit it on arm64 from sync_file_ioctl (00434/00076). Even under SC: the wrapper's
// SIGNALED test and the callback's own ops load are two loads, and the detaching signal can
// land between them. Lesson: with detach, a callback must not assume fence->ops is still its
// own table.
//
//   CPU0 (hardirq: signal)            CPU1 (SYNC_IOC_FILE_INFO)
//                                     dma_fence_driver_name(): not signaled -> ops->get_driver_name
//   test_and_set_bit(SIGNALED)
//   RCU_INIT_POINTER(f->ops, NULL)
//                                     BUG_ON(fence->ops != &crtc_fence_ops)   <- kernel BUG
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete, sync_file_info } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'callback-rereads-ops',
  title: "a name callback that checks fence->ops is its own table (drm_crtc's BUG_ON)",
  source: 'André Draszik, "drm/crtc: ... BUG_ON" v1/v2 (20260618-linux-drm_crtc_fix2, 2026-07-08); kernel-notes R4',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'drm_crtc', nameChecksOwnOps: true });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    { name: 'vblank-irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
    {
      name: 'sync_file',
      cpu: 1,
      context: 'process',
      run: (cpu, fences, { f }) => sync_file_info(cpu, fences, f),
    },
  ],
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': 'violation',
    'inline-lock-ops-check': 'violation',
    'locked-reads': 'pass',
    'barrier-lockless': 'violation',
    'barrier-lockless-bit-at-end': 'violation',
    'unlocked-enable-signaling': 'violation',
  },
});

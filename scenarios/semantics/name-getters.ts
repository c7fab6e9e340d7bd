// kernel-notes 6.3 and R23: dma_fence_driver_name() and dma_fence_timeline_name(), called under
// rcu_read_lock as their kerneldoc demands, return the driver's names while the fence is
// pending -- the timeline name from get_timeline_name, not the driver name (the copy/paste bug
// 62918542b7bf introduced, 033559473dd3 fixed, a merge brought back and June 2026 fixed again:
// 20260618-linux-drm_crtc_fix-v1-1 and Baineng Shou's duplicate) -- and the core's fixed
// strings once it signaled ("detached-driver", "signaled-timeline"), without calling the
// driver. Single-threaded: the racing form (R3, R4) is a race scenario, not a semantic one.
import { lab_assert, rcu_read_lock, rcu_read_unlock, str_read } from '../../src/kernel/primitives.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'name-getters',
  title: 'driver and timeline names while pending (timeline, not driver: R23), fixed strings once signaled',
  source: 'dma_fence_driver_name/dma_fence_timeline_name kerneldoc (mj22226/linux dma-fence.c @ 9370a5c6); timeline-name fixes 20260618-linux-drm_crtc_fix-v1-1; kernel-notes 6.3, R23',
  driver: { name: 'mock' },
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    rcu_read_lock(cpu);
    lab_assert(cpu, str_read(cpu, fences.dma_fence_driver_name(cpu, f)) === 'mock', 'driver name of a pending fence is not the driver\'s');
    lab_assert(cpu, str_read(cpu, fences.dma_fence_timeline_name(cpu, f)) === 'mock-timeline', 'timeline name of a pending fence is not the driver\'s timeline name (R23)');
    rcu_read_unlock(cpu);
    fences.dma_fence_signal(cpu, f);
    rcu_read_lock(cpu);
    lab_assert(cpu, str_read(cpu, fences.dma_fence_driver_name(cpu, f)) === 'detached-driver', 'driver name of a signaled fence is not "detached-driver"');
    lab_assert(cpu, str_read(cpu, fences.dma_fence_timeline_name(cpu, f)) === 'signaled-timeline', 'timeline name of a signaled fence is not "signaled-timeline"');
    rcu_read_unlock(cpu);
    fences.dma_fence_put(cpu, f);
  },
});

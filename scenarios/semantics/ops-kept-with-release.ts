// kernel-notes 4.b item 3 and the 7.1 kerneldoc of dma_fence_ops.release and .wait:
// "Implementing this callback prevents the fence from detaching after signaling and so it is
// necessary for the module providing the dma_fence_ops to stay loaded as long as the dma_fence
// exists." A fence whose ops have a release keeps them after it signaled, in every design (the
// counterpart of signaling's "ops cleared", which only designs that detach assert), and its
// last put goes through the driver's release.
import { lab_assert, rcu_access_pointer } from '../../src/kernel/primitives.ts';
import { dma_fence } from '../../src/kernel/dma-fence.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'ops-kept-with-release',
  title: 'a fence whose ops have ->release keeps them after signaling (no detach)',
  source: 'include/linux/dma-fence.h dma_fence_ops.release kerneldoc (akiyks/linux @ 6da37262); "detach fence ops on signal v3" (541c8f2468b9); kernel-notes 4.b',
  driver: { release: 'kfree_rcu' },
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, rcu_access_pointer(cpu, f + dma_fence.ops) === drv.ops, 'ops detached from a fence whose ops have a release callback');
    fences.dma_fence_put(cpu, f);
  },
});

// dma_fence_signal_timestamp(): "Set the timestamp provided as the fence signal timestamp" and
// "Can be called multiple times, but since a fence can only go from the unsignaled to the
// signaled state and not back, it will only be effective the first time" -- so a second signal
// with a later time leaves the first timestamp. dma_fence_allocate_private_stub(timestamp)
// returns "a newly allocated and signaled stub fence" carrying that timestamp (drm_syncobj uses
// it to stamp already-signaled points).
import { ktime_get, lab_assert } from '../../src/kernel/primitives.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'signal-timestamp',
  title: 'the first signal\'s timestamp sticks; a private stub carries the timestamp it was given',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_signal_timestamp(_locked) and dma_fence_allocate_private_stub kerneldoc (mj22226/linux @ 9370a5c6, 7.1)',
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    const first = ktime_get(cpu) - 1000;
    fences.dma_fence_signal_timestamp(cpu, f, first);
    lab_assert(cpu, fences.dma_fence_timestamp(cpu, f) === first, 'Fence timestamp is not the one it was signaled with');
    fences.dma_fence_signal_timestamp(cpu, f, first + 500);
    lab_assert(cpu, fences.dma_fence_timestamp(cpu, f) === first, 'A second dma_fence_signal_timestamp() changed the timestamp');
    fences.dma_fence_put(cpu, f);

    const stubTime = ktime_get(cpu) - 2000;
    const stub = fences.dma_fence_allocate_private_stub(cpu, stubTime);
    lab_assert(cpu, fences.dma_fence_is_signaled(cpu, stub), 'Private stub fence is not signaled');
    lab_assert(cpu, fences.dma_fence_timestamp(cpu, stub) === stubTime, 'Private stub fence does not carry its timestamp');
    fences.dma_fence_put(cpu, stub);
  },
});

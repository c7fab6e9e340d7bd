// dma_fence_set_error() accepts only errno values: WARN_ON(error >= 0 || error < -MAX_ERRNO).
// 0 and positive numbers WARN (a driver passing a status instead of an error), and so does a
// value below -MAX_ERRNO; -MAX_ERRNO itself and an ordinary -EIO do not. Both directions of
// the boundary are checked, and the last valid error is the fence's status after the signal.
import { lab_assert } from '../../src/kernel/primitives.ts';
import { EIO, MAX_ERRNO } from '../../src/kernel/dma-fence.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { expect_one_warn, expect_warnings_total, mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'set-error-invalid',
  title: 'dma_fence_set_error() WARNs on 0, positive and below -MAX_ERRNO values, not on -MAX_ERRNO..-1',
  source: 'include/linux/dma-fence.h dma_fence_set_error: WARN_ON(error >= 0 || error < -MAX_ERRNO) (akiyks/linux @ 6da37262, 7.1; the same since 4.x)',
  allowWarnings: true,
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    expect_one_warn(cpu, 'dma_fence_set_error(f, 0)', (cpu) => fences.dma_fence_set_error(cpu, f, 0));
    expect_one_warn(cpu, 'dma_fence_set_error(f, 1)', (cpu) => fences.dma_fence_set_error(cpu, f, 1));
    expect_one_warn(cpu, 'dma_fence_set_error(f, -MAX_ERRNO - 1)', (cpu) => fences.dma_fence_set_error(cpu, f, -MAX_ERRNO - 1));
    fences.dma_fence_set_error(cpu, f, -MAX_ERRNO);
    fences.dma_fence_set_error(cpu, f, -EIO);
    expect_warnings_total(cpu, 3);
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, fences.dma_fence_get_status(cpu, f) === -EIO, 'Fence not reporting the last valid error');
    fences.dma_fence_put(cpu, f);
  },
});

// dma_fence_wait_timeout() with a negative timeout: "if (WARN_ON(timeout < 0)) return -EINVAL;"
// before it enables signalling or sleeps. A negative jiffies count is a caller bug; it must not
// be passed on to dma_fence_default_wait(), which would hand it back as if it were a result
// (the kerneldoc's -ERESTARTSYS / 0 / remaining jiffies).
import { lab_assert } from '../../src/kernel/primitives.ts';
import { EINVAL } from '../../src/kernel/dma-fence.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { expect_one_warn, expect_warnings_total, mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'wait-invalid-timeout',
  title: 'dma_fence_wait_timeout() with a negative timeout WARNs and returns -EINVAL',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_wait_timeout: if (WARN_ON(timeout < 0)) return -EINVAL; (mj22226/linux @ 9370a5c6, 7.1; the same since 4.x)',
  allowWarnings: true,
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    const ret = expect_one_warn(cpu, 'dma_fence_wait_timeout(f, false, -1)', (cpu) => fences.dma_fence_wait_timeout(cpu, f, false, -1));
    lab_assert(cpu, ret === -EINVAL, `dma_fence_wait_timeout(f, false, -1) returned ${ret}, not -EINVAL`);
    fences.dma_fence_signal(cpu, f);
    lab_assert(cpu, fences.dma_fence_wait_timeout(cpu, f, false, 0) === 1, 'Signaled fence did not report 1 from a zero-timeout wait');
    expect_warnings_total(cpu, 1);
    fences.dma_fence_put(cpu, f);
  },
});

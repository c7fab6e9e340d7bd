// dma_fence_wait_any_timeout() with no fences or a negative timeout: "if (WARN_ON(!fences ||
// !count || timeout < 0)) return -EINVAL;". With count == 0 there is nothing that could ever
// end the wait but the timeout, and a negative timeout is a caller bug; each must WARN once and
// return -EINVAL, and a valid call on a signaled fence must not WARN.
import { lab_assert } from '../../src/kernel/primitives.ts';
import { EINVAL } from '../../src/kernel/dma-fence.ts';
import { mock_fence } from '../lib/mock-driver.ts';
import { expect_one_warn, expect_warnings_total, mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'wait-any-invalid',
  title: 'dma_fence_wait_any_timeout() with no fences or a negative timeout WARNs and returns -EINVAL',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_wait_any_timeout: if (WARN_ON(!fences || !count || timeout < 0)) return -EINVAL; (mj22226/linux @ 9370a5c6, 7.1)',
  allowWarnings: true,
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    const [none] = expect_one_warn(cpu, 'dma_fence_wait_any_timeout(no fences, 1)', (cpu) => fences.dma_fence_wait_any_timeout(cpu, [], false, 1));
    lab_assert(cpu, none === -EINVAL, `dma_fence_wait_any_timeout(no fences) returned ${none}, not -EINVAL`);
    const [negative] = expect_one_warn(cpu, 'dma_fence_wait_any_timeout(f, -1)', (cpu) => fences.dma_fence_wait_any_timeout(cpu, [f], false, -1));
    lab_assert(cpu, negative === -EINVAL, `dma_fence_wait_any_timeout(f, -1) returned ${negative}, not -EINVAL`);
    fences.dma_fence_signal(cpu, f);
    const [ret, idx] = fences.dma_fence_wait_any_timeout(cpu, [f], false, 1);
    lab_assert(cpu, ret > 0 && idx === 0, 'dma_fence_wait_any_timeout() of a signaled fence did not return it');
    expect_warnings_total(cpu, 2);
    fences.dma_fence_put(cpu, f);
  },
});

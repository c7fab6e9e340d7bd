// dma_fence_add_callback() without a function: "if (WARN_ON(!fence || !func)) return -EINVAL;"
// -- the kerneldoc's "-EINVAL in case of error". Nothing may be linked: the signal that follows
// must not call through a NULL function pointer.
import { NULL } from '../../src/kernel/cpu.ts';
import { kfree, lab_assert } from '../../src/kernel/primitives.ts';
import { EINVAL } from '../../src/kernel/dma-fence.ts';
import { mock_fence, simple_cb, simple_cb_alloc } from '../lib/mock-driver.ts';
import { expect_one_warn, expect_warnings_total, mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'add-callback-einval',
  title: 'dma_fence_add_callback() with a NULL func WARNs, returns -EINVAL and links nothing',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_add_callback: if (WARN_ON(!fence || !func)) return -EINVAL; kerneldoc "-EINVAL in case of error" (mj22226/linux @ 9370a5c6, 7.1)',
  allowWarnings: true,
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    const cb = simple_cb_alloc(cpu);
    const ret = expect_one_warn(cpu, 'dma_fence_add_callback(f, cb, NULL)', (cpu) => fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, NULL));
    lab_assert(cpu, ret === -EINVAL, `dma_fence_add_callback(f, cb, NULL) returned ${ret}, not -EINVAL`);
    fences.dma_fence_signal(cpu, f);
    expect_warnings_total(cpu, 1);
    kfree(cpu, cb);
    fences.dma_fence_put(cpu, f);
  },
});

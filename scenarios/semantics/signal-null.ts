// dma_fence_signal(NULL) and dma_fence_signal_timestamp(NULL, t): both start with "if
// (WARN_ON(!fence)) return;" -- a driver signalling a fence it never created gets a WARN, not
// an oops in the lock lookup.
import { NULL } from '../../src/kernel/cpu.ts';
import { ktime_get } from '../../src/kernel/primitives.ts';
import { expect_one_warn, mock_selftest, expect_warnings_total } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'signal-null',
  title: 'dma_fence_signal(NULL) and dma_fence_signal_timestamp(NULL) WARN and return',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_signal and dma_fence_signal_timestamp: if (WARN_ON(!fence)) return; (mj22226/linux @ 9370a5c6, 7.1)',
  allowWarnings: true,
  run(cpu, fences) {
    expect_one_warn(cpu, 'dma_fence_signal(NULL)', (cpu) => fences.dma_fence_signal(cpu, NULL));
    expect_one_warn(cpu, 'dma_fence_signal_timestamp(NULL)', (cpu) => fences.dma_fence_signal_timestamp(cpu, NULL, ktime_get(cpu)));
    expect_warnings_total(cpu, 2);
  },
});

// R12 (kernel-notes section 5): a stale or garbage timestamp after seeing TIMESTAMP.
// dma_fence_timestamp() spins until TIMESTAMP is set ("setting the timestamp can race with
// tasks waiting for the signaling") and then reads fence->timestamp. The writer's set_bit is a
// relaxed RMW (no release) and the reader's test_bit a relaxed load (no acquire), so on a
// weakly ordered CPU the reader can see the bit and still read the word before the timestamp
// store: the cb_list.next pointer bits it overlays in the union.
//
//   CPU0 (signal, lock held)                CPU1 (dma_fence_timestamp, lockless)
//   list_replace(&f->cb_list, &local)
//   f->timestamp = ts            (A)
//   set_bit(TIMESTAMP)           (B)        while (!test_bit(TIMESTAMP)) cpu_relax();  // sees B
//                                           return f->timestamp   // may be pre-A: pointer bits
import { lab_assert } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_driver_load, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

/** ktime_get() in the lab starts at 1 s; anything below is not a time but pointer bits. */
const BOOT_NS = 1_000_000_000;

export default scenario({
  name: 'stale-timestamp',
  title: 'dma_fence_timestamp() racing the signal that writes it',
  source: 'dma_fence_timestamp() comment; sync_file and dma_fence_describe readers; kernel-notes R12',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'xe' });
    return { drv, f: gpu_fence_emit(cpu, fences, drv, 1) };
  },
  threads: [
    { name: 'irq', cpu: 0, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
    {
      name: 'sync_file',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        if (fences.dma_fence_is_signaled(cpu, f)) lab_assert(cpu, fences.dma_fence_timestamp(cpu, f) >= BOOT_NS, 'dma_fence_timestamp() returns the signal time, not cb_list pointer bits');
        fences.dma_fence_put(cpu, f);
      },
    },
  ],
  expect: {
    'current-shared-lock': { sc: 'pass', tso: 'pass', weak: 'violation' },
    'inline-lock': { sc: 'pass', tso: 'pass', weak: 'violation' },
    'inline-lock-ops-check': { sc: 'pass', tso: 'pass', weak: 'violation' },
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': { sc: 'pass', tso: 'pass', weak: 'violation' },
  },
});

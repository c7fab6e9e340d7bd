// R18 (kernel-notes section 5): lost or doubled callbacks, add/remove against signal. Every
// add, remove and run of cb_list happens under the fence lock and SIGNALED is decided again
// under it, so exactly one of {callback ran, removed} holds for a callback that was added, and
// none for one that was refused with -ENOENT. The kernel's rm_callback/late_rm_callback tests
// and race_signal_callback's "__wait_for_callbacks" rest on this.
//
//   CPU0 add_callback / remove_callback      CPU1 signal
//   test_bit(SIG) -> 0
//                                            lock; RMW SIG; stash; run cbs; unlock
//   lock; re-check SIG -> 1 => -ENOENT
import { READ_ONCE, WRITE_ONCE, kfree, kzalloc, lab_assert } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { consumer_cb, consumer_race_setup, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'add-remove-vs-signal',
  title: 'add_callback then remove_callback against a concurrent signal: exactly once or never',
  source: 'dma_fence_add_callback()/remove_callback() kerneldoc; st-dma-fence.c rm_callback tests; kernel-notes R18',
  group: 'races',
  setup: (cpu, fences) => ({ ...consumer_race_setup(cpu, fences, { name: 'drm_sched' }), result: kzalloc(cpu, 2) }),
  threads: [
    {
      name: 'consumer',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { f, consumer, cb, result }) {
        const added = fences.dma_fence_add_callback(cpu, f, cb + consumer_cb.base, consumer.mark_seen) === 0;
        WRITE_ONCE(cpu, result, added ? 1 : 0);
        if (added) WRITE_ONCE(cpu, result + 1, fences.dma_fence_remove_callback(cpu, f, cb + consumer_cb.base) ? 1 : 0);
      },
    },
    { name: 'irq', cpu: 1, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 1) },
  ],
  teardown(cpu, fences, { f, cb, result }) {
    const added = READ_ONCE(cpu, result) === 1;
    const removed = READ_ONCE(cpu, result + 1) === 1;
    const ran = READ_ONCE(cpu, cb + consumer_cb.seen) === 1;
    lab_assert(cpu, added ? ran !== removed : !ran, `an added callback runs exactly once unless removed (added ${added}, removed ${removed}, ran ${ran})`);
    fences.dma_fence_put(cpu, f);
    kfree(cpu, cb);
    kfree(cpu, result);
  },
  expect: {
    'current-shared-lock': 'pass',
    'inline-lock': 'pass',
    'inline-lock-ops-check': 'pass',
    'locked-reads': 'pass',
    'barrier-lockless': 'pass',
    'barrier-lockless-bit-at-end': 'pass',
    'unlocked-enable-signaling': 'pass',
  },
});

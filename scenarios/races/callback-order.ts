// R17 (kernel-notes section 5): callbacks of one context run out of emission order. Seed 004
// (Christian König): "fences emitted in the order A,B,C call their installed callbacks in the
// order B, C, A ... fence C can signal because somebody queried it's state while A and B
// still wait for their interrupt." Not a bug but an allowed outcome every design shares, so a
// semantic test must never assert cross-fence callback order. The scenario asserts the order
// anyway, to show the outcome is reached: a violation is the expected verdict everywhere.
//
//   CPU0 (poller)                            CPU1 (IRQ handler, later)
//   dma_fence_is_signaled(C):
//     ops->signaled(C) -> hw seqno >= 3
//     dma_fence_signal(C) -> C's callback
//                                            signal(A); signal(B)   -- in seqno order
import type { Ptr } from '../../src/kernel/cpu.ts';
import { READ_ONCE, WRITE_ONCE, kfree, kzalloc, lab_assert } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { consumer_cb, consumer_load, gpu_driver_load, gpu_fctx, gpu_fence_emit, gpu_irq_complete } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'callback-order',
  title: 'callbacks of fences A, B, C of one context run in the order B, C, A (allowed, and reached)',
  source: 'seed 004 (Christian König, "rework the enable_signaling handling"); kernel-notes R17',
  group: 'races',
  demonstrates: 'allowed-outcome',
  reading: 'callbacks of one context may run out of emission order',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'radeon', signaledOp: true });
    const consumer = consumer_load(cpu);
    const fs: { f: Ptr; cb: Ptr }[] = [];
    for (const seqno of [1, 2, 3]) {
      const f = gpu_fence_emit(cpu, fences, drv, seqno);
      const cb = kzalloc(cpu, consumer_cb);
      fences.dma_fence_add_callback(cpu, f, cb + consumer_cb.base, consumer.record_order);
      fs.push({ f, cb });
    }
    return { drv, consumer, fs };
  },
  threads: [
    {
      name: 'gpu',
      cpu: 0,
      context: 'process',
      run(cpu, _fences, { drv }) {
        WRITE_ONCE(cpu, drv.fctx + gpu_fctx.hw_seqno, 3); // the ring finished all three
      },
    },
    { name: 'poller', cpu: 1, context: 'process', run: (cpu, fences, { fs }) => fences.dma_fence_is_signaled(cpu, fs[2]!.f) },
    { name: 'irq', cpu: 2, context: 'hardirq', run: (cpu, fences, { drv }) => gpu_irq_complete(cpu, fences, drv, 3) },
  ],
  teardown(cpu, fences, { fs }) {
    const order: number[] = [];
    for (const { cb } of fs) order.push(READ_ONCE(cpu, cb + consumer_cb.seen));
    for (const { f, cb } of fs) {
      fences.dma_fence_put(cpu, f);
      kfree(cpu, cb);
    }
    lab_assert(cpu, order[0]! < order[1]! && order[1]! < order[2]!, `callbacks ran in emission order (they ran as ${order.join(', ')})`);
  },
  expect: {
    'current-shared-lock': 'violation',
    'inline-lock': 'violation',
    'inline-lock-ops-check': 'violation',
    'locked-reads': 'violation',
    'barrier-lockless': 'violation',
    'barrier-lockless-bit-at-end': 'violation',
    'unlocked-enable-signaling': 'violation',
  },
});

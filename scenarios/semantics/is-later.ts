// dma_fence_is_later(f1, f2): "Returns true if f1 is chronologically later than f2. Both fences
// must be from the same context" -- "if (WARN_ON(f1->context != f2->context)) return false;".
// Within a context the comparison is __dma_fence_is_later(): 32-bit wrapping for fences from
// dma_fence_init() ("backward compatibility with drivers which can only handle 32bit sequence
// numbers"), a plain 64-bit compare for dma_fence_init64() (DMA_FENCE_FLAG_SEQNO64_BIT).
import { lab_assert } from '../../src/kernel/primitives.ts';
import { dma_fence } from '../../src/kernel/dma-fence.ts';
import { kzalloc } from '../../src/kernel/primitives.ts';
import { NULL } from '../../src/kernel/cpu.ts';
import { scenario } from '../../src/scenario.ts';
import { design_of, mock_driver_load, mock_fence } from '../lib/mock-driver.ts';
import { EVERY_DESIGN_PASSES, expect_one_warn, expect_warnings_total } from '../lib/semantics.ts';

const U32_MAX = 0xffffffff;

export default scenario({
  name: 'is-later',
  title: 'dma_fence_is_later(): seqno order in one context (32-bit wrap, 64-bit flag); other contexts WARN and are never later',
  source: 'include/linux/dma-fence.h dma_fence_is_later: if (WARN_ON(f1->context != f2->context)) return false; __dma_fence_is_later (akiyks/linux @ 6da37262, 7.1)',
  group: 'semantics',
  allowWarnings: true,
  setup(cpu, fences) {
    return { a: mock_driver_load(cpu, fences, { name: 'a' }), b: mock_driver_load(cpu, fences, { name: 'b' }) };
  },
  threads: [
    {
      name: 'selftest',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { a, b }) {
        const a1 = mock_fence(cpu, fences, a, 1);
        const a2 = mock_fence(cpu, fences, a, 2);
        lab_assert(cpu, fences.dma_fence_is_later(cpu, a2, a1) && !fences.dma_fence_is_later(cpu, a1, a2), 'seqno 2 is not later than seqno 1 in one context');
        lab_assert(cpu, !fences.dma_fence_is_later(cpu, a1, a1), 'a fence is later than itself');
        // 32-bit seqnos wrap: 1 comes after 0xffffffff
        const aWrap = mock_fence(cpu, fences, a, U32_MAX);
        lab_assert(cpu, fences.dma_fence_is_later(cpu, a1, aWrap), 'seqno 1 is not later than 0xffffffff for a 32-bit fence (wrap)');
        // dma_fence_init64: a plain 64-bit compare
        const lock = design_of(fences).lockModel === 'inline' ? NULL : a.lock;
        const w1 = kzalloc(cpu, dma_fence);
        const wMax = kzalloc(cpu, dma_fence);
        fences.dma_fence_init64(cpu, w1, a.ops, lock, a.context, 1);
        fences.dma_fence_init64(cpu, wMax, a.ops, lock, a.context, U32_MAX);
        lab_assert(cpu, fences.dma_fence_is_later(cpu, wMax, w1) && !fences.dma_fence_is_later(cpu, w1, wMax), '64-bit seqnos compared with 32-bit wrapping');
        expect_warnings_total(cpu, 0);
        // fences of two contexts: WARN, and never "later"
        const b1 = mock_fence(cpu, fences, b, 1);
        const later = expect_one_warn(cpu, 'dma_fence_is_later() across contexts', (cpu) => fences.dma_fence_is_later(cpu, a2, b1));
        lab_assert(cpu, !later, 'dma_fence_is_later() across contexts returned true');
        expect_warnings_total(cpu, 1);
        for (const f of [a1, a2, aWrap, w1, wMax, b1]) fences.dma_fence_put(cpu, f);
      },
    },
  ],
  expect: EVERY_DESIGN_PASSES,
});

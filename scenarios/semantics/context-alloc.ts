// dma_fence_context_alloc(num): "This function will return the first index of the number of
// fence contexts allocated" -- one atomic64_fetch_add on the global counter, so allocations made
// at the same time on two CPUs get disjoint ranges (fences of different contexts must never be
// compared as if they were one timeline), all above 0, the stub fence's context. And
// "WARN_ON(!num)": allocating no context is a caller bug.
import { kfree, kzalloc, lab_assert, load, store } from '../../src/kernel/primitives.ts';
import type { Ptr } from '../../src/kernel/cpu.ts';
import { scenario } from '../../src/scenario.ts';
import { EVERY_DESIGN_PASSES, expect_one_warn } from '../lib/semantics.ts';

/** Each thread's first context, and how many it took. */
const RANGES = [{ cpu: 0, num: 2 }, { cpu: 1, num: 1 }];

export default scenario<{ first: Ptr }>({
  name: 'context-alloc',
  title: 'concurrent dma_fence_context_alloc() calls get disjoint ranges; num == 0 WARNs',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_context_alloc: WARN_ON(!num); return atomic64_fetch_add(num, &dma_fence_context_counter); and its kerneldoc (mj22226/linux @ 9370a5c6, 7.1)',
  group: 'semantics',
  allowWarnings: true,
  setup(cpu) {
    return { first: kzalloc(cpu, RANGES.length) };
  },
  threads: RANGES.map(({ cpu: n, num }, i) => ({
    name: `alloc${num}`,
    cpu: n,
    context: 'process' as const,
    run(cpu, fences, { first }) {
      store(cpu, first + i, fences.dma_fence_context_alloc(cpu, num));
    },
  })),
  teardown(cpu, fences, { first }) {
    const [a, b] = [load(cpu, first), load(cpu, first + 1)];
    lab_assert(cpu, a > 0 && b > 0, 'a context allocation returned 0, the stub fence\'s context');
    lab_assert(cpu, a + RANGES[0]!.num <= b || b + RANGES[1]!.num <= a, `context ranges overlap: [${a}, ${a + RANGES[0]!.num}) and [${b}, ${b + RANGES[1]!.num})`);
    expect_one_warn(cpu, 'dma_fence_context_alloc(0)', (cpu) => fences.dma_fence_context_alloc(cpu, 0));
    kfree(cpu, first);
  },
  expect: EVERY_DESIGN_PASSES,
});

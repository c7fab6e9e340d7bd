// st-dma-fence.c test_stub (kernel-notes 6.1 #11): dma_fence_get_stub() hands out the one
// static stub fence, signaled at boot, 64 times over; every reference is signaled and the puts
// balance the gets (the stub is never released).
import type { Ptr } from '../../src/kernel/cpu.ts';
import { lab_assert } from '../../src/kernel/primitives.ts';
import { dma_fence } from '../../src/kernel/dma-fence.ts';
import { kref_read } from '../../src/kernel/lib/kref.ts';
import { scenario } from '../../src/scenario.ts';
import { EVERY_DESIGN_PASSES } from '../lib/semantics.ts';

const STUBS = 64;

export default scenario({
  name: 'stub',
  title: '64 references to the stub fence, each signaled, puts balanced',
  source: 'drivers/dma-buf/st-dma-fence.c test_stub (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #11',
  group: 'semantics',
  setup(cpu, fences) {
    return { stub: fences.core.data['dma_fence_stub']! };
  },
  threads: [
    {
      name: 'selftest',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { stub }) {
        const refs = kref_read(cpu, stub + dma_fence.refcount);
        const f: Ptr[] = [];
        for (let i = 0; i < STUBS; i++) {
          f.push(fences.dma_fence_get_stub(cpu));
          lab_assert(cpu, fences.dma_fence_is_signaled(cpu, f[i]!), 'Obtained unsignaled stub fence!');
        }
        for (let i = STUBS - 1; i >= 0; i--) fences.dma_fence_put(cpu, f[i]!);
        lab_assert(cpu, kref_read(cpu, stub + dma_fence.refcount) === refs, 'stub fence references do not balance');
      },
    },
  ],
  expect: EVERY_DESIGN_PASSES,
});

// R20 (kernel-notes section 5): the core signals a fence behind the driver's back. Philipp
// Stanner 2025 (08418: "dma_fence_is_signaled() can signal the fence without removing it from
// the list. This enables accesses to already signalled fences through the list"); seed 000
// ("That would not fix the cleanup race in Nouveau"). A poller's dma_fence_is_signaled() asks
// ops->signaled, finds the hardware done and signals; the fence stays on the driver's pending
// list, and the driver's own context-kill path then sets an error on a signaled fence.
//
//   CPU0 (anyone)                            CPU1 (nouveau_fence_context_kill, fctx->lock)
//   dma_fence_is_signaled(f):
//     ops->signaled(f) -> true
//     dma_fence_signal(f)   // f stays on fctx->pending
//                                            dma_fence_set_error(f, -ENODEV) -> WARN: signaled
import { ENODEV } from '../../src/kernel/dma-fence.ts';
import { WRITE_ONCE } from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { gpu_context_kill, gpu_driver_load, gpu_fctx, gpu_fence_emit } from '../lib/gpu-driver.ts';

export default scenario({
  name: 'signal-behind-driver',
  title: 'dma_fence_is_signaled() signals a fence the driver still has pending',
  source: 'Philipp Stanner 2025 (08418), Christian König (08386/08383), seed 000; June 2026 cover letter (00352); kernel-notes R20',
  group: 'races',
  setup(cpu, fences) {
    const drv = gpu_driver_load(cpu, fences, { name: 'nouveau', signaledOp: true });
    const f = gpu_fence_emit(cpu, fences, drv, 1);
    WRITE_ONCE(cpu, drv.fctx + gpu_fctx.hw_seqno, 1); // the ring finished; no interrupt yet
    return { drv, f };
  },
  threads: [
    {
      name: 'poller',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { f }) {
        fences.dma_fence_is_signaled(cpu, f);
        fences.dma_fence_put(cpu, f);
      },
    },
    { name: 'context-kill', cpu: 1, context: 'process', run: (cpu, fences, { drv }) => gpu_context_kill(cpu, fences, drv, -ENODEV) },
  ],
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

// st-dma-fence.c test_signaling (kernel-notes 6.1 #2), in its current form: an enabled fence
// is not signaled; dma_fence_check_and_signal() reports "was not signaled" and signals it;
// afterwards the fence reports signaled through both queries, a second check_and_signal
// reports "already signaled" (the older form's second dma_fence_signal() returning nonzero),
// and -- the assertion Christian König's "test RCU ops and inline lock" selftest added -- the
// fence's ops are gone.
//
// Only designs that detach (static detachesOps) NULL the ops at signal. Design (a) has no
// detach: for it the "ops cleared" assertion is the one skipped, and the scenario checks the
// opposite instead (the ops stayed), so the declaration is tested both ways.
import { NULL } from '../../src/kernel/cpu.ts';
import { lab_assert, rcu_access_pointer } from '../../src/kernel/primitives.ts';
import { dma_fence } from '../../src/kernel/dma-fence.ts';
import { design_of, mock_fence } from '../lib/mock-driver.ts';
import { mock_selftest } from '../lib/semantics.ts';

export default mock_selftest({
  name: 'signaling',
  title: 'check_and_signal reports the transition once; signaled afterwards; ops cleared (designs that detach only)',
  source: 'drivers/dma-buf/st-dma-fence.c test_signaling (intel-lab-lkp/linux @ 0939deec; RCU-ops/inline-lock form 20260219160822.1529-*); kernel-notes 6.1 #2',
  run(cpu, fences, drv) {
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    lab_assert(cpu, !fences.dma_fence_is_signaled(cpu, f), 'Fence unexpectedly signaled on creation');
    lab_assert(cpu, !fences.dma_fence_check_and_signal(cpu, f), 'Fence reported being already signaled');
    lab_assert(cpu, fences.dma_fence_is_signaled(cpu, f), 'Fence not reporting signaled');
    lab_assert(cpu, fences.dma_fence_test_signaled_flag(cpu, f), 'Fence not reporting signaled (test_signaled_flag)');
    lab_assert(cpu, fences.dma_fence_check_and_signal(cpu, f), 'Fence reported not being already signaled');
    const ops = rcu_access_pointer(cpu, f + dma_fence.ops);
    if (design_of(fences).detachesOps) lab_assert(cpu, ops === NULL, 'Fence ops not cleared on signal (the design declares detachesOps)');
    else lab_assert(cpu, ops === drv.ops, 'Fence ops changed on signal in a design without detach (the "ops cleared" check is skipped for it)');
    fences.dma_fence_put(cpu, f);
  },
});

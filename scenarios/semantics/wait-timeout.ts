// st-dma-fence.c test_wait_timeout (kernel-notes 6.1 #10): a one-jiffy wait on a pending fence
// times out (0); with a timer armed to signal the fence one jiffy later, a wait of HZ returns
// early with the jiffies left (> 0).
//
// The kernel arms a timer_list; here the timer is a thread on CPU1 that sleeps until jiffy 2,
// one jiffy after the first wait timed out at jiffy 1 (time passes only when every thread
// sleeps, so the first wait always expires first), then signals the fence, as wait_timer()
// does. Like the kernel's timer it holds no reference: the test's own put may overlap the tail
// of its dma_fence_signal(), which RCU-deferred freeing covers. The kernel's escape ("Timer did
// not fire within the jiffie!", a skip) cannot happen in the lab's exact time, so the early
// return is asserted outright.
import {
  TASK_UNINTERRUPTIBLE, lab_assert, schedule_timeout, set_current_state,
} from '../../src/kernel/primitives.ts';
import { scenario } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence } from '../lib/mock-driver.ts';
import { EVERY_DESIGN_PASSES, HZ } from '../lib/semantics.ts';

export default scenario({
  name: 'wait-timeout',
  title: 'a 1-jiffy wait times out; a wait of HZ returns early when a timer signals after 1 jiffy',
  source: 'drivers/dma-buf/st-dma-fence.c test_wait_timeout (intel-lab-lkp/linux @ 0939deec; timeout HZ since 20251211122407.1709-5); kernel-notes 6.1 #10',
  group: 'semantics',
  setup(cpu, fences) {
    const drv = mock_driver_load(cpu, fences);
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    return { f };
  },
  threads: [
    {
      name: 'selftest',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { f }) {
        lab_assert(cpu, fences.dma_fence_wait_timeout(cpu, f, false, 1) === 0, 'Wait reported complete before being signaled');
        // mod_timer(&wt.timer, jiffies + 1): the timer thread is due at jiffy 2
        lab_assert(cpu, fences.dma_fence_wait_timeout(cpu, f, false, HZ) > 0, 'Wait reported incomplete after timeout');
        fences.dma_fence_signal(cpu, f);
        fences.dma_fence_put(cpu, f);
      },
    },
    {
      name: 'timer',
      cpu: 1,
      context: 'process',
      run(cpu, fences, { f }) {
        set_current_state(cpu, TASK_UNINTERRUPTIBLE);
        schedule_timeout(cpu, 2);
        fences.dma_fence_signal(cpu, f); // wait_timer()
      },
    },
  ],
  expect: EVERY_DESIGN_PASSES,
});

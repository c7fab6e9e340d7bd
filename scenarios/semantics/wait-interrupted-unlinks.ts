// An interruptible dma_fence_wait() that a signal interrupts returns -ERESTARTSYS and, like a
// timed-out one, first takes its on-stack wake-up callback off the fence: the loop of
// dma_fence_default_wait() turns a wake-up with signal_pending() into ret = -ERESTARTSYS, leaves,
// and "if (!list_empty(&cb.base.node)) list_del(&cb.base.node)" runs before the unlock. The
// fence is signalled only after the wait returned, so a callback left linked is a
// use-after-free in the signal.
//
// The sender sleeps a jiffy before it sends: time passes only when every thread sleeps, so the
// waiter is then asleep in the wait (the path that must unlink). On native threads the
// signal may come earlier; every path still returns -ERESTARTSYS (a pending signal at entry, or
// __schedule() not sleeping with one pending).
import type { Ptr } from '../../src/kernel/cpu.ts';
import { NULL } from '../../src/kernel/cpu.ts';
import {
  READ_ONCE, TASK_UNINTERRUPTIBLE, WRITE_ONCE, current, kfree, kzalloc, lab_assert, schedule_timeout, set_current_state,
} from '../../src/kernel/primitives.ts';
import { ERESTARTSYS } from '../../src/kernel/dma-fence.ts';
import { send_sig } from '../../src/kernel/lib/signal.ts';
import { scenario } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence, simple_cb, simple_cb_alloc, type MockDriver } from '../lib/mock-driver.ts';
import { EVERY_DESIGN_PASSES } from '../lib/semantics.ts';

interface Shared {
  drv: MockDriver;
  f: Ptr;
  /** the waiter's task_struct, for the sender */
  waiter: Ptr;
}

export default scenario<Shared>({
  name: 'wait-interrupted-unlinks',
  title: 'an interruptible wait interrupted by a signal returns -ERESTARTSYS and unlinks its wake-up callback',
  source: 'drivers/dma-buf/dma-fence.c dma_fence_default_wait: "if (ret > 0 && intr && signal_pending(current)) ret = -ERESTARTSYS;" then list_del(&cb.base.node); dma_fence_wait_timeout kerneldoc "Returns -ERESTARTSYS if interrupted" (mj22226/linux @ 9370a5c6, 7.1)',
  group: 'semantics',
  setup(cpu, fences) {
    const drv = mock_driver_load(cpu, fences);
    const f = mock_fence(cpu, fences, drv);
    fences.dma_fence_enable_sw_signaling(cpu, f);
    return { drv, f, waiter: kzalloc(cpu, 1) };
  },
  threads: [
    {
      name: 'waiter',
      cpu: 0,
      context: 'process',
      run(cpu, fences, { drv, f, waiter }) {
        WRITE_ONCE(cpu, waiter, current(cpu));
        lab_assert(cpu, fences.dma_fence_wait(cpu, f, true) === -ERESTARTSYS, 'interrupted wait did not return -ERESTARTSYS');
        const cb = simple_cb_alloc(cpu);
        lab_assert(cpu, fences.dma_fence_add_callback(cpu, f, cb + simple_cb.cb, drv.simple_callback) === 0, 'Failed to add callback');
        fences.dma_fence_signal(cpu, f);
        lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.calls) === 1, 'callback added after the interrupted wait did not run exactly once');
        kfree(cpu, cb);
      },
    },
    {
      name: 'sender',
      cpu: 1,
      context: 'process',
      run(cpu, _fences, { waiter }) {
        let task = NULL;
        while (task === NULL) {
          set_current_state(cpu, TASK_UNINTERRUPTIBLE);
          schedule_timeout(cpu, 1); // simulated: once (the waiter is asleep by then); native: until it started
          task = READ_ONCE(cpu, waiter);
        }
        send_sig(cpu, task);
      },
    },
  ],
  teardown(cpu, fences, { f, waiter }) {
    fences.dma_fence_put(cpu, f);
    kfree(cpu, waiter);
  },
  expect: EVERY_DESIGN_PASSES,
});

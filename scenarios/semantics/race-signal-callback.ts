// st-dma-fence.c race_signal_callback / thread_signal_callback (kernel-notes 6.1 #12): two
// threads each publish a fence of their own, take a reference to the other's through
// dma_fence_get_rcu_safe(), add a callback to it and signal their own -- before adding the
// callback in one pass, after it in the other. If dma_fence_add_callback() returned 0, then once
// dma_fence_wait() has returned and the fence lock was taken and dropped
// (__wait_for_callbacks), the callback must have run: otherwise "Callback not seen", a lost
// callback. The RCU publication also runs dma_fence_get_rcu_safe() against the other thread's
// final put and free, where the use-after-free checks must stay silent.
//
// The kernel loops each pass for 50 ms on two kthreads; the model checker runs one iteration
// per thread and explores the interleavings instead. Thread 0 signals after adding its
// callback (the kernel's pass 0) and thread 1 before (pass 1), so one exploration covers each
// side of both orders. The kernel's "do f2 = dma_fence_get_rcu_safe(...) while (!f2 &&
// !kthread_should_stop())" only waits for the other kthread to start; here it is one attempt,
// and finding no fence is a miss (the selftest counts those too), as if kthread_stop() had
// come. The exploration still covers every schedule in which the other fence is there, without
// a spin loop that would make every schedule's length unbounded.
import type { Cpu, Ptr } from '../../src/kernel/cpu.ts';
import { NULL } from '../../src/kernel/cpu.ts';
import {
  READ_ONCE, kfree, kzalloc, lab_assert, load, rcu_assign_pointer, rcu_read_lock, rcu_read_unlock, smp_store_mb,
  smp_wmb, store,
} from '../../src/kernel/primitives.ts';
import { scenario, type Fences } from '../../src/scenario.ts';
import { mock_driver_load, mock_fence, simple_cb, type MockDriver } from '../lib/mock-driver.ts';
import { EVERY_DESIGN_PASSES } from '../lib/semantics.ts';

interface Race {
  drv: MockDriver;
  /** struct dma_fence __rcu *f[2] */
  slots: Ptr;
}

/** __wait_for_callbacks(): the fence lock is held while callbacks run; take and drop it. */
function wait_for_callbacks(cpu: Cpu, fences: Fences, f: Ptr): void {
  const irqflags = fences.dma_fence_lock_irqsave(cpu, f);
  fences.dma_fence_unlock_irqrestore(cpu, f, irqflags);
}

function thread_signal_callback(cpu: Cpu, fences: Fences, t: Race, id: number, before: boolean): void {
  const f1 = mock_fence(cpu, fences, t.drv);
  fences.dma_fence_enable_sw_signaling(cpu, f1);
  rcu_assign_pointer(cpu, t.slots + id, f1);
  smp_wmb(cpu);

  rcu_read_lock(cpu);
  const f2 = fences.dma_fence_get_rcu_safe(cpu, t.slots + (1 - id)); // one attempt: see the header
  rcu_read_unlock(cpu);

  if (before) fences.dma_fence_signal(cpu, f1);

  const cb = kzalloc(cpu, simple_cb); // struct simple_cb cb; on the kthread's stack
  smp_store_mb(cpu, cb + simple_cb.seen, 0);
  if (f2 === NULL || fences.dma_fence_add_callback(cpu, f2, cb + simple_cb.cb, t.drv.simple_callback) !== 0) {
    store(cpu, cb + simple_cb.seen, 1); // miss++
  }

  if (!before) fences.dma_fence_signal(cpu, f1);

  if (!load(cpu, cb + simple_cb.seen)) {
    fences.dma_fence_wait(cpu, f2, false);
    wait_for_callbacks(cpu, fences, f2);
  }
  lab_assert(cpu, READ_ONCE(cpu, cb + simple_cb.seen) === 1, `Callback not seen on thread ${id}, signaling ${before ? 'before' : 'after'} add_callback`);

  fences.dma_fence_put(cpu, f2);
  rcu_assign_pointer(cpu, t.slots + id, NULL);
  smp_wmb(cpu);
  fences.dma_fence_put(cpu, f1);
  kfree(cpu, cb);
}

export default scenario<Race>({
  name: 'race-signal-callback',
  title: 'two threads add callbacks to each other\'s fence while signalling their own: no lost callback',
  source: 'drivers/dma-buf/st-dma-fence.c race_signal_callback (intel-lab-lkp/linux @ 0939deec); kernel-notes 6.1 #12, R18',
  group: 'semantics',
  setup(cpu, fences) {
    return { drv: mock_driver_load(cpu, fences), slots: kzalloc(cpu, 2) };
  },
  threads: [
    { name: 'dma-fence:0', cpu: 0, context: 'process', run: (cpu, fences, t) => thread_signal_callback(cpu, fences, t, 0, false) },
    { name: 'dma-fence:1', cpu: 1, context: 'process', run: (cpu, fences, t) => thread_signal_callback(cpu, fences, t, 1, true) },
  ],
  teardown(cpu, _fences, t) {
    kfree(cpu, t.slots);
  },
  expect: EVERY_DESIGN_PASSES,
});

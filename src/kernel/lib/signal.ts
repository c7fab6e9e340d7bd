// kernel/signal.c, the part a fence waiter sees: send_sig() sets TIF_SIGPENDING on the task and
// wakes it if it sleeps interruptibly (signal_wake_up_state -> wake_up_state(t, TASK_INTERRUPTIBLE),
// a full barrier before it reads the task state). The woken task's signal_pending() is then
// true, so an interruptible dma_fence_wait() returns -ERESTARTSYS; a task that sets
// TASK_INTERRUPTIBLE after the wake does not go to sleep at all (the simulated and the native
// schedule_timeout check, as __schedule() does).

import type { Cpu, Ptr } from '../cpu.ts';
import { TASK_INTERRUPTIBLE, WRITE_ONCE, wake_up_state } from '../primitives.ts';
import { task_struct } from '../dma-fence.ts';

export function send_sig(cpu: Cpu, task: Ptr): void {
  WRITE_ONCE(cpu, task + task_struct.sigpending, 1);
  wake_up_state(cpu, task, TASK_INTERRUPTIBLE);
}

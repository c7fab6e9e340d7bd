// The interrupt-load floor: not a proposal, the least synchronization a fence can get away with,
// so every design's interrupt-load figures read as a multiple of it (as the micro figures read
// against a bare Atomics loop). No lock anywhere on the fence paths:
//   - callbacks are a lock-free stack in cb_list.next (an llist): add = compare-exchange push;
//     signal = test_and_set_bit(SIGNALED), then exchange the stack for a "signaled" mark and run
//     what it held (a late add sees the mark, or SIGNALED, and returns -ENOENT);
//   - is_signaled and test_signaled_flag are one test_bit;
//   - a waiter pushes a wake-up callback and sleeps; the callback marks itself done before it
//     wakes the task, so the waiter frees it only once the signaler is finished with it.
// No timestamps (cb_list and timestamp share a word), no ops->enable_signaling or ->signaled.
// The benchmark driver uses only what is overridden here plus get/put/init from design (a).

import type { Cpu, Ptr } from '../../src/kernel/cpu.ts';
import {
  ERESTARTSYS, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, DMA_FENCE_FLAG_SIGNALED_BIT, ENOENT, dma_fence, dma_fence_cb,
} from '../../src/kernel/dma-fence.ts';
import {
  READ_ONCE, TASK_INTERRUPTIBLE, TASK_NORMAL, TASK_RUNNING, TASK_UNINTERRUPTIBLE, WRITE_ONCE, __set_current_state, call,
  cmpxchg, cpu_relax, current, kfree, kzalloc, load, module_load, schedule_timeout, set_bit, set_current_state,
  signal_pending, store, test_and_set_bit, test_bit, wake_up_state, xchg,
} from '../../src/kernel/primitives.ts';
import { defineStruct } from '../../src/kernel/struct.ts';
import type { LoadedModule } from '../../src/kernel/cpu.ts';
import CurrentSharedLock from '../../variants/current-shared-lock.ts';

const SIGNALED_MARK = 1;
const floor_wait_cb = defineStruct('floor_wait_cb', 'floor_wait_cb', [{ struct: dma_fence_cb, name: 'base' }, 'task', 'done']);

const flags = (f: Ptr): Ptr => f + dma_fence.flags;

export default class FenceFloor extends CurrentSharedLock {
  static override title = 'floor: lock-free signal, callbacks and reads';
  static override summary = 'The least synchronization a fence can have; the interrupt-load figures of the designs read against it.';
  static override source = 'bench/irq-load/floor-design.ts (not a proposal)';

  floor!: LoadedModule;

  override dma_buf_init(cpu: Cpu): void {
    super.dma_buf_init(cpu);
    this.floor = module_load(cpu, { name: 'fence-floor', functions: { floor_wait_cb: this.floor_wait_cb.bind(this) } });
  }

  override dma_fence_is_signaled(cpu: Cpu, fence: Ptr): boolean {
    return test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence));
  }

  override dma_fence_signal_timestamp_locked(cpu: Cpu, fence: Ptr, _timestamp: number): void {
    if (test_and_set_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) return;
    const head = fence + dma_fence.cb_list;
    let cur = xchg(cpu, head, SIGNALED_MARK);
    while (cur !== head && cur !== SIGNALED_MARK) {
      const next = load(cpu, cur + dma_fence_cb['node.next']);
      WRITE_ONCE(cpu, cur + dma_fence_cb['node.next'], cur);
      call(cpu, load(cpu, cur + dma_fence_cb.func), fence, cur);
      cur = next;
    }
  }

  override dma_fence_signal(cpu: Cpu, fence: Ptr): void {
    this.dma_fence_signal_timestamp_locked(cpu, fence, 0);
  }

  override dma_fence_signal_locked(cpu: Cpu, fence: Ptr): void {
    this.dma_fence_signal_timestamp_locked(cpu, fence, 0);
  }

  override dma_fence_enable_sw_signaling(cpu: Cpu, fence: Ptr): void {
    set_bit(cpu, DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, flags(fence));
  }

  override dma_fence_add_callback(cpu: Cpu, fence: Ptr, cb: Ptr, func: Ptr): number {
    store(cpu, cb + dma_fence_cb.func, func);
    const head = fence + dma_fence.cb_list;
    // llist_add(): a failed compare-exchange returns the head that beat us, so a retry does not
    // read the line again (try_cmpxchg)
    let h = READ_ONCE(cpu, head);
    for (;;) {
      if (h === SIGNALED_MARK) {
        WRITE_ONCE(cpu, cb + dma_fence_cb['node.next'], cb);
        return -ENOENT;
      }
      store(cpu, cb + dma_fence_cb['node.next'], h);
      const seen = cmpxchg(cpu, head, h, cb);
      if (seen === h) return 0;
      h = seen;
    }
  }

  floor_wait_cb(cpu: Cpu, _fence: Ptr, cb: Ptr): void {
    const task = load(cpu, cb + floor_wait_cb.task);
    WRITE_ONCE(cpu, cb + floor_wait_cb.done, 1);
    wake_up_state(cpu, task, TASK_NORMAL);
  }

  override dma_fence_default_wait(cpu: Cpu, fence: Ptr, intr: boolean, timeout: number): number {
    let ret = timeout !== 0 ? timeout : 1;
    if (test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, flags(fence))) return ret;
    const cb = kzalloc(cpu, floor_wait_cb);
    store(cpu, cb + floor_wait_cb.task, current(cpu));
    if (this.dma_fence_add_callback(cpu, fence, cb, this.floor.fn['floor_wait_cb']!) !== 0) {
      kfree(cpu, cb);
      return ret;
    }
    for (;;) {
      set_current_state(cpu, intr ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
      if (READ_ONCE(cpu, cb + floor_wait_cb.done) !== 0) break;
      if (intr && signal_pending(cpu)) {
        ret = -ERESTARTSYS;
        break;
      }
      ret = schedule_timeout(cpu, ret);
      if (ret === 0) break;
    }
    __set_current_state(cpu, TASK_RUNNING);
    if (ret > 0) {
      while (READ_ONCE(cpu, cb + floor_wait_cb.done) === 0) cpu_relax(cpu);
      kfree(cpu, cb);
    }
    // interrupted or timed out: the callback stays on the lock-free stack (leaked on purpose)
    return ret;
  }
}

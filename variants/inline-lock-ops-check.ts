// inline-lock-ops-check: 7.1 with Philipp Stanner's "dma-buf: dma-fence: Fix potential NULL
// pointer dereference" v2 (2026-06-29, applied to drm-misc-fixes; kernel-notes R3 and 4.b
// item 5). dma_fence_driver_name() and dma_fence_timeline_name() decided by the SIGNALED flag
// whether to call through the ops they had just loaded; on a weakly ordered CPU the flag load
// may be satisfied before the ops load, so a reader can see ops == NULL with SIGNALED clear
// and call through NULL (the sashiko report André Draszik forwarded). v1 added an smp_rmb()
// between the loads; v2, applied, tests the pointer itself: "The pointer is either NULL, or
// cannot become NULL while it is being used thanks to RCU".

import type { Cpu, Ptr } from '../src/kernel/cpu.ts';
import { NULL } from '../src/kernel/cpu.ts';
import { call, load, rcu_dereference } from '../src/kernel/primitives.ts';
import { dma_fence, dma_fence_ops } from '../src/kernel/dma-fence.ts';
import InlineLock from './inline-lock.ts';

export default class InlineLockOpsCheck extends InlineLock {
  static override title = '7.1 with the name-getter NULL check (if (ops))';
  static override summary =
    'The 7.1 design with the June 2026 fix: dma_fence_driver_name() and dma_fence_timeline_name() call the driver only if the RCU-protected ops pointer they loaded is not NULL, instead of trusting the SIGNALED flag, which a weakly ordered reader may see out of order with the detach.';
  static override source =
    'Philipp Stanner, "dma-buf: dma-fence: Fix potential NULL pointer dereference" v2, 2026-06-29 (drm-misc-fixes); kernel-notes R3';

  /** Caller holds rcu_read_lock. */
  override dma_fence_driver_name(cpu: Cpu, fence: Ptr): Ptr {
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    if (ops !== NULL) return call(cpu, load(cpu, ops + dma_fence_ops.get_driver_name), fence) as Ptr;
    return this.core.str['detached_driver']!;
  }

  override dma_fence_timeline_name(cpu: Cpu, fence: Ptr): Ptr {
    const ops = rcu_dereference(cpu, fence + dma_fence.ops);
    if (ops !== NULL) return call(cpu, load(cpu, ops + dma_fence_ops.get_timeline_name), fence) as Ptr;
    return this.core.str['signaled_timeline']!;
  }
}

// A GPU driver model for the race scenarios, shaped after the drivers the list threads name
// (nouveau's fence context with its pending list, xe's irq->lock, drm_crtc's name callbacks,
// sw_sync's set_deadline; kernel-notes 4.a, 4.e and section 5). One fence context: a lock, a
// list of pending fences, the hardware's completed seqno. Each option picks the driver
// behaviour a race turns on; a "cond" verdict of the notes becomes one scenario per behaviour.

import type { Cpu, LoadedModule, Ptr } from '../../src/kernel/cpu.ts';
import { NULL } from '../../src/kernel/cpu.ts';
import {
  BUG_ON, READ_ONCE, WRITE_ONCE, atomic_fetch_add, kfree, rcu_read_lock, rcu_read_unlock, kfree_rcu, kzalloc, module_load, spin_lock, spin_lock_init,
  spin_lock_irqsave, spin_unlock, spin_unlock_irqrestore, str_read, test_bit, xchg,
} from '../../src/kernel/primitives.ts';
import { DMA_FENCE_FLAG_SIGNALED_BIT, dma_fence, dma_fence_cb, dma_fence_ops, list_head } from '../../src/kernel/dma-fence.ts';
import { defineStruct } from '../../src/kernel/struct.ts';
import { INIT_LIST_HEAD, list_add_tail, list_del_init, list_entries, list_empty } from '../../src/kernel/lib/list.ts';
import type { Fences, ScenarioThread } from '../../src/scenario.ts';

/** struct gpu_fctx: the fence context, in module static data or kmalloc'ed driver data. */
export const gpu_fctx = defineStruct('gpu_fctx', 'fctx', [
  'lock',
  'list_lock',
  { struct: list_head, name: 'pending' },
  'hw_seqno',
  'driver_name',
  /** the fence the driver armed an interrupt for, holding a reference */
  'armed',
]);

/** struct gpu_fence: the driver's fence, dma_fence first (container_of is a subtraction of 0). */
export const gpu_fence = defineStruct('gpu_fence', 'fence', [{ struct: dma_fence, name: 'base' }, { struct: list_head, name: 'node' }, 'fctx']);

export interface GpuDriverOptions {
  name?: string;
  /** ops->release: free at once ('kfree') or RCU-safe; absent: the core's dma_fence_free */
  release?: 'kfree' | 'kfree_rcu';
  /** ops->signaled: reports whether the hardware seqno has passed the fence */
  signaledOp?: boolean;
  /**
   * ops->enable_signaling, after checking the hardware seqno:
   *  'arm'           arms the interrupt: takes a reference the IRQ drops, no locking;
   *  'arm-under-fence-lock'  the same, under the fence lock it takes itself, re-checking
   *                  SIGNALED first (drivers as Christian's June 2026 patch 10 converts them);
   *  'context-list'  arms under the context lock that guards the pending list: design (a)
   *                  already holds it (it is the fence lock), inline-lock designs take it
   *                  (nouveau, kernel-notes 4.a and R13);
   *  'list-lock'     arms under a separate driver list lock, spin_lock_irqsave;
   *  'list-lock-irq-on' the same with a plain spin_lock, as the old kerneldoc allowed
   *                  ("normal spinlocks can be used", seed 004; R14).
   */
  enableSignaling?: 'arm' | 'arm-under-fence-lock' | 'context-list' | 'list-lock' | 'list-lock-irq-on';
  /** ops->set_deadline: takes the fence lock, as sw_sync and msm do (Boris, kernel-notes R15) */
  setDeadlineTakesFenceLock?: boolean;
  /** ops->get_driver_name: BUG_ON(fence->ops != own ops), as drm_crtc did (kernel-notes R4) */
  nameChecksOwnOps?: boolean;
  /** ops->get_driver_name reads the name through the driver's context (container_of, R10) */
  nameFromContext?: boolean;
  /** where the fence context (and so an extern fence lock) lives */
  context?: 'module' | 'kmalloc';
}

export interface GpuDriver {
  module: LoadedModule;
  ops: Ptr;
  fctx: Ptr;
  context: number;
  options: GpuDriverOptions;
}

function fctxOf(cpu: Cpu, fence: Ptr): Ptr {
  return READ_ONCE(cpu, fence + gpu_fence.fctx);
}

/** Loads the driver module and sets up one fence context. */
export function gpu_driver_load(cpu: Cpu, fences: Fences, options: GpuDriverOptions = {}): GpuDriver {
  const name = options.name ?? 'gpu';
  const drv = { options } as GpuDriver;
  const functions = {
    get_driver_name: (cpu: Cpu, f: Ptr) => gpu_get_driver_name(cpu, drv, f),
    get_timeline_name: (cpu: Cpu, _f: Ptr) => drv.module.str['timeline']!,
    signaled: (cpu: Cpu, f: Ptr) => READ_ONCE(cpu, fctxOf(cpu, f) + gpu_fctx.hw_seqno) >= READ_ONCE(cpu, f + dma_fence.seqno),
    enable_signaling: (cpu: Cpu, f: Ptr) => gpu_enable_signaling(cpu, fences, drv, f),
    set_deadline: (cpu: Cpu, f: Ptr, _deadline: number) => gpu_set_deadline(cpu, fences, f),
    release_kfree: (cpu: Cpu, f: Ptr) => kfree(cpu, f),
    release_kfree_rcu: (cpu: Cpu, f: Ptr) => kfree_rcu(cpu, f),
  };
  const release = options.release === 'kfree' ? 'release_kfree' : options.release === 'kfree_rcu' ? 'release_kfree_rcu' : 0;
  drv.module = module_load(cpu, {
    name,
    functions,
    strings: { driver: name, timeline: `${name}-ring0` },
    ops: {
      fence_ops: {
        struct: dma_fence_ops,
        fields: {
          get_driver_name: 'get_driver_name',
          get_timeline_name: 'get_timeline_name',
          release,
          signaled: options.signaledOp ? 'signaled' : 0,
          enable_signaling: options.enableSignaling ? 'enable_signaling' : 0,
          set_deadline: options.setDeadlineTakesFenceLock ? 'set_deadline' : 0,
        },
      },
    },
    data: { fctx: gpu_fctx },
  });
  drv.ops = drv.module.ops['fence_ops']!;
  drv.fctx = options.context === 'kmalloc' ? kzalloc(cpu, gpu_fctx) : drv.module.data['fctx']!;
  spin_lock_init(cpu, drv.fctx + gpu_fctx.lock);
  spin_lock_init(cpu, drv.fctx + gpu_fctx.list_lock);
  INIT_LIST_HEAD(cpu, drv.fctx + gpu_fctx.pending);
  WRITE_ONCE(cpu, drv.fctx + gpu_fctx.driver_name, drv.module.str['driver']!);
  drv.context = fences.dma_fence_context_alloc(cpu, 1);
  return drv;
}

/** Whether this design puts the fence on the driver's context lock (design a) or its own. */
export function usesContextLock(fences: Fences): boolean {
  return (fences.constructor as { lockModel?: string }).lockModel !== 'inline';
}

/**
 * Emits a fence with the given seqno: kzalloc + dma_fence_init, and onto the context's pending
 * list with the driver's own reference, which the interrupt handler drops once it signals it
 * (nouveau_fence_emit). The caller gets the initial reference.
 */
export function gpu_fence_emit(cpu: Cpu, fences: Fences, drv: GpuDriver, seqno: number): Ptr {
  const f = kzalloc(cpu, gpu_fence);
  WRITE_ONCE(cpu, f + gpu_fence.fctx, drv.fctx);
  fences.dma_fence_init(cpu, f, drv.ops, usesContextLock(fences) ? drv.fctx + gpu_fctx.lock : NULL, drv.context, seqno);
  fences.dma_fence_get(cpu, f);
  list_add_tail(cpu, f + gpu_fence.node, drv.fctx + gpu_fctx.pending);
  return f;
}

function gpu_get_driver_name(cpu: Cpu, drv: GpuDriver, f: Ptr): Ptr {
  if (drv.options.nameChecksOwnOps) BUG_ON(cpu, READ_ONCE(cpu, f + dma_fence.ops) !== drv.ops, 'fence->ops != &gpu_fence_ops');
  if (drv.options.nameFromContext) return READ_ONCE(cpu, fctxOf(cpu, f) + gpu_fctx.driver_name);
  return drv.module.str['driver']!;
}

/**
 * Arms the completion interrupt for `f`, with a reference the handler drops (the kerneldoc:
 * implementations "should grab their own reference using dma_fence_get(), to be released when
 * the fence is signalled").
 */
function arm(cpu: Cpu, fences: Fences, f: Ptr): void {
  WRITE_ONCE(cpu, fctxOf(cpu, f) + gpu_fctx.armed, fences.dma_fence_get(cpu, f));
}

/**
 * Arms, then re-checks SIGNALED and takes the reference back if the fence signaled meanwhile:
 * the re-check a driver needs once enable_signaling may run after a signal (kernel-notes R1,
 * "cond" for design e), done without any lock. Both sides use a fully ordered RMW on their
 * own word before reading the other's (xchg here, test_and_set_bit in the signal path), so at
 * least one sees the other, and xchg on the slot lets exactly one of them drop the reference.
 */
function armChecked(cpu: Cpu, fences: Fences, f: Ptr): void {
  const slot = fctxOf(cpu, f) + gpu_fctx.armed;
  xchg(cpu, slot, fences.dma_fence_get(cpu, f));
  if (test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, f + dma_fence.flags)) put_slot(cpu, fences, slot);
}

function gpu_enable_signaling(cpu: Cpu, fences: Fences, drv: GpuDriver, f: Ptr): boolean {
  const fctx = fctxOf(cpu, f);
  const listLock = fctx + gpu_fctx.list_lock;
  if (READ_ONCE(cpu, fctx + gpu_fctx.hw_seqno) >= READ_ONCE(cpu, f + dma_fence.seqno)) return false;
  switch (drv.options.enableSignaling) {
    case 'arm':
      arm(cpu, fences, f);
      break;
    case 'arm-under-fence-lock': {
      const flags = fences.dma_fence_lock_irqsave(cpu, f);
      if (!fences.dma_fence_test_signaled_flag(cpu, f)) arm(cpu, fences, f);
      fences.dma_fence_unlock_irqrestore(cpu, f, flags);
      break;
    }
    case 'context-list':
      if (usesContextLock(fences)) {
        armChecked(cpu, fences, f);
      } else {
        const flags = spin_lock_irqsave(cpu, fctx + gpu_fctx.lock);
        armChecked(cpu, fences, f);
        spin_unlock_irqrestore(cpu, fctx + gpu_fctx.lock, flags);
      }
      break;
    case 'list-lock': {
      const flags = spin_lock_irqsave(cpu, listLock);
      armChecked(cpu, fences, f);
      spin_unlock_irqrestore(cpu, listLock, flags);
      break;
    }
    case 'list-lock-irq-on':
      spin_lock(cpu, listLock);
      armChecked(cpu, fences, f);
      spin_unlock(cpu, listLock);
      break;
  }
  return true;
}

function gpu_set_deadline(cpu: Cpu, fences: Fences, f: Ptr): void {
  const flags = fences.dma_fence_lock_irqsave(cpu, f);
  fences.dma_fence_unlock_irqrestore(cpu, f, flags);
}

/**
 * The interrupt handler: the hardware completed `seqno`; signal every pending fence up to it
 * in seqno order and drop the list's references (nouveau_fence_update / xe hw_fence_irq_run_cb).
 * `listLock` says which lock guards the pending list: the context lock that design (a) fences
 * share, or the driver's separate list lock.
 */
export function gpu_irq_complete(cpu: Cpu, fences: Fences, drv: GpuDriver, seqno: number, listLock: 'context' | 'list' = 'context'): void {
  const lock = drv.fctx + (listLock === 'context' ? gpu_fctx.lock : gpu_fctx.list_lock);
  WRITE_ONCE(cpu, drv.fctx + gpu_fctx.hw_seqno, seqno);
  const flags = spin_lock_irqsave(cpu, lock);
  const done: Ptr[] = [];
  for (const node of list_entries(cpu, drv.fctx + gpu_fctx.pending)) {
    const f = node - gpu_fence.node;
    if (READ_ONCE(cpu, f + dma_fence.seqno) > seqno) break;
    list_del_init(cpu, node);
    if (listLock === 'context' && usesContextLock(fences)) fences.dma_fence_signal_locked(cpu, f);
    else fences.dma_fence_signal(cpu, f);
    done.push(f);
  }
  spin_unlock_irqrestore(cpu, lock, flags);
  for (const f of done) fences.dma_fence_put(cpu, f);
  put_slot(cpu, fences, drv.fctx + gpu_fctx.armed);
}

/** A consumer's callback: the dma_fence_cb and a flag its function sets when it runs. */
export const consumer_cb = defineStruct('consumer_cb', 'cb', [{ struct: dma_fence_cb, name: 'base' }, 'seen']);

export interface Consumer {
  module: LoadedModule;
  /** function pointer of the callback that sets consumer_cb.seen */
  mark_seen: Ptr;
  /** function pointer of the callback that records in consumer_cb.seen the order it ran in */
  record_order: Ptr;
}

/** The consumer side (another driver, sync_file, drm_sched): a module with one fence callback. */
export function consumer_load(cpu: Cpu): Consumer {
  const module = module_load(cpu, {
    name: 'consumer',
    functions: {
      mark_seen: (cpu: Cpu, _f: Ptr, cb: Ptr) => WRITE_ONCE(cpu, cb - consumer_cb.base + consumer_cb.seen, 1),
      // seen = 1, 2, 3... in the order the callbacks ran
      record_order: (cpu: Cpu, _f: Ptr, cb: Ptr) => WRITE_ONCE(cpu, cb - consumer_cb.base + consumer_cb.seen, atomic_fetch_add(cpu, 1, module.data['order']!) + 1),
    },
    data: { order: 1 },
  });
  return { module, mark_seen: module.fn['mark_seen']!, record_order: module.fn['record_order']! };
}

/**
 * The driver gives up on the context (nouveau_fence_context_kill, GPU reset): every fence it
 * still has pending gets `error` and is signaled, in seqno order, under the context lock.
 */
export function gpu_context_kill(cpu: Cpu, fences: Fences, drv: GpuDriver, error: number): void {
  const lock = drv.fctx + gpu_fctx.lock;
  const flags = spin_lock_irqsave(cpu, lock);
  const done: Ptr[] = [];
  for (const node of list_entries(cpu, drv.fctx + gpu_fctx.pending)) {
    const f = node - gpu_fence.node;
    list_del_init(cpu, node);
    fences.dma_fence_set_error(cpu, f, error);
    if (usesContextLock(fences)) fences.dma_fence_signal_locked(cpu, f);
    else fences.dma_fence_signal(cpu, f);
    done.push(f);
  }
  spin_unlock_irqrestore(cpu, lock, flags);
  for (const f of done) fences.dma_fence_put(cpu, f);
}

/**
 * A consumer that holds a reference: adds its callback (which enables signaling), waits if it
 * was added, then drops its reference and frees the callback (drm_sched dependencies).
 */
export function consumer_wait_callback(cpu: Cpu, fences: Fences, f: Ptr, consumer: Consumer, cb: Ptr): void {
  if (fences.dma_fence_add_callback(cpu, f, cb + consumer_cb.base, consumer.mark_seen) === 0) fences.dma_fence_wait(cpu, f, false);
  fences.dma_fence_put(cpu, f);
  kfree(cpu, cb);
}

/** The set-up of the enable_signaling races: a driver, its fence of seqno 1, a consumer and its callback. */
export interface ConsumerRace {
  drv: GpuDriver;
  f: Ptr;
  consumer: Consumer;
  cb: Ptr;
}

export function consumer_race_setup(cpu: Cpu, fences: Fences, options: GpuDriverOptions): ConsumerRace {
  const drv = gpu_driver_load(cpu, fences, options);
  return { drv, f: gpu_fence_emit(cpu, fences, drv, 1), consumer: consumer_load(cpu), cb: kzalloc(cpu, consumer_cb) };
}

/** Their consumer thread, in process context on CPU `onCpu`: consumer_wait_callback on the fence. */
export function consumer_thread(onCpu: number): ScenarioThread<ConsumerRace> {
  return { name: 'consumer', cpu: onCpu, context: 'process', run: (cpu, fences, { f, consumer, cb }) => consumer_wait_callback(cpu, fences, f, consumer, cb) };
}

/** SYNC_IOC_FILE_INFO on a fence it holds a reference to: copies the driver (or timeline) name under RCU, then puts. */
export function sync_file_info(cpu: Cpu, fences: Fences, f: Ptr, name: 'driver' | 'timeline' = 'driver'): void {
  rcu_read_lock(cpu);
  if (name === 'driver') copy_driver_name(cpu, fences, f);
  else str_read(cpu, fences.dma_fence_timeline_name(cpu, f)); // sync_fill_fence_info's obj_name
  rcu_read_unlock(cpu);
  fences.dma_fence_put(cpu, f);
}

/** What a consumer does with a driver name (sync_file's SYNC_IOC_FILE_INFO copies it). */
export function copy_driver_name(cpu: Cpu, fences: Fences, f: Ptr): string {
  return str_read(cpu, fences.dma_fence_driver_name(cpu, f));
}

/** Tears a kmalloc'ed context down (the driver's remove path): nothing may still use its lock. */
export function gpu_context_free(cpu: Cpu, drv: GpuDriver): void {
  BUG_ON(cpu, !list_empty(cpu, drv.fctx + gpu_fctx.pending), 'fences still pending at teardown');
  kfree(cpu, drv.fctx);
}

/** Drops a reference held in a slot if it is still there (xchg: exactly one dropper wins). */
function put_slot(cpu: Cpu, fences: Fences, slot: Ptr): void {
  const f = xchg(cpu, slot, NULL);
  if (f !== NULL) fences.dma_fence_put(cpu, f);
}

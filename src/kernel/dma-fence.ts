// struct dma_fence and friends in the 7.1 shape (kernel-notes 1.1-1.4; include/linux/dma-fence.h
// at akiyks/linux 6da37262). The lock word is a union: a pointer to a driver's spinlock
// (extern_lock, design a) or the spinlock itself (inline_lock, design b). cb_list, timestamp
// and rcu overlay each other "in chronological order", so a timestamp read before it is
// written returns callback-list pointer bits.

import { defineBits, defineStruct } from './struct.ts';

export const list_head = defineStruct('list_head', 'list', ['next', 'prev']);

export const dma_fence = defineStruct('dma_fence', 'fence', [
  { union: ['extern_lock', 'inline_lock'] },
  'ops',
  { union: [{ struct: list_head, name: 'cb_list' }, 'timestamp', 'rcu'] },
  'context',
  'seqno',
  'flags',
  'refcount',
  'error',
]);

export const dma_fence_cb = defineStruct('dma_fence_cb', 'cb', [{ struct: list_head, name: 'node' }, 'func']);

/** dma_fence_default_wait's on-stack callback: the cb plus the task to wake. */
export const default_wait_cb = defineStruct('default_wait_cb', 'wait_cb', [{ struct: dma_fence_cb, name: 'base' }, 'task']);

export const dma_fence_ops = defineStruct('dma_fence_ops', 'ops', [
  'get_driver_name',
  'get_timeline_name',
  'enable_signaling',
  'signaled',
  'wait',
  'release',
  'set_deadline',
]);

export const spinlock_t = defineStruct('spinlock_t', 'lock', ['raw']);
/** state, and TIF_SIGPENDING as a word of its own (set by send_sig, read by signal_pending). */
export const task_struct = defineStruct('task_struct', 'task', ['state', 'sigpending']);

/** enum dma_fence_flag_bits, 7.1 order. */
export const DMA_FENCE_FLAG_INITIALIZED_BIT = 0;
export const DMA_FENCE_FLAG_INLINE_LOCK_BIT = 1;
export const DMA_FENCE_FLAG_SEQNO64_BIT = 2;
export const DMA_FENCE_FLAG_SIGNALED_BIT = 3;
export const DMA_FENCE_FLAG_TIMESTAMP_BIT = 4;
export const DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT = 5;
export const DMA_FENCE_FLAG_USER_BITS = 6;
defineBits(dma_fence, dma_fence.flags, ['INITIALIZED', 'INLINE_LOCK', 'SEQNO64', 'SIGNALED', 'TIMESTAMP', 'ENABLE_SIGNAL', 'USER0', 'USER1']);

export const ENOENT = 2;
export const EIO = 5;
export const ENODEV = 19;
export const EINVAL = 22;
export const EDEADLK = 35;
export const ETIME = 62;
export const ERESTARTSYS = 512;
export const MAX_ERRNO = 4095;

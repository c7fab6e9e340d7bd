// The native heap: one SharedArrayBuffer of 32-bit words that every worker thread maps, with the
// same word addressing as the simulated heap (a Ptr is a word index, NULL is 0, the first 64
// words are never handed out). It checks nothing: a use-after-free reads whatever is there.
//
// Word map:
//   [0, 64)                 the NULL page (never allocated, never written by the lab)
//   [CTRL, CTRL + 80)       control words, one cache line each: bump pointer, RCU grace-period
//                           counter, stop and kill flags, start barrier
//   [SLOTS, SLOTS + 64*64)  one 256-byte slot per thread: line 0 is the thread's own (RCU
//                           counter, smp_mb() scratch word, task pointer, yield word), lines 1-3
//                           are the heads of the remote-free stacks other threads push onto
//   [HEAP, size)            kmalloc chunks, modules
//
// Values are int32: pointers, flags, refcounts, seqnos and error codes fit; a 64-bit value
// (a ktime in ns, a 64-bit seqno) is kept modulo 2^32 (the native ktime_get returns ns since the
// heap was created modulo 2^31, so timestamps round-trip). Atomics only work on integer arrays,
// so one Int32Array serves both plain and atomic accesses.

export const WORD_BYTES = 4;
export const NULL_PAGE_WORDS = 64;
const LINE = 16; // words per 64-byte cache line

export const CTRL = NULL_PAGE_WORDS;
/** next free word of the shared bump region (threads take chunks from it) */
export const CTRL_TOP = CTRL;
/** highest thread slot in use + 1 (grace periods scan that many slots) */
export const CTRL_NSLOTS = CTRL + 1;
/** RCU: the current grace-period number (starts at 1) */
export const CTRL_GP = CTRL + LINE;
/** set by the harness at the end of a run: loops stop, interruptible sleeps see a signal */
export const CTRL_STOP = CTRL + 2 * LINE;
/** set when a run is abandoned: spinning and sleeping threads throw */
export const CTRL_KILL = CTRL + 3 * LINE;
/** start barrier: threads that are ready, and the go flag the harness sets */
export const CTRL_READY = CTRL + 4 * LINE;
export const CTRL_GO = CTRL_READY + 1;
const CTRL_WORDS = 5 * LINE;

export const MAX_THREADS = 64;
export const SLOT_WORDS = 4 * LINE;
export const SLOTS = CTRL + CTRL_WORDS;
/** slot line 0 */
export const SLOT_RCU = 0;
export const SLOT_MB = 1;
export const SLOT_TASK = 2;
export const SLOT_YIELD = 3;
/** slot lines 1-3: remote-free stack heads, one per size class */
export const SLOT_REMOTE = LINE;
/** size classes: payload sizes 1..MAX_CLASS words are recycled; larger blocks are not */
export const MAX_CLASS = SLOT_WORDS - SLOT_REMOTE - 1;

export const HEAP = SLOTS + MAX_THREADS * SLOT_WORDS;
/** words a thread takes from the bump region at a time */
export const CHUNK_WORDS = 4096;

export const DEFAULT_HEAP_WORDS = 1 << 22; // 16 MiB

export interface NativeHeapInit {
  sab: SharedArrayBuffer;
}

/** The shared memory; every thread wraps the same SharedArrayBuffer in its own NativeHeap. */
export class NativeHeap {
  readonly sab: SharedArrayBuffer;
  readonly m: Int32Array;
  readonly words: number;

  constructor(init: number | SharedArrayBuffer = DEFAULT_HEAP_WORDS) {
    if (typeof init === 'number') {
      if (init < HEAP + CHUNK_WORDS) throw new RangeError(`native heap of ${init} words is too small (at least ${HEAP + CHUNK_WORDS})`);
      this.sab = new SharedArrayBuffer(init * WORD_BYTES);
      this.m = new Int32Array(this.sab);
      Atomics.store(this.m, CTRL_TOP, HEAP);
      Atomics.store(this.m, CTRL_GP, 1);
    } else {
      this.sab = init;
      this.m = new Int32Array(init);
    }
    this.words = this.m.length;
  }

  /** Registers a thread slot (grace periods look at slots below the highest registered). */
  registerSlot(slot: number): void {
    const m = this.m;
    for (let n = Atomics.load(m, CTRL_NSLOTS); n < slot + 1; ) {
      const seen = Atomics.compareExchange(m, CTRL_NSLOTS, n, slot + 1);
      if (seen === n) break;
      n = seen;
    }
  }

  get slotsInUse(): number {
    return Atomics.load(this.m, CTRL_NSLOTS);
  }

  slotBase(slot: number): number {
    return SLOTS + slot * SLOT_WORDS;
  }

  /** Takes `words` from the bump region for a thread's chunk. */
  takeChunk(words: number): number {
    const base = Atomics.add(this.m, CTRL_TOP, words);
    if (base + words > this.words) {
      throw new RangeError(`native heap exhausted: ${this.words} words (${(this.words * WORD_BYTES) >> 20} MiB) in use; give the run a bigger heap`);
    }
    return base;
  }

  /** Words handed out so far (chunks included): the high-water mark. */
  get used(): number {
    return Atomics.load(this.m, CTRL_TOP);
  }

  stop(): void {
    Atomics.store(this.m, CTRL_STOP, 1);
  }

  kill(): void {
    Atomics.store(this.m, CTRL_KILL, 1);
  }

  /** In a thread: count itself ready, then wait until the harness says go. */
  arriveAndWait(): void {
    const m = this.m;
    Atomics.add(m, CTRL_READY, 1);
    Atomics.notify(m, CTRL_READY);
    while (Atomics.load(m, CTRL_GO) === 0) {
      Atomics.wait(m, CTRL_GO, 0, 50);
      if (Atomics.load(m, CTRL_KILL) !== 0) throw new Error('run abandoned before it started');
    }
  }

  /** On the main thread: resolves when `n` threads have arrived (or rejects after `timeoutMs`). */
  async waitReady(n: number, timeoutMs = 30_000): Promise<void> {
    const m = this.m;
    const t0 = Date.now();
    for (let seen = Atomics.load(m, CTRL_READY); seen < n; seen = Atomics.load(m, CTRL_READY)) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`only ${seen} of ${n} threads attached within ${timeoutMs} ms`);
      const r = Atomics.waitAsync(m, CTRL_READY, seen, 100);
      if (r.async) await r.value;
    }
  }

  go(): void {
    Atomics.store(this.m, CTRL_GO, 1);
    Atomics.notify(this.m, CTRL_GO);
  }

  get stopped(): boolean {
    return Atomics.load(this.m, CTRL_STOP) !== 0;
  }

  /** Wakes every thread sleeping in schedule_timeout (used at stop, with signal_pending set). */
  wakeAll(): void {
    const m = this.m;
    for (let slot = 0; slot < MAX_THREADS; slot++) {
      const task = Atomics.load(m, this.slotBase(slot) + SLOT_TASK);
      if (task !== 0) {
        Atomics.store(m, task, 0);
        Atomics.notify(m, task);
      }
      Atomics.notify(m, this.slotBase(slot) + SLOT_YIELD);
    }
  }
}

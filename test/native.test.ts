// The native Cpu (src/native): the primitive table over a SharedArrayBuffer, its allocator with
// cross-thread frees, real RCU, sleeping and waking, the set-up replay that gives every thread the
// same function pointers, and the semantic scenarios run natively (single-threaded ones directly,
// multi-threaded ones as a stress loop on worker threads). No timings are asserted.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Cpu, Ptr } from '../src/kernel/cpu.ts';
import { dma_fence, task_struct } from '../src/kernel/dma-fence.ts';
import { call, TASK_INTERRUPTIBLE, TASK_NORMAL, TASK_RUNNING } from '../src/kernel/primitives.ts';
import { NativeCpu, NativeBug } from '../src/native/cpu.ts';
import { CTRL_GP, NativeHeap } from '../src/native/heap.ts';
import { NativePool } from '../src/native/pool.ts';
import { NativeRegistry } from '../src/native/registry.ts';
import { RecordingCpu, ReplayCpu, ReplayDivergence } from '../src/native/replay.ts';
import { runScenarioNative } from '../src/native/scenario.ts';
import { attachSession, createSession } from '../src/native/session.ts';
import { builtinVariants, loadVariantClass, LAB_ROOT } from '../src/native/variants.ts';
import type { ScenarioDef } from '../src/scenario.ts';
import { expectedVerdict } from '../src/scenario.ts';

function world(slots = 1, words = 1 << 16) {
  const heap = new NativeHeap(words);
  const registry = new NativeRegistry();
  const cpus = Array.from({ length: slots }, (_, slot) => new NativeCpu(heap, registry, { slot }));
  return { heap, registry, cpus };
}

describe('native primitives', () => {
  it('bit operations return the old bit; the ordered forms return early on a set bit', () => {
    const { cpus: [cpu] } = world();
    const w = cpu!.kmalloc(1, true);
    expect(cpu!.test_and_set_bit(3, w, 'mb')).toBe(false);
    expect(cpu!.test_bit(3, w, 'once')).toBe(true);
    expect(cpu!.test_and_set_bit(3, w, 'mb')).toBe(true);
    expect(cpu!.test_and_set_bit(4, w, 'relaxed')).toBe(false);
    expect(cpu!.load(w)).toBe(0b11000);
    expect(cpu!.test_and_clear_bit(3, w, 'mb')).toBe(true);
    expect(cpu!.test_and_clear_bit(3, w, 'mb')).toBe(false);
    expect(cpu!.load(w)).toBe(0b10000);
  });

  it('read-modify-writes and refcounts', () => {
    const { cpus: [cpu] } = world();
    const w = cpu!.kmalloc(1, true);
    expect(cpu!.xchg(w, 5, 'mb')).toBe(0);
    expect(cpu!.cmpxchg(w, 4, 9, 'mb')).toBe(5);
    expect(cpu!.cmpxchg(w, 5, 9, 'mb')).toBe(5);
    expect(cpu!.fetch_add(w, -10, 'mb')).toBe(9);
    expect(cpu!.READ_ONCE(w)).toBe(-1);
    cpu!.WRITE_ONCE(w, 1);
    cpu!.refcount_inc(w);
    expect(cpu!.refcount_dec_and_test(w)).toBe(false);
    expect(cpu!.refcount_dec_and_test(w)).toBe(true);
    expect(cpu!.refcount_inc_not_zero(w)).toBe(false);
  });

  it('spinlocks: trylock fails on a held lock, irqsave hands back the saved flags', () => {
    const { cpus: [cpu] } = world();
    const lock = cpu!.kmalloc(1, true);
    const flags = cpu!.spin_lock_irqsave(lock);
    expect(cpu!.spin_is_locked(lock)).toBe(true);
    expect(cpu!.spin_trylock(lock)).toBe(false);
    expect(cpu!.local_irq_save()).toBe(0);
    cpu!.spin_unlock_irqrestore(lock, flags);
    expect(cpu!.local_irq_save()).toBe(flags);
    expect(cpu!.spin_trylock(lock)).toBe(true);
    cpu!.spin_unlock(lock);
    expect(cpu!.contended).toBe(0);
  });

  it('taking a spinlock the thread already holds throws instead of hanging', () => {
    const { cpus: [cpu] } = world();
    const lock = cpu!.kmalloc(1, true);
    cpu!.spin_lock(lock);
    expect(() => cpu!.spin_lock_irqsave(lock)).toThrow(/spinlock recursion/);
  });

  it('ktime_get is ns since the heap epoch and fits a heap word', () => {
    const { cpus: [cpu] } = world();
    const a = cpu!.ktime_get();
    const b = cpu!.ktime_get();
    expect(Number.isInteger(a)).toBe(true);
    expect(b).toBeGreaterThanOrEqual(a);
    expect(a | 0).toBe(a);
  });

  it('BUG_ON and a call through NULL throw; WARN counts', () => {
    const { cpus: [cpu] } = world();
    expect(() => cpu!.BUG_ON(true, '!lock')).toThrow(NativeBug);
    expect(() => cpu!.call(0, 0)).toThrow(/NULL pointer/);
    expect(cpu!.WARN(true, 'first')).toBe(true);
    cpu!.WARN(true, 'second');
    expect([cpu!.warnings, cpu!.firstWarning]).toEqual([2, 'first']);
  });
});

describe('native allocator', () => {
  it('reuses a freed block of the same size class, zeroed', () => {
    const { cpus: [cpu] } = world();
    const a = cpu!.kmalloc(dma_fence, false);
    cpu!.store(a + 3, 42);
    cpu!.kfree(a);
    const b = cpu!.kmalloc(dma_fence, false);
    expect(b).toBe(a);
    expect(cpu!.load(b + 3)).toBe(0);
    expect(cpu!.kmalloc(dma_fence, true)).not.toBe(a);
  });

  it('gives every block whole cache lines', () => {
    const { cpus: [cpu] } = world();
    const blocks = [cpu!.kmalloc(3, true), cpu!.kmalloc(dma_fence, true), cpu!.kmalloc(40, true)];
    for (const p of blocks) expect((p - 1) % 16).toBe(0);
  });

  it('a block freed by another thread goes back to its owner', () => {
    const { cpus: [owner, other] } = world(2);
    const a = owner!.kmalloc(dma_fence, true);
    const b = owner!.kmalloc(dma_fence, true);
    other!.kfree(a);
    other!.kfree(b);
    // the owner's local list is empty: the next allocation takes the remote stack
    const got = new Set([owner!.kmalloc(dma_fence, true), owner!.kmalloc(dma_fence, true)]);
    expect(got).toEqual(new Set([a, b]));
    // and the other thread's allocations never hand out the owner's blocks
    expect([a, b]).not.toContain(other!.kmalloc(dma_fence, true));
  });

  it('module text, strings and ops tables are never recycled', () => {
    const { cpus: [cpu] } = world();
    const mod = cpu!.module_load({ name: 'm', functions: { f: (_cpu: Cpu) => 7 }, strings: { s: 'hello' } });
    expect(cpu!.call(mod.fn['f']!, 0)).toBe(7);
    expect(cpu!.str_read(mod.str['s']!)).toBe('hello');
    cpu!.kfree(mod.str['s']!);
    expect(cpu!.str_read(mod.str['s']!)).toBe('hello');
  });

  it('a call through a function pointer passes exactly its arguments, up to six', () => {
    const { cpus: [cpu] } = world();
    const mod = cpu!.module_load({ name: 'm', functions: { f: (_cpu: Cpu, ...xs: unknown[]) => xs } });
    expect(call(cpu!, mod.fn['f']!)).toEqual([]);
    expect(call(cpu!, mod.fn['f']!, 1, 2)).toEqual([1, 2]);
    expect(call(cpu!, mod.fn['f']!, 1, 2, 3, 4, 5, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => call(cpu!, mod.fn['f']!, 1, 2, 3, 4, 5, 6, 7)).toThrow(/7 arguments through a function pointer; at most 6/);
  });
});

describe('native RCU', () => {
  it('kfree_rcu frees only after every online thread passed a quiescent state', () => {
    const { heap, cpus: [a, b] } = world(2);
    const p = a!.kmalloc(dma_fence, true);
    b!.rcu_read_lock(); // b is a reader that may hold p
    a!.kfree_rcu(p);
    // quiescent states are amortized: a grace period and a scan every few dozen of them
    for (let i = 0; i < 100; i++) {
      a!.rcu_qs();
      b!.rcu_qs(); // inside its read-side section: not a quiescent state
    }
    expect(a!.rcuPending).toBe(1);
    b!.rcu_read_unlock();
    for (let i = 0; i < 100; i++) {
      b!.rcu_qs();
      a!.rcu_qs();
    }
    expect(a!.rcuPending).toBe(0);
    expect(a!.kmalloc(dma_fence, true)).toBe(p);
    expect(Atomics.load(heap.m, CTRL_GP)).toBeGreaterThan(1);
  });

  it('an offline (sleeping) thread does not hold up a grace period; synchronize_rcu frees what was queued', () => {
    const { cpus: [a, b] } = world(2);
    b!.rcu_offline();
    const p = a!.kmalloc(dma_fence, true);
    a!.kfree_rcu(p);
    a!.synchronize_rcu();
    expect(a!.rcuPending).toBe(0);
    a!.rcu_read_lock();
    expect(() => a!.synchronize_rcu()).toThrow(/read-side/);
  });
});

describe('native sleep and wake-up', () => {
  it('schedule_timeout returns at once when already woken, 0 when it times out', () => {
    const { cpus: [a, b] } = world(2);
    const task = a!.current();
    a!.set_task_state(TASK_INTERRUPTIBLE, true);
    expect(b!.wake_up_state(task, TASK_NORMAL)).toBe(true);
    expect(b!.wake_up_state(task, TASK_NORMAL)).toBe(false);
    expect(a!.schedule_timeout(5)).toBeGreaterThan(0);
    a!.set_task_state(TASK_INTERRUPTIBLE, true);
    expect(a!.schedule_timeout(1)).toBe(0);
    expect(a!.load(task + task_struct.state)).toBe(TASK_RUNNING);
  });
});

describe('set-up replay', () => {
  const Fences = loadVariantClass(path.join(LAB_ROOT, 'variants', 'current-shared-lock.ts'));

  it('a replaying thread loads the same modules at the same addresses with the same function ids', async () => {
    const cls = await Fences;
    const { heap, registry, cpus: [cpu] } = world();
    const rec = new RecordingCpu(cpu!);
    const main = new cls();
    main.dma_buf_init(rec);
    const replay = new ReplayCpu(rec.log, new NativeRegistry(), heap.m);
    const other = new cls();
    other.dma_buf_init(replay);
    expect(replay.done).toBe(true);
    expect((other as unknown as { core: unknown }).core).toEqual((main as unknown as { core: unknown }).core);
    expect(registry.fnNames).toEqual(['', 'dma-buf:dma_fence_default_wait_cb', 'dma-buf:dma_fence_stub_get_name']);
  });

  it('a replay that takes another path fails at the first different primitive', async () => {
    const { heap, cpus: [cpu] } = world();
    const rec = new RecordingCpu(cpu!);
    rec.READ_ONCE(cpu!.current());
    const replay = new ReplayCpu(rec.log, new NativeRegistry(), heap.m);
    expect(() => replay.WRITE_ONCE(0, 1)).toThrow(ReplayDivergence);
  });

  it('a session attached in the same process sees the main thread\'s objects', async () => {
    const variantFile = path.join(LAB_ROOT, 'variants', 'current-shared-lock.ts');
    const init = { module: pathToFileURL(path.join(LAB_ROOT, 'bench', 'irq-load', 'driver.ts')).href, export: 'bench_driver_init', params: { contexts: 2 } };
    const s = await createSession({ variantFile, init, heapWords: 1 << 16 });
    const a = await attachSession(s.attachData(3));
    expect(a.shared).toEqual(s.shared);
    const f = a.cpu.kmalloc(dma_fence, true);
    const w = a.shared as { ops: Ptr; ctxs: { lock: Ptr; context: number }[] };
    const fences = a.fences as unknown as Record<string, (...args: unknown[]) => unknown>;
    fences['dma_fence_init']!(a.cpu, f, w.ops, w.ctxs[1]!.lock, w.ctxs[1]!.context, 1);
    // the main thread's instance calls the worker's fence through the same ops pointers
    const main = s.fences as unknown as Record<string, (...args: unknown[]) => unknown>;
    s.cpu.rcu_online();
    s.cpu.rcu_read_lock();
    expect(s.cpu.str_read(main['dma_fence_driver_name']!(s.cpu, f) as Ptr)).toBe('benchgpu');
    s.cpu.rcu_read_unlock();
  });
});

// --- the semantic scenarios, natively ---------------------------------------------------------------

const SEMANTICS = path.join(LAB_ROOT, 'scenarios', 'semantics');
const FIXTURES = path.join(LAB_ROOT, 'test', 'fixtures', 'native');
/** Scenarios that cannot run natively, and why (kept visible as skipped tests). */
const NOT_NATIVE: Record<string, string> = {
  'wait-timeout': "relies on the simulator's exact time (time passes only when every thread sleeps): on real threads the timer thread may fire before the first 1-jiffy wait ends",
  'is-later': "compares seqnos 1 and 0xffffffff as 64-bit values (dma_fence_init64): the native heap's words are 32-bit, so 0xffffffff reads back as -1",
};
/** Stress iterations per multi-threaded scenario and design (each is a fresh heap and set-up). */
const ITERATIONS = 15;

const scenarioFiles = [
  ...readdirSync(SEMANTICS).filter((f) => f.endsWith('.ts')).sort().map((f) => path.join(SEMANTICS, f)),
  path.join(FIXTURES, 'signal-vs-add-callback.ts'),
];
const defs = await Promise.all(scenarioFiles.map(async (file) => ({ file, def: ((await import(pathToFileURL(file).href)) as { default: ScenarioDef<unknown> }).default })));
const variants = builtinVariants();

describe('semantic scenarios on the native Cpu', () => {
  const pool = new NativePool();
  afterAll(() => pool.close());

  for (const { file, def } of defs) {
    describe(`${def.name} (${def.threads.length === 1 ? 'directly' : `stress loop, ${def.threads.length} threads`})`, () => {
      for (const v of variants) {
        const expected = expectedVerdict(def, v.name, 'sc') ?? (file.startsWith(FIXTURES) ? 'pass' : undefined);
        const why = NOT_NATIVE[def.name];
        if (why) {
          it.skip(`${v.name}: ${why}`, () => undefined);
          continue;
        }
        if (expected !== 'pass') continue;
        it(v.name, async () => {
          const r = await runScenarioNative(v.file, file, { pool, iterations: ITERATIONS });
          expect(r.error, `${def.name} on ${v.name}`).toBeUndefined();
          expect(r.ok).toBe(true);
        });
      }
    });
  }
});

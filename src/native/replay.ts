// Attaching threads to a heap that one thread set up. Set-up (dma_buf_init, driver module loads,
// the objects a workload shares) runs once, on the main thread, through a RecordingCpu that logs
// the name and result of every primitive. Each worker then runs the *same* set-up code through a
// ReplayCpu that returns the logged results and touches no memory: kernel code is deterministic
// given its primitives' results (DESIGN.md: no hidden state), so the worker takes exactly the
// path the main thread took, loads the same modules in the same order (so its function table
// gets the same ids: the function pointers in shared memory mean the same in every thread),
// builds its own closures and ends with the same set-up result (pointers to the shared objects).
// A replay that asks for a different primitive than the log holds fails at once.

import type { Cpu, ExecContext, LoadedModule, ModuleDesc, Ptr } from '../kernel/cpu.ts';
import type { NativeCpu } from './cpu.ts';
import type { NativeRegistry } from './registry.ts';

/** Every method of the Cpu interface except call and module_load, which both classes write out. */
const PLAIN_METHODS = [
  'load', 'store', 'READ_ONCE', 'WRITE_ONCE', 'smp_load_acquire', 'smp_store_release', 'smp_store_mb', 'fence',
  'xchg', 'cmpxchg', 'fetch_add', 'test_and_set_bit', 'test_and_clear_bit', 'test_bit',
  'refcount_inc', 'refcount_inc_not_zero', 'refcount_dec_and_test',
  'spin_lock_init', 'spin_lock', 'spin_unlock', 'spin_trylock', 'spin_lock_irqsave', 'spin_unlock_irqrestore',
  'spin_is_locked', 'local_irq_save', 'local_irq_restore', 'lockdep_assert_held',
  'rcu_read_lock', 'rcu_read_unlock', 'synchronize_rcu',
  'kmalloc', 'kfree', 'kfree_rcu', 'module_unload', 'str_read',
  'current', 'set_task_state', 'schedule_timeout', 'wake_up_state', 'signal_pending', 'ktime_get', 'cpu_relax',
  'WARN', 'warn_count', 'BUG_ON', 'assert',
] as const satisfies readonly (keyof Cpu)[];

/** The set-up log: primitive name, result, name, result, ... (structured-cloneable). */
export type SetupLog = unknown[];

export class ReplayDivergence extends Error {
  constructor(at: number, expected: unknown, got: string) {
    super(`[lab internal bug] set-up replay diverged at primitive #${at / 2}: the log has ${String(expected)}, the replay calls ${got} (is the set-up code deterministic, and unchanged since the run started?)`);
  }
}

/** A set-up call through a function pointer with the first `nargs` of `args`. */
function callThrough(cpu: Cpu, registry: NativeRegistry, m: Int32Array, fnptr: Ptr, args: unknown[], nargs: number): unknown {
  if (fnptr === 0) throw new Error('BUG: kernel NULL pointer dereference: call through a NULL function pointer during set-up');
  return registry.fns[m[fnptr]!]!(cpu, ...args.slice(0, nargs));
}

// --- recording ---------------------------------------------------------------------------------------

export interface RecordingCpu extends Cpu {}
/** Runs set-up on a NativeCpu and logs every primitive's result. */
export class RecordingCpu {
  readonly log: SetupLog = [];
  readonly id: number;
  readonly context: ExecContext;

  constructor(readonly inner: NativeCpu) {
    this.id = inner.id;
    this.context = inner.context;
  }

  call(fnptr: Ptr, nargs: number, ...args: unknown[]): unknown {
    this.log.push('call', null);
    return callThrough(this, this.inner.registry, this.inner.m, fnptr, args, nargs);
  }

  module_load(desc: ModuleDesc): LoadedModule {
    const mod = this.inner.module_load(desc);
    this.log.push('module_load', mod);
    return mod;
  }
}
for (const name of PLAIN_METHODS) {
  Object.defineProperty(RecordingCpu.prototype, name, {
    value: function (this: RecordingCpu, ...args: unknown[]) {
      const result = (this.inner[name] as (...a: unknown[]) => unknown).apply(this.inner, args);
      this.log.push(name, result === undefined ? null : result);
      return result;
    },
  });
}

// --- replay --------------------------------------------------------------------------------------------

export interface ReplayCpu extends Cpu {}
/** Re-runs set-up in another thread: results come from the log, memory is not touched. */
export class ReplayCpu {
  private at = 0;

  constructor(
    private readonly log: SetupLog,
    private readonly registry: NativeRegistry,
    private readonly m: Int32Array,
    readonly id = 0,
    readonly context: ExecContext = 'process',
  ) {}

  /** The next logged result, which must belong to `name`. */
  next(name: string): unknown {
    const at = this.at;
    if (this.log[at] !== name) throw new ReplayDivergence(at, at < this.log.length ? this.log[at] : 'its end', name);
    this.at = at + 2;
    const v = this.log[at + 1];
    return v === null ? undefined : v;
  }

  /** Whether the replay consumed the whole log. */
  get done(): boolean {
    return this.at >= this.log.length;
  }

  call(fnptr: Ptr, nargs: number, ...args: unknown[]): unknown {
    this.next('call');
    return callThrough(this, this.registry, this.m, fnptr, args, nargs);
  }

  module_load(desc: ModuleDesc): LoadedModule {
    const mod = this.next('module_load') as LoadedModule;
    for (const [name, fn] of Object.entries(desc.functions ?? {})) {
      const id = this.registry.addFunction(`${desc.name}:${name}`, fn);
      const ptr = mod.fn[name];
      if (ptr === undefined || this.m[ptr] !== id) {
        throw new Error(`[lab internal bug] module ${desc.name}: function ${name} gets id ${id} in this thread but ${ptr === undefined ? 'none' : this.m[ptr]} in the set-up thread (set-up code differs between threads: was a source file edited during the run?)`);
      }
    }
    for (const [key, value] of Object.entries(desc.strings ?? {})) {
      const id = this.registry.addString(value);
      if (this.m[mod.str[key]!] !== id) throw new Error(`[lab internal bug] module ${desc.name}: string ${key} id differs between threads`);
    }
    return Object.freeze({ ...mod, fn: Object.freeze({ ...mod.fn }), str: Object.freeze({ ...mod.str }), ops: Object.freeze({ ...mod.ops }), data: Object.freeze({ ...mod.data }) });
  }
}
for (const name of PLAIN_METHODS) {
  Object.defineProperty(ReplayCpu.prototype, name, {
    value: function (this: ReplayCpu) {
      return this.next(name);
    },
  });
}

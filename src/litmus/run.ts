// Runs a parsed C litmus test under a memory model, exhaustively: the test becomes a Program
// of the simulator core (src/sim/execution.ts), each Pn a thread on CPUn that walks its body
// and calls the simulated Cpu for every marked or plain access, so litmus executions take the
// same path as the dma_fence scenarios (the same Cpu mappings, model, scheduler and choice
// path) and replay the same way. A depth-first search with no preemption bound enumerates every
// interleaving, every write a load may read (`r` choices), every place a store may land in
// coherence order (`w`) and every store-buffer drain order (`m`); each execution's final state
// (registers of every thread, the coherence-latest value of every location) is collected, and
// the condition is counted over the distinct final states as herd7 counts its candidate
// executions: Never / Sometimes / Always, positive and negative witnesses.
//
// Shared variables are separate one-word allocations, so an address dependency on `x` never
// covers `y`. Pointer values are the variables' simulated addresses (>= the NULL page, so never
// confused with the small integers litmus tests use); a final value equal to a variable's
// address is reported as that variable (`1:r0=x`).
//
// Address dependencies (`READ_ONCE(*r0)` with r0 loaded from memory) are tracked per register
// and handed to the weak model exactly (WeakMemory.dependOn); rcu_dereference is what LKMM's
// linux-kernel.def says it is, a READ_ONCE, and its ordering comes from that dependency.

import type { Address, BinaryExpr, CallExpr, Expr, LitmusTest, Observation, RegisterInit, Stmt, Thread } from './ast.ts';
import { classify, countWitnesses, type FinalState, type FinalValue } from './condition.ts';
import type { FenceKind as LitmusFence, LockOp, RcuOp } from './primitives.ts';
import { Fence } from '../sim/memory/graph.ts';
import type { FenceKind, MemOrder, Ptr } from '../kernel/cpu.ts';
import type { ModelName } from '../results/types.ts';
import type { SimCpu } from '../sim/cpu.ts';
import { Execution, type Program } from '../sim/execution.ts';
import { createMemoryModel } from '../sim/memory/index.ts';
import type { MemoryModel } from '../sim/memory/model.ts';
import type { View } from '../sim/memory/views.ts';
import { joined } from '../sim/memory/views.ts';
import { WeakMemory } from '../sim/memory/weak.ts';
import type { Choice } from '../sim/path.ts';
import { DfsScheduler } from '../sim/schedulers/dfs.ts';
import { ReplayScheduler } from '../sim/schedulers/replay.ts';
import type { Scheduler } from '../sim/schedulers/scheduler.ts';

type Gen<T> = Generator<unknown, T, unknown>;

/** Steps one litmus execution may take (the corpus needs a few dozen). */
const STEP_BOUND = 10_000;
/** Executions per test before the search is called off and answers Unknown (the corpus needs at most a few tens of thousands). */
export const DEFAULT_MAX_EXECUTIONS = 2_000_000;

/** A test the runner cannot run (an RMW form the Cpu has no method for, a violation). */
export class LitmusRunError extends Error {
  override readonly name = 'LitmusRunError';
}

export interface StateCount {
  readonly state: FinalState;
  /** executions that ended in it */
  readonly executions: number;
  readonly satisfies: boolean;
}

export interface LitmusRun {
  readonly model: ModelName;
  /** herd7's Observation word; Unknown when the search was called off (`exhausted`) */
  readonly observed: Observation | 'Unknown';
  /** distinct final states that satisfy / do not satisfy the condition's proposition */
  readonly positive: number;
  readonly negative: number;
  /** herd7's Ok/No for the quantified condition */
  readonly validated: boolean;
  /** executions explored (interleavings x read-from x coherence x drain choices) */
  readonly executions: number;
  /** of those, dropped because LKMM forbids them (weak: lkmm.ts) */
  readonly pruned: number;
  /** the search hit --max-executions or --timeout before it was exhaustive */
  readonly exhausted: boolean;
  readonly states: readonly StateCount[];
  /** the path of one execution whose final state satisfies the proposition, if any */
  readonly witness: Choice[] | null;
  readonly ms: number;
}

interface Val {
  v: number;
  /** what an access whose address is computed from this value must see (weak model) */
  dep: View | null;
  /** the reads (execution-graph events, weak model) this value was computed from */
  reads: readonly number[];
}

const NO_READS: readonly number[] = [];
const ZERO: Val = { v: 0, dep: null, reads: NO_READS };

function unionReads(a: readonly number[], b: readonly number[]): readonly number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...new Set([...a, ...b])];
}

/** Per execution: where the variables are and what the threads left behind. */
interface Frame {
  addr: Map<string, Ptr>;
  name: Map<Ptr, string>;
  registers: Record<number, Record<string, FinalValue>>;
  memory: Record<string, FinalValue>;
}

/** The fences the simulated Cpu has; the others are the graph's business (weak) or nothing. */
const FENCES: Partial<Record<LitmusFence, FenceKind>> = {
  mb: 'mb',
  rmb: 'rmb',
  wmb: 'wmb',
  'before-atomic': 'before_atomic',
  'after-atomic': 'after_atomic',
  'after-spinlock': 'after_spinlock',
};

/** The litmus test as a simulator Program; `frame()` is the state of the execution last run. */
export function litmusProgram(test: LitmusTest, memory: MemoryModel): { program: Program; frame(): Frame } {
  const weak = memory instanceof WeakMemory ? memory : null;
  let frame: Frame = { addr: new Map(), name: new Map(), registers: {}, memory: {} };
  const program: Program = {
    warningsFatal: true,
    *setup(cpu: SimCpu) {
      frame = { addr: new Map(), name: new Map(), registers: {}, memory: {} };
      for (const v of test.sharedVariables) {
        const a = (yield* cpu.kmalloc(1, true)) as Ptr;
        frame.addr.set(v.name, a);
        frame.name.set(a, v.name);
      }
      for (const v of test.sharedVariables) {
        const init = v.initial.kind === 'int' ? v.initial.value : frame.addr.get(v.initial.location)!;
        memory.init(frame.addr.get(v.name)!, 1, init);
      }
      return frame;
    },
    threads() {
      return test.threads.map((t) => ({
        name: `P${t.id}`,
        cpu: t.id,
        context: 'process' as const,
        start: (cpu: SimCpu) => new ThreadRunner(t, cpu, frame, weak, test.registerInit.filter((r) => r.thread === t.id)).run(),
      }));
    },
    *teardown(cpu: SimCpu) {
      const final = (v: number): FinalValue => {
        const loc = frame.name.get(v);
        return loc === undefined ? v : { loc };
      };
      for (const v of test.sharedVariables) frame.memory[v.name] = final(memory.latest(frame.addr.get(v.name)!));
      for (const a of frame.addr.values()) yield* cpu.kfree(a);
    },
  };
  return { program, frame: () => frame };
}

class ThreadRunner {
  private readonly regs = new Map<string, number>();
  private readonly deps = new Map<string, View | null>();
  private readonly regReads = new Map<string, readonly number[]>();
  /** the reads the conditions of the enclosing if statements depend on (ctrl) */
  private ctrl: readonly number[] = NO_READS;

  constructor(
    private readonly thread: Thread,
    private readonly cpu: SimCpu,
    private readonly frame: Frame,
    private readonly weak: WeakMemory | null,
    private readonly preset: readonly RegisterInit[],
  ) {}

  *run(): Gen<void> {
    for (const r of this.preset) {
      if (r.value) this.regs.set(r.register, r.value.kind === 'int' ? r.value.value : this.frame.addr.get(r.value.location)!);
    }
    for (const s of this.thread.body) yield* this.exec(s);
    const out: Record<string, FinalValue> = {};
    for (const r of this.thread.registers) {
      const v = this.regs.get(r.name) ?? 0;
      const loc = this.frame.name.get(v);
      out[r.name] = loc === undefined ? v : { loc };
    }
    this.frame.registers[this.thread.id] = out;
  }

  private set(register: string, val: Val): void {
    this.regs.set(register, val.v);
    this.deps.set(register, val.dep);
    this.regReads.set(register, val.reads);
  }

  private *exec(s: Stmt): Gen<void> {
    switch (s.kind) {
      case 'decl':
        if (s.init) this.set(s.register, yield* this.eval(s.init));
        return;
      case 'assign':
        this.set(s.register, yield* this.eval(s.value));
        return;
      case 'plain-store': {
        const val = yield* this.eval(s.value);
        const a = this.address(s.address);
        this.dependOn(a, val);
        yield* this.cpu.store(a.v, val.v);
        return;
      }
      case 'call':
        yield* this.call(s.call);
        return;
      case 'if': {
        const c = yield* this.eval(s.condition);
        // LKMM's ctrl: from the reads the condition depends on to the accesses in either branch.
        const outer = this.ctrl;
        this.ctrl = unionReads(outer, c.reads);
        if (c.v !== 0) yield* this.exec(s.then);
        else if (s.else) yield* this.exec(s.else);
        this.ctrl = outer;
        return;
      }
      case 'block':
        for (const b of s.body) yield* this.exec(b);
        return;
    }
  }

  private address(a: Address): Val {
    if (a.kind === 'location') return { v: this.frame.addr.get(a.location)!, dep: null, reads: NO_READS };
    return this.register(a.register);
  }

  private register(name: string): Val {
    return { v: this.regs.get(name) ?? 0, dep: this.deps.get(name) ?? null, reads: this.regReads.get(name) ?? NO_READS };
  }

  /**
   * The next access's address is `address`, its value (a store's) `value` (weak model only;
   * the others need nothing): the operational model honours the address dependency, the
   * execution graph records addr, data and ctrl dependencies.
   */
  private dependOn(address: Val, value: Val | null = null): void {
    if (!this.weak) return;
    this.weak.dependOn(this.cpu.id, address.dep);
    const data = value?.reads ?? NO_READS;
    this.weak.dependOnReads(this.cpu.id, address.reads.length || data.length || this.ctrl.length ? { addr: address.reads, data, ctrl: this.ctrl } : null);
  }

  /** What the value just loaded carries, joined with what its address carried. */
  private loaded(v: number, addressDep: View | null): Val {
    if (!this.weak) return { v, dep: null, reads: NO_READS };
    return { v, dep: joined(addressDep, this.weak.lastReadDependency(this.cpu.id)), reads: [this.weak.lastReadEvent(this.cpu.id)] };
  }

  private *eval(e: Expr): Gen<Val> {
    switch (e.kind) {
      case 'int':
        return { v: e.value, dep: null, reads: NO_READS };
      case 'address':
        return { v: this.frame.addr.get(e.location)!, dep: null, reads: NO_READS };
      case 'register':
        return this.register(e.name);
      case 'plain-load': {
        const a = this.address(e.address);
        this.dependOn(a);
        return this.loaded(yield* this.cpu.load(a.v), a.dep);
      }
      case 'not': {
        const x = yield* this.eval(e.operand);
        return { v: x.v === 0 ? 1 : 0, dep: x.dep, reads: x.reads };
      }
      case 'binary':
        return yield* this.binary(e);
      case 'call':
        return yield* this.call(e);
    }
  }

  private *binary(e: BinaryExpr): Gen<Val> {
    const l = yield* this.eval(e.left);
    if (e.op === '&&' && l.v === 0) return { v: 0, dep: l.dep, reads: l.reads };
    if (e.op === '||' && l.v !== 0) return { v: 1, dep: l.dep, reads: l.reads };
    const r = yield* this.eval(e.right);
    const dep = joined(l.dep, r.dep);
    const reads = unionReads(l.reads, r.reads);
    const v = ((): number => {
      switch (e.op) {
        case '==':
          return l.v === r.v ? 1 : 0;
        case '!=':
          return l.v !== r.v ? 1 : 0;
        case '+':
          return l.v + r.v;
        case '-':
          return l.v - r.v;
        case '&':
          return l.v & r.v;
        case '|':
          return l.v | r.v;
        case '^':
          return l.v ^ r.v;
        case '&&':
        case '||':
          return r.v !== 0 ? 1 : 0;
      }
    })();
    return { v, dep, reads };
  }

  /** The operands' values, and the reads they were computed from (a store's data dependency). */
  private *operands(c: CallExpr): Gen<{ values: number[]; data: Val }> {
    const values: number[] = [];
    let reads = NO_READS;
    for (const o of c.operands) {
      const val = yield* this.eval(o);
      values.push(val.v);
      reads = unionReads(reads, val.reads);
    }
    return { values, data: { v: 0, dep: null, reads } };
  }

  private *call(c: CallExpr): Gen<Val> {
    const p = c.primitive;
    const cpu = this.cpu;
    if (p.unsupported) throw new LitmusRunError(`${p.name}: ${p.unsupported}`);
    switch (p.kind) {
      case 'load': {
        const a = this.address(c.address!);
        this.dependOn(a);
        const v = p.order === 'acquire' ? yield* cpu.smp_load_acquire(a.v) : yield* cpu.READ_ONCE(a.v);
        return this.loaded(v, a.dep);
      }
      case 'store': {
        const { values, data } = yield* this.operands(c);
        const value = values[0];
        const a = this.address(c.address!);
        this.dependOn(a, data);
        if (p.fenceAfter === 'mb') yield* cpu.smp_store_mb(a.v, value!);
        else if (p.order === 'release') yield* cpu.smp_store_release(a.v, value!);
        else yield* cpu.WRITE_ONCE(a.v, value!);
        return ZERO;
      }
      case 'fence': {
        const kind = FENCES[p.fence];
        if (kind) yield* cpu.fence(kind);
        // It strengthens the unlock-lock pair before it to a full fence: LKMM's check does
        // that (weak); sc orders everything, and tso's lock is a locked instruction already.
        else if (p.fence === 'after-unlock-lock') this.weak?.graphFence(cpu.id, Fence.AfterUnlockLock);
        return ZERO;
      }
      case 'srcu':
        return yield* this.gracePeriodOp(p.op, this.address(c.address!).v);
      case 'rmw':
        return yield* this.rmw(c);
      case 'lock':
        return yield* this.lockOp(p.op, this.address(c.address!).v);
      case 'rcu':
        return yield* this.gracePeriodOp(p.op, null);
    }
    throw new LitmusRunError(`${c.primitive.name}: not runnable`);
  }

  /**
   * RCU (`srcu` null) and SRCU (the srcu_struct's address). Under weak, the operational model
   * lets every interleaving through (a grace period is only smp_mb(); it waits for nobody; a
   * read-side section is no interleaving point) and LKMM's check keeps the executions whose
   * grace periods and read-side sections satisfy linux-kernel.cat's rcu axiom, SRCU's per
   * srcu_struct: exactly LKMM, and far fewer interleavings than waiting. sc and tso have no
   * such check: they wait for readers as the simulator does, and run SRCU as RCU, every domain
   * as one, which can only wait more than SRCU does (stronger than LKMM across domains, never
   * weaker).
   */
  private *gracePeriodOp(op: RcuOp, srcu: Ptr | null): Gen<Val> {
    const cpu = this.cpu;
    const weak = this.weak;
    if (weak) {
      const rcu = srcu === null;
      if (op !== 'synchronize') {
        weak.graphFence(cpu.id, op === 'read-lock' ? (rcu ? Fence.RcuLock : Fence.SrcuLock) : rcu ? Fence.RcuUnlock : Fence.SrcuUnlock, srcu ?? -1);
        return ZERO;
      }
      // smp_mb(); grace period; smp_mb() as one step: nothing of this CPU happens in between,
      // and another CPU's step there could only enlarge this CPU's view (fewer outcomes).
      yield;
      weak.fence(cpu.id, 'mb');
      weak.graphFence(cpu.id, rcu ? Fence.SyncRcu : Fence.SyncSrcu, srcu ?? -1);
      weak.fence(cpu.id, 'mb');
      return ZERO;
    }
    return yield* this.rcu(op);
  }

  private *rcu(op: RcuOp): Gen<Val> {
    const cpu = this.cpu;
    switch (op) {
      // The simulated Cpu does not yield at rcu_read_lock/unlock (they touch no shared
      // word), but when a section starts or ends relative to a grace period matters:
      // make each one an interleaving point of its own.
      case 'read-lock':
        yield;
        yield* cpu.rcu_read_lock();
        return ZERO;
      case 'read-unlock':
        yield;
        yield* cpu.rcu_read_unlock();
        return ZERO;
      case 'synchronize':
        yield* cpu.synchronize_rcu();
        return ZERO;
    }
  }

  private *lockOp(op: LockOp, a: Ptr): Gen<Val> {
    const cpu = this.cpu;
    switch (op) {
      case 'lock':
        yield* cpu.spin_lock(a);
        return ZERO;
      case 'unlock':
        yield* cpu.spin_unlock(a);
        return ZERO;
      case 'trylock':
        return this.loaded((yield* cpu.spin_trylock(a)) ? 1 : 0, null);
      case 'is-locked':
        return this.loaded((yield* cpu.spin_is_locked(a)) ? 1 : 0, null);
    }
  }

  private *rmw(c: CallExpr): Gen<Val> {
    const p = c.primitive;
    if (p.kind !== 'rmw') throw new LitmusRunError(`${p.name} is not an RMW`);
    const { values: ops, data } = yield* this.operands(c);
    const a = this.address(c.address!);
    // linux-kernel.def's {once} is relaxed; the lab's Cpu calls the non-value-returning
    // relaxed RMWs (atomic_inc & co.) 'relaxed', the value-returning ones 'once': smp_rmb
    // orders the read half of the latter only.
    const order: MemOrder = p.order === 'once' ? (p.result === 'none' ? 'relaxed' : 'once') : p.order;
    this.dependOn(a, data);
    let old: number;
    let delta = 0;
    switch (p.op) {
      case 'add':
      case 'sub':
        delta = (p.constantOperand ?? ops[0]!) * (p.op === 'sub' ? -1 : 1);
        old = yield* this.cpu.fetch_add(a.v, delta, order);
        break;
      case 'xchg':
        old = yield* this.cpu.xchg(a.v, ops[0]!, order);
        break;
      case 'cmpxchg':
        old = yield* this.cpu.cmpxchg(a.v, ops[0]!, ops[1]!, order);
        break;
      case 'add-unless':
        throw new LitmusRunError(`${p.name}: the simulated Cpu has no add-unless RMW`);
    }
    const result = ((): number => {
      switch (p.result) {
        case 'none':
          return 0;
        case 'old':
          return old;
        case 'new':
          return old + delta;
        case 'new-is-zero':
          return old + delta === 0 ? 1 : 0;
        case 'new-is-negative':
          return old + delta < 0 ? 1 : 0;
        case 'did-add':
          return 0;
      }
    })();
    return this.loaded(result, a.dep);
  }
}

function stateKey(state: FinalState): string {
  return JSON.stringify(state);
}

function newExecution(memory: MemoryModel, scheduler: Scheduler): Execution {
  return new Execution(memory, scheduler, STEP_BOUND);
}

/** When a search is called off before it is exhaustive. */
export interface LitmusLimits {
  /** executions before the answer is Unknown */
  readonly maxExecutions?: number;
  /** wall-clock milliseconds before the answer is Unknown */
  readonly timeoutMs?: number;
  /** called about once a second while the search runs */
  readonly onProgress?: (executions: number, ms: number) => void;
}

/** How often (executions) the search looks at the clock. */
const CLOCK_EVERY = 256;

/**
 * Explores every execution of `test` under `model` and classifies the condition as herd7 does.
 * Under weak, executions LKMM forbids (lkmm.ts) are dropped as soon as their graph shows it
 * (`pruned`). A search stopped by `limits` answers Unknown with what it saw so far.
 */
export function runLitmus(test: LitmusTest, model: ModelName, limits: LitmusLimits = {}): LitmusRun {
  const started = performance.now();
  const maxExecutions = limits.maxExecutions ?? DEFAULT_MAX_EXECUTIONS;
  const memory = createMemoryModel(model);
  // Registers carry dependencies exactly here; no need to guess them from values.
  if (memory instanceof WeakMemory) {
    memory.valueDependencies = false;
    memory.eagerPruning = true;
  }
  const { program, frame } = litmusProgram(test, memory);
  const dfs = new DfsScheduler(Infinity);
  const ex = newExecution(memory, dfs);
  const states = new Map<string, { state: FinalState; executions: number; satisfies: boolean }>();
  let witness: Choice[] | null = null;
  let executions = 0;
  let pruned = 0;
  let exhausted = false;
  let lastProgress = started;
  while (dfs.startExecution()) {
    if (executions >= maxExecutions) {
      exhausted = true;
      break;
    }
    if (executions % CLOCK_EVERY === 0 && executions > 0) {
      const now = performance.now();
      if (limits.timeoutMs !== undefined && now - started >= limits.timeoutMs) {
        exhausted = true;
        break;
      }
      if (limits.onProgress && now - lastProgress >= 1000) {
        lastProgress = now;
        limits.onProgress(executions, now - started);
      }
    }
    const r = ex.run(program, false);
    dfs.endExecution();
    executions++;
    // Cut short by partial-order reduction: equivalent to an execution already explored.
    if (r.redundant) continue;
    if (r.violation) throw new LitmusRunError(`${test.name} under ${model}: ${r.violation.headline}`);
    // Dropped on the way (weak, eagerly), or forbidden once complete.
    if (r.pruned || (memory.consistent && !memory.consistent())) {
      pruned++;
      continue;
    }
    const f = frame();
    const state: FinalState = { registers: f.registers, memory: f.memory };
    const key = stateKey(state);
    const seen = states.get(key);
    if (seen) seen.executions++;
    else {
      const satisfies = countWitnesses(test, [state]).positive === 1;
      states.set(key, { state, executions: 1, satisfies });
      if (satisfies && !witness) witness = r.path;
    }
  }
  const all = [...states.values()];
  const counted = countWitnesses(test, all.map((s) => s.state));
  const verdict = classify(counted.positive, counted.negative, test.condition.quantifier);
  return {
    model,
    // An incomplete search has seen some outcomes but cannot say Never (nor Always); herd7
    // has no word for that.
    observed: exhausted ? 'Unknown' : verdict.observation,
    positive: verdict.witnesses.positive,
    negative: verdict.witnesses.negative,
    validated: verdict.validated,
    executions,
    pruned,
    exhausted,
    states: all,
    witness,
    ms: Math.round((performance.now() - started) * 10) / 10,
  };
}

/** Runs one execution of `test` along a recorded path (as `witness` gives) and returns its final state. */
export function replayLitmus(test: LitmusTest, model: ModelName, path: Choice[]): FinalState {
  const memory = createMemoryModel(model);
  if (memory instanceof WeakMemory) {
    memory.valueDependencies = false;
    memory.eagerPruning = true;
  }
  const { program, frame } = litmusProgram(test, memory);
  const replay = new ReplayScheduler([path]);
  const ex = newExecution(memory, replay);
  replay.startExecution();
  const r = ex.run(program, false);
  replay.endExecution();
  if (r.violation) throw new LitmusRunError(`${test.name} under ${model}: ${r.violation.headline}`);
  if (r.pruned || (memory.consistent && !memory.consistent())) throw new LitmusRunError(`${test.name} under ${model}: LKMM forbids the execution this path takes`);
  const f = frame();
  return { registers: f.registers, memory: f.memory };
}

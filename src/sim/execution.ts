// One execution of a program under the simulator: a sequential setup, the scenario's threads
// interleaved by the scheduler one shared access at a time, a sequential teardown, then the
// end-of-run checks (deadlock, leak). The execution owns the heap, locks, RCU grace periods,
// interrupts and sleeping; the memory model owns the values.
//
// Interrupts (DESIGN.md "Execution contexts"): a hardirq thread on CPU n may arrive only where
// CPU n's process thread has interrupts enabled; once it has arrived it runs to completion
// before that process thread continues. Other CPUs still interleave with it.

import type { ExecContext, Ptr } from '../kernel/cpu.ts';
import { MAX_SCHEDULE_TIMEOUT, TASK_RUNNING } from '../kernel/primitives.ts';
import { task_struct } from '../kernel/dma-fence.ts';
import { SimHeap, NULL_PAGE_WORDS, type Allocation } from './heap.ts';
import { InconsistentExecution, type MemoryChoiceKind, type MemoryModel } from './memory/model.ts';
import { ObservedMemory } from './memory/observed.ts';
import { cpuLocation, FootprintRecorder, RCU_LOCATION } from './footprint.ts';
import { ACTION_BASE, type Choice, type ChoiceKind } from './path.ts';
import { ReplayDivergence } from './schedulers/replay.ts';
import { RedundantExecution, type Scheduler } from './schedulers/scheduler.ts';
import { isRcuReader, Pending, Status, type SimThread } from './thread.ts';
import { SimCpu } from './cpu.ts';
import { LabInternalError, Violation } from './violation.ts';
import { Lockdep, LockdepViolation } from './lockdep.ts';

type Gen = Generator<unknown, unknown, unknown>;

export interface ThreadSpec {
  name: string;
  cpu: number;
  context: ExecContext;
  /** Starts the thread's kernel code (a transformed, generator-producing function). */
  start(cpu: SimCpu): Gen;
}

/** What an execution runs: built per execution by the check layer from variant + scenario. */
export interface Program {
  /** Runs alone on CPU0 before the threads; returns what the threads share. */
  setup(cpu: SimCpu): Gen;
  threads(shared: unknown): ThreadSpec[];
  /** Runs alone on CPU0 after every thread finished. */
  teardown?(cpu: SimCpu, shared: unknown): Gen;
  /** WARN()s are violations unless the scenario expects them. */
  warningsFatal: boolean;
}

export interface TraceEvent {
  step: number;
  tid: number;
  /** "test_and_set_bit(SIGNALED, fence#1.flags) = 0" */
  text: string;
  /** raw V8 stack, mapped to kernel source lines when formatted */
  stack: string;
}

export interface ExecutionResult {
  violation: Violation | null;
  /**
   * The memory model found the execution forbidden by LKMM (weak: lkmm.ts) and dropped it;
   * a violation it reached is not one.
   */
  pruned: boolean;
  /** Stopped early by partial-order reduction: equivalent to an execution already explored. */
  redundant: boolean;
  /** Earlier executions' paths a lockdep report rests on (replayed before `path`). */
  prelude: Choice[][];
  steps: number;
  /** the choice path taken */
  path: Choice[];
  preemptions: number;
  /** only when tracing */
  trace: TraceEvent[];
  threads: readonly SimThread[];
  warnings: string[];
}

interface GracePeriod {
  waits: { thread: SimThread; epoch: number }[];
  end(): void;
}

const SETUP_TID = -1;

export class Execution {
  readonly heap = new SimHeap();
  threads: SimThread[] = [];
  steps = 0;
  loopIterations = 0;
  jiffies = 0;
  tracing = false;
  trace: TraceEvent[] = [];
  warnings: string[] = [];
  readonly lockOwner = new Map<Ptr, SimThread>();
  private gracePeriods: GracePeriod[] = [];
  /** per CPU: the process thread, and the hardirq thread currently running there */
  private processOn: (SimThread | undefined)[] = [];
  private irqActive: (SimThread | undefined)[] = [];
  private pathValues: number[] = [];
  private pathKinds: ChoiceKind[] = [];
  private preemptions = 0;
  private last: SimThread | null = null;
  private readonly alts: number[] = [];
  /** reused by addMemoryActions: asked at every step */
  private readonly actionBuffer: number[] = [];
  current: SimThread | null = null;
  warningsFatal = true;

  private executionCount = 0;
  readonly memory: MemoryModel;
  /** partial-order reduction: what the running interleaving step touches (null: nobody asks) */
  readonly footprint: FootprintRecorder | null;
  /** the actor of the interleaving step in progress, or -1 */
  private stepActor = -1;

  constructor(
    memory: MemoryModel,
    private readonly scheduler: Scheduler,
    readonly stepBound: number,
    /** shared by every execution of one check, like lockdep over a kernel's uptime */
    readonly lockdep: Lockdep | null = null,
  ) {
    this.footprint = scheduler.observesSteps ? new FootprintRecorder() : null;
    this.memory = this.footprint ? new ObservedMemory(memory, this.footprint) : memory;
  }

  // --- choices ------------------------------------------------------------------------------

  /** A memory-model choice among `count` candidates (0 = default). */
  chooseIndex(kind: MemoryChoiceKind, count: number): number {
    if (count <= 1) return 0;
    const alts = this.alts;
    for (let i = 0; i < count; i++) alts[i] = i;
    // 0 is what SC would do (the newest write; a store at the end of coherence order). Any
    // other answer is a departure like a preemption, and costs one against the dfs bound:
    // with stale reads free, dfs under the weak model would not be bounded at all.
    const v = this.scheduler.choose(kind, alts, count, 0);
    this.record(kind, v);
    return v;
  }

  /** The memory model drained a store buffer (Chooser.published). */
  published(cpu: number, addr: Ptr): void {
    if (this.stepActor < 0) return;
    this.footprint!.write(addr);
    this.footprint!.write(cpuLocation(cpu));
  }

  private beginStep(actor: number, cpu: number | null): void {
    if (!this.footprint) return;
    this.stepActor = actor;
    this.footprint.begin(cpu);
  }

  private endStep(): void {
    if (this.stepActor < 0) return;
    const actor = this.stepActor;
    this.stepActor = -1;
    this.scheduler.stepped!(actor, this.footprint!.finish());
  }

  private record(kind: ChoiceKind, value: number): void {
    this.pathKinds.push(kind);
    this.pathValues.push(value);
  }

  // --- running ------------------------------------------------------------------------------

  run(program: Program, tracing: boolean): ExecutionResult {
    this.reset(tracing);
    this.lockdep?.beginExecution(this.executionCount++);
    this.warningsFatal = program.warningsFatal;
    let violation: Violation | null = null;
    let pruned = false;
    let redundant = false;
    try {
      const setupThread = this.newThread(SETUP_TID, 'setup', 0, 'process');
      const shared = this.runAlone(setupThread, program.setup(setupThread.cpu));
      this.memory.synchronizeAll();
      this.startThreads(program.threads(shared));
      this.interleave();
      if (program.teardown) {
        this.memory.synchronizeAll();
        const teardown = this.newThread(SETUP_TID, 'teardown', 0, 'process');
        this.runAlone(teardown, program.teardown(teardown.cpu, shared));
      }
      this.drainMemoryActions();
      this.endGracePeriods();
      this.checkLeaks();
    } catch (err) {
      if (err instanceof InconsistentExecution) pruned = true;
      else if (err instanceof RedundantExecution) redundant = true;
      else violation = this.asViolation(err);
    }
    // The step a violation cut short still counts: its accesses race like any other.
    this.endStep();
    if (this.footprint && !redundant) {
      const left = this.threads.filter((t) => t.status !== Status.Done).map((t) => t.tid);
      if (left.length > 0) this.scheduler.unfinished?.(left);
    }
    // A violation counts only if LKMM allows the execution that reached it.
    if (violation && this.memory.consistent && !this.memory.consistent()) {
      violation = null;
      pruned = true;
    }
    // The path as Choice objects only when someone asks: most executions of a search pass and
    // nobody does, and building it cost an object per choice per execution.
    const values = this.pathValues;
    const kinds = this.pathKinds;
    let path: Choice[] | null = null;
    const pathOf = () => (path ??= values.map((value, i) => ({ kind: kinds[i]!, value })));
    this.lockdep?.endExecution(pathOf);
    return {
      violation,
      pruned,
      redundant,
      prelude: violation instanceof LockdepViolation && this.lockdep ? this.lockdep.pathsFor(violation) : [],
      steps: this.steps,
      get path() {
        return pathOf();
      },
      preemptions: this.preemptions,
      trace: this.trace,
      threads: this.threads,
      warnings: this.warnings,
    };
  }

  private reset(tracing: boolean): void {
    this.heap.reset();
    this.memory.reset(8, this);
    this.threads = [];
    this.steps = 0;
    this.loopIterations = 0;
    this.jiffies = 0;
    this.tracing = tracing;
    this.trace = [];
    this.warnings = [];
    this.lockOwner.clear();
    this.gracePeriods = [];
    this.processOn = [];
    this.irqActive = [];
    this.pathValues = [];
    this.pathKinds = [];
    this.preemptions = 0;
    this.last = null;
    this.current = null;
    this.stepActor = -1;
  }

  private newThread(tid: number, name: string, cpuIndex: number, context: ExecContext): SimThread & { cpu: SimCpu } {
    const t = {
      tid,
      name,
      cpuIndex,
      context,
      gen: null,
      status: Status.Runnable,
      started: context === 'process',
      pending: Pending.Access,
      pendingAddr: 0,
      irqsOn: context === 'process',
      locksHeld: [],
      rcuDepth: 0,
      quiescentEpoch: 0,
      task: 0,
      sleepStartJiffies: 0,
      sleepTimeout: 0,
      timedOut: false,
      gracePeriodDone: false,
      spinning: false,
    } as unknown as SimThread & { cpu: SimCpu };
    t.cpu = new SimCpu(this, t);
    const task = this.heap.allocate(task_struct.size, task_struct, 'task', null, name, 0, `task:${name}`);
    this.memory.init(task.base, task.size, TASK_RUNNING);
    t.task = task.base;
    return t;
  }

  /** Runs a sequential phase to completion: no choices, but every check still applies. */
  private runAlone(t: SimThread, gen: Gen): unknown {
    t.gen = gen;
    this.current = t;
    for (;;) {
      const r = gen.next();
      if (r.done) {
        this.finishThread(t);
        return r.value;
      }
      this.countStep();
      if (!this.runnable(t)) {
        throw new Violation('deadlock', `deadlock: ${t.name} blocks on ${this.describePending(t)} with no other thread to wake it`);
      }
    }
  }

  private startThreads(specs: ThreadSpec[]): void {
    specs.forEach((spec, tid) => {
      const t = this.newThread(tid, spec.name, spec.cpu, spec.context);
      this.threads.push(t);
      if (spec.context === 'process') {
        if (this.processOn[spec.cpu]) throw new Violation('error', `scenario error: two process threads on CPU${spec.cpu}`);
        this.processOn[spec.cpu] = t;
      }
    });
    // Run each thread up to its first shared access: nothing before it is visible to others.
    specs.forEach((spec, tid) => {
      const t = this.threads[tid]!;
      this.current = t;
      t.gen = spec.start((t as SimThread & { cpu: SimCpu }).cpu);
      if (t.gen.next().done) this.finishThread(t);
    });
    this.current = null;
  }

  private interleave(): void {
    const alts = this.alts;
    for (;;) {
      let n = 0;
      let preferredOk = false;
      for (const t of this.threads) {
        if (this.runnable(t)) {
          alts[n++] = t.tid;
          if (t === this.last) preferredOk = true;
        }
      }
      n = this.addMemoryActions(n);
      if (n === 0) {
        if (this.threads.every((t) => t.status === Status.Done)) return;
        if (this.fireEarliestTimeout()) continue;
        throw this.deadlock();
      }
      let preferred = preferredOk ? this.last!.tid : -1;
      if (preferredOk && this.last!.spinning) {
        preferred = this.nextAfter(this.last!.tid, n);
        this.scheduler.yielded?.(this.last!.tid);
      }
      let chosen = alts[0]!;
      if (n > 1) {
        chosen = this.scheduler.choose('t', alts, n, preferred);
        this.record('t', chosen);
        if (preferred !== -1 && chosen !== preferred) this.preemptions++;
      }
      if (chosen >= ACTION_BASE) {
        this.beginStep(chosen, null);
        this.memory.performAction(chosen - ACTION_BASE);
        if (this.tracing) this.trace.push({ step: this.steps, tid: -2, text: this.memory.describeAction(chosen - ACTION_BASE), stack: '' });
        this.countStep();
        this.endStep();
        continue;
      }
      this.stepThread(this.threads[chosen]!);
    }
  }

  private nextAfter(tid: number, n: number): number {
    const alts = this.alts;
    for (let i = 0; i < n; i++) if (alts[i]! > tid && alts[i]! < ACTION_BASE) return alts[i]!;
    return alts[0] === tid && n > 1 ? alts[1]! : alts[0]!;
  }

  private addMemoryActions(n: number): number {
    const extra = this.actionBuffer;
    extra.length = 0;
    if (this.memory.pendingActions(extra) === 0) return n;
    for (const a of extra) this.alts[n++] = ACTION_BASE + a;
    return n;
  }

  private drainMemoryActions(): void {
    const alts = this.alts;
    for (;;) {
      const n = this.addMemoryActions(0);
      if (n === 0) return;
      let chosen = alts[0]!;
      if (n > 1) {
        chosen = this.scheduler.choose('t', alts, n, -1);
        this.record('t', chosen);
      }
      this.beginStep(chosen, null);
      this.memory.performAction(chosen - ACTION_BASE);
      this.countStep();
      this.endStep();
    }
  }

  private stepThread(t: SimThread): void {
    const fp = this.footprint;
    const wasReader = fp ? isRcuReader(t) : false;
    if (fp) this.beginResume(t);
    if (t.context === 'hardirq' && !t.started) {
      t.started = true;
      this.irqActive[t.cpuIndex] = t;
    }
    t.spinning = false;
    this.last = t;
    this.current = t;
    const r = t.gen!.next();
    if (r.done) this.finishThread(t);
    this.countStep();
    // Entering or leaving a reader (a lock, interrupts off, a read-side section) changes what
    // a grace period starting now would wait for.
    if (fp && (isRcuReader(t) || t.status === Status.Done) !== wasReader) fp.read(RCU_LOCATION);
    this.endStep();
  }

  /** Opens `t`'s step, noting what made it runnable when it was blocked. */
  private beginResume(t: SimThread): void {
    const fp = this.footprint!;
    this.beginStep(t.tid, t.cpuIndex);
    if (t.pending === Pending.Sleep) {
      // Woken through its task state; a timeout fires only because nothing else could run.
      if (t.timedOut) fp.markGlobal();
      else fp.read(t.task);
    } else if (t.pending === Pending.GracePeriod) fp.read(RCU_LOCATION);
  }

  private countStep(): void {
    if (++this.steps > this.stepBound) {
      throw new Violation('step-bound', `step bound of ${this.stepBound} exceeded: livelock, or a loop that waits for something that never comes`);
    }
  }

  private finishThread(t: SimThread): void {
    t.status = Status.Done;
    if (t.locksHeld.length > 0) {
      const where = t.context === 'hardirq' ? 'at the end of the interrupt' : 'when returning to user space';
      throw new Violation('lockdep', `WARNING: lock held ${where}! ${t.name} still holds ${t.locksHeld.map((l) => this.heap.name(l)).join(', ')}`);
    }
    if (t.rcuDepth !== 0) {
      throw new Violation('lockdep', `WARNING: ${t.name} exited with rcu_read_lock() nesting ${t.rcuDepth}`);
    }
    if (this.irqActive[t.cpuIndex] === t) this.irqActive[t.cpuIndex] = undefined;
    this.quiesce(t);
  }

  runnable(t: SimThread): boolean {
    if (t.status === Status.Done) return false;
    if (t.context === 'hardirq') {
      if (!t.started) {
        const proc = this.processOn[t.cpuIndex];
        if (proc && proc.status !== Status.Done && !proc.irqsOn) return false;
        if (this.irqActive[t.cpuIndex]) return false;
      }
    } else if (this.irqActive[t.cpuIndex] && t.tid !== SETUP_TID) {
      return false;
    }
    switch (t.pending) {
      case Pending.Access:
        return true;
      case Pending.Lock:
        // Free once no thread owns it and the unlock has reached memory: under TSO the
        // unlocking store may still sit in its CPU's store buffer, and the next owner must not
        // enter before it (and, FIFO, everything stored before it) is visible.
        return !this.lockOwner.has(t.pendingAddr) && this.memory.latest(t.pendingAddr) === 0;
      case Pending.Sleep:
        return t.timedOut || this.memory.latest(t.task) === TASK_RUNNING;
      case Pending.GracePeriod:
        return t.gracePeriodDone;
    }
  }

  /** No thread can run: time passes, and the earliest finite sleep times out. */
  private fireEarliestTimeout(): boolean {
    let earliest: SimThread | null = null;
    for (const t of this.threads) {
      if (t.status === Status.Done || t.pending !== Pending.Sleep || t.sleepTimeout >= MAX_SCHEDULE_TIMEOUT) continue;
      const due = t.sleepStartJiffies + t.sleepTimeout;
      if (!earliest || due < earliest.sleepStartJiffies + earliest.sleepTimeout) earliest = t;
    }
    if (!earliest) return false;
    this.jiffies = Math.max(this.jiffies, earliest.sleepStartJiffies + earliest.sleepTimeout);
    earliest.timedOut = true;
    return true;
  }

  // --- RCU ----------------------------------------------------------------------------------

  /** Starts a grace period that ends once every current reader has passed a quiescent state. */
  startGracePeriod(caller: SimThread, end: () => void): void {
    this.footprint?.write(RCU_LOCATION);
    const waits: GracePeriod['waits'] = [];
    for (const t of this.threads) {
      if (t !== caller && t.status !== Status.Done && isRcuReader(t)) waits.push({ thread: t, epoch: t.quiescentEpoch });
    }
    if (caller.tid !== SETUP_TID && isRcuReader(caller)) waits.push({ thread: caller, epoch: caller.quiescentEpoch });
    const readers = waits.map((w) => w.thread.cpuIndex);
    const gp: GracePeriod = {
      waits,
      end: () => {
        this.memory.gracePeriod(caller.cpuIndex, readers);
        end();
      },
    };
    if (waits.length === 0) gp.end();
    else this.gracePeriods.push(gp);
  }

  /** Called whenever a thread may have left a read-side section. */
  quiesce(t: SimThread): void {
    if (isRcuReader(t) && t.status !== Status.Done) return;
    t.quiescentEpoch++;
    if (this.gracePeriods.length === 0) return;
    this.gracePeriods = this.gracePeriods.filter((gp) => {
      const over = gp.waits.every((w) => w.thread.quiescentEpoch > w.epoch || w.thread.status === Status.Done);
      if (over) {
        this.footprint?.write(RCU_LOCATION);
        gp.end();
      }
      return !over;
    });
  }

  private endGracePeriods(): void {
    for (const gp of this.gracePeriods) gp.end();
    this.gracePeriods = [];
  }

  // --- memory checks ------------------------------------------------------------------------

  /** Validates an access; throws the violation a KASAN kernel would report. */
  check(t: SimThread, addr: Ptr, write: boolean, primitive: string): Allocation {
    if (this.footprint) {
      if (write) this.footprint.write(addr);
      else this.footprint.read(addr);
    }
    if (addr < NULL_PAGE_WORDS) {
      throw new Violation(
        'null-deref',
        `BUG: kernel NULL pointer dereference, address: ${hexAddress(addr)} in {fn}`,
        [`#PF: supervisor ${write ? 'write' : 'read'} access in kernel mode by ${t.name}: ${primitive}(${this.heap.name(addr)})`],
        [this.access(t, primitive, addr)],
      );
    }
    const a = this.heap.find(addr);
    if (!a) {
      throw new Violation('use-after-free', `BUG: KASAN: wild-memory-access in {fn}`, [`${write ? 'Write' : 'Read'} at ${hexAddress(addr)} by ${t.name}: ${primitive}`], [this.access(t, primitive, addr)]);
    }
    if (a.state === 'freed') throw this.useAfterFree(t, a, addr, write, primitive);
    return a;
  }

  useAfterFree(t: SimThread, a: Allocation, addr: Ptr, write: boolean, primitive: string): Violation {
    const what = a.module ? `module ${a.module}'s ${a.kind === 'text' ? 'text' : a.kind === 'rodata' ? 'rodata' : 'data'} (unloaded)` : `slab object ${a.label}`;
    return new Violation(
      'use-after-free',
      `BUG: KASAN: ${a.module ? 'use-after-free' : 'slab-use-after-free'} in {fn}`,
      [
        `${write ? 'Write' : 'Read'} of ${this.heap.name(addr)} by ${t.name}: ${primitive}`,
        `The buggy address belongs to ${what}${a.layout ? ` of type struct ${a.layout.name}` : ''}`,
        `Allocated by ${a.allocThread} at step ${a.allocStep}`,
        `Freed by ${a.freeThread} at step ${a.freeStep} (${a.freeHow})`,
      ],
      [this.access(t, primitive, addr)],
    );
  }

  access(t: SimThread, primitive: string, addr: Ptr) {
    return { thread: t.name, primitive, address: this.heap.name(addr), step: this.steps };
  }

  freeAllocation(a: Allocation, thread: string, how: string): void {
    this.footprint?.writeRange(a.base, a.size);
    a.state = 'freed';
    a.freeThread = thread;
    a.freeStep = this.steps;
    a.freeHow = how;
  }

  private checkLeaks(): void {
    const leaked = this.heap.allocations.filter((a) => a.kind === 'heap' && a.state !== 'freed');
    if (leaked.length === 0) return;
    const first = leaked[0]!;
    throw new Violation(
      'leak',
      `kmemleak: ${leaked.length} new suspected memory leak${leaked.length > 1 ? 's' : ''}: unreferenced object ${first.label}${first.layout ? ` (struct ${first.layout.name})` : ''}`,
      leaked.map((a) => `unreferenced object ${a.label} (${a.size} words), allocated by ${a.allocThread} at step ${a.allocStep}`),
    );
  }

  private deadlock(): Violation {
    const blocked = this.threads.filter((t) => t.status !== Status.Done);
    const lines = blocked.map((t) => `${t.name}: ${this.describePending(t)}`);
    return new Violation('deadlock', `deadlock: no thread can run; ${lines.join('; ')}`, lines);
  }

  private describePending(t: SimThread): string {
    if (t.context === 'hardirq' && !t.started) return 'interrupt not yet delivered (its CPU keeps interrupts disabled)';
    if (this.irqActive[t.cpuIndex] && this.irqActive[t.cpuIndex] !== t && t.context === 'process') {
      return `interrupted by ${this.irqActive[t.cpuIndex]!.name}`;
    }
    switch (t.pending) {
      case Pending.Lock: {
        const owner = this.lockOwner.get(t.pendingAddr);
        return `spins on ${this.heap.name(t.pendingAddr)} held by ${owner ? owner.name : '?'}`;
      }
      case Pending.Sleep:
        return `sleeps in schedule_timeout() and nobody wakes ${this.heap.name(t.task)}`;
      case Pending.GracePeriod:
        return 'waits in synchronize_rcu()';
      default:
        return 'runnable';
    }
  }

  private asViolation(err: unknown): Violation {
    if (err instanceof Violation) return err;
    if (err instanceof LabInternalError || err instanceof ReplayDivergence) throw err;
    const e = err instanceof Error ? err : new Error(String(err));
    const v = new Violation('error', `Oops: ${e.name}: ${e.message} in {fn}`, [(e.stack ?? '').split('\n').slice(1, 6).join('\n')]);
    v.stack = e.stack ?? '';
    return v;
  }

  // --- tracing ------------------------------------------------------------------------------

  recordEvent(t: SimThread, text: string): void {
    this.trace.push({ step: this.steps, tid: t.tid, text, stack: new Error().stack ?? '' });
  }

  /**
   * A WARN() that fired. Reported as the kernel's __warn() prints it: the WARN's message, then
   * "WARNING: CPU: N PID: P at file:line function" ({site}, filled from the stack when the
   * failing run is replayed). PIDs number the scenario's threads from 1 (0 is set-up).
   */
  warn(t: SimThread, msg: string): void {
    if (this.warningsFatal) throw new Violation('assertion', `WARNING: CPU: ${t.cpuIndex} PID: ${t.tid + 1} at {site}`, [msg, `by ${t.name}`]);
    this.warnings.push(`${t.name}: ${msg}`);
  }
}

function hexAddress(addr: Ptr): string {
  return `0x${(addr * 8).toString(16).padStart(16, '0')}`;
}

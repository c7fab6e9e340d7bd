// Lockdep in the model (kernel/locking/lockdep.c, Documentation/locking/lockdep-design.rst):
// locks are grouped into classes (every fence's inline lock is one class, as with
// spin_lock_init's static key), each acquisition while other locks are held adds "held ->
// new" edges to one lock-order graph that lives across all executions of a check, and each
// class records how it was used with respect to hard interrupts. Three reports, in lockdep's
// words: a cycle in the graph ("possible circular locking dependency detected"), a class
// taken both in hardirq context and with hardirqs enabled ("inconsistent lock state"), and a
// hardirq-safe class taken before a hardirq-unsafe one ("HARDIRQ-safe -> HARDIRQ-unsafe lock
// order detected"). Each fires as soon as the graph shows the hazard, even when no execution
// has deadlocked yet.
//
// Because the graph spans executions, a report may rest on an edge an earlier execution added;
// the report then carries those executions' choice paths so its replay rebuilds the graph.

import type { Ptr } from '../kernel/cpu.ts';
import type { SimHeap } from './heap.ts';
import type { Choice } from './path.ts';
import type { SimThread } from './thread.ts';
import { Violation } from './violation.ts';

interface Edge {
  from: string;
  to: string;
  /** who first took `to` while holding `from` */
  thread: string;
  /** index of the execution that added it (within this check) */
  execution: number;
}

/** Who first used a class one way, and in which execution. */
interface FirstUse {
  thread: string;
  execution: number;
}

interface Usage {
  /** first acquisition in hardirq context (lockdep's IN-HARDIRQ-W) */
  inHardirq: FirstUse | null;
  /** first acquisition with hardirqs enabled (HARDIRQ-ON-W) */
  hardirqOn: FirstUse | null;
}

/** The executions a report rests on: their paths, oldest first, ending with the reporting one. */
export class LockdepViolation extends Violation {
  priorExecutions: number[] = [];
}

export class Lockdep {
  private edges = new Map<string, Edge>();
  private out = new Map<string, Set<string>>();
  private usage = new Map<string, Usage>();
  private execution = 0;
  /** did the running execution add an edge or a usage bit */
  private contributed = false;
  /** the choice paths of the executions that added to the graph, by execution index */
  private paths = new Map<number, Choice[]>();

  /** Starts execution number `n` of this check. */
  beginExecution(n: number): void {
    this.execution = n;
    this.contributed = false;
  }

  /** An execution ended: what it added can now be replayed from its path (built on demand). */
  endExecution(path: () => Choice[]): void {
    if (this.contributed) this.paths.set(this.execution, path());
  }

  /** The paths of the earlier executions a report rests on, in execution order. */
  pathsFor(v: LockdepViolation): Choice[][] {
    return [...v.priorExecutions].sort((a, b) => a - b).map((n) => this.paths.get(n)!);
  }

  /**
   * Lockdep's name of a lock's class. Like the kernel's static keys, every instance of one
   * struct field is one class ("&fence->inline_lock", "&obj[1]"); a module's static lock is
   * its own class ("nouveau.fence_lock").
   */
  static className(heap: SimHeap, lock: Ptr): string {
    const a = heap.find(lock);
    if (!a) return heap.name(lock);
    const offset = lock - a.base;
    if (a.module) return a.layout && a.layout.size > 1 ? `${a.label}.${a.layout.fieldsAt[offset]!.at(-1)}` : a.label;
    if (!a.layout) return `&${a.label.replace(/#\d+$/, '')}[${offset}]`;
    return `&${a.layout.label}->${a.layout.fieldsAt[offset]!.at(-1)}`;
  }

  /** Called after `t` acquired `lock` (not for trylock, which never waits). */
  acquired(heap: SimHeap, t: SimThread, lock: Ptr, held: readonly Ptr[]): void {
    const cls = Lockdep.className(heap, lock);
    this.markUsage(cls, t);
    for (const h of held) {
      const from = Lockdep.className(heap, h);
      if (from === cls) continue; // recursion on one lock is caught as a deadlock by the Cpu
      this.addEdge(from, cls, t);
    }
  }

  private markUsage(cls: string, t: SimThread): void {
    let u = this.usage.get(cls);
    if (!u) {
      u = { inHardirq: null, hardirqOn: null };
      this.usage.set(cls, u);
    }
    const use = { thread: t.name, execution: this.execution };
    let changed = false;
    if (t.context === 'hardirq' && !u.inHardirq) {
      u.inHardirq = use;
      changed = true;
    }
    if (t.context === 'process' && t.irqsOn && !u.hardirqOn) {
      u.hardirqOn = use;
      changed = true;
    }
    if (!changed) return;
    this.contributed = true;
    if (u.inHardirq && u.hardirqOn) throw this.inconsistent(cls, u);
    this.checkIrqOrder();
  }

  private addEdge(from: string, to: string, t: SimThread): void {
    const key = `${from}\u0000${to}`;
    if (this.edges.has(key)) return;
    const edge: Edge = { from, to, thread: t.name, execution: this.execution };
    this.edges.set(key, edge);
    this.contributed = true;
    if (!this.out.has(from)) this.out.set(from, new Set());
    this.out.get(from)!.add(to);
    const back = this.route(to, from);
    if (back) throw this.circular(edge, back);
    this.checkIrqOrder();
  }

  /** A path of edges from `a` to `b`, or null. */
  private route(a: string, b: string): Edge[] | null {
    const prev = new Map<string, Edge>();
    const queue = [a];
    const seen = new Set([a]);
    while (queue.length > 0) {
      const n = queue.shift()!;
      if (n === b) {
        const path: Edge[] = [];
        for (let x = b; x !== a; x = prev.get(x)!.from) path.unshift(prev.get(x)!);
        return path;
      }
      for (const m of this.out.get(n) ?? []) {
        if (seen.has(m)) continue;
        seen.add(m);
        prev.set(m, this.edges.get(`${n}\u0000${m}`)!);
        queue.push(m);
      }
    }
    return null;
  }

  /** A hardirq-safe class ordered before a hardirq-unsafe one anywhere in the graph. */
  private checkIrqOrder(): void {
    for (const [safe, u] of this.usage) {
      if (!u.inHardirq) continue;
      for (const [unsafe, w] of this.usage) {
        if (unsafe === safe || !w.hardirqOn) continue;
        const path = this.route(safe, unsafe);
        if (path) throw this.irqInversion(safe, unsafe, u, w, path);
      }
    }
  }

  private violation(headline: string, lines: string[], from: (Edge | FirstUse)[]): LockdepViolation {
    const v = new LockdepViolation('lockdep', headline, lines);
    v.priorExecutions = [...new Set(from.map((x) => x.execution).filter((n) => n !== this.execution))];
    return v;
  }

  private circular(edge: Edge, back: Edge[]): LockdepViolation {
    const chain = back.map((e, i) => `-> #${back.length - i} (${e.to}): taken after (${e.from}) by ${e.thread}`).reverse();
    return this.violation(
      'WARNING: possible circular locking dependency detected',
      [
        `${edge.thread} is trying to acquire lock:`,
        ` (${edge.to})`,
        'but task is already holding lock:',
        ` (${edge.from})`,
        'which lock already depends on the new lock.',
        '',
        'the existing dependency chain (in reverse order) is:',
        ...chain,
        '',
        'other info that might help us debug this:',
        ' Possible unsafe locking scenario:',
        '',
        ...scenarioTable([
          [`lock(${edge.from});`, ''],
          ['', `lock(${edge.to});`],
          ['', `lock(${edge.from});`],
          [`lock(${edge.to});`, ''],
        ]),
        '',
        ' *** DEADLOCK ***',
      ],
      [edge, ...back],
    );
  }

  private inconsistent(cls: string, u: Usage): LockdepViolation {
    return this.violation(
      'WARNING: inconsistent lock state',
      [
        `inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.`,
        ` (${cls}) was taken in hardirq context by ${u.inHardirq!.thread} and with hardirqs enabled by ${u.hardirqOn!.thread}`,
        '',
        'other info that might help us debug this:',
        ' Possible unsafe locking scenario:',
        '',
        ...scenarioTable([[`lock(${cls});`], ['<Interrupt>'], [`  lock(${cls});`]]),
        '',
        ' *** DEADLOCK ***',
      ],
      [u.inHardirq!, u.hardirqOn!],
    );
  }

  private irqInversion(safe: string, unsafe: string, u: Usage, w: Usage, path: Edge[]): LockdepViolation {
    return this.violation(
      'WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected',
      [
        `(${safe}) is HARDIRQ-safe: taken in hardirq context by ${u.inHardirq!.thread}`,
        `(${unsafe}) is HARDIRQ-unsafe: taken with hardirqs enabled by ${w.hardirqOn!.thread}`,
        `and (${unsafe}) is taken while holding (${safe}): ${path.map((e) => `${e.from} -> ${e.to} by ${e.thread}`).join(', ')}`,
        '',
        'other info that might help us debug this:',
        ' Possible interrupt unsafe locking scenario:',
        '',
        ...scenarioTable([
          [`lock(${unsafe});`, ''],
          ['', 'local_irq_disable();'],
          ['', `lock(${safe});`],
          ['', `lock(${unsafe});`],
          ['<Interrupt>', ''],
          [`  lock(${safe});`, ''],
        ]),
        '',
        ' *** DEADLOCK ***',
      ],
      [...path, u.inHardirq!, w.hardirqOn!],
    );
  }
}

/** lockdep's CPU0/CPU1 table, in print_circular_lock_scenario()'s columns (2 and 31). */
function scenarioTable(rows: string[][]): string[] {
  const cols = Math.max(...rows.map((r) => r.length));
  const width = Math.max(29, ...rows.flatMap((r) => r.slice(0, -1).map((c) => c.length + 2)));
  const header = Array.from({ length: cols }, (_, i) => `CPU${i}`);
  const fmt = (indent: number, w: number, cells: string[]) => `${' '.repeat(indent)}${cells.map((c) => c.padEnd(w)).join('').trimEnd()}`;
  return [fmt(7, width - 5, header), fmt(7, width - 5, header.map(() => '----')), ...rows.map((r) => fmt(2, width, r))];
}

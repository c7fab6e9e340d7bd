// Exhaustive depth-first exploration under a preemption bound (CHESS's iterative context
// bounding, PLDI'07; loom's LOOM_MAX_PREEMPTIONS). Stateless: each execution replays the
// prefix of the previous one and takes the next untried alternative at the deepest choice
// point that still has one. Switching away from a thread that could have continued costs one
// preemption; switching after it blocked or finished is free, so every schedule with at most
// `bound` preemptions is run exactly once.
//
// With reduction 'dpor' (the default), thread choices are pruned by partial-order reduction:
// source-DPOR with sleep sets (Abdulla, Aronis, Jonsson, Sagonas, POPL'14). After each
// execution its races (src/sim/schedulers/races.ts) add backtrack points; at each choice point
// only the alternatives a race asked for are explored, and a thread whose next step commutes
// with everything run since it was explored at an earlier branch sleeps. Memory-model choices
// (`r`, `w`, and the model's own actions such as store-buffer drains, `m`) are explored as
// without reduction: every alternative within the bound; drains still take part in races.
// Under a finite bound, bounded POR (Coons, Musuvathi, McKinley, OOPSLA'13): each backtrack
// point is also added where the thread block holding the race's first event began, since
// switching there costs no more preemptions than the schedule that raced. README
// "Partial-order reduction" says what `complete: true` guarantees.

import type { Footprint } from '../footprint.ts';
import { dependent } from '../footprint.ts';
import { ACTION_BASE, type ChoiceKind } from '../path.ts';
import { LabInternalError } from '../violation.ts';
import { EventLog } from './races.ts';
import { RedundantExecution, type Scheduler } from './scheduler.ts';

export type Reduction = 'dpor' | 'none';
export const REDUCTIONS: readonly Reduction[] = ['dpor', 'none'];

interface ChoicePoint {
  kind: ChoiceKind;
  /** alternatives, the preferred one first */
  alts: number[];
  preferred: number;
  index: number;
  preemptionsBefore: number;
  /** reduction, thread choices only: the alternatives to explore (DPOR's backtrack set), a bit per index in `alts`; 0 when not reduced */
  backtrack: number;
  /** reduction: the alternatives explored and left, a bit per index */
  explored: number;
  /** sleep sets: threads asleep on entry, with the footprint of the step they would take */
  sleep: Map<number, Footprint> | null;
  /** sleep sets: the footprints of the explored alternatives' steps (null: never sleeps), by index */
  footprints: (Footprint | null)[] | null;
}

export class DfsScheduler implements Scheduler {
  readonly name = 'dfs';
  readonly observesSteps: boolean;
  private stack: ChoicePoint[] = [];
  private pos = 0;
  private preemptions = 0;
  private first = true;
  private done = false;
  // reduction: this execution's steps, the choice point of the step about to run, whether
  // that step made a memory-model choice, and the sleep set after the last step
  private readonly events = new EventLog();
  private pendingNode = -1;
  private memoryChoiceInStep = false;
  private sleep = new Map<number, Footprint>();

  /**
   * Sleep sets only without a bound: a thread asleep here stands for an execution explored
   * with its step earlier, which can cost more preemptions than this one, over the bound.
   */
  private readonly sleepSets: boolean;

  constructor(
    readonly bound: number,
    readonly reduction: Reduction = 'dpor',
  ) {
    this.observesSteps = reduction === 'dpor';
    this.sleepSets = bound === Infinity;
  }

  get complete(): boolean {
    return this.done;
  }

  startExecution(): boolean {
    if (this.done) return false;
    if (!this.first) {
      if (this.observesSteps) this.addBacktrackPoints();
      if (!this.backtrack()) {
        this.done = true;
        return false;
      }
    }
    this.first = false;
    this.pos = 0;
    this.preemptions = 0;
    this.events.clear();
    this.pendingNode = -1;
    this.memoryChoiceInStep = false;
    this.sleep = new Map();
    return true;
  }

  private cost(point: ChoicePoint, alt: number): number {
    // Draining a store buffer early while a thread could run is a departure from the most
    // relaxed default (stores stay buffered until a barrier, a lock or the end), like a
    // preemption: without this, every free thread switch would fan out over every drain order.
    // When only drains are left, draining in the buffers' default order is free and any other
    // order costs one, so end-of-run drain orders do not multiply either.
    if (alt >= ACTION_BASE) return alt === point.alts[0] && point.alts.every((a) => a >= ACTION_BASE) ? 0 : 1;
    return point.preferred !== -1 && alt !== point.preferred ? 1 : 0;
  }

  private fits(point: ChoicePoint, alt: number): boolean {
    return point.preemptionsBefore + this.cost(point, alt) <= this.bound;
  }

  private backtrack(): boolean {
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1]!;
      if (top.backtrack !== 0) {
        const next = this.nextReduced(top);
        if (next >= 0) {
          top.explored |= 1 << top.index;
          top.index = next;
          return true;
        }
      } else {
        for (let j = top.index + 1; j < top.alts.length; j++) {
          if (this.fits(top, top.alts[j]!)) {
            top.index = j;
            return true;
          }
        }
      }
      this.stack.pop();
    }
    return false;
  }

  /** The next alternative a reduced thread choice still owes, or -1. */
  private nextReduced(point: ChoicePoint): number {
    const owed = point.backtrack & ~point.explored & ~(1 << point.index);
    for (let j = 0; j < point.alts.length; j++) {
      if (!(owed & (1 << j))) continue;
      const alt = point.alts[j]!;
      if (point.sleep?.has(alt) || !this.fits(point, alt)) continue;
      return j;
    }
    return -1;
  }

  choose(kind: ChoiceKind, alts: readonly number[], count: number, preferred: number): number {
    let point = this.stack[this.pos];
    if (point) {
      if (point.kind !== kind || point.alts.length !== count) {
        throw new LabInternalError(`dfs: execution is not deterministic at choice ${this.pos + 1}`);
      }
    } else {
      point = this.newPoint(kind, alts, count, preferred);
      this.stack.push(point);
    }
    if (this.observesSteps) {
      if (kind === 't') this.pendingNode = this.pos;
      else this.memoryChoiceInStep = true;
    }
    this.pos++;
    const chosen = point.alts[point.index]!;
    this.preemptions += this.cost(point, chosen);
    return chosen;
  }

  private newPoint(kind: ChoiceKind, alts: readonly number[], count: number, preferred: number): ChoicePoint {
    const ordered = alts.slice(0, count);
    const p = ordered.indexOf(preferred);
    if (p > 0) {
      ordered.splice(p, 1);
      ordered.unshift(preferred);
    }
    const point: ChoicePoint = {
      kind,
      alts: ordered,
      preferred: p >= 0 ? preferred : -1,
      index: 0,
      preemptionsBefore: this.preemptions,
      backtrack: 0,
      explored: 0,
      sleep: null,
      footprints: null,
    };
    if (!this.observesSteps || kind !== 't') return point;
    if (count > 30) throw new LabInternalError(`dfs: ${count} alternatives at one choice point; reduction keeps them in a 30-bit mask`);
    if (this.sleepSets) {
      point.sleep = new Map(this.sleep);
      point.footprints = [];
    }
    // Memory-model actions are explored as without reduction.
    for (let j = 0; j < count; j++) if (ordered[j]! >= ACTION_BASE) point.backtrack |= 1 << j;
    const first = ordered.findIndex((a) => !point.sleep?.has(a) && this.fits(point, a));
    // Every alternative asleep (or over the bound): every continuation is equivalent to an
    // execution already explored.
    if (first < 0) throw new RedundantExecution();
    point.index = first;
    point.backtrack |= 1 << first;
    return point;
  }

  stepped(actor: number, footprint: Footprint): void {
    const node = this.pendingNode;
    this.pendingNode = -1;
    this.events.push(actor, footprint, node);
    if (!this.sleepSets) {
      this.memoryChoiceInStep = false;
      return;
    }
    // The sleep set after this step: whoever slept here or was explored here before, and
    // commutes with it (memory-model actions never sleep: they are explored as without reduction).
    const point = node >= 0 ? this.stack[node]! : null;
    const next = new Map<number, Footprint>();
    const carry = (q: number, fp: Footprint | null) => {
      if (fp && this.sleepSets && q !== actor && q < ACTION_BASE && !dependent(fp, footprint)) next.set(q, fp);
    };
    if (point) {
      for (const [q, fp] of point.sleep!) carry(q, fp);
      for (let j = 0; j < point.alts.length; j++) if (point.explored & (1 << j)) carry(point.alts[j]!, point.footprints![j] ?? null);
      // A step that made a memory-model choice may touch other things in its other branches.
      point.footprints![point.index] = this.memoryChoiceInStep ? null : footprint;
    } else {
      for (const [q, fp] of this.sleep) carry(q, fp);
    }
    this.sleep = next;
    this.memoryChoiceInStep = false;
  }

  /**
   * Threads left unfinished when the execution ended: their next step is unknown, so it may
   * depend on anything. Ask for each of them wherever it could have run after its last step.
   */
  unfinished(tids: readonly number[]): void {
    const log = this.events;
    for (const tid of tids) {
      let after = log.length - 1;
      while (after >= 0 && log.actors[after] !== tid) after--;
      for (let e = after + 1; e < log.length; e++) {
        const point = this.pointOf(e);
        if (point) this.ask(point, tid);
      }
    }
  }

  /**
   * Source-DPOR's race reversal: for each race e ⋖ e', one of the initials of notdep(e).e' is
   * asked for right before e. Bounded, two conservative additions: the initial is also asked
   * for where the thread block holding e began (bounded POR: switching there costs no more
   * than the schedule that raced), and for every other dependent pair of two actors the later
   * actor is asked for right before the earlier event, since the executions that would reverse
   * the pair step by step may lie over the bound.
   */
  private addBacktrackPoints(): void {
    const log = this.events;
    const bounded = this.bound !== Infinity;
    log.races(bounded, (first, second, race) => {
      if (!race) {
        const point = this.pointOf(first);
        if (point) this.ask(point, log.actors[second]!);
        return;
      }
      const initials = log.initials(first, second);
      const point = this.enabledBefore(first, initials);
      if (point && !this.alreadyCovers(point, initials)) this.addOne(point, initials);
      const outer = bounded ? this.pointOf(this.blockStart(first)) : null;
      if (outer && outer !== point && !this.alreadyCovers(outer, initials)) this.addOne(outer, initials);
    });
  }

  /**
   * The choice point right before event `e` if one of `actors` could run there, else the
   * latest earlier one where one could: an actor blocked at `e` (on a lock `e`'s thread holds)
   * can only be put first where it was last runnable (Flanagan and Godefroid's co-enabled
   * condition, POPL'05).
   */
  private enabledBefore(e: number, actors: readonly number[]): ChoicePoint | null {
    for (let k = e; k >= 0; k--) {
      const point = this.pointOf(k);
      if (point && actors.some((a) => point.alts.includes(a))) return point;
    }
    return null;
  }

  /** The thread choice point that picked event `e`, if there was one. */
  private pointOf(e: number): ChoicePoint | null {
    if (e < 0) return null;
    const node = this.events.nodes[e]!;
    return node >= 0 && node < this.stack.length ? this.stack[node]! : null;
  }

  /** Adds `actor` to the point's backtrack set if it is one of the alternatives there. */
  private ask(point: ChoicePoint, actor: number): boolean {
    const j = point.alts.indexOf(actor);
    if (j >= 0) point.backtrack |= 1 << j;
    return j >= 0;
  }

  private alreadyCovers(point: ChoicePoint, initials: readonly number[]): boolean {
    return initials.some((a) => {
      const j = point.alts.indexOf(a);
      return j >= 0 && (point.backtrack & (1 << j)) !== 0;
    });
  }

  private addOne(point: ChoicePoint, initials: readonly number[]): void {
    if (!initials.some((a) => this.ask(point, a))) point.backtrack = (1 << point.alts.length) - 1;
  }

  /** The first event of the run of steps holding event `e`. */
  private blockStart(e: number): number {
    const log = this.events;
    const actor = log.actors[e]!;
    let k = e;
    while (k > 0 && log.actors[k - 1] === actor) k--;
    return k;
  }

  endExecution(): void {
    // Choice points past this execution's end belong to an older execution: drop them.
    this.stack.length = this.pos;
  }
}

// Exhaustive depth-first exploration under a preemption bound (CHESS's iterative context
// bounding, PLDI'07; loom's LOOM_MAX_PREEMPTIONS). Stateless: each execution replays the
// prefix of the previous one and takes the next untried alternative at the deepest choice
// point that still has one. Switching away from a thread that could have continued costs one
// preemption; switching after it blocked or finished is free, so every schedule with at most
// `bound` preemptions is run exactly once.

import { ACTION_BASE, type ChoiceKind } from '../path.ts';
import { LabInternalError } from '../violation.ts';
import type { Scheduler } from './scheduler.ts';

interface ChoicePoint {
  kind: ChoiceKind;
  /** alternatives, the preferred one first */
  alts: number[];
  preferred: number;
  index: number;
  preemptionsBefore: number;
}

export class DfsScheduler implements Scheduler {
  readonly name = 'dfs';
  private stack: ChoicePoint[] = [];
  private pos = 0;
  private preemptions = 0;
  private first = true;
  private done = false;

  constructor(readonly bound: number) {}

  get complete(): boolean {
    return this.done;
  }

  startExecution(): boolean {
    if (this.done) return false;
    if (!this.first && !this.backtrack()) {
      this.done = true;
      return false;
    }
    this.first = false;
    this.pos = 0;
    this.preemptions = 0;
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

  private backtrack(): boolean {
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1]!;
      for (let j = top.index + 1; j < top.alts.length; j++) {
        if (top.preemptionsBefore + this.cost(top, top.alts[j]!) <= this.bound) {
          top.index = j;
          return true;
        }
      }
      this.stack.pop();
    }
    return false;
  }

  choose(kind: ChoiceKind, alts: readonly number[], count: number, preferred: number): number {
    let point = this.stack[this.pos];
    if (point) {
      if (point.kind !== kind || point.alts.length !== count) {
        throw new LabInternalError(`dfs: execution is not deterministic at choice ${this.pos + 1}`);
      }
    } else {
      const ordered = alts.slice(0, count);
      const p = ordered.indexOf(preferred);
      if (p > 0) {
        ordered.splice(p, 1);
        ordered.unshift(preferred);
      }
      point = { kind, alts: ordered, preferred: p >= 0 ? preferred : -1, index: 0, preemptionsBefore: this.preemptions };
      this.stack.push(point);
    }
    this.pos++;
    const chosen = point.alts[point.index]!;
    this.preemptions += this.cost(point, chosen);
    return chosen;
  }

  endExecution(): void {
    // Choice points past this execution's end belong to an older execution: drop them.
    this.stack.length = this.pos;
  }
}

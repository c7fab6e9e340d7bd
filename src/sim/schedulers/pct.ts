// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
// ASPLOS'10): every thread gets a random priority, the highest-priority runnable thread always
// runs, and at d-1 random change points the running thread drops below all others. A bug of
// depth d is found in each execution with probability at least 1/(n * k^(d-1)) for n threads
// and k steps. Memory-model actions are scheduled like threads; read-from choices are uniform.

import type { ChoiceKind } from '../path.ts';
import { mulberry32, type Scheduler } from './scheduler.ts';

export class PctScheduler implements Scheduler {
  readonly name = 'pct';
  readonly complete = false;
  private readonly random: () => number;
  private priority = new Map<number, number>();
  private changePoints: number[] = [];
  private step = 0;
  /** the longest execution seen so far, in scheduling choices: PCT's k */
  private k = 50;

  constructor(
    readonly seed: number,
    readonly depth = 3,
  ) {
    this.random = mulberry32(seed);
  }

  startExecution(): boolean {
    this.priority.clear();
    this.step = 0;
    this.changePoints = Array.from({ length: this.depth - 1 }, () => 1 + Math.floor(this.random() * this.k));
    return true;
  }

  private priorityOf(id: number): number {
    let p = this.priority.get(id);
    if (p === undefined) {
      // Initial priorities sit above every change-point priority (1 .. depth-1).
      p = this.depth + this.random() * 1_000_000;
      this.priority.set(id, p);
    }
    return p;
  }

  choose(kind: ChoiceKind, alts: readonly number[], count: number, preferred: number): number {
    if (kind !== 't') return alts[Math.floor(this.random() * count)]!;
    this.step++;
    const change = this.changePoints.indexOf(this.step);
    if (change >= 0 && preferred !== -1) this.priority.set(preferred, this.depth - 1 - change);
    let best = alts[0]!;
    for (let i = 1; i < count; i++) if (this.priorityOf(alts[i]!) > this.priorityOf(best)) best = alts[i]!;
    return best;
  }

  /** A spinning thread drops below every other, or PCT would let it spin forever (Coyote does the same with yields). */
  yielded(tid: number): void {
    let lowest = 0;
    for (const p of this.priority.values()) lowest = Math.min(lowest, p);
    this.priority.set(tid, lowest - 1);
  }

  endExecution(): void {
    this.k = Math.max(this.k, this.step);
  }
}

// The default strategy of fence-lab check: hunt, then verify. First a burst of randomized
// executions (PCT at depths 2 and 3, and uniform random, interleaved) that finds shallow and
// deep races fast; if none turns up, exhaustive dfs under the preemption bound, so a cell that
// passes is verified (complete: true) rather than merely not refuted. Coyote's portfolio and
// CHESS's bounded search, in that order.

import type { Footprint } from '../footprint.ts';
import type { ChoiceKind } from '../path.ts';
import { DfsScheduler, type Reduction } from './dfs.ts';
import { PctScheduler } from './pct.ts';
import { RandomScheduler } from './random.ts';
import type { Scheduler } from './scheduler.ts';

export class AutoScheduler implements Scheduler {
  readonly name = 'auto';
  private readonly hunters: Scheduler[];
  private readonly dfs: DfsScheduler;
  private huntsLeft: number;
  private current: Scheduler;
  private turn = 0;

  readonly observesSteps: boolean;

  constructor(seed: number, preemptionBound: number, huntExecutions: number, reduction: Reduction = 'dpor') {
    this.hunters = [new PctScheduler(seed, 2), new PctScheduler(seed + 1, 3), new RandomScheduler(seed + 2)];
    this.dfs = new DfsScheduler(preemptionBound, reduction);
    this.observesSteps = this.dfs.observesSteps;
    this.huntsLeft = huntExecutions;
    this.current = this.hunters[0]!;
  }

  get complete(): boolean {
    return this.dfs.complete;
  }

  startExecution(): boolean {
    if (this.huntsLeft > 0) {
      this.huntsLeft--;
      this.current = this.hunters[this.turn++ % this.hunters.length]!;
    } else {
      this.current = this.dfs;
    }
    return this.current.startExecution();
  }

  choose(kind: ChoiceKind, alts: readonly number[], count: number, preferred: number): number {
    return this.current.choose(kind, alts, count, preferred);
  }

  stepped(actor: number, footprint: Footprint): void {
    if (this.current === this.dfs) this.dfs.stepped(actor, footprint);
  }

  unfinished(tids: readonly number[]): void {
    if (this.current === this.dfs) this.dfs.unfinished(tids);
  }

  yielded(tid: number): void {
    this.current.yielded?.(tid);
  }

  endExecution(): void {
    this.current.endExecution();
  }
}

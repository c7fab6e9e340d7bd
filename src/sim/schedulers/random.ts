// Uniform random scheduling from a seed: every choice picks any alternative with equal
// probability. Cheap and good at shallow races; PCT is better at deep ones.

import type { ChoiceKind } from '../path.ts';
import { mulberry32, type Scheduler } from './scheduler.ts';

export class RandomScheduler implements Scheduler {
  readonly name = 'random';
  readonly complete = false;
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }

  startExecution(): boolean {
    return true;
  }

  choose(_kind: ChoiceKind, alts: readonly number[], count: number): number {
    return alts[Math.floor(this.next() * count)]!;
  }

  endExecution(): void {}
}

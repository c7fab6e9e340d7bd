// One interface for every exploration strategy (shuttle's split: one file per strategy).
// The execution asks the scheduler only where there is a real choice (two or more
// alternatives) and records what it answered on the choice path.

import type { Footprint } from '../footprint.ts';
import type { ChoiceKind } from '../path.ts';

export interface Scheduler {
  readonly name: string;
  /** Prepares the next execution; false when the strategy has nothing left to run. */
  startExecution(): boolean;
  /**
   * Picks one of `alts[0..count)`. `preferred` is the alternative that continues the running
   * thread (choosing anything else preempts it), or -1 when no choice is a preemption.
   * `alts` is a reused buffer: copy it to keep it.
   */
  choose(kind: ChoiceKind, alts: readonly number[], count: number, preferred: number): number;
  /** Thread `tid` spins in cpu_relax(): a hint that others should run first. */
  yielded?(tid: number): void;
  /** Called when an execution ends, before the next startExecution. */
  endExecution(): void;
  /** True when the strategy explored everything it set out to (exhaustive strategies only). */
  readonly complete: boolean;
  /** Partial-order reduction: the execution reports each interleaving step to `stepped`. */
  readonly observesSteps?: boolean;
  /**
   * An interleaving step just ran: thread `actor`, or the memory-model action
   * `actor - ACTION_BASE`, touching `footprint`. Also the step a violation cut short.
   */
  stepped?(actor: number, footprint: Footprint): void;
  /**
   * The execution ended (a violation, a deadlock) with these threads not finished: their next
   * steps never ran, so nothing is known of what they would touch.
   */
  unfinished?(tids: readonly number[]): void;
}

/**
 * Thrown by `choose` when every alternative is asleep (partial-order reduction's sleep sets):
 * every way on is equivalent to an execution already explored, so this one stops here.
 */
export class RedundantExecution extends Error {}

/** Small, fast, seedable PRNG (mulberry32); deterministic across platforms. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

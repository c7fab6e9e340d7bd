// Follows a recorded choice path exactly, and fails loudly at the first divergence with what
// the path expected and what the execution offered: the determinism oracle.

import { encodePath, type Choice, type ChoiceKind } from '../path.ts';
import type { Scheduler } from './scheduler.ts';

export class ReplayDivergence extends Error {}

function describe(kind: ChoiceKind, value: number): string {
  return encodePath([{ kind, value }]).slice(2);
}

/** Follows one path per execution, for as many executions as it was given. */
export class ReplayScheduler implements Scheduler {
  readonly name = 'replay';
  readonly complete = false;
  private pos = 0;
  private execution = -1;
  private path: readonly Choice[] = [];

  constructor(private readonly paths: readonly (readonly Choice[])[]) {}

  startExecution(): boolean {
    if (this.execution + 1 >= this.paths.length) return false;
    this.execution++;
    this.path = this.paths[this.execution]!;
    this.pos = 0;
    return true;
  }

  choose(kind: ChoiceKind, alts: readonly number[], count: number): number {
    const offered = alts.slice(0, count).map((v) => describe(kind, v)).join(', ');
    const expected = this.path[this.pos];
    if (!expected) {
      throw new ReplayDivergence(`replay diverged at choice ${this.pos + 1}: the path has ended, but the execution offers {${offered}}`);
    }
    if (expected.kind !== kind || !alts.slice(0, count).includes(expected.value)) {
      throw new ReplayDivergence(
        `replay diverged at choice ${this.pos + 1}: the path says ${describe(expected.kind, expected.value)}, the execution offers {${offered}}`,
      );
    }
    this.pos++;
    return expected.value;
  }

  endExecution(): void {
    if (this.pos !== this.path.length) {
      throw new ReplayDivergence(`replay diverged: the execution ended after ${this.pos} choices, the path has ${this.path.length}`);
    }
  }
}

// Which rows of a compare may decide its verdict, and how (issue 16):
//  - deterministic rows (flags "deterministic" or "simulated": the timing model's simulated
//    time, execution counts) give the same value on every run of the same code, so they are
//    compared exactly, with no test: a move the wrong way beyond the factor regresses, a smaller
//    one is listed as a change with its size. A future count-based row opts in by carrying the
//    flag "deterministic" (DETERMINISTIC_FLAGS is the one rule);
//  - rows that cannot be trusted are information only, never regressions: a row flagged
//    "oversubscribed" (more threads than cores, so the scheduler, not the design, sets the
//    figure: 2.7x between two runs of one commit) and every timed row when the runs come from
//    different machines (CPU model or core count differ);
//  - everything else is timed and statistical (compare.ts).
import type { BenchContext, BenchRow } from '../results/types.ts';

export const DETERMINISTIC_FLAGS: readonly string[] = ['deterministic', 'simulated'];
export const UNTRUSTED_FLAGS: Readonly<Record<string, string>> = { oversubscribed: 'oversubscribed (more threads than cores)' };

export type RowTrust = { kind: 'deterministic' } | { kind: 'timed' } | { kind: 'left-out'; reason: string };

export function isDeterministic(row: Pick<BenchRow, 'flags'>): boolean {
  return (row.flags ?? []).some((flag) => DETERMINISTIC_FLAGS.includes(flag));
}

/** Why BASE and NEW are not one machine (CPU model, core count), or null when they are. */
export function differentMachines(base: BenchContext | undefined, next: BenchContext | undefined): string | null {
  if (!base || !next) return null;
  const differing = (['cpu', 'cores'] as const).filter((field) => base[field] !== next[field]);
  return differing.length === 0 ? null : `from different machines (${differing.map((f) => `${f}: ${base[f]} → ${next[f]}`).join('; ')})`;
}

export function rowTrust(base: BenchRow, next: BenchRow, machines: string | null): RowTrust {
  if (isDeterministic(base) && isDeterministic(next)) return { kind: 'deterministic' };
  for (const [flag, reason] of Object.entries(UNTRUSTED_FLAGS)) {
    if (base.flags?.includes(flag) || next.flags?.includes(flag)) return { kind: 'left-out', reason };
  }
  if (machines) return { kind: 'left-out', reason: machines };
  return { kind: 'timed' };
}

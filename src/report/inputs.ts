// What a report is written from. Every part is optional: a section appears only when its
// input is there, and the report says which inputs were missing.
import type { BenchContext, BenchResults, CheckResults, LitmusResults, NecessityResults } from '../results/types.ts';

/** The commands that produced each input, printed so a reader can reproduce every number. */
export interface ReportCommands {
  check?: string;
  litmus?: string;
  bench?: string;
  /** The command that wrote this report. */
  report?: string;
}

export interface ReportInputs {
  check?: CheckResults;
  litmus?: LitmusResults;
  bench?: BenchResults;
  /** `fence-lab necessity` results, one or more designs ("Why each barrier is there") */
  necessity?: NecessityResults;
  commands?: ReportCommands;
  /** Where the results were produced; defaults to the bench results' own context. */
  environment?: BenchContext;
}

/** Printed when the caller does not say how an input was produced (types.ts names these). */
export const DEFAULT_COMMANDS: Required<Omit<ReportCommands, 'report'>> = {
  check: 'fence-lab check --json',
  litmus: 'fence-lab litmus --json',
  bench: 'fence-lab bench --json',
};

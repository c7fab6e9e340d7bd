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

/** A proposal set against the design it patches: the report opens with what it changes. */
export interface DesignChange {
  /** The proposal, as named in the results. */
  variant: string;
  /** The design it is compared with. */
  base: string;
  /** 'extends': the class it extends; 'against': chosen with --against. */
  baseIs: 'extends' | 'against';
  title?: string;
  /** Its own methods that replace the base's (fence-lab variants). */
  overrides?: string[];
}

/** Where the LKMM litmus corpus came from, or why the conformance section was not run. */
export interface LitmusSource {
  /** The corpus in words: its tree or directory, the tree's git describe. */
  corpus?: string;
  /** Files of the corpus the lab could not parse, with the parser's error. */
  unparsed?: string[];
  /** Set when no corpus was found: what to do to get the section. */
  notRun?: string;
}

/** What a design says of itself (its statics) and what it patches, for the HTML page. */
export interface DesignInfo {
  name: string;
  title: string;
  summary: string;
  source: string;
  base: string | null;
  overrides: string[];
}

export interface ReportInputs {
  changes?: DesignChange[];
  /** The designs' titles, summaries and sources (read off the variant classes). */
  designInfo?: DesignInfo[];
  litmusSource?: LitmusSource;
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

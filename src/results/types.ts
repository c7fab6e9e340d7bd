// The JSON contracts every part of the lab exchanges (DESIGN.md "Results, reports, history").
// `fence-lab check --json`, `fence-lab litmus --json` and `fence-lab bench --json` print these
// shapes; reports and history read them. Changing a field is a design change.

export type ModelName = 'sc' | 'tso' | 'weak';
export type Verdict = 'pass' | 'violation';

export type ViolationKind =
  | 'use-after-free'
  | 'null-deref'
  | 'double-free'
  | 'leak'
  | 'deadlock'
  | 'lockdep'
  | 'assertion'
  | 'step-bound'
  | 'data-race'
  | 'error';

export interface ViolationReport {
  kind: ViolationKind;
  /** One line, kernel style, e.g. "BUG: KASAN: use-after-free in dma_fence_signal_timestamp_locked". */
  headline: string;
  /** The choice path that reproduces the execution (`--replay` argument). */
  replay: string;
  /** The exact command that replays it. */
  command?: string;
  /** Multi-line per-CPU column trace, as printed. */
  trace: string;
  /** Number of preemptions in the (shrunk) schedule. */
  preemptions?: number;
}

export interface CheckResult {
  variant: string;
  /** the ordering point taken away from the variant (`check --ablate`, file:line:primitive) */
  ablate?: string;
  scenario: string;
  /** the scenario's group: 'races' or 'semantics' */
  group?: 'races' | 'semantics';
  /** The scenario shows an outcome the API allows, not a defect (src/scenario.ts). */
  demonstrates?: 'allowed-outcome';
  /** With `demonstrates`: the allowed outcome in one line. */
  reading?: string;
  model: ModelName;
  strategy: string;
  verdict: Verdict;
  /** What the scenario file says this cell should be (absent: no expectation stated). */
  expected?: Verdict;
  /** true when an exhaustive search finished within its bound. */
  complete: boolean;
  /** The largest preemption bound at which dfs finished (with --deepen, possibly above the bound asked for). */
  verifiedBound?: number;
  executions: number;
  ms: number;
  violation?: ViolationReport;
  /** Set when the variant or scenario could not be loaded or run: the cell has no verdict. */
  error?: string;
}

/** Where a sharded run's results sit in the whole plan (`fence-lab check --shard i/n`). */
export interface CheckShard {
  /** 1-based: this file holds plan positions index-1, index-1+count, ... */
  index: number;
  count: number;
  /** cells in the whole (unsharded) plan */
  planned: number;
  /** hash of the planned cells and check options: shards of one run share it */
  plan: string;
}

export interface CheckResults {
  results: CheckResult[];
  /** Set by `--shard i/n`; `fence-lab merge` combines the shards into one unsharded file. */
  shard?: CheckShard;
  /** true when the run was interrupted (Ctrl-C): `results` holds only the cells that finished. */
  partial?: boolean;
}

/**
 * One ordering point of a design under one memory model (`fence-lab necessity --json`): taken
 * away, either a race of the catalogue appears (the first, in catalogue order, with its replay)
 * or none does ("pass", complete when every scenario's search finished within its bound).
 */
export interface NecessityResult {
  variant: string;
  /** file:line of the call */
  site: string;
  /** the call as written, e.g. test_bit_acquire */
  primitive: string;
  /** what replaced it, e.g. test_bit */
  ablation: string;
  model: ModelName;
  verdict: Verdict;
  complete: boolean;
  violation?: { scenario: string; kind: ViolationKind; headline: string; replay: string; command: string };
  /** the --ablate argument (file:line:primitive[#n]) */
  ablate: string;
  /** the method the call is in and its source line: the kernel line it models */
  method: string;
  source: string;
  kind: 'barrier' | 'acquire/release' | 'rmw' | 'free' | 'lock' | 'rcu';
  /** the dfs preemption bound of the searches */
  bound: number;
  /** scenarios run (the ones the design passes without the ablation) and their executions */
  scenarios: number;
  executions: number;
  ms: number;
}

export interface NecessityResults {
  results: NecessityResult[];
  /** per design and model, the scenarios left out because the design fails them as it is */
  excluded?: Record<string, Partial<Record<ModelName, string[]>>>;
  partial?: boolean;
}

export interface LitmusResult {
  file: string;
  name: string;
  model: ModelName;
  expected: 'Never' | 'Sometimes' | 'Always' | null;
  /** Unknown: the search hit --max-executions or --timeout first */
  observed: 'Never' | 'Sometimes' | 'Always' | 'Unknown';
  agrees: boolean | null;
  positive: number;
  negative: number;
  executions: number;
  ms: number;
}

export interface LitmusResults {
  results: LitmusResult[];
}

export interface BenchContext {
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  os: string;
  commit: string;
  date: string;
}

export interface BenchStats {
  p50: number;
  p75: number;
  p99: number;
  min: number;
  max: number;
  avg: number;
}

export interface BenchRow {
  variant: string;
  /** micro op name, "floor", or "irq-load/<config>" */
  workload: string;
  metric: string;
  value: number;
  unit: string;
  samples: number[];
  /**
   * Micro rows: how many of `samples` came from each fresh V8 isolate, in order (the figure is
   * the fastest sample of any isolate: src/results/isolates.ts).
   */
  isolates?: number[];
  stats: BenchStats;
  /** Set when the row's worker failed; the row then has no meaningful value. */
  error?: string;
  /** Free-form flags, e.g. "below-floor", "oversubscribed", "unfair". */
  flags?: string[];
}

export interface BenchResults {
  schema: 1;
  context: BenchContext;
  results: BenchRow[];
}

// The verdict matrix read out of check results: one cell per (model, scenario, design),
// merged over strategies, plus what each race breaks and why.
import type { CheckResult, CheckResults, ModelName, Verdict, ViolationKind, ViolationReport } from '../results/types.ts';
import { shellWord } from './format.ts';

/** Strongest model first, so the last one present is the weakest. */
export const MODEL_ORDER: readonly ModelName[] = ['sc', 'tso', 'weak'];

export type Outcome = 'pass' | 'violation' | 'error';

export interface VerdictCell {
  model: ModelName;
  scenario: string;
  variant: string;
  outcome: Outcome;
  /** An exhaustive search finished within its bound (a pass then means "none exist"). */
  complete: boolean;
  /** The largest preemption bound a dfs search finished at, if any did. */
  verifiedBound?: number;
  expected?: Verdict;
  /** The verdict differs from what the scenario file expects. */
  mismatch: boolean;
  executions: number;
  /** The shortest counterexample found (fewest preemptions). */
  violation?: ViolationReport;
  error?: string;
}

/** Codes of at most four letters, so eight designs fit across a 72-column matrix. */
const KIND_CODES: Record<ViolationKind, string> = {
  'use-after-free': 'UAF',
  'null-deref': 'NULL',
  'double-free': 'DFRE',
  leak: 'LEAK',
  deadlock: 'DLCK',
  lockdep: 'LDEP',
  assertion: 'ASRT',
  'step-bound': 'STEP',
  'data-race': 'RACE',
  error: 'ERR',
};

/** The code for a kind; an unknown kind (newer results) shows as itself, shortened. */
export function kindCode(kind: ViolationKind): string {
  return KIND_CODES[kind] ?? String(kind).toUpperCase().slice(0, 4);
}

/** A cell in the tables' words: ok, ok? (not exhaustive), UAF, NULL, ..., err, - (not run), ! (unexpected). */
export function cellToken(cell: VerdictCell | undefined): string {
  if (!cell) return '-';
  const base =
    cell.outcome === 'pass' ? 'ok' : cell.outcome === 'error' ? 'err' : cell.violation ? kindCode(cell.violation.kind) : 'X';
  return base + (cell.outcome === 'pass' && !cell.complete ? '?' : '') + (cell.mismatch ? '!' : '');
}

export interface VerdictMatrix {
  models: ModelName[];
  /** Every scenario, in order of first appearance. */
  scenarios: string[];
  /**
   * The races: scenarios of group 'races', or with no group (older results), that look for a
   * defect; every violation in them is a defect of a design or of the API.
   */
  races: string[];
  /** Scenarios that show an outcome the API allows (`demonstrates`), each with its reading. */
  allowed: { scenario: string; reading: string }[];
  /** The semantic tests (group 'semantics'): what the dma_fence API promises, race or not. */
  semantics: string[];
  cells: VerdictCell[];
  cell(model: ModelName, scenario: string, variant: string): VerdictCell | undefined;
}

function fewerPreemptions(a: ViolationReport | undefined, b: ViolationReport): ViolationReport {
  if (!a) return b;
  return (b.preemptions ?? Infinity) < (a.preemptions ?? Infinity) ? b : a;
}

function mergeCell(runs: CheckResult[]): VerdictCell {
  const first = runs[0]!;
  let violation: ViolationReport | undefined;
  for (const run of runs) {
    if (run.verdict === 'violation' && run.violation && !run.error) violation = fewerPreemptions(violation, run.violation);
  }
  const verdictRuns = runs.filter((run) => !run.error);
  const outcome: Outcome =
    verdictRuns.length === 0 ? 'error' : verdictRuns.some((run) => run.verdict === 'violation') ? 'violation' : 'pass';
  const expected = runs.find((run) => run.expected)?.expected;
  const cell: VerdictCell = {
    model: first.model,
    scenario: first.scenario,
    variant: first.variant,
    outcome,
    complete: verdictRuns.some((run) => run.complete),
    mismatch: expected !== undefined && outcome !== 'error' && outcome !== expected,
    executions: runs.reduce((sum, run) => sum + run.executions, 0),
  };
  if (expected) cell.expected = expected;
  const bounds = verdictRuns.flatMap((run) => (run.verifiedBound !== undefined ? [run.verifiedBound] : []));
  if (outcome === 'pass' && bounds.length) cell.verifiedBound = Math.max(...bounds);
  if (violation) cell.violation = violation;
  if (outcome === 'error') cell.error = runs.map((run) => run.error).join('; ');
  return cell;
}

export function buildVerdictMatrix(check: CheckResults): VerdictMatrix {
  const runsByCell = new Map<string, CheckResult[]>();
  const scenarios: string[] = [];
  const semantic = new Set<string>();
  const readings = new Map<string, string>();
  const key = (model: string, scenario: string, variant: string) => JSON.stringify([model, scenario, variant]);
  for (const result of check.results) {
    const k = key(result.model, result.scenario, result.variant);
    const runs = runsByCell.get(k);
    if (runs) runs.push(result);
    else runsByCell.set(k, [result]);
    if (!scenarios.includes(result.scenario)) scenarios.push(result.scenario);
    if (result.group === 'semantics') semantic.add(result.scenario);
    if (result.demonstrates === 'allowed-outcome') readings.set(result.scenario, result.reading ?? '');
  }
  const cells = [...runsByCell.values()].map(mergeCell);
  const byKey = new Map(cells.map((c) => [key(c.model, c.scenario, c.variant), c]));
  const models = MODEL_ORDER.filter((m) => cells.some((c) => c.model === m));
  return {
    models,
    scenarios,
    races: scenarios.filter((s) => !semantic.has(s) && !readings.has(s)),
    allowed: scenarios.flatMap((s) => (readings.has(s) ? [{ scenario: s, reading: readings.get(s)! }] : [])),
    semantics: scenarios.filter((s) => semantic.has(s) && !readings.has(s)),
    cells,
    cell: (m, s, v) => byKey.get(key(m, s, v)),
  };
}

/** The weakest memory model the results cover (weak, else tso, else sc). */
export function weakestModel(matrix: VerdictMatrix): ModelName | undefined {
  return matrix.models[matrix.models.length - 1];
}

/** How many races a design passes under a model (errors and unrun cells do not count). */
export function racesSurvived(matrix: VerdictMatrix, model: ModelName, variant: string): number {
  return matrix.races.filter((s) => matrix.cell(model, s, variant)?.outcome === 'pass').length;
}

/** Scenarios where some cell is not a clean pass: a violation, an error or a mismatch. */
export function scenariosWithFindings(matrix: VerdictMatrix, scenarios: string[]): string[] {
  return scenarios.filter((s) => matrix.cells.some((c) => c.scenario === s && (c.outcome !== 'pass' || c.mismatch)));
}

/**
 * The execution budget the check ran with, as far as the results show it: a search that
 * found nothing and is not complete stopped at the budget (or at its preemption bound, with
 * fewer executions), so the most executions any of them ran.
 */
export function executionBudget(check: CheckResults): number | undefined {
  const stopped = check.results.filter((r) => !r.error && r.verdict === 'pass' && !r.complete).map((r) => r.executions);
  return stopped.length ? Math.max(...stopped) : undefined;
}

/** The command that replays a violation, as the checker printed it or rebuilt from the cell. */
export function replayCommand(cell: VerdictCell): string | undefined {
  const v = cell.violation;
  if (!v) return undefined;
  if (v.command) return v.command;
  const args = ['--variant', cell.variant, '--scenario', cell.scenario, '--model', cell.model, '--replay', v.replay];
  return ['fence-lab', 'check', ...args.map(shellWord)].join(' ');
}

export interface RaceBreakage {
  scenario: string;
  /** Designs with a violation, each with the models it shows under. */
  broken: { variant: string; models: ModelName[] }[];
  /** Distinct headlines, each with the designs that hit it. */
  reasons: { kind: ViolationKind; headline: string; variants: string[] }[];
  /** The shortest counterexample for this race. */
  example?: VerdictCell;
}

export function raceBreakage(matrix: VerdictMatrix, variants: string[], scenarios = matrix.scenarios): RaceBreakage[] {
  return scenarios.map((scenario) => {
    const race: RaceBreakage = { scenario, broken: [], reasons: [] };
    for (const variant of variants) {
      const cells = matrix.models
        .map((model) => matrix.cell(model, scenario, variant))
        .filter((c): c is VerdictCell => c?.outcome === 'violation');
      if (cells.length === 0) continue;
      race.broken.push({ variant, models: cells.map((c) => c.model) });
      for (const c of cells) {
        if (!c.violation) continue;
        const { kind, headline } = c.violation;
        const reason = race.reasons.find((r) => r.headline === headline && r.kind === kind);
        if (!reason) race.reasons.push({ kind, headline, variants: [variant] });
        else if (!reason.variants.includes(variant)) reason.variants.push(variant);
        if (!race.example || fewerPreemptions(race.example.violation, c.violation) !== race.example.violation) {
          race.example = c;
        }
      }
    }
    return race;
  });
}

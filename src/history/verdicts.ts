// Changes in the verdict matrix between two runs: model-checker cells (variant × scenario ×
// model) and litmus outcomes. These are exact results, so no statistics: a cell that goes from
// pass to violation is always a regression (issue 8), and so is a cell that stops matching its
// stated expectation — then the lab itself regressed.
import type { CheckResult, LitmusResult, Verdict } from '../results/types.ts';

export interface VerdictChange {
  source: 'check' | 'litmus';
  /** "variant × scenario [model]" or "litmus file [model]". */
  name: string;
  base: string;
  next: string;
  regression: boolean;
  reason: string;
}

export interface VerdictComparison {
  changes: VerdictChange[];
  /** Cells present in both runs. */
  compared: number;
  onlyInBase: string[];
  onlyInNew: string[];
}

type CellState = Verdict | 'error';

interface Cell {
  state: CellState;
  expected?: Verdict;
  error?: string;
}

/** One state per (variant, scenario, model): a violation found by any strategy is real. */
function checkCells(results: readonly CheckResult[]): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  const rank: Record<CellState, number> = { error: 0, pass: 1, violation: 2 };
  for (const result of results) {
    const name = `${result.variant} × ${result.scenario} [${result.model}]`;
    const state: CellState = result.error ? 'error' : result.verdict;
    const previous = cells.get(name);
    if (!previous || rank[state] > rank[previous.state]) {
      cells.set(name, { state, expected: result.expected ?? previous?.expected, error: result.error });
    }
  }
  return cells;
}

function classifyCheck(name: string, base: Cell, next: Cell): VerdictChange | null {
  if (base.state === next.state) return null;
  const change = { source: 'check' as const, name, base: base.state, next: next.state };
  const expected = next.expected ?? base.expected;
  if (base.state === 'pass' && next.state === 'violation') {
    return { ...change, regression: true, reason: 'pass → violation' };
  }
  if (next.state === 'error') {
    return { ...change, regression: true, reason: `the cell no longer runs: ${next.error ?? 'error'}` };
  }
  if (expected && base.state === expected) {
    return { ...change, regression: true, reason: `no longer matches the scenario's expected '${expected}' (lab regression)` };
  }
  return { ...change, regression: false, reason: `${base.state} → ${next.state}` };
}

function litmusCells(results: readonly LitmusResult[]): Map<string, LitmusResult> {
  return new Map(results.map((result) => [`${result.file} [${result.model}]`, result]));
}

function classifyLitmus(name: string, base: LitmusResult, next: LitmusResult): VerdictChange | null {
  if (base.observed === next.observed && base.agrees === next.agrees) return null;
  const change = { source: 'litmus' as const, name, base: base.observed, next: next.observed };
  if (base.agrees === true && next.agrees !== true) {
    return { ...change, regression: true, reason: `no longer agrees with its expected '${next.expected ?? base.expected}' (lab regression)` };
  }
  return { ...change, regression: false, reason: `${base.observed} → ${next.observed}` };
}

function diffKeys<T>(base: Map<string, T>, next: Map<string, T>, classify: (name: string, a: T, b: T) => VerdictChange | null, out: VerdictComparison): void {
  for (const [name, baseCell] of base) {
    const nextCell = next.get(name);
    if (nextCell === undefined) out.onlyInBase.push(name);
    else {
      out.compared++;
      const change = classify(name, baseCell, nextCell);
      if (change) out.changes.push(change);
    }
  }
  for (const name of next.keys()) if (!base.has(name)) out.onlyInNew.push(name);
}

export function compareVerdicts(
  base: { check?: readonly CheckResult[]; litmus?: readonly LitmusResult[] },
  next: { check?: readonly CheckResult[]; litmus?: readonly LitmusResult[] },
): VerdictComparison {
  const out: VerdictComparison = { changes: [], compared: 0, onlyInBase: [], onlyInNew: [] };
  if (base.check && next.check) diffKeys(checkCells(base.check), checkCells(next.check), classifyCheck, out);
  if (base.litmus && next.litmus) diffKeys(litmusCells(base.litmus), litmusCells(next.litmus), classifyLitmus, out);
  return out;
}

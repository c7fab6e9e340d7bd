// "What <proposal> changes against <base>": the answer a patch's author owes the list, read off
// one report's results. Verdicts cell by cell (per race and memory model: violation -> pass is
// a fix, pass -> violation a new race, with the replay of each new violation), the semantic
// tests the proposal fails, and its cost against the base under `fence-lab compare`'s rule:
// the native micro figures (measured in fresh isolates, tested over isolates) and any
// simulated rows (flag "simulated": deterministic, so the factor alone decides).
import type { BenchResults, BenchRow, ModelName } from '../results/types.ts';
import { compareRuns, DEFAULT_COMPARE_OPTIONS, type MetricComparison } from '../history/compare.ts';
import { formatChange } from '../history/text.ts';
import { MICRO_OP_LIST } from './bench-figures.ts';
import { columns, formatNs, heading, listItem, paragraph, TEXT_WIDTH, wrap, wrapShellCommand } from './format.ts';
import type { DesignChange, ReportInputs } from './inputs.ts';
import { buildVerdictMatrix, replayCommand, type VerdictCell, type VerdictMatrix } from './verdicts.ts';

export interface CellChange {
  scenario: string;
  model: ModelName;
  before: VerdictCell;
  after: VerdictCell;
}

export interface VerdictDiff {
  fixed: CellChange[];
  introduced: CellChange[];
  /** Semantic tests the proposal fails, with the base's cell beside it. */
  semanticFailures: CellChange[];
  /** Race cells with a verdict on both sides. */
  compared: number;
  /** Race cells missing or in error on one side. */
  uncompared: number;
}

/** Compares the proposal's cells with the base's, race by race and model by model. */
export function diffVerdicts(matrix: VerdictMatrix, variant: string, base: string): VerdictDiff {
  const diff: VerdictDiff = { fixed: [], introduced: [], semanticFailures: [], compared: 0, uncompared: 0 };
  const pairs = (scenarios: string[]) =>
    scenarios.flatMap((scenario) =>
      matrix.models.flatMap((model) => {
        const before = matrix.cell(model, scenario, base);
        const after = matrix.cell(model, scenario, variant);
        return [{ scenario, model, before, after }];
      }),
    );
  for (const { scenario, model, before, after } of pairs(matrix.races)) {
    if (!before || !after || before.outcome === 'error' || after.outcome === 'error') {
      diff.uncompared++;
      continue;
    }
    diff.compared++;
    if (before.outcome === 'violation' && after.outcome === 'pass') diff.fixed.push({ scenario, model, before, after });
    if (before.outcome === 'pass' && after.outcome === 'violation') diff.introduced.push({ scenario, model, before, after });
  }
  for (const { scenario, model, before, after } of pairs(matrix.semantics)) {
    if (before && after?.outcome === 'violation') diff.semanticFailures.push({ scenario, model, before, after });
  }
  return diff;
}

export interface CostChange {
  label: string;
  row: MetricComparison;
  simulated: boolean;
}

const isSimulated = (row: BenchRow) => row.flags?.includes('simulated') === true;

/**
 * The proposal's bench rows against the base's under compare's rule: the micro operations and
 * the simulated rows, each paired with the base's row of the same workload and metric.
 */
export function compareCost(bench: BenchResults, variant: string, base: string): CostChange[] {
  const micro = new Set(MICRO_OP_LIST.map((op) => op.workload));
  const wanted = (row: BenchRow) => micro.has(row.workload) || isSimulated(row);
  const baseRows = bench.results.filter((r) => r.variant === base && wanted(r)).map((r) => ({ ...r, variant }));
  const newRows = bench.results.filter((r) => r.variant === variant && wanted(r));
  const parts = (results: BenchRow[]) => ({ bench: { ...bench, results } });
  // compare's own rule: measured rows tested over isolates, simulated rows (deterministic) exactly
  const compared = compareRuns(parts(baseRows), parts(newRows));
  const simulatedKeys = new Set(newRows.filter(isSimulated).map((r) => `${r.workload}\0${r.metric}`));
  const label = (row: MetricComparison) => MICRO_OP_LIST.find((op) => op.workload === row.workload)?.label ?? `${row.workload} ${row.metric}`;
  const simulated = (row: MetricComparison) => simulatedKeys.has(`${row.workload}\0${row.metric}`);
  const rows = compared.rows.map((row) => ({ label: label(row), row, simulated: simulated(row) }));
  return [...rows.filter((r) => !r.simulated), ...rows.filter((r) => r.simulated)];
}

const VERDICT_WORDS: Record<MetricComparison['verdict'], string> = {
  regressed: 'worse',
  improved: 'better',
  unchanged: 'same',
  insignificant: 'not signif.',
  changed: 'changed',
  'left-out': 'left out',
};

function modelsText(models: ModelName[]): string {
  return `[${models.join(' ')}]`;
}

/** Cell changes grouped by scenario, in matrix order, each with its models. */
function byScenario(changes: CellChange[]): { scenario: string; cells: CellChange[] }[] {
  const out: { scenario: string; cells: CellChange[] }[] = [];
  for (const c of changes) {
    const group = out.find((g) => g.scenario === c.scenario);
    if (group) group.cells.push(c);
    else out.push({ scenario: c.scenario, cells: [c] });
  }
  return out;
}

function introducedLines(diff: VerdictDiff): string[] {
  if (diff.introduced.length === 0) return ['Races it introduces (pass -> violation): none.'];
  const lines = ['Races it introduces (pass -> violation):'];
  for (const { scenario, cells } of byScenario(diff.introduced)) {
    const headline = cells.find((c) => c.after.violation)?.after.violation?.headline ?? 'violation without a report';
    lines.push(...listItem(`${scenario} ${modelsText(cells.map((c) => c.model))}: ${headline}`));
    for (const c of cells) {
      const command = replayCommand(c.after);
      if (!command) continue;
      lines.push(`    replay ${c.model}:`, ...wrapShellCommand(command, TEXT_WIDTH - 6).map((l) => `      ${l}`));
    }
  }
  return lines;
}

function fixedLines(diff: VerdictDiff): string[] {
  if (diff.fixed.length === 0) return ['Races it fixes (violation -> pass): none.'];
  const lines = ['Races it fixes (violation -> pass):'];
  for (const { scenario, cells } of byScenario(diff.fixed)) {
    const open = cells.filter((c) => !c.after.complete).map((c) => c.model);
    const proof = open.length ? ` (not exhaustive under ${open.join(' ')}: none found within the budget)` : ' (exhaustive)';
    const was = cells.find((c) => c.before.violation)?.before.violation?.headline;
    lines.push(...listItem(`${scenario} ${modelsText(cells.map((c) => c.model))}${proof}${was ? `; was: ${was}` : ''}`));
  }
  return lines;
}

function semanticLines(diff: VerdictDiff, base: string): string[] {
  if (diff.semanticFailures.length === 0) return ['Semantic tests it breaks: none.'];
  const lines = ['Semantic tests it breaks:'];
  for (const { scenario, cells } of byScenario(diff.semanticFailures)) {
    const baseFails = cells.filter((c) => c.before.outcome === 'violation').map((c) => c.model);
    const headline = cells.find((c) => c.after.violation)?.after.violation?.headline ?? 'violation';
    const note = baseFails.length ? ` (${base} fails it too under ${baseFails.join(' ')})` : '';
    lines.push(...listItem(`${scenario} ${modelsText(cells.map((c) => c.model))}${note}: ${headline}`));
    const first = cells.find((c) => replayCommand(c.after));
    if (first) lines.push(`    replay ${first.model}:`, ...wrapShellCommand(replayCommand(first.after)!, TEXT_WIDTH - 6).map((l) => `      ${l}`));
  }
  return lines;
}

const COST_WIDTHS = [24, 9, 9, 10, 14];

function costLines(bench: BenchResults | undefined, change: DesignChange): string[] {
  if (!bench) return paragraph(`Cost against ${change.base}: no bench results (the report ran with --no-bench or from check results alone).`);
  const rows = compareCost(bench, change.variant, change.base);
  if (rows.length === 0) return paragraph(`Cost against ${change.base}: the bench results have no micro rows of both designs.`);
  const { factor, alpha } = DEFAULT_COMPARE_OPTIONS;
  const lines = [
    ...paragraph(
      `Cost against ${change.base}, ns per call (fence-lab compare's rule: a change counts beyond ` +
        `x${factor} when significant at a false discovery rate of ${alpha} (Benjamini-Hochberg), bootstrapped over isolates; ` +
        `base: ${change.base}, new: ${change.variant}):`,
    ),
  ];
  const right = [false, true, true, true, false];
  lines.push(columns(['', 'base', 'new', 'change', '  verdict'], COST_WIDTHS, right));
  for (const { label, row, simulated } of rows) {
    if (simulated) continue;
    const verdict = row.verdict === 'regressed' || row.verdict === 'improved' ? VERDICT_WORDS[row.verdict].toUpperCase() : VERDICT_WORDS[row.verdict];
    lines.push(columns([label, formatNs(row.baseFigure), formatNs(row.newFigure), formatChange(row.ratio), `  ${verdict}`], COST_WIDTHS, right));
  }
  const simulated = rows.filter((r) => r.simulated);
  const moved = simulated.filter((r) => r.row.verdict !== 'unchanged');
  if (simulated.length) {
    lines.push('', ...paragraph(`Simulated (deterministic; the factor alone decides): ${moved.length} of ${simulated.length} rows moved${moved.length ? ':' : '.'}`));
    for (const { label, row } of moved) {
      lines.push(...listItem(`${label}: ${row.baseFigure} -> ${row.newFigure} ${row.unit}, ${formatChange(row.ratio)} ${VERDICT_WORDS[row.verdict]}`));
    }
  }
  return lines;
}

/** The opening section for one proposal; an empty list when its base has no results. */
export function changesSection(inputs: ReportInputs, change: DesignChange): string[] {
  const lines = heading(`What ${change.variant} changes against ${change.base}`);
  const why = change.baseIs === 'extends' ? 'the design it extends' : 'chosen with --against';
  lines.push(
    ...paragraph(
      `${change.variant}${change.title ? ` (${change.title})` : ''} against ${change.base} (${why})` +
        (change.overrides ? `; it overrides ${change.overrides.length ? change.overrides.join(', ') : 'nothing'}.` : '.'),
    ),
    '',
  );
  if (inputs.check) {
    const matrix = buildVerdictMatrix(inputs.check);
    const diff = diffVerdicts(matrix, change.variant, change.base);
    if (diff.compared === 0) {
      lines.push(...paragraph(`No verdicts to compare: the check results have no race cells of both ${change.variant} and ${change.base}.`));
    } else {
      if (diff.fixed.length === 0 && diff.introduced.length === 0) {
        lines.push(...paragraph(`No verdict changes: all ${diff.compared} race cells (${matrix.races.length} races x ${matrix.models.join(' ')}) as ${change.base}'s.`));
      } else {
        lines.push(...fixedLines(diff), ...introducedLines(diff));
      }
      if (diff.uncompared) lines.push(...paragraph(`${diff.uncompared} race cells could not be compared (not run or in error on one side).`));
    }
    lines.push(...semanticLines(diff, change.base));
  }
  if (lines.at(-1) !== '') lines.push('');
  lines.push(...costLines(inputs.bench, change));
  return lines.map((l) => (l.length > TEXT_WIDTH ? wrap(l, TEXT_WIDTH, 4) : [l])).flat();
}

// Plain-text rendering of compare and history results: aligned tables a terminal, a CI log or a
// mail body shows as is.
import type { Comparison, MetricComparison, RowVerdict } from './compare.ts';
import type { StepReport } from './trends.ts';

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], alignRight: readonly boolean[] = []): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (alignRight[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Four significant digits, no exponent for the magnitudes the lab sees. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e9 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : Number(x.toPrecision(4)).toString();
}

export function formatChange(ratio: number): string {
  if (Number.isNaN(ratio)) return '—';
  if (!Number.isFinite(ratio)) return 'from 0';
  const percent = (ratio - 1) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

const VERDICT_ORDER: Record<RowVerdict, number> = { regressed: 0, improved: 1, insignificant: 2, unchanged: 3 };

const METHOD_LABEL: Record<MetricComparison['method'], string> = {
  'mann-whitney-exact': 'MWU exact',
  'mann-whitney-normal': 'MWU normal',
  bootstrap: 'bootstrap',
  'isolate-bootstrap': 'isolates',
  none: '—',
};

function significanceCell(row: MetricComparison): string {
  const p = row.adjustedP === null ? (row.verdict === 'unchanged' ? 'within factor' : '—') : `p=${row.adjustedP.toPrecision(2)}`;
  return row.interval ? `${p}; ratio in [${formatNumber(row.interval[0])}, ${formatNumber(row.interval[1])}]` : p;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function formatComparison(comparison: Comparison, baseFile: string, newFile: string): string {
  const { factor, alpha } = comparison.options;
  const testable = comparison.rows.filter((row) => row.method !== 'none').length;
  const out: string[] = [
    `compare ${baseFile} → ${newFile}`,
    `rule: a row regresses when its figure moves the wrong way beyond ×${factor}, significantly so at ${alpha}`,
    `      (one-sided, Holm-adjusted over ${plural(testable, 'testable row')}); p below is for "beyond the factor"`,
    `      figure: the samples' median; for rows measured in isolates (test "isolates"), the fastest`,
    `      sample of any isolate, tested by a bootstrap over isolates`,
  ];
  for (const warning of comparison.warnings) out.push(`warning: ${warning}`);
  if (comparison.rows.length > 0) {
    const rows = [...comparison.rows].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict]);
    out.push(
      '',
      formatTable(
        ['verdict', 'design', 'workload', 'metric', 'base', 'new', 'change', 'test', 'significance'],
        rows.map((row) => [
          row.verdict === 'regressed' ? 'REGRESSED' : row.verdict,
          row.variant,
          row.workload,
          row.metric,
          `${formatNumber(row.baseFigure)} ${row.unit}`,
          `${formatNumber(row.newFigure)} ${row.unit}`,
          formatChange(row.ratio),
          METHOD_LABEL[row.method],
          significanceCell(row),
        ]),
        [false, false, false, false, true, true, true, false, false],
      ),
    );
  }
  if (comparison.verdictChanges.length > 0) {
    out.push('', `verdict matrix: ${plural(comparison.verdictChanges.length, 'change')} in ${plural(comparison.verdictCellsCompared, 'cell')}`);
    for (const change of comparison.verdictChanges) out.push(`  ${change.regression ? 'REGRESSED' : 'changed  '}  ${change.name}: ${change.reason}`);
  } else if (comparison.verdictCellsCompared > 0) {
    out.push('', `verdict matrix: ${plural(comparison.verdictCellsCompared, 'cell')}, none changed`);
  }
  if (comparison.onlyInBase.length > 0) out.push('', `only in BASE (not compared): ${comparison.onlyInBase.join(', ')}`);
  if (comparison.onlyInNew.length > 0) out.push('', `only in NEW (not compared): ${comparison.onlyInNew.join(', ')}`);
  out.push('');
  if (comparison.regressions.length === 0) out.push('no regression');
  else {
    out.push(`${plural(comparison.regressions.length, 'regression')}:`);
    for (const regression of comparison.regressions) out.push(`  ${regression}`);
  }
  return out.join('\n');
}

export function formatSteps(steps: readonly StepReport[]): string {
  if (steps.length === 0) return 'no step detected';
  return formatTable(
    ['step', 'series', 'at run', 'before', 'after', 'change', 'p'],
    steps.map((step) => [
      step.kind === 'regression' ? 'REGRESSION' : 'improvement',
      step.name,
      step.run,
      formatNumber(step.before),
      formatNumber(step.after),
      formatChange(step.ratio),
      step.p.toPrecision(2),
    ]),
    [false, false, false, true, true, true, true],
  );
}

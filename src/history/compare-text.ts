// What `fence-lab compare` prints: a summary first (regressions, improvements, changes,
// unchanged, left out), then only the rows that changed (`all` for every row), then the rule.
// As plain text for a terminal or CI log, or as Markdown for a pull-request comment or a CI job
// summary ($GITHUB_STEP_SUMMARY).
import type { Comparison, CompareSummary, MetricComparison, RowVerdict } from './compare.ts';
import { formatChange, formatNumber, formatTable } from './text.ts';

export interface CompareFormat {
  /** Every row, not only the ones that changed. */
  all?: boolean;
}

const VERDICT_ORDER: Record<RowVerdict, number> = { regressed: 0, improved: 1, changed: 2, insignificant: 3, unchanged: 4, 'left-out': 5 };

const VERDICT_LABEL: Record<RowVerdict, string> = {
  regressed: 'REGRESSED',
  improved: 'improved',
  changed: 'changed',
  insignificant: 'not significant',
  unchanged: 'unchanged',
  'left-out': 'left out',
};

const METHOD_LABEL: Record<MetricComparison['method'], string> = {
  'mann-whitney-exact': 'MWU exact',
  'mann-whitney-normal': 'MWU normal',
  bootstrap: 'bootstrap',
  'isolate-bootstrap': 'isolates',
  exact: 'exact',
  none: '—',
};

function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

function significanceCell(row: MetricComparison): string {
  if (row.verdict === 'left-out') return row.reason.replace(/^.*information only: /, 'information only: ');
  if (row.method === 'exact') return row.ratio === 1 ? 'identical' : 'deterministic: exact';
  const p = row.adjustedP === null ? (row.verdict === 'unchanged' ? 'within factor' : '—') : `p=${row.adjustedP.toPrecision(2)}`;
  return row.interval ? `${p}; ratio in [${formatNumber(row.interval[0])}, ${formatNumber(row.interval[1])}]` : p;
}

/** "1 regression, 0 improvements, ..., 208 left out (208 oversubscribed (...))". */
export function summaryLine(summary: CompareSummary): string {
  const reasons = Object.entries(summary.leftOutReasons).map(([reason, count]) => `${count} ${reason}`);
  return [
    plural(summary.regressed, 'regression'),
    plural(summary.improved, 'improvement'),
    `${summary.changed} changed within the factor`,
    `${summary.insignificant} moved but not significantly`,
    `${summary.unchanged} unchanged`,
    `${summary.leftOut} left out${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`,
  ].join(', ');
}

function shownRows(comparison: Comparison, format: CompareFormat): MetricComparison[] {
  const shown = format.all ? comparison.rows : comparison.rows.filter((row) => row.verdict !== 'unchanged' && row.verdict !== 'left-out');
  return [...shown].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict]);
}

function hiddenNote(comparison: Comparison, shown: number): string | null {
  const hidden = comparison.rows.length - shown;
  return hidden > 0 ? `${plural(hidden, 'row')} unchanged or left out not shown; --all lists every row` : null;
}

function ruleLines(comparison: Comparison): string[] {
  const { factor, alpha } = comparison.options;
  const noise = comparison.runNoise;
  return [
    `rule: a timed row regresses when its figure moves the wrong way beyond ×${factor}, significantly so`,
    `      (one-sided p that it lies beyond the factor, Benjamini–Hochberg-adjusted at ${alpha} over the rows that gate);`,
    `      figure: the fastest sample of any isolate for rows measured in isolates (test "isolates": the exact`,
    `      bootstrap over isolates${noise ? `, widened by this pair's run noise ±${(100 * noise.logScale).toFixed(1)}% seen over ${plural(noise.rows, 'row')}` : ''}),`,
    `      else the samples' median (Mann–Whitney U); deterministic rows (flag "deterministic" or "simulated")`,
    `      compare exactly; oversubscribed rows and rows from another machine are information only`,
  ];
}

function regressionLines(comparison: Comparison): string[] {
  if (comparison.regressions.length === 0) return ['no regression'];
  return [`${plural(comparison.regressions.length, 'regression')}:`, ...comparison.regressions.map((regression) => `  ${regression}`)];
}

function verdictMatrixLines(comparison: Comparison, bullet: string): string[] {
  if (comparison.verdictChanges.length > 0) {
    return [
      `verdict matrix: ${plural(comparison.verdictChanges.length, 'change')} in ${plural(comparison.verdictCellsCompared, 'cell')}`,
      ...comparison.verdictChanges.map((change) => `${bullet}${change.regression ? 'REGRESSED' : 'changed'}  ${change.name}: ${change.reason}`),
    ];
  }
  return comparison.verdictCellsCompared > 0 ? [`verdict matrix: ${plural(comparison.verdictCellsCompared, 'cell')}, none changed`] : [];
}

export function formatComparison(comparison: Comparison, baseFile: string, newFile: string, format: CompareFormat = {}): string {
  const out: string[] = [`compare ${baseFile} → ${newFile}`, `summary: ${summaryLine(comparison.summary)}`];
  for (const warning of comparison.warnings) out.push(`warning: ${warning}`);
  const rows = shownRows(comparison, format);
  if (rows.length > 0) {
    out.push(
      '',
      formatTable(
        ['verdict', 'design', 'workload', 'metric', 'base', 'new', 'change', 'test', 'significance'],
        rows.map((row) => [
          VERDICT_LABEL[row.verdict],
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
  const hidden = hiddenNote(comparison, rows.length);
  if (hidden) out.push(hidden);
  const matrix = verdictMatrixLines(comparison, '  ');
  if (matrix.length > 0) out.push('', ...matrix);
  if (comparison.onlyInBase.length > 0) out.push('', `only in BASE (not compared): ${comparison.onlyInBase.join(', ')}`);
  if (comparison.onlyInNew.length > 0) out.push('', `only in NEW (not compared): ${comparison.onlyInNew.join(', ')}`);
  out.push('', ...ruleLines(comparison), '', ...regressionLines(comparison));
  return out.join('\n');
}

/** A table cell: pipes escaped, line breaks flattened (GitHub-flavoured Markdown tables). */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function formatComparisonMarkdown(comparison: Comparison, baseFile: string, newFile: string, format: CompareFormat = {}): string {
  const count = comparison.regressions.length;
  const out: string[] = [
    `### fence-lab compare: ${count === 0 ? 'no regression' : plural(count, 'regression')}`,
    '',
    `\`${cell(baseFile)}\` → \`${cell(newFile)}\`: ${summaryLine(comparison.summary)}`,
  ];
  for (const warning of comparison.warnings) out.push('', `> **warning:** ${cell(warning)}`);
  if (count > 0) out.push('', ...comparison.regressions.map((regression) => `- **${cell(regression)}**`));
  const rows = shownRows(comparison, format);
  if (rows.length > 0) {
    out.push('', '| verdict | design | workload | metric | base | new | change | test | significance |', '|---|---|---|---|--:|--:|--:|---|---|');
    for (const row of rows) {
      const verdict = row.verdict === 'regressed' ? `**${VERDICT_LABEL[row.verdict]}**` : VERDICT_LABEL[row.verdict];
      const cells = [verdict, row.variant, row.workload, row.metric, `${formatNumber(row.baseFigure)} ${row.unit}`, `${formatNumber(row.newFigure)} ${row.unit}`, formatChange(row.ratio), METHOD_LABEL[row.method], significanceCell(row)];
      out.push(`| ${cells.map(cell).join(' | ')} |`);
    }
  }
  const hidden = hiddenNote(comparison, rows.length);
  if (hidden) out.push('', `_${hidden}_`);
  const matrix = verdictMatrixLines(comparison, '- ');
  if (matrix.length > 0) out.push('', ...matrix.map((line, i) => (i === 0 ? `**${line}**` : cell(line))));
  if (comparison.onlyInBase.length > 0) out.push('', `Only in BASE (not compared): ${cell(comparison.onlyInBase.join(', '))}`);
  if (comparison.onlyInNew.length > 0) out.push('', `Only in NEW (not compared): ${cell(comparison.onlyInNew.join(', '))}`);
  out.push('', '<details><summary>How rows are decided</summary>', '', '```', ...ruleLines(comparison), '```', '', '</details>');
  return out.join('\n');
}

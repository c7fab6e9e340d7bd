// Plain-text building blocks of compare and history output (aligned tables, numbers, changes)
// and the history's step table: what a terminal, a CI log or a mail body shows as is.
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

// Verdict heatmap: designs across, races down, one panel per memory model.
import type { TopLevelSpec } from 'vega-lite';
import type { CheckResults } from '../results/types.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, VERDICT_COLORS } from './chart-style.ts';
import { listDesigns } from './designs.ts';
import { buildVerdictMatrix, kindCode, scenariosWithFindings, type VerdictCell } from './verdicts.ts';

function cellLabel(cell: VerdictCell): string {
  const mark =
    cell.outcome === 'pass'
      ? `✓${cell.complete ? '' : '?'}`
      : cell.outcome === 'error'
        ? 'err'
        : `✗ ${cell.violation ? kindCode(cell.violation.kind) : ''}`.trim();
  return cell.mismatch ? `${mark} !` : mark;
}

export function verdictHeatmapSpec(check: CheckResults): TopLevelSpec {
  const matrix = buildVerdictMatrix(check);
  const designs = listDesigns({ check }).map((d) => d.name);
  // the races, and the semantic tests only where some cell is not a clean pass
  const findings = scenariosWithFindings(matrix, matrix.semantics);
  const rows = [...matrix.races, ...findings];
  const hidden = matrix.semantics.length - findings.length;
  const legend = [
    '✓ no violation found', '✓? none found, search not exhaustive', '✗ violation and its kind', '! not the verdict the scenario expects',
  ].join('  ·  ');
  const values = matrix.cells.filter((cell) => rows.includes(cell.scenario)).map((cell) => ({
    model: cell.model,
    race: cell.scenario,
    design: cell.variant,
    outcome: cell.outcome,
    label: cellLabel(cell),
  }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Race verdicts per design and memory model',
      subtitle: hidden
        ? [legend, `not shown: ${hidden} semantic test${hidden === 1 ? '' : 's'} that every design passes under every model`]
        : legend,
    },
    data: { values },
    facet: {
      column: { field: 'model', type: 'nominal', sort: matrix.models, header: { title: 'memory model', labelFontWeight: 'bold' } },
    },
    spec: {
      width: { step: 62 },
      height: { step: 22 },
      encoding: {
        x: { field: 'design', type: 'nominal', sort: designs, axis: { title: null, labelAngle: -40, ticks: false, domain: false } },
        y: { field: 'race', type: 'nominal', sort: rows, axis: { title: null, ticks: false, domain: false } },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 1.5 },
          encoding: {
            color: {
              field: 'outcome',
              type: 'nominal',
              scale: { domain: Object.keys(VERDICT_COLORS), range: Object.values(VERDICT_COLORS) },
              legend: null,
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 10.5 },
          encoding: {
            text: { field: 'label', type: 'nominal' },
            color: { condition: { test: "datum.outcome === 'violation'", value: 'white' }, value: '#1e1e1e' },
          },
        },
      ],
    },
  };
}

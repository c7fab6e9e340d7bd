// Verdict heatmap: designs across, races down, one panel per memory model.
import type { TopLevelSpec } from 'vega-lite';
import type { CheckResults } from '../results/types.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, VERDICT_COLORS } from './chart-style.ts';
import { listDesigns } from './designs.ts';
import { buildVerdictMatrix, kindCode, type VerdictCell } from './verdicts.ts';

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
  const values = matrix.cells.map((cell) => ({
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
      subtitle: [
        '✓ no violation found', '✓? none found, search not exhaustive', '✗ violation and its kind', '! not the verdict the scenario expects',
      ].join('  ·  '),
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
        y: { field: 'race', type: 'nominal', sort: matrix.scenarios, axis: { title: null, ticks: false, domain: false } },
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

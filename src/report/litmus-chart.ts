// Litmus conformance: each LKMM test under each memory model, coloured by whether the
// observed result matches the test's expected one, the observed result written in the cell.
// sc and tso answering Never where LKMM says Sometimes is what those models are for (the
// machine forbids the outcome): shown apart from the disagreements that are findings.
import type { TopLevelSpec } from 'vega-lite';
import type { LitmusResult, LitmusResults } from '../results/types.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, VERDICT_COLORS } from './chart-style.ts';
import { isFinding, litmusStatus, LKMM_MODEL } from './litmus-summary.ts';
import { MODEL_ORDER } from './verdicts.ts';

const STATUS = {
  agrees: { label: 'agrees with LKMM', color: VERDICT_COLORS.pass },
  stronger: { label: 'stronger than LKMM, as the model should be', color: '#d9e4f2' },
  disagrees: { label: 'disagrees with LKMM', color: VERDICT_COLORS.violation },
  unchecked: { label: 'no expected result', color: '#f0f0f0' },
} as const;

function status(r: LitmusResult) {
  if (isFinding(r)) return STATUS.disagrees;
  const s = litmusStatus(r);
  return s === 'agrees' ? STATUS.agrees : s === 'stronger' ? STATUS.stronger : STATUS.unchecked;
}

export function litmusSpec(litmus: LitmusResults): TopLevelSpec {
  const values = litmus.results.map((r) => ({
    test: r.name,
    model: r.model,
    status: status(r).label,
    label: r.agrees === false ? `${r.observed} (LKMM: ${r.expected})` : r.observed,
    disagrees: isFinding(r),
  }));
  const tests = [...new Set(litmus.results.map((r) => r.name))];
  const models = MODEL_ORDER.filter((m) => litmus.results.some((r) => r.model === m));
  const statuses = Object.values(STATUS).filter((s) => values.some((v) => v.status === s.label));
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Litmus conformance',
      subtitle: [
        "observed result of each test under each memory model, against LKMM's (the test's Result: line)",
        `only ${LKMM_MODEL} is meant to agree everywhere; the others may forbid what LKMM allows, never the reverse`,
      ],
    },
    data: { values },
    width: { step: 170 },
    height: { step: 17 },
    encoding: {
      x: {
        field: 'model',
        type: 'nominal',
        sort: models,
        axis: { title: 'memory model', orient: 'top', labelAngle: 0, ticks: false, domain: false, labelFontWeight: 'bold' },
      },
      y: { field: 'test', type: 'nominal', sort: tests, axis: { title: null, ticks: false, domain: false } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'status',
            type: 'nominal',
            scale: { domain: statuses.map((s) => s.label), range: statuses.map((s) => s.color) },
            legend: {
              title: null,
              orient: 'bottom',
              direction: 'horizontal',
              symbolType: 'square',
              symbolStrokeColor: '#999',
              symbolStrokeWidth: 0.5,
            },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10.5 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { condition: { test: 'datum.disagrees', value: 'white' }, value: '#1e1e1e' },
        },
      },
    ],
  };
}

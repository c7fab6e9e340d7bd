// Scenarios that demonstrate an outcome the API allows (R17, callback-order): declared in the
// scenario, carried in the results, shown apart in the report and kept out of every count of
// defects (matrix, races, safety chart, heatmap).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BenchResults, CheckResult, CheckResults } from '../src/results/types.ts';
import { parseResultsFile } from '../src/results/schema.ts';
import { renderText, safetyCostSpec, verdictHeatmapSpec } from '../src/report/index.ts';
import { buildVerdictMatrix } from '../src/report/verdicts.ts';
import { scenario, ScenarioDefinitionError } from '../src/scenario.ts';
import { runCell } from '../src/sim/cells.ts';
import { DEFAULT_CHECK } from '../src/sim/check.ts';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/report/${name}.json`, import.meta.url), 'utf8')) as T;
const check = fixture<CheckResults>('check');
const bench = fixture<BenchResults>('bench');
const READING = 'callbacks of one context may run out of emission order';

/** The fixture plus callback-order reached by every design under every model. */
function withAllowed(): CheckResults {
  const template = check.results.find((r) => r.verdict === 'violation' && r.violation?.kind === 'assertion')!;
  const allowed: CheckResult[] = check.results
    .filter((r) => r.scenario === 'is-signaled-put-uaf')
    .map((r) => ({
      ...r,
      scenario: 'callback-order',
      demonstrates: 'allowed-outcome' as const,
      reading: READING,
      verdict: 'violation' as const,
      expected: 'violation' as const,
      violation: { ...template.violation!, headline: 'lab_assert: callbacks ran in emission order (they ran as 3, 1, 2)' },
    }));
  return { results: [...allowed, ...check.results] };
}

describe('a scenario that demonstrates an allowed outcome', () => {
  const base = { name: 'x-order', title: 't', source: 's', group: 'races' as const, setup: () => ({}), threads: [{ name: 'a', cpu: 0, context: 'process' as const, run: () => {} }], expect: {} };

  it('must say the outcome in one line, and only with demonstrates', () => {
    expect(() => scenario({ ...base, demonstrates: 'allowed-outcome', reading: READING })).not.toThrow();
    expect(() => scenario({ ...base, demonstrates: 'allowed-outcome' })).toThrow(/reading: with demonstrates, say the allowed outcome in one line/);
    expect(() => scenario({ ...base, demonstrates: 'allowed-outcome', reading: 'two\nlines' })).toThrow(ScenarioDefinitionError);
    expect(() => scenario({ ...base, reading: READING })).toThrow(/reading: only with demonstrates/);
    expect(() => scenario({ ...base, demonstrates: 'a-bug' as 'allowed-outcome', reading: READING })).toThrow(/the only kind is 'allowed-outcome'/);
  });

  it('is callback-order among the built-ins, and its results say so and still validate', async () => {
    const result = await runCell({ variant: 'locked-reads', scenario: 'callback-order', model: 'sc' }, { ...DEFAULT_CHECK, executions: 200 });
    expect(result).toMatchObject({ verdict: 'violation', expected: 'violation', demonstrates: 'allowed-outcome', reading: READING });
    const other = await runCell({ variant: 'locked-reads', scenario: 'signal-behind-driver', model: 'sc' }, { ...DEFAULT_CHECK, executions: 200 });
    expect(other.verdict).toBe('violation');
    expect(other).not.toHaveProperty('demonstrates');
    const parsed = parseResultsFile(JSON.stringify({ results: [result, other] }), 'check.json');
    expect(parsed.kind === 'check' && parsed.check.results[0]).toMatchObject({ demonstrates: 'allowed-outcome', reading: READING });
  });
});

describe('the report', () => {
  const input = withAllowed();
  const text = renderText({ check: input, bench });

  it('shows it apart, reached in every design, with its reading', () => {
    const matrix = buildVerdictMatrix(input);
    expect(matrix.allowed).toEqual([{ scenario: 'callback-order', reading: READING }]);
    expect(matrix.races).not.toContain('callback-order');
    expect(text).not.toMatch(/^callback-order\s+ASRT/m);
    expect(text.replace(/\s+/g, ' ')).toContain(`callback-order: reached in every design [sc tso weak]: ${READING}`);
    expect(text).not.toContain('callback-order: breaks');
    // the matrix without it is the fixture's own
    expect(text.slice(text.indexOf('Verdict matrix'), text.indexOf('Legend:'))).toBe(
      renderText({ check, bench }).slice(renderText({ check, bench }).indexOf('Verdict matrix'), renderText({ check, bench }).indexOf('Legend:')),
    );
  });

  it('keeps it out of the safety counts and the heatmap', () => {
    const points = (spec: ReturnType<typeof safetyCostSpec>) => (spec.data as { values: { design: string; survived: number }[] }).values;
    expect(points(safetyCostSpec(input, bench))).toEqual(points(safetyCostSpec(check, bench)));
    expect(JSON.stringify(safetyCostSpec(input, bench))).toContain('(of 10)');
    const rows = (verdictHeatmapSpec(input).data as { values: { race: string }[] }).values.map((v) => v.race);
    expect(rows).not.toContain('callback-order');
    expect(rows.length).toBeGreaterThan(0);
  });

  it('names the designs that do not reach it', () => {
    const some = { results: withAllowed().results.map((r) => (r.scenario === 'callback-order' && r.variant === 'locked-reads' ? { ...r, verdict: 'pass' as const } : r)) };
    const flat = renderText({ check: some }).replace(/\s+/g, ' ');
    expect(flat).toContain(`callback-order: reached in every design but locked-reads [sc tso weak]: ${READING}`);
    expect(flat).toMatch(/callback-order on locked-reads \(sc\): expected violation, got pass/);
  });
});

// Partial-order reduction never loses an outcome (src/sim/schedulers/dfs.ts, README
// "Partial-order reduction"): with reduction, dfs reaches the same set of outcomes as without
// it at the same bound, in fewer executions. Small programs: the LKMM litmus corpus, final
// states compared exactly, unbounded (sleep sets on). Race scenarios: violation kinds compared
// at bound 1 for every race with a violation to lose (one design each), and at bound 2 for a
// few cells; the whole matrix is bench/por.ts --compare.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { litmusFiles } from '../src/cli/litmus.ts';
import { parseLitmus } from '../src/litmus/parser.ts';
import type { ModelName } from '../src/results/types.ts';
import { expectedVerdict } from '../src/scenario.ts';
import { check, programOf } from '../src/sim/check.ts';
import { explore, exploreLitmus, type Exploration } from '../src/sim/explore.ts';
import { builtinScenarioFiles, builtinVariantFiles, loadScenario, loadVariant, type LoadedScenario, type LoadedVariant } from '../src/sim/registry.ts';
import { FIXTURES } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(ROOT, '../shared/litmus/lkmm');
const MODELS: ModelName[] = ['sc', 'tso', 'weak'];

const outcomes = (e: Exploration) => [...e.outcomes.keys()].sort();

describe('partial-order reduction on small programs (the LKMM litmus corpus, unbounded)', () => {
  const files = litmusFiles([CORPUS]);
  it.each(MODELS)('reaches every final state of every test under %s, in fewer executions', (model) => {
    let without = 0;
    let withPor = 0;
    let compared = 0;
    for (const file of files) {
      const test = parseLitmus(readFileSync(file, 'utf8'), file);
      // The few tests that take tens of thousands of executions without reduction (Z6.0 and
      // ISA2 with locks under tso) are compared in bench/por.ts, not here.
      const a = exploreLitmus(test, model, 'none', 20_000);
      if (!a.complete) continue;
      compared++;
      const b = exploreLitmus(test, model, 'dpor');
      expect(b.complete).toBe(true);
      expect(outcomes(b), `${test.name} under ${model}`).toEqual(outcomes(a));
      expect(b.executions, `${test.name} under ${model}`).toBeLessThanOrEqual(a.executions);
      without += a.executions;
      withPor += b.executions;
    }
    expect(compared).toBeGreaterThanOrEqual(35);
    expect(withPor * 3).toBeLessThan(without);
  });

  it('explores exactly the Mazurkiewicz traces of SB and MP under sc', () => {
    // SB: P0 WRITE x; READ y || P1 WRITE y; READ x. Of the four orders of the two conflicting
    // pairs, the one with both reads first is a cycle: 3 traces, against C(4,2) = 6 schedules.
    // MP+polocks: three executions, each its own final state (without reduction: 18).
    const run = (name: string) => exploreLitmus(parseLitmus(readFileSync(path.join(CORPUS, `${name}.litmus`), 'utf8'), name), 'sc', 'dpor');
    const sb = run('SB+poonceonces');
    expect([sb.executions, sb.redundant, sb.outcomes.size]).toEqual([3, 0, 3]);
    const mp = run('MP+polocks');
    expect([mp.executions, mp.outcomes.size]).toEqual([3, 3]);
  });
});

describe('partial-order reduction on the race scenarios', () => {
  let variants: LoadedVariant[];
  const scenarios: LoadedScenario[] = [];
  beforeAll(async () => {
    variants = await Promise.all(builtinVariantFiles().map((f) => loadVariant(f)));
    for (const f of builtinScenarioFiles('races')) scenarios.push(await loadScenario(f));
  });

  const compare = (variant: LoadedVariant, scenario: LoadedScenario, model: ModelName, bound: number) => {
    const opts = { bound, maxExecutions: 1_000_000, stepBound: scenario.def.stepBound ?? 20_000, lockdep: false };
    const program = programOf(variant, scenario);
    const a = explore(program, model, { ...opts, reduction: 'none' });
    const b = explore(program, model, { ...opts, reduction: 'dpor' });
    expect(a.complete && b.complete).toBe(true);
    return { a, b, cell: `${scenario.name} x ${variant.name} [${model}] at bound ${bound}` };
  };

  it.each(MODELS)('finds every violation kind at bound 1 under %s, in no more executions', (model) => {
    let without = 0;
    let withPor = 0;
    for (const scenario of scenarios) {
      // one design per race that has a violation to lose (all of them: bench/por.ts --compare)
      for (const variant of variants.filter((v) => expectedVerdict(scenario.def, v.name, model) === 'violation').slice(0, 1)) {
        const { a, b, cell } = compare(variant, scenario, model, 1);
        expect(outcomes(b), cell).toEqual(outcomes(a));
        expect(b.executions, cell).toBeLessThanOrEqual(a.executions);
        without += a.executions;
        withPor += b.executions;
      }
    }
    expect(withPor).toBeLessThan(without);
  });

  it('finds every violation kind at bound 2 on cells where the kind needs two preemptions or a stale value', () => {
    for (const [scenario, variant, model] of [
      ['enable-vs-signal', 'unlocked-enable-signaling', 'sc'],
      ['callback-rereads-ops', 'inline-lock', 'weak'],
      ['driver-data-vs-callback', 'barrier-lockless', 'tso'],
    ] as const) {
      const { a, b, cell } = compare(variants.find((v) => v.name === variant)!, scenarios.find((s) => s.name === scenario)!, model, 2);
      expect(outcomes(a).length, cell).toBeGreaterThan(1);
      expect(outcomes(b), cell).toEqual(outcomes(a));
      expect(b.executions, cell).toBeLessThan(a.executions);
    }
  });
});

describe('dfs with and without reduction', () => {
  it('runs the two-by-two fixture (independent stores) in one execution at every bound, and without reduction in every schedule', async () => {
    const variant = await loadVariant('current-shared-lock');
    const scenario = await loadScenario(path.join(FIXTURES, 'kernel/interleavings.ts'));
    for (const [bound, schedules] of [[0, 2], [1, 4], [2, 6]] as const) {
      const base = { model: 'sc' as const, strategy: 'dfs' as const, seed: 1, executions: 1000, preemptions: bound };
      expect(check(variant, scenario, { ...base, reduction: 'dpor' })).toMatchObject({ verdict: 'pass', executions: 1, complete: true });
      expect(check(variant, scenario, { ...base, reduction: 'none' })).toMatchObject({ verdict: 'pass', executions: schedules, complete: true });
    }
  });

  it('reports a violation found with reduction with a replay that reproduces it, the same each run', async () => {
    const variant = await loadVariant('unlocked-enable-signaling');
    const scenario = await loadScenario('enable-vs-signal');
    const opts = { model: 'sc' as const, strategy: 'dfs' as const, seed: 1, executions: 100_000, preemptions: 2 };
    const r = check(variant, scenario, opts);
    expect(r.violation?.kind).toBe('leak');
    expect(check(variant, scenario, opts)).toMatchObject({ executions: r.executions, violation: { replay: r.violation!.replay } });
    const replayed = check(variant, scenario, { ...opts, strategy: 'replay', replay: r.violation!.replay });
    expect(replayed.violation?.kind).toBe('leak');
  });
});

describe('deepening (the report verifies pass cells at bound 3 within its budget)', () => {
  it('verifies at the higher bound when the budget lasts, and says the bound reached when it does not', async () => {
    const variant = await loadVariant('current-shared-lock');
    const scenario = await loadScenario('stale-error');
    const base = { model: 'sc' as const, strategy: 'auto' as const, seed: 1, executions: 100_000, preemptions: 2 };
    const atTwo = check(variant, scenario, base);
    expect(atTwo).toMatchObject({ verdict: 'pass', complete: true, verifiedBound: 2 });
    const deep = check(variant, scenario, { ...base, deepenTo: 3 });
    expect(deep).toMatchObject({ verdict: 'pass', complete: true, verifiedBound: 3 });
    expect(deep.executions).toBeGreaterThan(atTwo.executions);
    const short = check(variant, scenario, { ...base, deepenTo: 3, executions: atTwo.executions + 1 });
    expect(short).toMatchObject({ verdict: 'pass', complete: true, verifiedBound: 2, executions: atTwo.executions + 1 });
  });
});

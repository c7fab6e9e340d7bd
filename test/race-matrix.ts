// The verdict matrix as a regression test (shared by test/races-*.test.ts, one file per memory
// model so vitest runs them in parallel): every race scenario against every built-in design
// under every memory model must give the verdict its scenario file states. Violation cells are
// hunted with the default strategy (a change to "pass" fails here at once); pass cells get the
// hunt plus a bounded share of the exhaustive search, so a new violation that any randomized
// schedule reaches fails here too. The full verification at preemption bound 2 (complete: true
// for every pass cell) is bench/races.ts: too slow for the unit suite, reported in the notes.

import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, ModelName, ViolationKind } from '../src/results/types.ts';
import { expectedVerdict } from '../src/scenario.ts';
import { check } from '../src/sim/check.ts';
import { builtinScenarioFiles, builtinVariantFiles, loadScenario, loadVariant, type LoadedScenario, type LoadedVariant } from '../src/sim/registry.ts';

const PASS_BUDGET = 3_000;
const HUNT_BUDGET = 20_000;

let variants: LoadedVariant[];
const scenarios = new Map<string, LoadedScenario>();
const kinds = new Set<ViolationKind>();

beforeAll(async () => {
  variants = await Promise.all(builtinVariantFiles().map((f) => loadVariant(f)));
  for (const f of builtinScenarioFiles('races')) {
    const s = await loadScenario(f);
    scenarios.set(s.name, s);
  }
});

const raceNames = builtinScenarioFiles('races').map((f) => f.replace(/^.*\//, '').replace(/\.ts$/, ''));

export function raceMatrixTests(model: ModelName): void {
describe.each(raceNames)('%s', (name) => {
  it(`gives every design its stated verdict under ${model}`, () => {
    const scenario = scenarios.get(name)!;
    const wrong: string[] = [];
    for (const variant of variants) {
      const expected = expectedVerdict(scenario.def, variant.name, model);
      expect(expected, `${name} states no verdict for ${variant.name} under ${model}`).toBeDefined();
      const r: CheckResult = check(variant, scenario, {
        model,
        strategy: 'auto',
        seed: 1,
        executions: expected === 'violation' ? HUNT_BUDGET : PASS_BUDGET,
        preemptions: 2,
      });
      if (r.violation) kinds.add(r.violation.kind);
      if (r.verdict !== expected) wrong.push(`${variant.name}: ${r.verdict}${r.violation ? ` (${r.violation.headline})` : ''}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
  });
});
}

/** Catalogue-wide checks, run once (with the weak matrix, where every kind shows). */
export function catalogueTests(): void {
describe('the catalogue', () => {
  it('exercises the kinds of violation the threads argue about (under weak alone)', () => {
    // double-free and step-bound have no race of their own; test/checks.test.ts covers them
    for (const kind of ['use-after-free', 'null-deref', 'leak', 'deadlock', 'lockdep', 'assertion'] as const) expect([...kinds]).toContain(kind);
  });

  it('finds the "ARM only" races under weak and never under sc or tso', async () => {
    for (const name of ['name-getter-null-ops', 'timeline-name-null-ops', 'stale-error', 'stale-timestamp']) {
      const s = scenarios.get(name)!;
      for (const v of variants) {
        const e = s.def.expect[v.name];
        if (typeof e === 'object') expect(e, `${name} x ${v.name}`).toEqual({ sc: 'pass', tso: 'pass', weak: 'violation' });
      }
    }
  });
});
}

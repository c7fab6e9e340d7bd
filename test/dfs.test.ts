// dfs without partial-order reduction explores exactly the schedules counted by hand (with
// it, these independent stores take one execution: test/por.test.ts).
//
// Threads A (a1, a2) and B (b1, b2): each store is one step, so a schedule is an order of the
// four steps keeping a1<a2 and b1<b2: C(4,2) = 6 orders. Switching away from a thread that
// could go on costs one preemption; switching after it finished is free; the first pick is free.
//   AABB 0   BBAA 0                       -> bound 0: 2
//   ABBA 1 (a1|b1 preempts A; B ends)     -> bound 1: 4
//   BAAB 1
//   ABAB 2 (a1|b1, b1|a2)   BABA 2        -> bound 2: 6

import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { check } from '../src/sim/check.ts';
import { loadScenario, loadVariant, type LoadedScenario, type LoadedVariant } from '../src/sim/registry.ts';
import { FIXTURES } from './helpers.ts';

let variant: LoadedVariant;
let scenario: LoadedScenario;

beforeAll(async () => {
  variant = await loadVariant('current-shared-lock');
  scenario = await loadScenario(path.join(FIXTURES, 'kernel/interleavings.ts'));
});

describe('dfs', () => {
  it.each([
    [0, 2],
    [1, 4],
    [2, 6],
    [5, 6],
  ])('at preemption bound %i runs exactly %i executions and completes', (bound, count) => {
    const r = check(variant, scenario, { model: 'sc', strategy: 'dfs', seed: 1, executions: 1000, preemptions: bound, reduction: 'none' });
    expect(r.verdict).toBe('pass');
    expect(r.executions).toBe(count);
    expect(r.complete).toBe(true);
  });

  it('reports incomplete when the execution cap stops it first', () => {
    const r = check(variant, scenario, { model: 'sc', strategy: 'dfs', seed: 1, executions: 3, preemptions: 2, reduction: 'none' });
    expect(r.executions).toBe(3);
    expect(r.complete).toBe(false);
  });
});

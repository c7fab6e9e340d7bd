// Every check both ways: a small program with the bug is flagged with the right kind, and the
// fixed program is not, with dfs at preemption bound 2 finishing (complete: true) so "not
// flagged" means "no schedule within the bound has it".

import { beforeAll, describe, expect, it } from 'vitest';
import { check } from '../src/sim/check.ts';
import { loadVariant, type LoadedScenario, type LoadedVariant } from '../src/sim/registry.ts';
import { loadCases } from './helpers.ts';

let variant: LoadedVariant;
let cases: Record<string, LoadedScenario>;

beforeAll(async () => {
  variant = await loadVariant('current-shared-lock');
  cases = await loadCases('kernel/checks.ts');
});

const dfs = { model: 'sc' as const, strategy: 'dfs' as const, seed: 1, executions: 100_000, preemptions: 2 };

describe.each([
  ['use-after-free', 'uaf'],
  ['null-deref', 'null'],
  ['double-free', 'double-free'],
  ['leak', 'leak'],
  ['deadlock', 'deadlock'],
  ['step-bound', 'spin'],
  ['assertion', 'assert'],
])('%s', (kind, prefix) => {
  it('is flagged on the buggy program', () => {
    const r = check(variant, cases[`${prefix}-bug`]!, dfs);
    expect(r.verdict).toBe('violation');
    expect(r.violation?.kind).toBe(kind);
    expect(r.violation?.replay).toMatch(/^1:/);
  });

  it('is not flagged on the fixed program, exhaustively', () => {
    const r = check(variant, cases[`${prefix}-fixed`]!, dfs);
    expect(r.violation?.headline).toBeUndefined();
    expect(r.verdict).toBe('pass');
    expect(r.complete).toBe(true);
  });
});

describe('violation reports', () => {
  it('name the access, the object and where it was freed (KASAN shape)', () => {
    const r = check(variant, cases['uaf-bug']!, dfs);
    expect(r.violation!.headline).toMatch(/^BUG: KASAN: slab-use-after-free in /);
    expect(r.violation!.trace).toContain('Freed by t0');
    expect(r.violation!.trace).toContain('<-- BUG');
    expect(r.violation!.trace).toMatch(/test\/fixtures\/kernel\/checks\.ts:\d+/);
  });

  it('report a deadlock with what each thread waits for', () => {
    const r = check(variant, cases['deadlock-bug']!, dfs);
    expect(r.violation!.headline).toMatch(/t0: spins on obj#1\[2\] held by t1/);
    expect(r.violation!.headline).toMatch(/t1: spins on obj#1\[1\] held by t0/);
  });
});

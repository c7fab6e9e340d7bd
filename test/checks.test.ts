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
  ['lockdep', 'lockdep'],
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

describe('signals', () => {
  it('send_sig() ends an interruptible sleep wherever it lands (before, at or during the sleep), exhaustively', () => {
    const r = check(variant, cases['signal-interruptible']!, dfs);
    expect(r.violation?.headline).toBeUndefined();
    expect(r.complete).toBe(true);
  });

  it('send_sig() does not wake an uninterruptible sleeper', () => {
    const r = check(variant, cases['signal-uninterruptible']!, dfs);
    expect(r.violation?.kind).toBe('deadlock');
    expect(r.violation?.headline).toMatch(/t0: sleeps in schedule_timeout\(\) and nobody wakes task:t0/);
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
    expect(r.violation!.headline).toBe('deadlock: no thread can run; t0: sleeps in schedule_timeout() and nobody wakes task:t0.state');
  });

  it("report a lock-order cycle in lockdep's words, with its CPU0/CPU1 scenario", () => {
    const r = check(variant, cases['lockdep-bug']!, dfs);
    expect(r.violation!.headline).toBe('WARNING: possible circular locking dependency detected');
    const trace = r.violation!.trace;
    expect(trace).toContain('*** DEADLOCK ***');
    // print_circular_lock_scenario()'s layout: CPU1's column starts at column 31
    expect(trace).toMatch(/\n {2}(\s{7})CPU0 {20}CPU1\n/);
    expect(trace).toMatch(/\n {2}(\s{31})lock\(&obj\[1\]\);\n/);
    expect(trace).toContain('spin_lock(obj#1[1])  <-- BUG');
  });

  it('report a cycle built by several executions with a replay of all of them', () => {
    const found = check(variant, cases['lockdep-across-runs']!, dfs);
    expect(found.violation!.headline).toBe('WARNING: possible circular locking dependency detected');
    expect(found.violation!.replay).toContain('|');
    const replayed = check(variant, cases['lockdep-across-runs']!, { ...dfs, strategy: 'replay', replay: found.violation!.replay });
    expect(replayed.violation!.trace).toBe(found.violation!.trace);
    const lastRunOnly = `1:${found.violation!.replay.split('|').at(-1)}`;
    expect(check(variant, cases['lockdep-across-runs']!, { ...dfs, strategy: 'replay', replay: lastRunOnly }).verdict).toBe('pass');
  });

  it('report a lock taken in hardirq context and with hardirqs on as an inconsistent lock state', () => {
    const bug = check(variant, cases['irq-inconsistent-bug']!, dfs);
    expect(bug.violation!.headline).toBe('WARNING: inconsistent lock state');
    expect(bug.violation!.trace).toContain('{IN-HARDIRQ-W} -> {HARDIRQ-ON-W}');
    expect(check(variant, cases['irq-inconsistent-fixed']!, dfs)).toMatchObject({ verdict: 'pass', complete: true });
  });

  it('report a hardirq-safe lock ordered before a hardirq-unsafe one', () => {
    const bug = check(variant, cases['irq-inversion-bug']!, dfs);
    expect(bug.violation!.headline).toBe('WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected');
    expect(bug.violation!.trace).toContain('Possible interrupt unsafe locking scenario');
    expect(check(variant, cases['irq-inversion-fixed']!, dfs)).toMatchObject({ verdict: 'pass', complete: true });
  });
});

describe('strategies', () => {
  it.each(['pct', 'random', 'auto'] as const)('%s finds the ABBA lockdep report and is deterministic per seed', (strategy) => {
    const opts = { ...dfs, strategy, executions: 2000 };
    const a = check(variant, cases['lockdep-bug']!, opts);
    expect(a.violation!.kind).toBe('lockdep');
    const { ms: _a, ...first } = a;
    const { ms: _b, ...second } = check(variant, cases['lockdep-bug']!, opts);
    expect(second).toEqual(first);
  });

  it('auto verifies a safe program exhaustively after its hunt', () => {
    const r = check(variant, cases['uaf-fixed']!, { ...dfs, strategy: 'auto' });
    expect(r).toMatchObject({ verdict: 'pass', complete: true, strategy: 'auto' });
  });
});

// R9 end to end: found from a fixed seed, the printed replay reproduces the identical trace,
// the same seed gives the same output, and a replay that no longer fits fails loudly.

import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckOptions } from '../src/sim/check.ts';
import { decodePath, encodePath } from '../src/sim/path.ts';
import { loadScenario, loadVariant, type LoadedScenario, type LoadedVariant } from '../src/sim/registry.ts';
import { ReplayDivergence } from '../src/sim/schedulers/replay.ts';

let variant: LoadedVariant;
let r9: LoadedScenario;
const random: CheckOptions = { model: 'sc', strategy: 'random', seed: 1, executions: 10_000, preemptions: 2 };

beforeAll(async () => {
  variant = await loadVariant('current-shared-lock');
  r9 = await loadScenario('is-signaled-put-uaf');
});

function withoutTiming<T extends { ms: number }>(r: T): Omit<T, 'ms'> {
  const { ms: _ms, ...rest } = r;
  return rest;
}

describe('R9 is-signaled-put-uaf on current-shared-lock', () => {
  it('is found as a use-after-free of the fence', () => {
    const r = check(variant, r9, random);
    expect(r.verdict).toBe('violation');
    expect(r.expected).toBe('violation');
    expect(r.violation!.kind).toBe('use-after-free');
    expect(r.violation!.trace).toMatch(/fence#1/);
    expect(r.violation!.preemptions).toBeGreaterThan(0);
  });

  it('replays from the printed command to the identical trace, byte for byte', () => {
    const found = check(variant, r9, random);
    const printed = found.violation!.command!;
    const replay = /--replay '([^']+)'/.exec(printed)![1]!;
    expect(printed).toContain('--variant current-shared-lock --scenario is-signaled-put-uaf --model sc');
    const replayed = check(variant, r9, { ...random, strategy: 'replay', replay });
    expect(replayed.violation!.trace).toBe(found.violation!.trace);
    expect(replayed.violation!.replay).toBe(replay);
  });

  it('gives the same output for the same seed', () => {
    expect(withoutTiming(check(variant, r9, random))).toEqual(withoutTiming(check(variant, r9, random)));
  });

  it('shrinks to a single preemption (the fewest this race needs)', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(check(variant, r9, { ...random, seed }).violation!.preemptions).toBe(1);
  });
});

describe('replay strings', () => {
  it('round-trip through encode and decode', () => {
    const path = [
      { kind: 't' as const, value: 1 },
      { kind: 't' as const, value: 1 },
      { kind: 'r' as const, value: 2 },
      { kind: 't' as const, value: 1003 },
    ];
    const text = encodePath(path);
    expect(text).toBe('1:t1*2.r2.m3');
    expect(decodePath(text)).toEqual(path);
  });

  it('reject malformed text with what to do', () => {
    expect(() => decodePath('t1.t2')).toThrow(/must start with "1:"/);
    expect(() => decodePath('1:t1.x9')).toThrow(/entry 2 "x9"/);
  });

  it('fail loudly at the first divergence', () => {
    expect(() => check(variant, r9, { ...random, strategy: 'replay', replay: '1:t5' })).toThrow(ReplayDivergence);
    expect(() => check(variant, r9, { ...random, strategy: 'replay', replay: '1:t5' })).toThrow(/choice 1: the path says t5, the execution offers \{t0, t1\}/);
    expect(() => check(variant, r9, { ...random, strategy: 'replay', replay: '1:t1*500' })).toThrow(/diverged/);
  });
});

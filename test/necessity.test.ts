// Necessity analysis (issue 18): each ordering point taken away by an edit at bundle time, the
// race it prevents brought back -- under the models where it bites and no other -- a redundant
// barrier reported as "no violation found", and every printed replay reproducing its violation
// on the ablated design. Each ablation runs only the scenarios the claim is about (the whole
// catalogue per point is `fence-lab necessity`, minutes, not a unit test).

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run as runCheckCli } from '../src/cli/check.ts';
import { run as runNecessityCli } from '../src/cli/necessity.ts';
import { parseResultsFile } from '../src/results/schema.ts';
import type { ModelName, NecessityResult } from '../src/results/types.ts';
import { check, DEFAULT_CHECK } from '../src/sim/check.ts';
import { runAblation } from '../src/sim/necessity.ts';
import { orderingPoints } from '../src/sim/ordering-points.ts';
import { loadScenario, loadVariant, resolveVariantFile } from '../src/sim/registry.ts';
import { necessitySection } from '../src/report/necessity.ts';
import { escapeHtml, renderHtml, renderText } from '../src/report/index.ts';
import { FIXTURES } from './helpers.ts';

const OPTIONS = { strategy: DEFAULT_CHECK.strategy, seed: 1, executions: DEFAULT_CHECK.executions, preemptions: 2 };
const MODELS: ModelName[] = ['sc', 'tso', 'weak'];
const RMB_FIXTURE = path.join(FIXTURES, 'variants', 'name-getters-rmb.ts');

/** The point of `variant` in `method` calling `primitive` (its own file's, or inherited). */
function pointId(variant: string, method: string, primitive: string, nth = 0): string {
  const found = orderingPoints(resolveVariantFile(variant), true).filter((p) => p.method === method && p.primitive === primitive);
  expect(found.length, `${variant}: ${method}() calls ${primitive}`).toBeGreaterThan(nth);
  return found[nth]!.id;
}

async function ablate(variant: string, id: string, scenarios: string[]): Promise<Record<ModelName, NecessityResult>> {
  const out = {} as Record<ModelName, NecessityResult>;
  for (const model of MODELS) out[model] = await runAblation(variant, id, model, scenarios, OPTIONS);
  return out;
}

/** Replays a printed command (check --variant V --ablate P --scenario S --model M --replay R) in-process. */
async function replayPrinted(r: NecessityResult): Promise<void> {
  const command = r.violation!.command;
  const arg = (name: string) => new RegExp(`--${name} ('[^']+'|\\S+)`).exec(command)![1]!.replace(/^'|'$/g, '');
  expect(arg('ablate')).toBe(r.ablate);
  const variant = await loadVariant(arg('variant'), arg('ablate'));
  const replayed = check(variant, await loadScenario(arg('scenario')), { ...OPTIONS, model: arg('model') as ModelName, strategy: 'replay', replay: arg('replay') });
  expect(replayed.violation?.kind).toBe(r.violation!.kind);
  expect(replayed.violation?.headline).toBe(r.violation!.headline);
}

describe('ordering points', () => {
  it("are the calls of the design's own methods, and with --inherited the ones it runs from its bases", () => {
    const own = orderingPoints(resolveVariantFile('barrier-lockless'), false);
    expect(own.map((p) => `${p.method} ${p.primitive}->${p.ablation}`)).toEqual([
      'dma_fence_test_signaled_flag test_bit_acquire->test_bit',
      'dma_fence_signal_timestamp_locked test_and_set_bit->set_bit',
      'dma_fence_signal_timestamp_locked smp_mb__before_atomic->removed',
      'dma_fence_timestamp test_bit_acquire->test_bit',
      'dma_fence_timestamp test_bit_acquire->test_bit',
    ]);
    const all = orderingPoints(resolveVariantFile('barrier-lockless'), true);
    expect(all.length).toBeGreaterThan(own.length);
    // overridden methods of the bases are not run, so their points are not the design's
    expect(all.filter((p) => p.method === 'dma_fence_signal_timestamp_locked').every((p) => p.file.endsWith('barrier-lockless.ts'))).toBe(true);
    expect(all.some((p) => p.method === 'dma_fence_add_callback' && p.kind === 'lock' && p.inherited)).toBe(true);
  });

  it('leave the design file untouched and keep every line where it was', async () => {
    const file = resolveVariantFile('barrier-lockless');
    const before = readFileSync(file, 'utf8');
    const id = pointId('barrier-lockless', 'dma_fence_test_signaled_flag', 'test_bit_acquire');
    const v = await loadVariant('barrier-lockless', id);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(v.ablated!.line).toBe(before.split('\n').findIndex((l) => l.includes('return test_bit_acquire(cpu, DMA_FENCE_FLAG_SIGNALED_BIT')) + 1);
  });

  it('reject an --ablate that names no point, saying where to find the names', async () => {
    await expect(loadVariant('barrier-lockless', 'variants/barrier-lockless.ts:1:smp_mb')).rejects.toThrow(/no ordering point of variants\/barrier-lockless.ts is called that; 'fence-lab necessity --variant .* --inherited --list' lists them/);
  });
});

describe('barrier-lockless', () => {
  it('without the acquire of dma_fence_test_signaled_flag the stale error comes back, under weak only', async () => {
    const r = await ablate('barrier-lockless', pointId('barrier-lockless', 'dma_fence_test_signaled_flag', 'test_bit_acquire'), ['stale-error']);
    expect(r.sc).toMatchObject({ verdict: 'pass', complete: true, primitive: 'test_bit_acquire', ablation: 'test_bit' });
    expect(r.tso).toMatchObject({ verdict: 'pass', complete: true });
    expect(r.weak.verdict).toBe('violation');
    expect(r.weak.violation).toMatchObject({ scenario: 'stale-error', kind: 'assertion' });
    await replayPrinted(r.weak);
  });

  it('without smp_mb__before_atomic() before set_bit(TIMESTAMP) the stale timestamp comes back, under weak only', async () => {
    const r = await ablate('barrier-lockless', pointId('barrier-lockless', 'dma_fence_signal_timestamp_locked', 'smp_mb__before_atomic'), ['stale-timestamp']);
    expect(r.sc).toMatchObject({ verdict: 'pass', complete: true, ablation: 'removed' });
    expect(r.tso).toMatchObject({ verdict: 'pass', complete: true });
    expect(r.weak.violation).toMatchObject({ scenario: 'stale-timestamp', kind: 'assertion' });
    await replayPrinted(r.weak);
  });
});

describe('locked-reads', () => {
  it('without the lock around dma_fence_is_signaled the use-after-free of is-signaled-put-uaf comes back, under every model', async () => {
    const id = pointId('locked-reads', 'dma_fence_is_signaled', 'dma_fence_lock_irqsave');
    const r = await ablate('locked-reads', id, ['is-signaled-put-uaf']);
    for (const model of MODELS) {
      expect(r[model].violation, model).toMatchObject({ scenario: 'is-signaled-put-uaf', kind: 'use-after-free' });
      await replayPrinted(r[model]);
    }
  });
});

describe('a redundant barrier (name-getters-rmb: the v1 fix, whose smp_wmb() Philipp thought redundant)', () => {
  it('is reported as "no violation found", and the barrier that is needed is not', async () => {
    const wmb = await ablate(RMB_FIXTURE, pointId(RMB_FIXTURE, 'dma_fence_signal_timestamp_locked', 'smp_wmb'), ['name-getter-null-ops', 'timeline-name-null-ops']);
    for (const model of MODELS) expect(wmb[model], model).toMatchObject({ verdict: 'pass', complete: true, bound: 2 });
    expect(necessitySection(Object.values(wmb)).join('\n')).toContain('no violation found [sc tso weak]');
    const rmb = await ablate(RMB_FIXTURE, pointId(RMB_FIXTURE, 'dma_fence_driver_name', 'smp_rmb'), ['name-getter-null-ops']);
    expect(rmb.sc.verdict).toBe('pass');
    expect(rmb.tso.verdict).toBe('pass');
    expect(rmb.weak.violation).toMatchObject({ scenario: 'name-getter-null-ops', kind: 'null-deref' });
    await replayPrinted(rmb.weak);
  });
});

describe('the commands', () => {
  const logged: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    logged.length = 0;
  });
  const capture = () => {
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => {});
  };

  it('necessity prints a row per point and a summary, writes the issue\'s JSON shape, and its printed replay works through check', async () => {
    capture();
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'necessity-')), 'necessity.json');
    const status = await runNecessityCli(['--variant', RMB_FIXTURE, '--scenario', 'name-getter-null-ops', '--scenario', 'timeline-name-null-ops', '--model', 'weak', '--jobs', '1', '--quiet', '--out', out]);
    expect(status).toBe(0);
    const text = logged.join('\n');
    expect(text).toMatch(/dma_fence_signal_timestamp_locked\(\): smp_wmb -> removed\n.*smp_wmb\(cpu\);.*\n  weak  no violation found \(complete at bound 2\)/);
    expect(text).toMatch(/name-getters-rmb: 4 ordering points, 2 necessary \(a race appears\), 2 no violation found \(complete\), 0 not exhaustive/);
    const parsed = parseResultsFile(readFileSync(out, 'utf8'), out);
    expect(parsed.kind).toBe('necessity');
    const rows = (parsed as { necessity: { results: NecessityResult[] } }).necessity.results;
    // each of the two writer-side orderings is redundant given the other (one point at a time)
    expect(rows.map((r) => `${r.primitive}->${r.ablation} ${r.verdict}`)).toEqual(['test_and_set_bit->set_bit pass', 'smp_wmb->removed pass', 'smp_rmb->removed violation', 'smp_rmb->removed violation']);
    for (const r of rows) expect(Object.keys(r)).toEqual(expect.arrayContaining(['variant', 'site', 'primitive', 'ablation', 'model', 'verdict', 'complete']));
    expect(rows[3]!.site).toMatch(/name-getters-rmb\.ts:\d+$/);
    expect(rows[3]!.violation!.scenario).toBe('timeline-name-null-ops');
    expect(Object.keys(rows[2]!.violation!)).toEqual(['scenario', 'kind', 'headline', 'replay', 'command']);
    // the report's section, from the same file (report --from)
    const report = renderText({ necessity: { results: rows } });
    expect(report).toMatch(/Why each barrier is there\n-+\n/);
    expect(report).toMatch(/name-getters-rmb.ts:\d+ dma_fence_timeline_name\(\): smp_rmb ->\s+removed\n\s+brings back timeline-name-null-ops \(null-deref\) \[weak\]/);
    for (const line of report.split('\n')) expect(line.length, line).toBeLessThanOrEqual(72);
    const html = renderHtml({ necessity: { results: rows } }, report, []);
    expect(html).toContain('<h2 id="necessity">Why each barrier is there</h2>');
    expect(html).toContain(escapeHtml(rows[2]!.violation!.command));
    // the command as printed, word for word, through fence-lab check
    logged.length = 0;
    const argv = rows[2]!.violation!.command.replace(/^npx fence-lab check /, '').match(/'[^']*'|\S+/g)!.map((w) => w.replace(/^'|'$/g, ''));
    expect(await runCheckCli([...argv, '--quiet'])).toBe(0);
    expect(logged.join('\n')).toMatch(/✗ null-deref\s+name-getters-rmb without .*name-getters-rmb\.ts:\d+:smp_rmb x name-getter-null-ops \[weak\]: no expectation stated; replay/);
  });

  it('necessity --list lists the points with what each becomes; bad input exits 2', async () => {
    capture();
    expect(await runNecessityCli(['--variant', 'barrier-lockless-bit-at-end', '--list'])).toBe(0);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/^variants\/barrier-lockless-bit-at-end\.ts:\d+:smp_mb__before_atomic\s+dma_fence_signal_timestamp_locked\(\)\s+smp_mb__before_atomic -> removed$/);
    expect(await runNecessityCli(['--variant', 'no-such-design'])).toBe(2);
    expect(await runNecessityCli([])).toBe(2);
  });
});

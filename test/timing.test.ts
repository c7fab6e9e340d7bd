// The timing model (src/timing): determinism, its validation points both ways, profile
// dependence (one constant changed moves exactly what depends on it), and profile errors.
// Cells here are small (few CPUs, the quick window) except where the point needs many CPUs.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchResultsSchema } from '../src/results/schema.ts';
import { loadProfiles, parseProfile, PROFILES_DIR, ProfileError } from '../src/timing/profile.ts';
import { runScaleCell, type ScaleCell } from '../src/timing/scale.ts';
import { counterRate, ratioTable, RATIO_TOLERANCE } from '../src/timing/validation.ts';
import type { BenchRow } from '../src/results/types.ts';

const XEON = path.join(PROFILES_DIR, 'xeon-8375c.json');
const maxIrq = { irq: 0, roles: 'mixed' as const };

function cell(variant: string, cpus: number, over: Partial<ScaleCell> = {}): ScaleCell {
  return { variant, profile: 'xeon-8375c', cpus, config: maxIrq, quick: true, ...over };
}

const metric = (rows: BenchRow[], m: string) => rows.find((r) => r.metric === m)?.value;

/** A copy of the Xeon profile with `edit` applied, in a directory of its own (same file name). */
function editedProfile(edit: (p: Record<string, any>) => void): string {
  const p = JSON.parse(readFileSync(XEON, 'utf8'));
  edit(p);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'fence-lab-profile-')), 'xeon-8375c.json');
  writeFileSync(file, JSON.stringify(p));
  return file;
}

describe('timing model: determinism and rows', () => {
  it('gives byte-identical rows on two runs of the same cell', async () => {
    const a = await runScaleCell(cell('locked-reads', 8));
    const b = await runScaleCell(cell('locked-reads', 8));
    expect(JSON.stringify(a.rows)).toBe(JSON.stringify(b.rows));
    expect(a.events).toBe(b.events);
  });

  it('writes valid schema rows flagged simulated, naming the profile and the model', async () => {
    const { rows } = await runScaleCell(cell('current-shared-lock', 4));
    const parsed = benchResultsSchema.safeParse({ schema: 1, context: { node: 'x', v8: 'x', cpu: 'x', cores: 1, os: 'x', commit: 'x', date: 'x' }, results: rows });
    expect(parsed.success).toBe(true);
    expect(rows[0]!.workload).toBe('scale/xeon-8375c/cpus=4,irq=max,roles=mixed');
    for (const r of rows) expect(r.flags).toEqual(['simulated', 'profile=xeon-8375c', 'model=timing-2', 'quick']);
    for (const m of ['fences_per_s', 'line_transfers_per_fence', 'lock_wait_ns_per_acquire']) expect(metric(rows, m)).toBeGreaterThan(0);
    // saturated (irq=max): no latency; mixed roles: polls are not the work, so no poll figures
    for (const m of ['cb_latency_p99_ns', 'wake_latency_p99_ns', 'polls_per_s', 'line_transfers_per_poll']) expect(metric(rows, m)).toBeUndefined();
    const stub = (await runScaleCell(cell('current-shared-lock', 4, { config: { irq: 0, roles: 'stub-pollers' } }))).rows;
    for (const m of ['polls_per_s', 'line_transfers_per_poll']) expect(metric(stub, m)).toBeGreaterThanOrEqual(0);
  });

  it('keeps up with irq=50k on 8 CPUs, every consumer handling every fence, and reports the latencies', async () => {
    // 8 CPUs: CPU0 submits; 1..7 are poller, adder, waiter, poller, poller, adder, waiter (2 adders, 2 waiters)
    const { rows } = await runScaleCell(cell('current-shared-lock', 8, { config: { irq: 50_000, roles: 'mixed' } }));
    const fences = metric(rows, 'fences_per_s')! * 2e-3;
    expect(fences).toBe(100);
    const samples = (m: string) => rows.find((r) => r.metric === m)!;
    expect(samples('cb_latency_p99_ns').value).toBeGreaterThan(0);
    expect(samples('wake_latency_p99_ns').value).toBeGreaterThan(samples('cb_latency_p50_ns').value);
  });
});

describe('timing model: validation (Boyd-Wickizer et al., "Non-scalable locks are dangerous", 2012)', () => {
  it('a ticket-spinlocked counter stops scaling, then collapses; per-CPU counters scale linearly', async () => {
    const ticket = new Map<number, number>();
    const perCpu = new Map<number, number>();
    for (const n of [1, 4, 16, 64]) {
      ticket.set(n, await counterRate('ticket', n, 'xeon-8375c'));
      perCpu.set(n, await counterRate('per-cpu', n, 'xeon-8375c'));
    }
    // scaling at first (the lock is not yet the bottleneck) ...
    expect(ticket.get(4)!).toBeGreaterThan(2 * ticket.get(1)!);
    // ... then collapse: far below its peak, and below one CPU alone
    expect(ticket.get(64)!).toBeLessThan(0.25 * ticket.get(4)!);
    expect(ticket.get(64)!).toBeLessThan(ticket.get(1)!);
    // per-CPU counters: linear (within 5%)
    for (const n of [4, 16, 64]) expect(perCpu.get(n)! / perCpu.get(1)!).toBeGreaterThan(0.95 * n);
  }, 120_000);

  it("the paper's remedy: under the kernel's queued spinlock the same counter plateaus and does not collapse", async () => {
    const q4 = await counterRate('qspinlock', 4, 'xeon-8375c');
    const q64 = await counterRate('qspinlock', 64, 'xeon-8375c');
    expect(q64).toBeGreaterThan(0.8 * q4);
    expect(q64).toBeLessThan(1.2 * q4);
  }, 120_000);
});

describe('timing model: the poll path', () => {
  it('locked-reads polls cost more line transfers than a lockless design, and what they cost grows with N', async () => {
    // every CPU polls the stub fence: a queued lock hands over in a constant number of transfers,
    // so transfers per poll step up once the lock is contended and stay there, while the wait for
    // the lock grows with the queue and the lockless polls scale with N
    const stub = { config: { irq: 0, roles: 'stub-pollers' as const } };
    const gap: number[] = [];
    const wait: number[] = [];
    const polls: number[] = [];
    for (const n of [2, 4, 16, 64]) {
      const locked = (await runScaleCell(cell('locked-reads', n, stub))).rows;
      const lockless = (await runScaleCell(cell('barrier-lockless', n, stub))).rows;
      gap.push(metric(locked, 'line_transfers_per_poll')! - metric(lockless, 'line_transfers_per_poll')!);
      wait.push(metric(locked, 'lock_wait_ns_per_acquire')!);
      polls.push(metric(lockless, 'polls_per_s')! / metric(locked, 'polls_per_s')!);
    }
    expect(gap[0]).toBe(0);
    for (let i = 1; i < gap.length; i++) {
      expect(gap[i]!).toBeGreaterThan(0);
      expect(gap[i]!).toBeGreaterThanOrEqual(gap[i - 1]!);
      expect(wait[i]!).toBeGreaterThan(wait[i - 1]!);
      expect(polls[i]!).toBeGreaterThan(polls[i - 1]!);
    }
  }, 180_000);

  it('the floor is never dearer than a design on fences/s, transfers per fence or lock wait', async () => {
    for (const n of [1, 8]) {
      const floor = (await runScaleCell(cell('floor', n))).rows;
      for (const d of ['current-shared-lock', 'locked-reads', 'barrier-lockless']) {
        const rows = (await runScaleCell(cell(d, n))).rows;
        expect(metric(floor, 'fences_per_s')!).toBeGreaterThanOrEqual(metric(rows, 'fences_per_s')!);
        expect(metric(floor, 'line_transfers_per_fence')!).toBeLessThanOrEqual(metric(rows, 'line_transfers_per_fence')!);
        expect(metric(floor, 'lock_wait_ns_per_acquire')!).toBeLessThanOrEqual(metric(rows, 'lock_wait_ns_per_acquire')!);
      }
    }
  }, 180_000);
});

describe('timing model: one CPU against the native micro figures', () => {
  // Ratios the model does not reproduce, and why: the native figures carry JavaScript call and
  // method-dispatch overhead the kernel's inlined C does not pay. get_status runs the same eight
  // primitives in every design but the inline-lock family is 14 ns dearer natively; the
  // locked is_signaled is 8 primitives against 1, where the native call overhead of the API
  // function itself flattens the ratio. The README's table shows every ratio.
  const OUTSIDE = new Set([
    'is_signaled-signaled/locked-reads',
    'signal-cycle/locked-reads',
    ...['barrier-lockless-bit-at-end', 'barrier-lockless', 'inline-lock-ops-check', 'inline-lock', 'locked-reads', 'unlocked-enable-signaling'].map((d) => `get_status/${d}`),
  ]);

  it(`agrees within ±${RATIO_TOLERANCE * 100}% everywhere but the documented exceptions, which really are outside`, async () => {
    const native = JSON.parse(readFileSync(new URL('../bench/scale/native-micro.json', import.meta.url), 'utf8')).ns;
    const table = await ratioTable('xeon-8375c', native);
    expect(table.length).toBe(30);
    for (const r of table) expect({ cell: `${r.op}/${r.design}`, agrees: r.agrees }).toEqual({ cell: `${r.op}/${r.design}`, agrees: !OUTSIDE.has(`${r.op}/${r.design}`) });
  }, 120_000);
});

describe('timing model: profiles', () => {
  it('loads the three built-in profiles, every constant with its source', () => {
    const names = loadProfiles().map((p) => p.name);
    expect(names).toEqual(['epyc-7r13', 'graviton3', 'xeon-8375c']);
    for (const p of loadProfiles()) for (const c of Object.values(p.raw.costs)) expect(c.source.length).toBeGreaterThan(10);
  });

  it('one constant changed moves the figures that depend on it and no others', async () => {
    // ktime_get: current-shared-lock timestamps every signal; the floor never reads the clock
    const slowClock = editedProfile((p) => (p.costs.ktime_get.value = 500));
    const base = { floor: (await runScaleCell(cell('floor', 4))).rows, csl: (await runScaleCell(cell('current-shared-lock', 4))).rows };
    const edited = { floor: (await runScaleCell(cell('floor', 4, { profile: slowClock }))).rows, csl: (await runScaleCell(cell('current-shared-lock', 4, { profile: slowClock }))).rows };
    expect(JSON.stringify(edited.floor)).toBe(JSON.stringify(base.floor));
    expect(metric(edited.csl, 'fences_per_s')!).toBeLessThan(metric(base.csl, 'fences_per_s')!);
    // the cross-socket latency: no pair of 16 CPUs crosses a 32-core socket
    const farSocket = editedProfile((p) => (p.latency.cross_socket.value = 10_000));
    const a = (await runScaleCell(cell('locked-reads', 16))).rows;
    const b = (await runScaleCell(cell('locked-reads', 16, { profile: farSocket }))).rows;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  }, 120_000);

  it('rejects a malformed profile naming the file and the field', () => {
    const text = readFileSync(XEON, 'utf8');
    const noSource = JSON.parse(text);
    delete noSource.costs.atomic_rmw.source;
    expect(() => parseProfile(JSON.stringify(noSource), 'my/xeon-8375c.json')).toThrow(/^my\/xeon-8375c\.json: costs\.atomic_rmw\.source: /);
    const badUnit = JSON.parse(text);
    badUnit.costs.l1_hit.unit = 'ms';
    expect(() => parseProfile(JSON.stringify(badUnit), 'x/xeon-8375c.json')).toThrow(/costs\.l1_hit\.unit/);
    const missing = JSON.parse(text);
    delete missing.costs.wake_latency;
    expect(() => parseProfile(JSON.stringify(missing), 'x/xeon-8375c.json')).toThrow(/costs\.wake_latency/);
    expect(() => parseProfile(text, 'x/other-name.json')).toThrow(/name: "xeon-8375c" must match the file name/);
    expect(() => parseProfile('{', 'x/broken.json')).toThrow(ProfileError);
    // and a well-formed copy parses
    expect(parseProfile(text, 'x/xeon-8375c.json').name).toBe('xeon-8375c');
  });
});

describe('timing model: CLI and report', () => {
  it('bench --workload scale refuses an unknown profile and a malformed one, naming them', async () => {
    const { run: benchCli } = await import('../src/cli/bench.ts');
    const errors: string[] = [];
    const err = console.error;
    console.error = (line: string) => void errors.push(line);
    try {
      expect(await benchCli(['--workload', 'scale', '--profile', 'no-such-machine'])).toBe(2);
      const broken = editedProfile((p) => delete p.costs.kmalloc);
      expect(await benchCli(['--workload', 'scale', '--profile', broken])).toBe(2);
    } finally {
      console.error = err;
    }
    expect(errors[0]).toMatch(/unknown profile 'no-such-machine'; profiles: epyc-7r13, graviton3, xeon-8375c/);
    expect(errors[1]).toContain(`${'xeon-8375c.json'}: costs.kmalloc:`);
  });

  it('builds the scaling chart and a safety x cost chart on the stated simulated configuration', async () => {
    const { buildCharts } = await import('../src/report/charts.ts');
    const { renderText } = await import('../src/report/text.ts');
    const { FIXTURES } = await import('./helpers.ts');
    const check = JSON.parse(readFileSync(path.join(FIXTURES, 'report', 'check.json'), 'utf8'));
    const rows: BenchRow[] = [];
    for (const v of ['floor', 'current-shared-lock', 'locked-reads']) {
      for (const cpus of [1, 4]) {
        for (const irq of [50_000, 0]) rows.push(...(await runScaleCell(cell(v, cpus, { config: { irq, roles: 'mixed' } }))).rows);
      }
    }
    const bench = { schema: 1 as const, context: { node: 'x', v8: 'x', cpu: 'x', cores: 64, os: 'x', commit: 'x', date: 'x' }, results: rows };
    const charts = buildCharts({ check, bench });
    expect(charts.map((c) => c.name)).toEqual(['safety-cost', 'verdict-heatmap', 'scaling']);
    const subtitle = JSON.stringify((charts[0]!.spec as { title: unknown }).title);
    expect(subtitle).toContain('simulated: xeon-8375c, 4 CPUs, irq=50k,roles=mixed (timing model timing-2, not measured on this host)');
    const text = renderText({ check, bench });
    expect(text).toContain('Scaling (simulated: timing model timing-2, profile xeon-8375c)');
    expect(text).toMatch(/Not measured on this host/);
    // how a simulated row was made is the section's heading, not a caveat listed row by row
    expect(text).not.toMatch(/^ {2}simulated: scale\//m);
    expect(text).not.toContain('profile=xeon-8375c');
    // without simulated rows, neither the scaling chart nor the section
    const native = JSON.parse(readFileSync(path.join(FIXTURES, 'report', 'bench.json'), 'utf8'));
    expect(buildCharts({ check, bench: native }).map((c) => c.name)).not.toContain('scaling');
    expect(renderText({ check, bench: native })).not.toContain('Scaling (simulated');
  }, 120_000);
});

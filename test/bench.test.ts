// fence-lab bench: the shape of its results (the BenchResults contract, validated by the results
// schema), the floors and per-design rows, the interrupt-load rows with >= 10 raw samples each,
// a thread that throws reported in its own rows while the others finish, and bad input. Runs are
// tiny; no figure is asserted (a shared, noisy machine).

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchResultsSchema } from '../src/results/schema.ts';
import { isolateFigure, isolateGroups, settled } from '../src/results/isolates.ts';
import { round4 } from '../src/native/stats.ts';
import { runBench, planWorkloads } from '../src/native/bench.ts';
import { resolveVariant, LAB_ROOT } from '../src/native/variants.ts';
import { configName, parseConfig } from '../bench/irq-load/config.ts';
import { settings } from '../bench/micro/isolate.ts';
import { run as benchCli } from '../src/cli/bench.ts';

const TINY_IRQ = 'irq-load/irq=max,ctx=1,fpc=4,pollers=1,waiters=1,cbs=1';

/** A design from test/fixtures/native by file name. */
const fixture = (name: string) => resolveVariant(path.join(LAB_ROOT, 'test', 'fixtures', 'native', `${name}.ts`));

/** Runs the benchmarks and checks the results against the schema, as every run must pass. */
async function validBench(options: Parameters<typeof runBench>[0]): Promise<Awaited<ReturnType<typeof runBench>>> {
  const run = await runBench(options);
  expect(benchResultsSchema.safeParse(run.results).success).toBe(true);
  return run;
}

describe('fence-lab bench results', () => {
  it('validate against the results schema: floors, micro rows, interrupt-load rows (design and floor)', async () => {
    const { results, text } = await validBench({
      variants: [resolveVariant('current-shared-lock')],
      workloads: ['is_signaled-signaled', TINY_IRQ],
      quick: true,
    });
    expect(results.schema).toBe(1);
    expect(Object.keys(results.context).sort()).toEqual(['commit', 'cores', 'cpu', 'date', 'node', 'os', 'v8']);
    const keys = results.results.map((r) => `${r.variant} ${r.workload} ${r.metric}`);
    expect(keys).toEqual(expect.arrayContaining([
      'floor floor noop',
      'floor floor atomics-load',
      'floor floor atomics-cmpxchg',
      'current-shared-lock is_signaled-signaled time',
      `current-shared-lock ${TINY_IRQ} fences_per_s`,
      `current-shared-lock ${TINY_IRQ} polls_per_s`,
      `current-shared-lock ${TINY_IRQ} cb_latency_p99_ns`,
      `current-shared-lock ${TINY_IRQ} lock_spin_ns_per_s`,
      `floor ${TINY_IRQ} fences_per_s`,
    ]));
    const micro = results.results.find((r) => r.workload === 'is_signaled-signaled')!;
    expect(micro.unit).toBe('ns');
    // measured in 3 fresh isolates (quick); the figure is the fastest sample of any
    for (const row of results.results.filter((r) => r.workload === 'is_signaled-signaled' || r.workload === 'floor')) {
      expect(row.isolates, `${row.variant} ${row.metric}`).toHaveLength(3);
      expect(row.value).toBe(round4(isolateFigure(isolateGroups(row))));
    }
    for (const row of results.results.filter((r) => !r.error)) {
      expect(row.samples.length, `${row.variant} ${row.workload} ${row.metric}`).toBeGreaterThanOrEqual(10);
      expect(row.stats.min).toBeLessThanOrEqual(row.stats.p50);
      expect(row.stats.p50).toBeLessThanOrEqual(row.stats.max);
    }
    const irq = results.results.filter((r) => r.workload === TINY_IRQ);
    // fences/s is "per second": its samples are per-interval rates and the value their mean
    const fences = irq.find((r) => r.variant === 'current-shared-lock' && r.metric === 'fences_per_s')!;
    expect(fences.unit).toBe('fences/s');
    expect(fences.value).toBeGreaterThan(0);
    expect(text.join('\n')).toMatch(/Polls: +Total: \d+ +Max\/Min: \d+\/\d+/);
  });

  it("a micro isolate's process that dies fails its rows with the reason; the run still ends with valid results", async () => {
    const { results } = await validBench({
      variants: [fixture('crashing-isolate')],
      workloads: ['is_signaled-signaled'],
      quick: true,
    });
    const row = results.results.find((r) => r.variant === 'crashing-isolate')!;
    expect(row.error).toMatch(/^isolate 1: the isolate's process was killed \(SIGKILL\)/);
  });

  it('a figure under its floor (the JIT removed the work) is flagged, not reported; an honest one is not', async () => {
    const { results } = await validBench({
      variants: [resolveVariant('current-shared-lock'), fixture('dead-is-signaled')],
      workloads: ['is_signaled-signaled'],
      quick: true,
    });
    const row = (variant: string) => results.results.find((r) => r.variant === variant && r.workload === 'is_signaled-signaled')!;
    expect(row('dead-is-signaled').flags).toEqual(['below-floor']);
    expect(row('dead-is-signaled').error).toMatch(/is below its floor \(atomics-load at best [\d.]+ ns, empty call [\d.]+ ns\): the JIT likely removed the work; not reported/);
    expect(row('current-shared-lock').flags).toBeUndefined();
    expect(row('current-shared-lock').error).toBeUndefined();
  });

  it('an operation whose fastest isolate is not repeated is measured in further isolates until it is', async () => {
    const { results } = await validBench({
      variants: [fixture('isolate-dependent')],
      workloads: ['is_signaled-signaled'],
      quick: false,
    });
    const row = results.results.find((r) => r.variant === 'isolate-dependent')!;
    expect(row.error).toBeUndefined();
    // isolates 1-3 cost 1x, 3x, 5x: only a 4th (1x again) can repeat the first one's figure.
    // Whether the 1x isolates then land within 1% of each other is the host's noise (a busy CI
    // machine may keep them apart), so the run stops when they do or at the most it allows.
    expect(row.isolates!.length).toBeGreaterThanOrEqual(4);
    const { maxIsolates } = settings(false);
    expect(settled(isolateGroups(row)) || row.isolates!.length === maxIsolates).toBe(true);
    // and it stops at the first isolate that settles it
    expect(settled(isolateGroups(row).slice(0, -1))).toBe(false);
    // the design did cost more in its 5x isolate (by more than a disturbed 1x isolate could)
    const fastest = isolateGroups(row).map((g) => isolateFigure([g]));
    expect(fastest[2]! / fastest[0]!).toBeGreaterThan(1.5);
  }, 120_000);

  it('a thread that throws is reported in its rows; the other threads finish', async () => {
    const { results, text } = await validBench({
      variants: [fixture('throwing-poll')],
      workloads: [TINY_IRQ],
      quick: true,
    });
    const rows = results.results.filter((r) => r.variant === 'throwing-poll');
    const polls = rows.find((r) => r.metric === 'polls_per_s')!;
    expect(polls.error).toMatch(/poller#0 threw Error: injected failure in dma_fence_is_signaled/);
    const fences = rows.find((r) => r.metric === 'fences_per_s')!;
    expect(fences.error).toBeUndefined();
    expect(fences.value).toBeGreaterThan(0);
    expect(rows.find((r) => r.metric === 'waits_per_s')!.error).toBeUndefined();
    expect(text.join('\n')).toMatch(/Polls: .*Fail: 1 !!!/);
  });
});

describe('fence-lab bench input', () => {
  it('names workloads and configs; a config name parses back to itself', () => {
    const c = parseConfig('irq-load/irq=25k,pollers=4');
    expect(configName(c)).toBe('irq-load/irq=25k,ctx=1,fpc=8,pollers=4,waiters=1,cbs=1');
    expect(parseConfig(configName(c))).toEqual(c);
    expect(parseConfig('irq=max').irq).toBe(0);
    expect(planWorkloads(['signal-cycle'], true)).toEqual({ micro: ['signal-cycle'], irq: [], scale: false });
    expect(planWorkloads(['floor'], true)).toEqual({ micro: [], irq: [], scale: false });
    expect(planWorkloads(['scale'], true)).toEqual({ micro: null, irq: [], scale: true });
    expect(planWorkloads([], true).scale).toBe(true);
    expect(() => planWorkloads(['no-such-thing'], true)).toThrow(/unknown workload 'no-such-thing'/);
    expect(() => parseConfig('irq-load/bogus=1')).toThrow(/unknown key 'bogus'/);
  });

  it('exits 2 on bad input', async () => {
    const err = console.error;
    console.error = () => undefined;
    try {
      expect(await benchCli(['--workload', 'nope'])).toBe(2);
      expect(await benchCli(['--variant', 'no-such-design'])).toBe(2);
      expect(await benchCli(['--bogus'])).toBe(2);
    } finally {
      console.error = err;
    }
  });
});

// Report writer: the 72-column mail text, the chart specs (pure, valid, data inline), the
// SVG and PNG renderers, HTML escaping, and which sections appear for which inputs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults, CheckResults, LitmusResults } from '../src/results/types.ts';
import { loadFontMetrics } from '../src/report/font-metrics.ts';
import { TEXT_WIDTH, wrapShellCommand } from '../src/report/format.ts';
import {
  buildCharts,
  latencySpec,
  litmusSpec,
  renderPng,
  renderSvg,
  renderText,
  safetyCostSpec,
  throughputSpec,
  verdictHeatmapSpec,
  writeReport,
} from '../src/report/index.ts';
import { FONT_FILES } from '../src/report/render.ts';
import { configName, parseConfig, sweepConfigs, threadsOf } from '../bench/irq-load/config.ts';
import { MICRO_OPS as BENCH_MICRO_OPS } from '../bench/micro/ops.ts';
import { MICRO_OP_LIST, parseIrqConfig, readBenchFigures } from '../src/report/bench-figures.ts';
import { listDesigns } from '../src/report/designs.ts';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/report/${name}.json`, import.meta.url), 'utf8')) as T;
const check = fixture<CheckResults>('check');
const litmus = fixture<LitmusResults>('litmus');
const bench = fixture<BenchResults>('bench');
const DESIGNS = [
  'current-shared-lock',
  'inline-lock',
  'inline-lock-ops-check',
  'locked-reads',
  'barrier-lockless',
  'barrier-lockless-bit-at-end',
  'unlocked-enable-signaling',
];
const HOSTILE = '<script>alert(1)</script>';

/** Check results plus one design whose name is markup, breaking one race under weak. */
function withHostileDesign(): CheckResults {
  const template = check.results.find((r) => r.verdict === 'violation' && r.model === 'weak')!;
  return {
    results: [
      ...check.results,
      { ...template, variant: HOSTILE, violation: { ...template.violation!, headline: `oops ${HOSTILE}`, trace: `CPU0\n${HOSTILE}` } },
    ],
  };
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fence-report-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('report.txt, the mail body', () => {
  const text = renderText({ check, litmus, bench });
  const lines = text.trimEnd().split('\n');

  it('keeps every line within 72 columns and in printable ASCII', () => {
    const tooLong = lines.filter((l) => l.length > TEXT_WIDTH);
    expect(tooLong).toEqual([]);
    expect(lines.filter((l) => !/^[\x20-\x7e]*$/.test(l))).toEqual([]);
  });

  it('names every design, stamps the environment and has every section', () => {
    for (const design of DESIGNS) expect(text).toContain(design);
    expect(text).toContain('AMD EPYC, 2 cores');
    expect(text).toContain('commit 18794d9');
    for (const model of ['sc', 'tso', 'weak']) expect(text).toContain(`Memory model: ${model}`);
    for (const section of ['Verdict matrix', 'Races:', 'Cost per design', 'Litmus conformance', 'Reproduce']) {
      expect(text).toContain(section);
    }
    expect(text).not.toContain('Missing:');
  });

  it('flags the verdict that differs from its scenario file and the incomplete searches', () => {
    expect(text).toMatch(/stale-timestamp\s+ASRT\s+ASRT\s+ASRT\s+ok\s+ASRT!/);
    expect(text).toMatch(/stale-timestamp on barrier-lockless \(weak\): expected pass, got\s+violation/);
    expect(text).toMatch(/wait-any-lost-wakeup\s+ok\?/);
  });

  it('says which designs each race breaks, why, and how to replay it', () => {
    const race = text.slice(text.indexOf('set-deadline-aa: breaks'), text.indexOf('wait-any-lost-wakeup: breaks'));
    expect(race).toContain('locked-reads [sc tso weak]');
    expect(race).toContain('why (D): AA deadlock');
    expect(race).toContain('fence-lab check --variant locked-reads --scenario set-deadline-aa');
  });

  it('quotes each cost as a multiple of its floor, at the heaviest load', () => {
    // the bench fixture is a trimmed real `bench --quick` run plus irq=25k, irq=100k and
    // irq=100k,pollers=4 runs; its heaviest load is the unthrottled one
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Under load: unthrottled IRQs (irq=max), ctx=1,fpc=8,pollers=2,waiters=1,cbs=1: 6 threads on 2 cores');
    const cost = lines.slice(lines.findIndex((l) => l === 'Cost per design'));
    expect(cost.find((l) => l.startsWith('floor '))).toMatch(/^floor\s+13\.1\s+13\.7\s+33\.4k\s+76\.5us\s+581us$/);
    // locked-reads: is_signaled 65.3 ns over the 13.1 ns Atomics.load floor, the signal cycle
    // 563 ns over the 13.7 ns compareExchange floor, and under load 16.7k fences/s, callback p99
    // 4.39 ms and wake-up p99 4.46 ms against the lock-free floor design's
    const lockedReads = cost.find((l) => l.startsWith('D  '))!;
    expect(lockedReads).toMatch(/^D\s+65\.3\s+5\.0x\s+563\s+41x\s+16\.7k\s+0\.50x\s+4\.39ms\s+57x\s+4\.46ms\s+7\.7x$/);
    for (const design of ['A', 'B', 'C', 'D', 'E', 'F', 'G']) expect(cost.some((l) => l.startsWith(`${design} `))).toBe(true);
    // every micro operation, floor first
    expect(cost.find((l) => l.startsWith('is_signaled (unsignaled)'))).toMatch(/^is_signaled \(unsignaled\)\s+13\.1\s+22\.3\s+33\.9\s+24\.4\s+95\.0\s/);
    for (const op of ['test_signaled_flag', 'add_callback + signal', 'get_status', 'wait (signaled)', 'timestamp', 'driver_name']) {
      expect(cost.some((l) => l.startsWith(op))).toBe(true);
    }
    // caveats: the failed rows with their error, grouped; the flags, per load
    expect(flat).toContain('A irq=25k,pollers=2 cb_latency_p50_ns, cb_latency_p99_ns, cb_latency_p999_ns: only 6 latency samples');
    expect(flat).toContain('oversubscribed (more threads than cores): every irq-load run: 6 to 8 threads on 2 cores');
    expect(flat).toMatch(/unfair \([^)]*\): [^]*irq=100k,pollers=4: B C E F \(polls_per_s, poller_max_min\)/);
  });

  it('reads the check budget, litmus directory and bench workloads back into the commands', () => {
    const reproduce = text.slice(text.indexOf('Reproduce')).replace(/ \\\n\s*/g, ' ');
    // the fixture check ran dfs; its incomplete searches stopped at 250000 executions
    expect(reproduce).toContain('npx fence-lab check --json --strategy dfs --executions 250000');
    expect(reproduce).toContain('npx fence-lab litmus lkmm --model sc,tso,weak --json');
    expect(reproduce).toContain(
      'npx fence-lab bench --quick --workload micro ' +
        '--workload irq-load/irq=25k,ctx=1,fpc=8,pollers=2,waiters=1,cbs=1 ' +
        '--workload irq-load/irq=50k,ctx=1,fpc=8,pollers=2,waiters=1,cbs=1 ' +
        '--workload irq-load/irq=100k,ctx=1,fpc=8,pollers=2,waiters=1,cbs=1 ' +
        '--workload irq-load/irq=100k,ctx=1,fpc=8,pollers=4,waiters=1,cbs=1 ' +
        '--workload irq-load/irq=max,ctx=1,fpc=8,pollers=2,waiters=1,cbs=1 --json',
    );
    // a quick run's rows give back the plain command once they have the simulated (scale) rows of
    // every profile too, as 'bench --quick' writes; without them, the native parts by name
    const nativeQuick = { ...bench, results: bench.results.filter((r) => !/irq=(25k|100k)/.test(r.workload)) };
    expect(renderText({ bench: nativeQuick }).replace(/ \\\n\s*/g, ' ')).toContain('npx fence-lab bench --quick --workload micro --workload irq-load --json\n');
    const simulated = ['epyc-7r13', 'graviton3', 'xeon-8375c'].map((p) => ({
      ...bench.results[0]!,
      variant: 'floor',
      workload: `scale/${p}/cpus=1,irq=max,roles=mixed`,
      flags: ['simulated', `profile=${p}`, 'model=timing-1', 'quick'],
    }));
    const quickRun = { ...nativeQuick, results: [...nativeQuick.results, ...simulated] };
    const given = renderText({ check, bench: quickRun, commands: { check: 'npx fence-lab check --json --executions 3000' } });
    expect(given).toContain('npx fence-lab bench --quick --json\n');
    expect(renderText({ bench: { ...bench, results: simulated.slice(2) } }).replace(/ \\\n\s*/g, ' ')).toContain('npx fence-lab bench --quick --workload scale --profile xeon-8375c --json\n');
    expect(given).toContain('npx fence-lab check --json --executions 3000\n');
  });

  it('shows only the sections whose inputs exist, and names the missing ones', () => {
    const checkOnly = renderText({ check });
    expect(checkOnly).toContain('Verdict matrix');
    expect(checkOnly).not.toContain('Cost per design');
    expect(checkOnly).not.toContain('Litmus conformance');
    expect(checkOnly).toMatch(/Missing: litmus results[^]*bench results/);
    expect(checkOnly).toContain('environment not recorded');

    const benchOnly = renderText({ bench });
    expect(benchOnly).not.toContain('Verdict matrix');
    expect(benchOnly).toContain('Cost per design');
    for (const design of DESIGNS) expect(benchOnly).toContain(design);
  });

  it('marks cells that could not run, and scenario names too long for the column', () => {
    const name = 'a-scenario-name-far-too-long-for-the-race-column-of-the-matrix';
    const base = { scenario: name, model: 'weak' as const, strategy: 'pct', verdict: 'pass' as const, complete: true, executions: 1, ms: 1 };
    const text = renderText({
      check: {
        results: [{ ...base, variant: 'broken-design', error: 'could not load variants/broken-design.ts' }, { ...base, variant: 'fine' }],
      },
    });
    expect(text).toMatch(new RegExp(`${name}\\n\\s+err\\s+ok\\n`));
    expect(text).toContain('could not load variants/broken-design.ts');
    expect(text.split('\n').filter((l) => l.length > TEXT_WIDTH)).toEqual([]);
  });

  it('wraps long names and commands within 72 columns', () => {
    const long = renderText({ check: withHostileDesign(), commands: { report: `fence-lab report --from ${'x'.repeat(120)}.json` } });
    expect(long.split('\n').filter((l) => l.length > TEXT_WIDTH)).toEqual([]);
    expect(long).toContain(HOSTILE);
  });
});

describe('wrapShellCommand', () => {
  it('breaks a command so that the shell still reads the same words', () => {
    const words = ['--replay', "v1:0x4.1x3;rf=2 it's", 'x'.repeat(150), "'quoted \\ part'", '"dq \\" x"'];
    const command = `printf '%s\\n' ${words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ')} ${'y'.repeat(90)}`;
    const lines = wrapShellCommand(command, 40);
    expect(lines.length).toBeGreaterThan(4);
    expect(lines.filter((l) => l.length > 40)).toEqual([]);
    const run = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });
    expect(run(lines.join('\n'))).toBe(run(command));
  });
});

/** Makes accidental mutation of the results by a spec builder throw. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const BUILDERS: [string, () => TopLevelSpec][] = [
  ['safetyCostSpec', () => safetyCostSpec(deepFreeze(structuredClone(check)), deepFreeze(structuredClone(bench)))],
  ['verdictHeatmapSpec', () => verdictHeatmapSpec(deepFreeze(structuredClone(check)))],
  ['throughputSpec', () => throughputSpec(deepFreeze(structuredClone(bench)))],
  ['latencySpec', () => latencySpec(deepFreeze(structuredClone(bench)))],
  ['litmusSpec', () => litmusSpec(deepFreeze(structuredClone(litmus)))],
];

/** Every `data` object in a spec (top level, facet inner spec, layers). */
function dataBlocks(spec: unknown): unknown[] {
  if (!spec || typeof spec !== 'object') return [];
  const own = 'data' in spec ? [(spec as { data: unknown }).data] : [];
  return [...own, ...Object.values(spec).flatMap(dataBlocks)];
}

describe('chart spec builders', () => {
  it.each(BUILDERS)('%s is pure, compiles without warnings and carries its data inline', (_name, build) => {
    const spec = build();
    expect(build()).toEqual(spec);
    const messages: string[] = [];
    const logger = {
      level: () => logger,
      error: (...m: unknown[]) => (messages.push(`error ${m.join(' ')}`), logger),
      warn: (...m: unknown[]) => (messages.push(`warn ${m.join(' ')}`), logger),
      info: () => logger,
      debug: () => logger,
    };
    const compiled = compile(spec, { logger });
    expect(messages).toEqual([]);
    expect(() => vega.parse(compiled.spec)).not.toThrow();
    const blocks = dataBlocks(spec);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(block).toHaveProperty('values');
      expect((block as { values: unknown[] }).values.length).toBeGreaterThan(0);
    }
    expect(JSON.stringify(spec)).not.toMatch(/"url"/);
  });

  it('builds all five charts from full inputs, and only the verdict heatmap from check results', () => {
    expect(buildCharts({ check, litmus, bench }).map((c) => c.name)).toEqual([
      'safety-cost',
      'verdict-heatmap',
      'throughput-irq',
      'latency-percentiles',
      'litmus-conformance',
    ]);
    expect(buildCharts({ check }).map((c) => c.name)).toEqual(['verdict-heatmap']);
  });

  it('puts each design at its p99 latency and weak-model survival count in the headline chart', () => {
    const values = (safetyCostSpec(check, bench).data as { values: { design: string; survived: number; latencyNs: number }[] })
      .values;
    expect(values.map((v) => v.design)).toEqual(DESIGNS);
    const lockedReads = values.find((v) => v.design === 'locked-reads')!;
    expect(lockedReads.survived).toBe(8); // breaks only enable-signaling-abba and set-deadline-aa
    // at the heaviest load: irq=max (unthrottled) beats every throttled rate
    const row = bench.results.find(
      (r) => r.variant === 'locked-reads' && r.workload === 'irq-load/irq=max,ctx=1,fpc=8,pollers=2,waiters=1,cbs=1' && r.metric === 'cb_latency_p99_ns',
    )!;
    expect(lockedReads.latencyNs).toBe(row.value);
  });
});

describe('the bench naming the report reads', () => {
  it('knows every micro operation the bench runs, with the same floor', () => {
    expect(MICRO_OP_LIST.map((op) => [op.workload, op.floorMetric])).toEqual(BENCH_MICRO_OPS.map((op) => [op.name, op.floor]));
  });

  it('parses every irq-load config name the bench writes, irq=max included, as config.ts does', () => {
    for (const config of [...sweepConfigs(false), ...sweepConfigs(true)]) {
      const name = configName(config);
      const parsed = parseIrqConfig(name)!;
      expect(parsed, name).toBeDefined();
      expect(parsed.irqRate).toBe(config.irq === 0 ? Infinity : config.irq);
      expect(parsed.threads).toBe(threadsOf(parseConfig(name)));
    }
    expect(parseIrqConfig('irq-load/irq=max,ctx=2,fpc=64,pollers=8,waiters=1,cbs=1')).toMatchObject({
      rateLabel: 'max',
      rest: 'ctx=2,fpc=64,pollers=8,waiters=1,cbs=1',
      threads: 14,
    });
    expect(parseIrqConfig('irq-load/irq=fast')).toBeUndefined();
  });

  it('takes the unthrottled run as the heaviest load, and the floor as no design', () => {
    const figures = readBenchFigures(bench);
    expect(figures.irqConfigs.map((c) => c.workload.replace(/,ctx=1,fpc=8,|,waiters=1,cbs=1/g, ','))).toEqual([
      'irq-load/irq=25k,pollers=2,',
      'irq-load/irq=50k,pollers=2,',
      'irq-load/irq=100k,pollers=2,',
      'irq-load/irq=100k,pollers=4,',
      'irq-load/irq=max,pollers=2,',
    ]);
    expect(figures.heaviestLoad?.workload).toBe('irq-load/irq=max,ctx=1,fpc=8,pollers=2,waiters=1,cbs=1');
    expect(listDesigns({ bench }).map((d) => d.name).sort()).toEqual([...DESIGNS].sort());
  });

  it('plots throughput along the rate sweep, unthrottled last, with the floor and the offered rate', () => {
    const values = (throughputSpec(bench).data as { values: { design: string; rate: string; setup: string; kind: string }[] }).values;
    // the pollers=4 run is one rate, not a sweep: not in the rate chart
    expect([...new Set(values.map((v) => v.setup))]).toEqual(['ctx=1,fpc=8,pollers=2,waiters=1,cbs=1 (6 threads)']);
    for (const design of [...DESIGNS, 'floor']) {
      expect(values.filter((v) => v.design === design).map((v) => v.rate), design).toEqual(['25k', '50k', '100k', 'max']);
    }
    // no offered rate for an unthrottled run
    expect(values.filter((v) => v.kind === 'offered').map((v) => v.rate)).toEqual(['25k', '50k', '100k']);
  });

  it('shows callback and wake-up latency percentiles for every design and the floor', () => {
    const values = (latencySpec(bench).data as { values: { design: string; what: string; percentile: string }[] }).values;
    for (const design of [...DESIGNS, 'floor']) {
      for (const what of ['interrupt → callback', 'interrupt → waiter returns']) {
        expect(values.filter((v) => v.design === design && v.what === what).map((v) => v.percentile)).toEqual(['p50', 'p99', 'p99.9']);
      }
    }
  });
});

describe('semantic tests and litmus models', () => {
  // the fixture's scenarios are all races; make one a semantic test every design passes
  const semantic = 'notify-ref-lost-update';
  const grouped: CheckResults = {
    results: check.results.map(({ violation, ...r }) =>
      r.scenario === semantic
        ? { ...r, group: 'semantics' as const, verdict: 'pass' as const, expected: 'pass' as const }
        : { ...r, group: 'races' as const, ...(violation ? { violation } : {}) },
    ),
  };

  it('sums up the semantic tests every design passes instead of listing them as races', () => {
    expect(grouped.results.filter((r) => r.scenario === semantic).every((r) => r.verdict === 'pass')).toBe(true);
    const text = renderText({ check: grouped });
    expect(text).not.toMatch(new RegExp(`^${semantic} `, 'm'));
    expect(text.replace(/\s+/g, ' ')).toContain(
      `Semantic tests (what the API promises), passed by all 7 designs under sc tso weak (5 of 21 searches not exhaustive): ${semantic}.`,
    );
    const heatmap = verdictHeatmapSpec(grouped);
    expect((heatmap.data as { values: { race: string }[] }).values.some((v) => v.race === semantic)).toBe(false);
    const safety = safetyCostSpec(grouped, bench);
    expect(JSON.stringify(safety)).toContain('races with no violation found under weak (of 9)');
    // a semantic test some design fails is shown with the races
    const failing = grouped.results.map((r) =>
      r.scenario === semantic && r.variant === 'inline-lock' && r.model === 'weak' ? { ...r, verdict: 'violation' as const } : r,
    );
    const withFinding = renderText({ check: { results: failing } });
    expect(withFinding).toContain('Semantic tests with findings:');
    expect(withFinding).toMatch(new RegExp(`^${semantic}\\s+ok\\?\\s+X!`, 'm'));
    expect(withFinding).toContain(`${semantic}: breaks inline-lock [weak]`);
  });

  it('tells a model stronger than LKMM by design apart from a disagreement', () => {
    const weak = litmus.results.filter((r) => r.model === 'weak');
    const sometimes = weak.find((r) => r.expected === 'Sometimes' && r.observed === 'Sometimes')!;
    const scStronger = { ...sometimes, model: 'sc' as const, observed: 'Never' as const, agrees: false };
    const tsoWeaker = { ...weak.find((r) => r.expected === 'Never')!, model: 'tso' as const, observed: 'Sometimes' as const, agrees: false };
    const text = renderText({ litmus: { results: [...weak, scStronger, tsoWeaker] } });
    const findings = text.slice(text.indexOf('Differences from LKMM that are findings:'));
    expect(findings).toContain(`tso: ${tsoWeaker.name} expected Never, observed Sometimes`);
    expect(findings).toContain('weak: LB+poonceonces');
    expect(findings).not.toContain(`sc: ${scStronger.name}`);
    expect(text).toMatch(/^sc\s+1\s+0\s+1\s+0\s+0$/m);
    expect(text).toMatch(/^tso\s+1\s+0\s+0\s+1\s+0$/m);
  });
});

/** Decodes an 8-bit RGB/RGBA non-interlaced PNG (what resvg writes) into its pixels. */
function decodePng(png: Buffer): { width: number; height: number; channels: number; pixels: Uint8Array } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect(body[8]).toBe(8);
      channels = body[9] === 6 ? 4 : body[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
    }
    if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const cur = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      const paeth = () => {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      const predictor = [0, a, b, (a + b) >> 1, paeth()][filter]!;
      pixels[y * stride + x] = (cur + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** Pixels darker than light grey: text and marks on the white background. */
function darkPixels(image: ReturnType<typeof decodePng>): number {
  let dark = 0;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    if (image.pixels[i]! + image.pixels[i + 1]! + image.pixels[i + 2]! < 300) dark++;
  }
  return dark;
}

describe('rendering', () => {
  it('lays text out with DejaVu Sans advance widths, not a per-character guess', async () => {
    const metrics = loadFontMetrics(FONT_FILES.regular);
    const nameWidth = metrics.width('current-shared-lock', 11);
    expect(nameWidth).toBeGreaterThan(80);
    expect(nameWidth).toBeLessThan(130);
    // two labels of equal length but very different glyph widths: Vega's fallback estimate
    // (0.8 em per character) would give both charts the same width
    const chartWidth = async (label: string) => {
      const svg = await renderSvg({
        data: { values: [{ label, n: 1 }] },
        mark: 'bar',
        encoding: { y: { field: 'label', type: 'nominal', axis: { title: null, labelLimit: 0 } }, x: { field: 'n', type: 'quantitative' } },
      });
      return Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
    };
    const wide = 'WWWWWWWWWWWW';
    const narrow = 'iiiiiiiiiiii';
    const expected = metrics.width(wide, 10) - metrics.width(narrow, 10); // Vega's default label size
    expect(expected).toBeGreaterThan(60);
    expect((await chartWidth(wide)) - (await chartWidth(narrow))).toBeCloseTo(expected, -0.5);
  });

  it.each(BUILDERS)('%s renders to an SVG with text and a PNG that decodes', async (_name, build) => {
    const svg = await renderSvg(build());
    const [, width, height] = /<svg[^>]* width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svg)!.map(Number);
    expect(width).toBeGreaterThan(300);
    expect(height).toBeGreaterThan(200);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(texts.length).toBeGreaterThan(5);
    const image = decodePng(renderPng(svg));
    expect(image.width).toBe(Math.round(width! * 2));
    expect(image.height).toBe(Math.round(height! * 2));
    expect(darkPixels(image)).toBeGreaterThan(2000);
  });

  it('draws text in the PNG (the font is found, not silently dropped)', () => {
    const textOnly =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">' +
      '<text x="5" y="28" font-family="DejaVu Sans" font-size="20">locked-reads</text></svg>';
    const sansSerif = textOnly.replace('DejaVu Sans', 'sans-serif');
    expect(darkPixels(decodePng(renderPng(textOnly)))).toBeGreaterThan(300);
    expect(darkPixels(decodePng(renderPng(sansSerif)))).toBeGreaterThan(300);
  });
});

describe('writeReport', () => {
  it('writes the text, every chart as .vl.json, .svg and .png, and the HTML page', async () => {
    const dir = tempDir();
    const { files } = await writeReport({ check, litmus, bench }, dir);
    const names = files.map((f) => basename(f));
    expect(names[0]).toBe('report.txt');
    expect(names.at(-1)).toBe('report.html');
    const charts = buildCharts({ check, litmus, bench }).map((c) => c.name);
    expect(charts.length).toBeGreaterThanOrEqual(4);
    for (const chart of charts) {
      expect(names).toEqual(expect.arrayContaining([`${chart}.vl.json`, `${chart}.svg`, `${chart}.png`]));
      expect(JSON.parse(readFileSync(join(dir, `${chart}.vl.json`), 'utf8'))).toHaveProperty('$schema');
    }
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(charts.length);
    expect(html).toContain('Content-Security-Policy');
    expect(html).not.toMatch(/<script|https?:\/\/(?!vega\.github\.io\/schema|www\.w3\.org)/);
    // every violation's trace and replay command is on the page
    const violations = check.results.filter((r) => r.violation);
    expect(html.match(/<details class="violation">/g)?.length).toBe(violations.length);
    // the matrix as a table per model, each violation cell a link to its trace on the page
    expect(html.match(/<table class="matrix"/g)?.length).toBe(3);
    const links = [...html.matchAll(/<td class="violation[^"]*"[^>]*><a href="#(violation-\d+)">/g)].map((m) => m[1]!);
    expect(links.length).toBe(violations.length);
    for (const id of links) expect(html).toMatch(new RegExp(`<pre class="trace" id="${id}">`));
    // the mail text, collapsed
    expect(html).toMatch(/<details class="mail"><summary>[^<]*<\/summary>\n<pre class="summary">dma-fence-lab report/);
    expect(html).toContain('fence-lab check --variant locked-reads --scenario set-deadline-aa --model sc');
    expect(html).toContain('Possible unsafe locking scenario');
  });

  it('escapes a design named <script>alert(1)</script> everywhere on the page', async () => {
    const dir = tempDir();
    await writeReport({ check: withHostileDesign(), bench }, dir);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // in the text summary, the violation list, its trace, and the chart SVGs
    expect(html.split('&lt;script&gt;alert(1)&lt;/script&gt;').length).toBeGreaterThan(5);
  });
});

describe('report.html as a page', () => {
  it('shows each design with title, summary, source and patch, and what a proposal changes', async () => {
    const dir = tempDir();
    const designInfo = DESIGNS.map((name) => ({ name, title: `title of ${name}`, summary: `summary of ${name}`, source: `source of ${name} ${HOSTILE}`, base: name === 'current-shared-lock' ? null : 'current-shared-lock', overrides: ['dma_fence_signal'] }));
    const changes = [{ variant: 'locked-reads', base: 'inline-lock', baseIs: 'against' as const }];
    await writeReport({ check, bench, designInfo, changes }, dir);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h2 class="changes">What locked-reads changes against inline-lock</h2>');
    expect(html.indexOf('class="changes"')).toBeLessThan(html.indexOf('id="matrix"'));
    for (const name of DESIGNS) {
      expect(html).toContain(`${name}: title of ${name}</h3>`);
      expect(html).toContain(`<p>summary of ${name}</p>`);
    }
    expect(html).toContain('source of locked-reads &lt;script&gt;');
    expect(html).toContain('extends current-shared-lock; overrides <code>dma_fence_signal</code>');
    expect(html).not.toContain('<script');
  });
});

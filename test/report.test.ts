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
    expect(text).toContain('AMD EPYC 7B13, 8 cores');
    expect(text).toContain('commit 9d73903');
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
    expect(text).toContain('(400k IRQ/s, pollers=4,waiters=2,cbs=2)');
    const lockedReads = lines.find((l) => l.startsWith('D  '))!;
    // is_signaled 22.1 ns over the 0.62 ns Atomics.load floor
    expect(lockedReads).toMatch(/^D\s+22\.\d\s+3\dx\s/);
    expect(text).toContain('heap exhausted');
    expect(text).toContain('irq-load/irq=400k,pollers=4,waiters=2,cbs=2: unfair');
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
    const row = bench.results.find(
      (r) => r.variant === 'locked-reads' && r.workload === 'irq-load/irq=400k,pollers=4,waiters=2,cbs=2' && r.metric === 'cb_latency_p99_ns',
    )!;
    expect(lockedReads.latencyNs).toBe(row.value);
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

// "What <proposal> changes against <base>": a plug-in that reintroduces R9 (locked-reads with
// the lockless early-out kept) is named as introducing is-signaled-put-uaf under every model,
// with a replay that reproduces it; a plug-in equal to its base changes no verdict; the cost
// part follows compare's rule; `fence-lab report --from ... --variant` opens with the section.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults, BenchRow, CheckResult, CheckResults } from '../src/results/types.ts';
import { compareCost } from '../src/report/changes.ts';
import { TEXT_WIDTH } from '../src/report/format.ts';
import { renderText } from '../src/report/index.ts';
import { runCell } from '../src/sim/cells.ts';
import { DEFAULT_CHECK } from '../src/sim/check.ts';
import { availableModels } from '../src/sim/memory/index.ts';
import { FIXTURES, fenceLab } from './helpers.ts';

const EARLY_OUT = path.relative(process.cwd(), path.join(FIXTURES, 'proposals/locked-reads-early-out.ts'));
const UNCHANGED = path.relative(process.cwd(), path.join(FIXTURES, 'proposals/inline-lock-unchanged.ts'));
const SCENARIOS = ['is-signaled-put-uaf', 'name-getter-null-ops', 'signaling', 'callback-order'];
// the hunt (pct, random) finds each of these races within a few hundred executions
const OPTIONS = { ...DEFAULT_CHECK, executions: 1000 };

async function cells(variants: string[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const scenario of SCENARIOS) {
    for (const variant of variants) for (const model of availableModels()) out.push(await runCell({ variant, scenario, model }, OPTIONS));
  }
  return out;
}

let shared: Promise<CheckResult[]> | undefined;
/** The cells every test here reads, run once. */
const sharedCells = () => (shared ??= cells(['locked-reads', 'inline-lock', EARLY_OUT, UNCHANGED]));

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the changes section', () => {
  let check: CheckResults;
  beforeAll(async () => {
    check = { results: await sharedCells() };
  }, 600_000);

  it('names is-signaled-put-uaf as introduced under every model, with replays that reproduce it', async () => {
    const text = renderText({
      check,
      changes: [{ variant: 'locked-reads-early-out', base: 'locked-reads', baseIs: 'extends', overrides: ['dma_fence_is_signaled'] }],
    });
    expect(text.split('\n').filter((l) => l.length > TEXT_WIDTH)).toEqual([]);
    const section = text.slice(text.indexOf('What locked-reads-early-out changes against locked-reads'), text.indexOf('\nDesigns\n'));
    expect(section.replace(/\s+/g, ' ')).toContain('it overrides dma_fence_is_signaled');
    expect(section).toContain('Races it fixes (violation -> pass): none.');
    const introduced = section.slice(section.indexOf('Races it introduces'), section.indexOf('Semantic tests'));
    expect(introduced).toMatch(/is-signaled-put-uaf \[sc tso weak\]: BUG: KASAN: [a-z-]*use-after-free/);
    expect(introduced).not.toContain('callback-order');
    expect(section).toContain('Semantic tests it breaks: none.');
    expect(section).toContain('Cost against locked-reads: no bench results');
    // each replay, read back from the text (the shell continuation lines joined), reproduces it
    const commands = [...introduced.replace(/ \\\n\s*/g, ' ').matchAll(/npx fence-lab check (.*)/g)].map((m) => m[1]!);
    expect(commands).toHaveLength(availableModels().length);
    for (const command of commands) {
      const [, variant, scenario, model, replay] = /--variant (\S+) --scenario (\S+) --model (\S+) --replay '([^']+)'/.exec(command)!;
      expect(variant).toBe(EARLY_OUT);
      const again = await runCell({ variant: variant!, scenario: scenario!, model: model as 'sc' }, { ...DEFAULT_CHECK, strategy: 'replay', replay: replay! });
      expect(again.verdict, command).toBe('violation');
      expect(again.violation?.kind).toBe('use-after-free');
    }
  });

  it('says a plug-in equal to its base changes no verdict, and one against another base what it fixes', () => {
    const same = renderText({ check, changes: [{ variant: 'inline-lock-unchanged', base: 'inline-lock', baseIs: 'extends', overrides: [] }] });
    expect(same.replace(/\s+/g, ' ')).toContain("No verdict changes: all 6 race cells (2 races x sc tso weak) as inline-lock's.");
    expect(same.replace(/\s+/g, ' ')).toContain('it overrides nothing');
    const against = renderText({ check, changes: [{ variant: 'locked-reads-early-out', base: 'inline-lock', baseIs: 'against' }] });
    const fixed = against.slice(against.indexOf('Races it fixes'), against.indexOf('Races it introduces'));
    // inline-lock dereferences NULL in the name getter under weak
    expect(fixed).toMatch(/name-getter-null-ops \[weak\]/);
    expect(against).toContain('Races it introduces (pass -> violation): none.');
  });
});

describe('the cost against the base', () => {
  const bench = JSON.parse(readFileSync(path.join(FIXTURES, 'report/bench.json'), 'utf8')) as BenchResults;

  it('applies compare: locked-reads is_signaled is slower than inline-lock, significantly', () => {
    const rows = compareCost(bench, 'locked-reads', 'inline-lock');
    const isSignaled = rows.find((r) => r.row.workload === 'is_signaled-signaled')!;
    expect(isSignaled.row.verdict).toBe('regressed');
    expect(isSignaled.row.method).not.toBe('none');
    // a design against itself: nothing moves
    expect(compareCost(bench, 'inline-lock', 'inline-lock').every((r) => r.row.verdict === 'unchanged')).toBe(true);
    const text = renderText({ bench, changes: [{ variant: 'locked-reads', base: 'inline-lock', baseIs: 'against' }] });
    expect(text).toMatch(/is_signaled \(signaled\)\s+[\d.]+\s+[\d.]+\s+\+\d+\.\d%\s+WORSE/);
  });

  it('takes simulated rows when present, decided by the factor alone', () => {
    const simulated = (variant: string, value: number): BenchRow => ({
      variant, workload: 'scale/epyc/cpus=64', metric: 'fences_per_s', value, unit: 'fences/s', samples: [value],
      stats: { p50: value, p75: value, p99: value, min: value, max: value, avg: value }, flags: ['simulated'],
    });
    const withScale = { ...bench, results: [...bench.results, simulated('inline-lock', 1000), simulated('locked-reads', 500)] };
    const row = compareCost(withScale, 'locked-reads', 'inline-lock').find((r) => r.simulated)!;
    expect(row.row).toMatchObject({ verdict: 'regressed', ratio: 0.5 });
    const text = renderText({ bench: withScale, changes: [{ variant: 'locked-reads', base: 'inline-lock', baseIs: 'against' }] });
    expect(text.replace(/\s+/g, ' ')).toContain('scale/epyc/cpus=64 fences_per_s: 1000 -> 500 fences/s, -50.0% worse');
  });
});

describe('fence-lab report --variant', () => {
  it('opens the report with the section, from saved results', { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fence-report-variant-'));
    dirs.push(dir);
    const results = { results: (await sharedCells()).filter((r) => r.variant === 'locked-reads' || r.variant === 'locked-reads-early-out') };
    writeFileSync(path.join(dir, 'check.json'), JSON.stringify(results));
    const { code, stdout } = await fenceLab(['report', '--from', path.join(dir, 'check.json'), '--variant', EARLY_OUT, '--out', path.join(dir, 'out')]);
    expect(code).toBe(0);
    expect(stdout.indexOf('What locked-reads-early-out changes against locked-reads')).toBeGreaterThan(0);
    expect(stdout.indexOf('What locked-reads-early-out')).toBeLessThan(stdout.indexOf('Verdict matrix'));
    expect(readFileSync(path.join(dir, 'out/report.txt'), 'utf8')).toContain('is-signaled-put-uaf [sc tso weak]');
  });

  it('refuses an --against that is not a design, and a plug-in whose base is not one', async () => {
    const bad = await fenceLab(['report', '--variant', EARLY_OUT, '--against', 'no-such-design', '--no-bench', '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--against no-such-design: not a design of this report');
    const broken = await fenceLab(['report', '--variant', 'test/fixtures/variants/syntax-error.ts', '--no-bench', '--quiet']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/--variant test\/fixtures\/variants\/syntax-error\.ts: .*syntax-error\.ts:\d+/);
  });
});

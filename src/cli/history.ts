// fence-lab history: trend charts over the runs stored for this machine, detected steps and the
// latest regressions (issue 8); `--check` gates on the newest step (issue 16); `--format`
// exports one run for CI services instead.
// Exit 0: done (with --check: the newest step is no regression); 1: --check and the newest step
// is a regression; 2: bad input.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { environmentContext } from '../results/context.ts';
import type { BenchResults } from '../results/types.ts';
import { DEFAULT_COMPARE_OPTIONS, type CompareOptions } from '../history/compare.ts';
import { toBmf, toGithubActionBenchmark } from '../history/export.ts';
import { listRuns, machineName, slug, writeFileAtomic } from '../history/store.ts';
import { formatComparison } from '../history/compare-text.ts';
import { formatChange, formatSteps } from '../history/text.ts';
import { trendSpec } from '../history/trend-spec.ts';
import { buildHistory, type History, newestStep } from '../history/trends.ts';
import { renderPng, renderSvg } from '../report/render.ts';
import { BadInput, numberOption, readResults, toJson } from './compare.ts';

const FORMATS = ['charts', 'github-action-benchmark', 'bmf'] as const;
type Format = (typeof FORMATS)[number];

const DEFAULT_OUT = 'reports/latest/history';

const USAGE = `usage: fence-lab history [--out DIR] [--results DIR] [--machine NAME] [--check]
                         [--factor ${DEFAULT_COMPARE_OPTIONS.factor}] [--alpha ${DEFAULT_COMPARE_OPTIONS.alpha}] [--json]
       fence-lab history --format github-action-benchmark|bmf [--run FILE] [--out DIR]

Reads the runs stored in results/<machine>/ (by 'bench --save' or 'report --save'), writes
one trend chart per workload and metric to --out (default ${DEFAULT_OUT}) as .vl.json,
.svg and .png, marks the steps detected in each design's series (E-divisive, the same
factor and alpha rule as compare) and lists the regressions, newest first.

--check: exit 1 when the newest step of any row that gates is a regression (a nightly job
gates on the trend: a drift that no single compare flags fails once E-divisive sees it,
two runs after it landed, and passes again after a later step, e.g. the fix). Rows
flagged oversubscribed are information only.

--format exports a run (default: the latest stored one; --run FILE for any results file)
for a CI service: github-action-benchmark writes customSmallerIsBetter.json and
customBiggerIsBetter.json (one per 'tool:' of the action), bmf writes bmf.json for Bencher.`;

interface Settings {
  out: string;
  resultsDir: string;
  machine: string;
  options: CompareOptions;
  json: boolean;
  check: boolean;
}

async function writeCharts(history: History, out: string): Promise<{ files: string[]; warnings: string[] }> {
  const files: string[] = [];
  const warnings: string[] = [];
  const used = new Set<string>();
  for (const chart of history.charts) {
    const wanted = slug(`${chart.workload} ${chart.metric}`) || 'chart';
    let stem = wanted;
    for (let n = 2; used.has(stem); n++) stem = `${wanted}-${n}`;
    used.add(stem);
    const spec = trendSpec(chart);
    const base = path.join(out, stem);
    await writeFileAtomic(`${base}.vl.json`, `${JSON.stringify(spec, null, 2)}\n`);
    files.push(`${base}.vl.json`);
    try {
      const svg = await renderSvg(spec);
      await writeFileAtomic(`${base}.svg`, svg);
      await writeFileAtomic(`${base}.png`, renderPng(svg));
      files.push(`${base}.svg`, `${base}.png`);
    } catch (err) {
      warnings.push(`could not render ${base}.vl.json to SVG/PNG (${(err as Error).message}); the spec is written, open it in the Vega editor`);
    }
  }
  return { files, warnings };
}

async function showHistory(settings: Settings): Promise<number> {
  const listing = await listRuns({ resultsDir: settings.resultsDir, machine: settings.machine });
  for (const warning of listing.warnings) console.error(`warning: ${warning}`);
  if (listing.runs.length === 0) {
    throw new BadInput(`no runs stored for machine '${settings.machine}' in ${listing.dir}; save one with 'fence-lab bench --save' or pick another with --machine`);
  }
  const history = buildHistory(listing.runs, settings.options);
  const written = await writeCharts(history, settings.out);
  for (const warning of written.warnings) console.error(`warning: ${warning}`);
  const regressions = history.steps.filter((step) => step.kind === 'regression');
  const newest = newestStep(history);
  const failed = settings.check && newest !== null && newest.regressions.length > 0;
  if (settings.json) {
    console.log(toJson({ machine: listing.machine, runs: history.runs, steps: history.steps, regressions, newestStep: newest, latest: history.latest, files: written.files, warnings: [...listing.warnings, ...written.warnings] }));
    return failed ? 1 : 0;
  }
  const lines = [
    `history of ${listing.runs.length} run${listing.runs.length === 1 ? '' : 's'} on machine '${listing.machine}' (${listing.dir})`,
    '',
    `steps (E-divisive, factor ×${settings.options.factor}, alpha ${settings.options.alpha}; newest first; ${regressions.length} regression${regressions.length === 1 ? '' : 's'}):`,
    formatSteps(history.steps),
  ];
  if (history.latest) {
    const [previous, latest] = listing.runs.slice(-2).map((r) => path.basename(r.file));
    lines.push('', 'latest run against the one before it:', formatComparison(history.latest, previous!, latest!));
  }
  lines.push('', `charts: ${history.charts.length} written to ${settings.out}`);
  if (settings.check) lines.push('', checkLine(newest));
  console.log(lines.join('\n'));
  return failed ? 1 : 0;
}

function checkLine(newest: ReturnType<typeof newestStep>): string {
  if (newest === null) return 'check: no step in any row that gates: pass';
  if (newest.regressions.length === 0) return `check: the newest step (at ${newest.run}) is no regression: pass`;
  const names = newest.regressions.map((step) => `${step.name} ${formatChange(step.ratio)}`);
  return `check: FAILED: the newest step (at ${newest.run}) is a regression: ${names.join('; ')}`;
}

async function exportRun(format: Exclude<Format, 'charts'>, runFile: string | undefined, settings: Settings): Promise<number> {
  let bench: BenchResults | undefined;
  let source: string;
  if (runFile) {
    bench = (await readResults(runFile, 'the run')).bench;
    source = runFile;
  } else {
    const listing = await listRuns({ resultsDir: settings.resultsDir, machine: settings.machine });
    for (const warning of listing.warnings) console.error(`warning: ${warning}`);
    const latest = listing.runs.at(-1);
    if (!latest) throw new BadInput(`no runs stored for machine '${settings.machine}' in ${listing.dir}; pass --run FILE or save one with 'fence-lab bench --save'`);
    bench = latest.run.bench;
    source = latest.file;
  }
  if (!bench) throw new BadInput(`${source} has no bench results to export; export a run saved by 'fence-lab bench --save'`);
  const outputs: [string, unknown][] = [];
  if (format === 'bmf') outputs.push(['bmf.json', toBmf(bench)]);
  else {
    for (const [tool, entries] of Object.entries(toGithubActionBenchmark(bench))) {
      if (entries.length > 0) outputs.push([`${tool}.json`, entries]); // the action rejects an empty file
    }
  }
  for (const [name, data] of outputs) {
    const file = path.join(settings.out, name);
    await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
    console.log(`${file}  (${format} export of ${source})`);
  }
  return 0;
}

export async function run(args: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        results: { type: 'string' },
        machine: { type: 'string' },
        factor: { type: 'string' },
        alpha: { type: 'string' },
        format: { type: 'string', default: 'charts' },
        run: { type: 'string' },
        json: { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const format = values.format as Format;
    if (values.check && format !== 'charts') throw new BadInput('--check gates on the stored history; it does not go with --format');
    if (!FORMATS.includes(format)) throw new BadInput(`--format ${values.format}: expected one of ${FORMATS.join(', ')}`);
    if (values.run && format === 'charts') throw new BadInput('--run selects the run to export; use it with --format github-action-benchmark or bmf');
    const root = process.cwd();
    const settings: Settings = {
      out: values.out ?? DEFAULT_OUT,
      resultsDir: values.results ?? path.join(root, 'results'),
      machine: values.machine ?? machineName(root, environmentContext({ cwd: root })),
      json: values.json,
      check: values.check,
      options: {
        ...DEFAULT_COMPARE_OPTIONS,
        factor: numberOption('factor', values.factor, DEFAULT_COMPARE_OPTIONS.factor, (x) => x >= 1, 'must be a ratio ≥ 1, e.g. 1.05 for 5%'),
        alpha: numberOption('alpha', values.alpha, DEFAULT_COMPARE_OPTIONS.alpha, (x) => x > 0 && x < 1, 'must be a probability between 0 and 1, e.g. 0.01'),
      },
    };
    return format === 'charts' ? await showHistory(settings) : await exportRun(format, values.run, settings);
  } catch (err) {
    if (err instanceof BadInput || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`fence-lab history: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

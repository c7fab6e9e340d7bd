// fence-lab report: the lab's main job. Runs the verdict matrix on the built-in designs (and the
// litmus conformance and benchmarks where those parts are built), or reads saved results with
// --from, and writes report.txt, the charts and report.html to --out (default reports/latest/).
// The text goes to stdout too, ready for a mail body.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { saveRun } from '../history/store.ts';
import { environmentContext } from '../results/context.ts';
import type { RunRecord } from '../results/run-record.ts';
import { runParts } from '../results/run-record.ts';
import { parseResultsFile, ResultsFileError } from '../results/schema.ts';
import type { BenchResults, CheckResult, CheckResults, LitmusResults } from '../results/types.ts';
import { CorpusError, corpusLine, findCorpus, HOW_TO_GET_CORPUS, type LitmusCorpus } from '../litmus/corpus.ts';
import { LitmusError, parseLitmus } from '../litmus/parser.ts';
import { LitmusRunError } from '../litmus/run.ts';
import { runBench } from '../native/bench.ts';
import { resolveVariant } from '../native/variants.ts';
import { litmusFiles, litmusResult } from './litmus.ts';
import { writeReport, type ReportInputs } from '../report/index.ts';
import { planCells } from '../sim/cells.ts';
import { DEFAULT_CHECK } from '../sim/check.ts';
import { LAB_ROOT } from '../sim/loader.ts';
import { availableModels } from '../sim/memory/index.ts';
import { defaultJobs } from '../sim/pool.ts';
import { builtinScenarioFiles, builtinVariantFiles, nameOf } from '../sim/registry.ts';
import { reportDesigns, ReportVariantError, type ReportDesigns } from './report-variants.ts';
import { printMatrix } from './check-output.ts';
import { progressMode } from './progress.ts';
import { runCells, type ReportedRun } from './run-cells.ts';

const HELP = `usage: fence-lab report [--variant NAME|PATH ...] [--against NAME] [--quick] [--out DIR]
                        [--from RESULTS.json ...] [--kernel DIR] [--save] [--jobs N] [--quiet]

Writes report.txt (72 columns, for a mail body), charts (.vl.json, .svg, .png) and a
self-contained report.html.

  --variant NAME|PATH  also report on this design: a plug-in .ts file, or a built-in
                     (repeatable); the report opens with what it changes against the
                     design it extends: races fixed and introduced, semantic tests broken,
                     cost
  --against NAME     compare the --variant designs with this design instead
  --kernel DIR       a kernel tree: the LKMM corpus from its tools/memory-model/litmus-tests/
                     (and Documentation/litmus-tests/); KERNEL_SRC=DIR does the same
  --out DIR          where to write (default reports/latest)
  --from FILE        use saved results (check, litmus, bench, necessity, or a saved run)
                     instead of running them; repeatable (necessity files of several
                     designs add up: "Why each barrier is there")
  --quick            smaller budgets: every race is still hunted, verification is partial
  --save             also store the results under results/<machine>/ for history
  --jobs N           cells at once, on worker threads (default: ${defaultJobs()}, the cores)
  --quiet            no progress on stderr
  --no-bench         leave out the benchmarks (they need the machine to themselves)

Without --from it runs the verdict matrix, the LKMM litmus corpus (--kernel, KERNEL_SRC, else
the lab's own ../shared/litmus/lkmm when present) under every model, and the benchmarks with
--quick budgets.

Ctrl-C stops the run and prints the verdict matrix of the cells that finished; no report is
written (exit 130).
`;

/**
 * Execution budgets per cell. The default verifies most pass cells completely (dfs at bound 2
 * finishes within it for all but the largest); --quick keeps the hunt, which finds every
 * catalogued race, and only starts the verification (pass cells show as not complete).
 * `fence-lab check` with its own default (200,000) is the full verification.
 */
const REPORT_EXECUTIONS = 20_000;
/** The deepest preemption bound the report verifies pass cells at (issue 15, item 6). */
const REPORT_DEEPEST_BOUND = 3;
const QUICK_EXECUTIONS = 3_000;

async function runChecks(variants: string[], quick: boolean, jobs: number, quiet: boolean): Promise<ReportedRun<CheckResult>> {
  // Pass cells verified at bound 2 go on to bound 3 while their budget lasts (verifiedBound).
  const options = { ...DEFAULT_CHECK, executions: quick ? QUICK_EXECUTIONS : REPORT_EXECUTIONS, deepenTo: REPORT_DEEPEST_BOUND };
  const cells = planCells(variants, builtinScenarioFiles(), availableModels());
  return runCells(cells, options, { jobs, progress: progressMode(quiet), label: 'fence-lab report' });
}

/** The lab's own copy of the kernel's litmus tests, next to its checkout (not in a clone). */
const LAB_LITMUS_CORPUS = path.join(LAB_ROOT, '..', 'shared', 'litmus', 'lkmm');

/**
 * LKMM conformance of every model on the corpus (a few seconds; tso is the slowest). A file
 * the lab's parser does not take (Documentation/litmus-tests has primitives it lacks) is
 * listed, not fatal.
 */
export function runLitmusCorpus(corpus: LitmusCorpus): { litmus: LitmusResults; unparsed: string[] } {
  const results = [];
  const unparsed: string[] = [];
  for (const file of litmusFiles(corpus.dirs)) {
    const shown = path.relative(process.cwd(), file);
    let test;
    try {
      test = parseLitmus(readFileSync(file, 'utf8'), shown);
    } catch (err) {
      if (!(err instanceof LitmusError)) throw err;
      unparsed.push(err.message);
      continue;
    }
    for (const model of availableModels()) {
      try {
        results.push(litmusResult(shown, test, model).result);
      } catch (err) {
        if (!(err instanceof LitmusRunError)) throw err;
        unparsed.push(`${shown}: ${err.message}`);
        break;
      }
    }
  }
  return { litmus: { results }, unparsed };
}

/** The designs on real threads: --quick budgets (about a minute on 2 cores). */
async function runBenchmarks(files: string[], quiet: boolean): Promise<BenchResults> {
  const log = quiet ? undefined : (line: string) => process.stderr.write(`bench: ${line}\n`);
  const variants = files.map((file) => resolveVariant(file));
  return (await runBench({ variants, workloads: [], quick: true, log })).results;
}

async function readInputs(files: string[]): Promise<ReportInputs> {
  const inputs: ReportInputs = {};
  for (const file of files) {
    const parts = runParts(parseResultsFile(await readFile(file, 'utf8'), file));
    if (parts.check) inputs.check = parts.check;
    if (parts.litmus) inputs.litmus = parts.litmus;
    if (parts.bench) inputs.bench = parts.bench;
    if (parts.necessity) inputs.necessity = { results: [...(inputs.necessity?.results ?? []), ...parts.necessity.results] };
    if (parts.context) inputs.environment = parts.context;
  }
  return inputs;
}

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        out: { type: 'string', default: path.join(LAB_ROOT, 'reports', 'latest') },
        from: { type: 'string', multiple: true },
        variant: { type: 'string', multiple: true },
        against: { type: 'string' },
        kernel: { type: 'string' },
        quick: { type: 'boolean', default: false },
        save: { type: 'boolean', default: false },
        jobs: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        'no-bench': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`fence-lab report: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const jobs = values.jobs === undefined ? defaultJobs() : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error(`fence-lab report: --jobs takes a whole number of at least 1, got '${values.jobs}'\n\n${HELP}`);
    return 2;
  }
  if (values.against !== undefined && !values.variant) {
    console.error(`fence-lab report: --against names the design the --variant designs are compared with; give --variant too\n\n${HELP}`);
    return 2;
  }
  let inputs: ReportInputs;
  let designs: ReportDesigns;
  let corpus: LitmusCorpus | null = null;
  try {
    inputs = values.from ? await readInputs(values.from) : {};
    designs = await reportDesigns(values.variant ?? [], values.against);
    if (!values.from) corpus = findCorpus(values.kernel, process.env, LAB_LITMUS_CORPUS);
    else if (values.kernel) throw new ReportVariantError('--kernel runs the litmus corpus, --from reads results: give one of them');
  } catch (err) {
    if (err instanceof ResultsFileError || err instanceof ReportVariantError || err instanceof CorpusError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`fence-lab report: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
  if (designs.changes.length) inputs.changes = designs.changes;
  inputs.designInfo = designs.info;
  if (values.from && inputs.check) {
    const named = new Set(inputs.check.results.map((r) => r.variant));
    const absent = designs.changes.flatMap((c) => [c.variant, c.base]).filter((name) => !named.has(name));
    if (absent.length) {
      console.error(`fence-lab report: ${[...new Set(absent)].join(', ')}: not in the check results given with --from`);
      return 2;
    }
  }
  if (!values.from) {
    if (!values.quiet) process.stderr.write('fence-lab report: running the verdict matrix\n');
    const checks = await runChecks(designs.files, values.quick!, jobs, values.quiet!);
    if (checks.interrupted) {
      printMatrix(checks.results);
      console.error(`fence-lab report: interrupted: ${checks.results.length} cells finished; no report written`);
      return 130;
    }
    inputs.check = { results: checks.results } satisfies CheckResults;
    const plugins = designs.files.filter((f) => !builtinVariantFiles().includes(f)).map((f) => ['--variant', path.relative(process.cwd(), f)]);
    const pluginWords = plugins.length ? [...builtinVariantFiles().map((f) => ['--variant', nameOf(f)]), ...plugins].flat().join(' ') + ' ' : '';
    inputs.commands = { check: `npx fence-lab check ${pluginWords}--json --executions ${values.quick ? QUICK_EXECUTIONS : REPORT_EXECUTIONS}` };
    if (corpus) {
      if (!values.quiet) process.stderr.write(`fence-lab report: running the LKMM litmus corpus from ${corpusLine(corpus)}\n`);
      const { litmus, unparsed } = runLitmusCorpus(corpus);
      inputs.litmus = litmus;
      inputs.litmusSource = { corpus: corpusLine(corpus), ...(unparsed.length ? { unparsed } : {}) };
      const target = corpus.origin.startsWith('kernel tree') ? `--kernel ${path.relative(process.cwd(), corpus.root) || '.'}` : path.relative(process.cwd(), corpus.root);
      inputs.commands.litmus = `npx fence-lab litmus ${target} --model ${availableModels().join(',')} --json`;
    } else {
      inputs.litmusSource = { notRun: `no litmus corpus; ${HOW_TO_GET_CORPUS}` };
    }
    if (!values['no-bench']) {
      if (!values.quiet) process.stderr.write('fence-lab report: running the benchmarks (--quick)\n');
      inputs.bench = await runBenchmarks(designs.files, values.quiet!);
      inputs.commands.bench = `npx fence-lab bench --quick ${pluginWords}--json`;
    }
  }
  inputs.environment ??= environmentContext();
  inputs.commands = { ...inputs.commands, report: ['npx fence-lab report', ...args].join(' ') };
  const { files } = await writeReport(inputs, values.out!);
  console.log(await readFile(path.join(values.out!, 'report.txt'), 'utf8'));
  console.error(`fence-lab report: wrote ${files.length} files to ${path.relative(process.cwd(), values.out!) || '.'}`);
  if (values.save) {
    const record: RunRecord = { schema: 1, context: inputs.environment, ...(inputs.check ? { check: inputs.check } : {}), ...(inputs.litmus ? { litmus: inputs.litmus } : {}), ...(inputs.bench ? { bench: inputs.bench } : {}) };
    console.error(`fence-lab report: saved ${await saveRun(record, { root: LAB_ROOT })}`);
  }
  return inputs.check?.results.some((r) => r.error) ? 2 : 0;
}

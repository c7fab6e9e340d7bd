// fence-lab report: the lab's main job. Runs the verdict matrix on the built-in designs (and the
// litmus conformance and benchmarks where those parts are built), or reads saved results with
// --from, and writes report.txt, the charts and report.html to --out (default reports/latest/).
// The text goes to stdout too, ready for a mail body.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { saveRun } from '../history/store.ts';
import { environmentContext } from '../results/context.ts';
import type { RunRecord } from '../results/run-record.ts';
import { runParts } from '../results/run-record.ts';
import { parseResultsFile, ResultsFileError } from '../results/schema.ts';
import type { CheckResult, CheckResults } from '../results/types.ts';
import { writeReport, type ReportInputs } from '../report/index.ts';
import { planCells } from '../sim/cells.ts';
import { DEFAULT_CHECK } from '../sim/check.ts';
import { LAB_ROOT } from '../sim/loader.ts';
import { availableModels } from '../sim/memory/index.ts';
import { defaultJobs } from '../sim/pool.ts';
import { builtinScenarioFiles, builtinVariantFiles } from '../sim/registry.ts';
import { printMatrix } from './check-output.ts';
import { progressMode } from './progress.ts';
import { runCells, type ReportedRun } from './run-cells.ts';

const HELP = `usage: fence-lab report [--quick] [--out DIR] [--from RESULTS.json ...] [--save] [--jobs N] [--quiet]

Writes report.txt (72 columns, for a mail body), charts (.vl.json, .svg, .png) and a
self-contained report.html.

  --out DIR          where to write (default reports/latest)
  --from FILE        use saved results (check, litmus, bench, or a saved run) instead of
                     running them; repeatable
  --quick            smaller budgets: the hunt and verification use fewer executions
  --save             also store the results under results/<machine>/ for history
  --jobs N           cells at once, on worker threads (default: ${defaultJobs()}, the cores)
  --quiet            no progress on stderr

Ctrl-C stops the run and prints the verdict matrix of the cells that finished; no report is
written (exit 130).
`;

/** Budget for --quick: enough to find every catalogued race; verification may stay incomplete. */
const QUICK_EXECUTIONS = 20_000;

async function runChecks(quick: boolean, jobs: number, quiet: boolean): Promise<ReportedRun<CheckResult>> {
  const options = { ...DEFAULT_CHECK, executions: quick ? QUICK_EXECUTIONS : DEFAULT_CHECK.executions };
  const cells = planCells(builtinVariantFiles(), builtinScenarioFiles(), availableModels());
  return runCells(cells, options, { jobs, progress: progressMode(quiet), label: 'fence-lab report' });
}

async function readInputs(files: string[]): Promise<ReportInputs> {
  const inputs: ReportInputs = {};
  for (const file of files) {
    const parts = runParts(parseResultsFile(await readFile(file, 'utf8'), file));
    if (parts.check) inputs.check = parts.check;
    if (parts.litmus) inputs.litmus = parts.litmus;
    if (parts.bench) inputs.bench = parts.bench;
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
        quick: { type: 'boolean', default: false },
        save: { type: 'boolean', default: false },
        jobs: { type: 'string' },
        quiet: { type: 'boolean', default: false },
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
  let inputs: ReportInputs;
  try {
    inputs = values.from ? await readInputs(values.from) : {};
  } catch (err) {
    if (err instanceof ResultsFileError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`fence-lab report: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
  if (!values.from) {
    if (!values.quiet) process.stderr.write('fence-lab report: running the verdict matrix\n');
    const checks = await runChecks(values.quick!, jobs, values.quiet!);
    if (checks.interrupted) {
      printMatrix(checks.results);
      console.error(`fence-lab report: interrupted: ${checks.results.length} cells finished; no report written`);
      return 130;
    }
    inputs.check = { results: checks.results } satisfies CheckResults;
    inputs.commands = { check: `npx fence-lab check --json${values.quick ? ` --executions ${QUICK_EXECUTIONS}` : ''}` };
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

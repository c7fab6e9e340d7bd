// A/A false-alarm rate of `fence-lab compare`: run the same code N times, compare runs 2..N with
// run 1 and count the compares that flag any regression. Every flag is a false alarm, because
// nothing changed between the runs but the machine's noise.
//
//   node --import tsx bench/aa-false-alarm.ts [--runs 11] [--command "CMD"] [--factor 1.05] [--alpha 0.01] [--json]
//   node --import tsx bench/aa-false-alarm.ts [options] RUN.json RUN.json ...
//   node --import tsx bench/aa-false-alarm.ts --synthetic [--runs 11] [--samples 50] [--seed 1] [--isolates 3]
//
// CMD must print a bench results JSON on stdout (default: the lab's quick benchmark). Files
// instead: runs saved before (e.g. by a loop of 'fence-lab bench --out runN.json'), the first
// one the base. --synthetic draws noise-only runs from src/history/synthetic.ts instead
// (log-normal; with --isolates, ns rows measured in that many isolates under the VM noise
// model): a figure about the method, not about this machine.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { compareRuns, type CompareOptions, DEFAULT_COMPARE_OPTIONS, rowName } from '../src/history/compare.ts';
import { readFileSync } from 'node:fs';
import { DEFAULT_NOISE, syntheticRowSpecs, syntheticRun, VM_NOISE } from '../src/history/synthetic.ts';
import { runParts } from '../src/results/run-record.ts';
import { parseResultsFile } from '../src/results/schema.ts';
import type { BenchResults } from '../src/results/types.ts';

const DEFAULT_COMMAND = 'node bin/fence-lab.js bench --quick --json';

function benchOf(text: string, where: string): BenchResults {
  const { bench } = runParts(parseResultsFile(text, where));
  if (!bench) throw new Error(`${where}: not bench results`);
  return bench;
}

function measuredRun(command: string, index: number): BenchResults {
  const started = Date.now();
  const child = spawnSync('sh', ['-c', command], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.status !== 0) {
    throw new Error(`run ${index + 1}: '${command}' exited ${child.status}:\n${child.stderr.trim()}\n(no bench yet? measure the method alone with --synthetic)`);
  }
  const bench = benchOf(child.stdout, `stdout of run ${index + 1} of '${command}'`);
  console.error(`run ${index + 1}: ${bench.results.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return bench;
}

interface AaReport {
  source: string;
  runs: number;
  compares: number;
  comparesWithAlarm: number;
  rowsCompared: number;
  rowsFlagged: number;
  /** Every false alarm, "run k: row: reason". */
  alarms: string[];
  /** The largest median ratio (either way, ≥ 1) any row showed between identical code: a factor
   *  at or above it could not have raised any of these alarms. */
  largestAaChange: { ratio: number; row: string } | null;
  options: CompareOptions;
}

function aaReport(runs: readonly BenchResults[], source: string, options: CompareOptions): AaReport {
  const [first, ...rest] = runs;
  const report: AaReport = { source, runs: runs.length, compares: rest.length, comparesWithAlarm: 0, rowsCompared: 0, rowsFlagged: 0, alarms: [], largestAaChange: null, options };
  rest.forEach((run, i) => {
    const comparison = compareRuns({ context: first!.context, bench: first }, { context: run.context, bench: run }, options);
    report.rowsCompared += comparison.rows.length;
    for (const row of comparison.rows) {
      const change = Math.max(row.ratio, 1 / row.ratio);
      if (Number.isFinite(change) && change > (report.largestAaChange?.ratio ?? 0)) {
        report.largestAaChange = { ratio: change, row: `run ${i + 2} vs run 1: ${rowName(row)}` };
      }
    }
    report.rowsFlagged += comparison.regressions.length;
    if (comparison.regressions.length > 0) report.comparesWithAlarm++;
    for (const regression of comparison.regressions) report.alarms.push(`run ${i + 2} vs run 1: ${regression}`);
  });
  return report;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '11' },
      command: { type: 'string', default: DEFAULT_COMMAND },
      synthetic: { type: 'boolean', default: false },
      samples: { type: 'string', default: '50' },
      isolates: { type: 'string' },
      seed: { type: 'string', default: '1' },
      factor: { type: 'string', default: String(DEFAULT_COMPARE_OPTIONS.factor) },
      alpha: { type: 'string', default: String(DEFAULT_COMPARE_OPTIONS.alpha) },
      json: { type: 'boolean', default: false },
    },
  });
  const runCount = Number(values.runs);
  if (!Number.isInteger(runCount) || runCount < 2) throw new Error(`--runs ${values.runs}: need an integer ≥ 2 (one base, at least one A/A compare)`);
  const options: CompareOptions = { ...DEFAULT_COMPARE_OPTIONS, factor: Number(values.factor), alpha: Number(values.alpha) };
  const seed = Number(values.seed);

  let runs: BenchResults[];
  let source: string;
  if (positionals.length > 0) {
    if (positionals.length < 2) throw new Error('give at least two saved runs (one base, at least one A/A compare)');
    runs = positionals.map((file) => benchOf(readFileSync(file, 'utf8'), file));
    source = `saved runs: ${positionals.join(' ')}`;
  } else if (values.synthetic) {
    const samples = Number(values.samples);
    const isolates = values.isolates === undefined ? undefined : { count: Number(values.isolates), noise: VM_NOISE };
    runs = Array.from({ length: runCount }, (_, i) => syntheticRun(syntheticRowSpecs(), { seed: seed + i, samples, isolates }));
    const { runSigma, sampleSigma, outlierRate } = DEFAULT_NOISE;
    source =
      `SYNTHETIC noise-only runs (not this machine): ${syntheticRowSpecs().length} rows × ${samples} samples, log-normal run σ=${runSigma}, sample σ=${sampleSigma}, outliers ${outlierRate * 100}%, seeds ${seed}..${seed + runCount - 1}` +
      (isolates ? `; ns rows in ${isolates.count} isolates under VM_NOISE ${JSON.stringify(VM_NOISE)}` : '');
  } else {
    runs = Array.from({ length: runCount }, (_, i) => measuredRun(values.command, i));
    source = `measured on this machine: ${runCount} × '${values.command}'`;
  }

  const report = aaReport(runs, source, options);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(
      [
        `A/A false alarms of fence-lab compare (factor ${options.factor}, alpha ${options.alpha})`,
        `source: ${report.source}`,
        `compares with a false alarm: ${report.comparesWithAlarm}/${report.compares} (${((100 * report.comparesWithAlarm) / report.compares).toFixed(0)}%)`,
        `rows flagged: ${report.rowsFlagged}/${report.rowsCompared}`,
        ...report.alarms.map((alarm) => `  ${alarm}`),
        report.largestAaChange
          ? `largest change between identical runs: ×${report.largestAaChange.ratio.toFixed(3)} (${report.largestAaChange.row}); no --factor at or above it could raise these alarms`
          : 'no row compared',
      ].join('\n'),
    );
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`aa-false-alarm: ${(err as Error).message}`);
  process.exitCode = 2;
}

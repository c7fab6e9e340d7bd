// The commands that reproduce a report's numbers. The caller's own (ReportInputs.commands)
// win; for an input given without one (`fence-lab report --from FILE`), the command is read
// back from the results themselves: the models, strategy and execution budget of a check,
// the litmus directory and models, the bench workloads and whether it ran --quick.
import { configName, sweepConfigs, timingFor } from '../../bench/irq-load/config.ts';
import { loadProfiles } from '../timing/profile.ts';
import type { BenchResults, CheckResults, LitmusResults } from '../results/types.ts';
import { compareConfigs, IRQ_METRICS, MICRO_OP_LIST, parseIrqConfig } from './bench-figures.ts';
import { FLOOR } from './designs.ts';
import { shellWord } from './format.ts';
import { DEFAULT_COMMANDS, type ReportCommands, type ReportInputs } from './inputs.ts';
import { executionBudget, MODEL_ORDER } from './verdicts.ts';

const LAB = 'npx fence-lab';

function command(words: string[]): string {
  return [LAB, ...words.map(shellWord)].join(' ');
}

function modelsOf(results: { model: string }[]): string[] {
  return MODEL_ORDER.filter((m) => results.some((r) => r.model === m));
}

export function checkCommand(check: CheckResults): string {
  const words = ['check', '--json'];
  const models = modelsOf(check.results);
  // check's default is every model
  if (models.length > 0 && models.length < MODEL_ORDER.length) words.push('--model', models.join(','));
  const strategies = [...new Set(check.results.map((r) => r.strategy))];
  if (strategies.length === 1 && strategies[0] !== 'auto') words.push('--strategy', strategies[0]!);
  const budget = executionBudget(check);
  if (budget !== undefined) words.push('--executions', String(budget));
  return command(words);
}

/** The longest directory every path lies below ('' when none). */
function commonDirectory(paths: string[]): string {
  const split = paths.map((p) => p.split('/').slice(0, -1));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  return first.slice(0, n).join('/');
}

export function litmusCommand(litmus: LitmusResults): string {
  const files = [...new Set(litmus.results.map((r) => r.file))];
  if (files.length === 0) return DEFAULT_COMMANDS.litmus;
  const target = files.length === 1 ? files[0]! : commonDirectory(files) || '.';
  const words = ['litmus', target];
  const models = modelsOf(litmus.results);
  // litmus's default is weak alone
  if (models.length > 0 && models.join(',') !== 'weak') words.push('--model', models.join(','));
  words.push('--json');
  return command(words);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export function benchCommand(bench: BenchResults): string {
  const rows = bench.results;
  // a rate row has one sample per measured interval, and --quick measures fewer of them
  const rateRow = rows.find((r) => r.metric === IRQ_METRICS.fencesPerS && r.samples.length > 0);
  const simulated = rows.filter((r) => r.flags?.includes('simulated'));
  const quick = rateRow !== undefined ? rateRow.samples.length === timingFor(true).intervals : simulated.some((r) => r.flags!.includes('quick'));
  const micro = MICRO_OP_LIST.map((op) => op.workload).filter((w) => rows.some((r) => r.workload === w && r.variant !== FLOOR));
  const hasFloor = rows.some((r) => r.workload === FLOOR);
  const irq = [...new Set(rows.map((r) => r.workload))]
    .flatMap((w) => parseIrqConfig(w) ?? [])
    .sort(compareConfigs)
    .map((c) => c.workload);
  const sweep = sweepConfigs(quick).map(configName);
  const workloads: string[] = [];
  const profiles = [...new Set(simulated.flatMap((r) => r.flags!.filter((f) => f.startsWith('profile=')).map((f) => f.slice('profile='.length))))].sort();
  const everyProfile = sameSet(profiles, loadProfiles().map((p) => p.name));
  if (!(sameSet(micro, MICRO_OP_LIST.map((op) => op.workload)) && sameSet(irq, sweep) && simulated.length > 0 && everyProfile)) {
    if (sameSet(micro, MICRO_OP_LIST.map((op) => op.workload))) workloads.push('micro');
    else if (micro.length) workloads.push(...micro);
    else if (hasFloor) workloads.push(FLOOR);
    if (sameSet(irq, sweep)) workloads.push('irq-load');
    else workloads.push(...irq);
    if (simulated.length > 0) workloads.push('scale');
  }
  const profileArgs = simulated.length > 0 && !everyProfile ? profiles.flatMap((p) => ['--profile', p]) : [];
  const words = ['bench', ...(quick ? ['--quick'] : []), ...workloads.flatMap((w) => ['--workload', w]), ...profileArgs, '--json'];
  return command(words);
}

/** The command for each input: the caller's, else the one read back from the results. */
export function reproduceCommands(inputs: ReportInputs): ReportCommands {
  const given = inputs.commands ?? {};
  const out: ReportCommands = {};
  if (inputs.check) out.check = given.check ?? checkCommand(inputs.check);
  if (inputs.litmus) out.litmus = given.litmus ?? litmusCommand(inputs.litmus);
  if (inputs.bench) out.bench = given.bench ?? benchCommand(inputs.bench);
  if (given.report) out.report = given.report;
  return out;
}

// fence-lab necessity: why is each barrier there? Takes each ordering point of a design away in
// turn (one edit of its source at one call site, made at bundle time) and checks the ablated
// design against the race catalogue and the semantics group under every memory model, with the
// budgets of `check`. Prints one row per ordering point: per model, the first race that appears
// (with the command that replays it on the ablated design), or "no violation found".
//
// Exit 0 when it ran (whatever it found), 2 on bad input, 130 when interrupted.

import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../history/store.ts';
import type { CheckResult, ModelName, NecessityResult, NecessityResults } from '../results/types.ts';
import { planCells } from '../sim/cells.ts';
import { DEFAULT_CHECK, type CheckOptions } from '../sim/check.ts';
import { MODEL_NAMES } from '../sim/memory/index.ts';
import { ablationTask, planNecessity, type NecessityPlan } from '../sim/necessity.ts';
import { defaultJobs } from '../sim/pool.ts';
import { builtinScenarioFiles, nameOf, SCENARIO_GROUPS } from '../sim/registry.ts';
import { necessityRowText, necessitySummary, rowsByPoint } from '../report/necessity.ts';
import { budgetOptions, CELL_OPTIONS, groupOption, intOption, modelsOption, UsageError } from './check-options.ts';
import { progressMode } from './progress.ts';
import { runCells, runReported } from './run-cells.ts';

const HELP = `usage: fence-lab necessity --variant NAME|PATH [options]

Takes each ordering point of a design away in turn -- a barrier, an acquire or release
(weakened to its relaxed form), a fully ordered RMW (to its relaxed form), a critical section
(lock and unlock dropped), an RCU read-side section, a kfree_rcu (to kfree) -- and checks the
ablated design against the race catalogue and the semantics group. Per ordering point and
memory model: the first race that appears, with the command that replays it, or "no
violation found (complete at bound N)": a candidate for removal, as far as the catalogue,
the models and the bound go.

  --variant NAME|PATH     the design (one)
  --inherited             also the points of the methods it inherits (default: the methods
                          its own file defines)
  --list                  list the ordering points and stop
  --model M               memory model: ${MODEL_NAMES.join(', ')} (repeatable or comma list; default all)
  --scenario NAME|PATH    only these scenarios (repeatable; default: races, then semantics)
  --group NAME            only scenarios of a group: ${SCENARIO_GROUPS.join(', ')}
  --strategy, --seed, --executions, --preemptions
                          as for 'fence-lab check' (same defaults: ${DEFAULT_CHECK.strategy}, ${DEFAULT_CHECK.seed}, ${DEFAULT_CHECK.executions}, ${DEFAULT_CHECK.preemptions})
  --json                  print { "results": [...] } instead of text
  --out FILE              also write the JSON results to FILE (atomically)
  --jobs N                ablations at once, on worker threads (default: ${defaultJobs()}, the cores)
  --quiet                 no progress on stderr
`;

interface Selection {
  variant: string;
  inherited: boolean;
  list: boolean;
  models: ModelName[];
  scenarios: string[];
  options: Omit<CheckOptions, 'model'>;
  json: boolean;
  out?: string;
  jobs: number;
  quiet: boolean;
}

function parse(args: string[]): Selection | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      ...CELL_OPTIONS,
      variant: { type: 'string', multiple: true },
      inherited: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.variant?.length !== 1) throw new UsageError('--variant: give exactly one design');
  const group = groupOption(values.group);
  return {
    variant: values.variant[0]!,
    inherited: values.inherited!,
    list: values.list!,
    models: modelsOption(values.model),
    scenarios: values.scenario ?? (group ? builtinScenarioFiles(group) : [...builtinScenarioFiles('races'), ...builtinScenarioFiles('semantics')]),
    json: values.json!,
    ...(values.out !== undefined ? { out: values.out } : {}),
    jobs: intOption(values.jobs, 'jobs', defaultJobs(), 1),
    quiet: values.quiet!,
    options: budgetOptions(values),
  };
}

export async function run(args: string[]): Promise<number> {
  let sel: Selection | 'help';
  let plan: NecessityPlan;
  try {
    sel = parse(args);
    if (sel === 'help') {
      console.log(HELP);
      return 0;
    }
    plan = planNecessity(sel.variant, sel.inherited);
  } catch (err) {
    const usage = err instanceof UsageError || (err as Error).name === 'TypeError';
    console.error(`fence-lab necessity: ${(err as Error).message}${usage ? `\n\n${HELP}` : ''}`);
    return 2;
  }
  if (plan.points.length === 0) {
    console.log(`${sel.variant} has no ordering points ${sel.inherited ? '' : 'in the methods it defines; --inherited adds those of the methods it inherits'}`.trimEnd());
    return 0;
  }
  if (sel.list) {
    for (const p of plan.points) console.log(`${p.id.padEnd(60)} ${`${p.method}()`.padEnd(36)} ${p.primitive} -> ${p.ablation}`);
    return 0;
  }
  const outcome = await analyse(sel, plan);
  if (outcome === 'error' || outcome === 'interrupted') return outcome === 'error' ? 2 : 130;
  if (sel.out) {
    try {
      await writeFileAtomic(sel.out, `${JSON.stringify(outcome, null, 2)}\n`);
    } catch (err) {
      console.error(`fence-lab necessity: cannot write --out ${sel.out}: ${(err as Error).message}`);
      return 2;
    }
  }
  if (sel.json) console.log(JSON.stringify(outcome, null, 2));
  else {
    for (const r of rowsByPoint(outcome.results)) console.log(`${necessityRowText(r, { commands: true })}\n`);
    console.log(necessitySummary(outcome.results, outcome.excluded ?? {}));
  }
  return 0;
}

/** The design as written (its passing scenarios per model), then every ablation. */
async function analyse(sel: Selection, plan: NecessityPlan): Promise<NecessityResults | 'error' | 'interrupted'> {
  const progress = progressMode(sel.quiet);
  const baseline = await runCells(planCells([sel.variant], sel.scenarios, sel.models), sel.options, { jobs: sel.jobs, progress, label: 'fence-lab necessity: the design as written' });
  if (baseline.interrupted) return 'interrupted';
  const failed = baseline.results.find((r) => r.error);
  if (failed) {
    console.error(`fence-lab necessity: ${failed.error}`);
    return 'error';
  }
  const passing = (model: ModelName) => sel.scenarios.filter((s) => baseline.results.some((r) => r.model === model && sameScenario(r, s) && r.verdict === 'pass'));
  const excluded: Partial<Record<ModelName, string[]>> = {};
  for (const model of sel.models) excluded[model] = baseline.results.filter((r) => r.model === model && r.verdict === 'violation').map((r) => r.scenario);
  const units = plan.points.flatMap((point) => sel.models.map((model) => ({ point, model })));
  const run = await runReported<NecessityResult>(
    units.map(({ point, model }) => ablationTask(sel.variant, point, model, passing(model), sel.options)),
    {
      jobs: sel.jobs,
      progress,
      label: 'fence-lab necessity',
      unit: 'ablations',
      name: (i) => `${units[i]!.point.id} [${units[i]!.model}]`,
      stats: (r) => r,
    },
  );
  if (run.interrupted) return 'interrupted';
  const variant = baseline.results[0]?.variant ?? nameOf(sel.variant);
  return { results: run.results, excluded: { [variant]: excluded } };
}

function sameScenario(r: CheckResult, nameOrPath: string): boolean {
  return r.scenario === nameOf(nameOrPath.replace(/^.*\//, ''));
}

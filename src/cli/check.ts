// fence-lab check: model-checks variants against scenarios and compares every verdict with the
// one its scenario expects. Exit 0 when all agree, 1 when one differs, 2 on bad input (the
// other cells are still run and printed), 130 when interrupted (Ctrl-C: the cells that finished
// are printed and, with --out, written with "partial": true).
//
// Cells run on --jobs worker threads (default: one per core) and are printed in plan order, so
// the output is the same whatever the number of jobs. --shard i/n runs every n-th cell of the
// plan (see shard.ts); `fence-lab merge` puts the shards' --out files back together.

import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../history/store.ts';
import type { CheckResult, CheckResults, ModelName } from '../results/types.ts';
import { planCells } from '../sim/cells.ts';
import { DEFAULT_CHECK, type CheckOptions, type Strategy } from '../sim/check.ts';
import { availableModels, MODEL_NAMES } from '../sim/memory/index.ts';
import { builtinScenarioFiles, builtinVariantFiles, SCENARIO_GROUPS } from '../sim/registry.ts';
import { REDUCTIONS, type Reduction } from '../sim/schedulers/dfs.ts';
import { defaultJobs } from '../sim/pool.ts';
import { printMatrix, printResult } from './check-output.ts';
import { progressMode } from './progress.ts';
import { runCells } from './run-cells.ts';
import { inShard, parseShard, shardRecord, type ShardSpec } from './shard.ts';

const HELP = `usage: fence-lab check [options]

Model-checks variants (designs) against scenarios (races, semantic tests).
With no selection: every variant x every scenario x every memory model.

  --variant NAME|PATH     a built-in variant or a .ts file (repeatable)
  --scenario NAME|PATH    a built-in scenario or a .ts file (repeatable)
  --group NAME            only scenarios of a group: ${SCENARIO_GROUPS.join(', ')}
  --model M               memory model: ${MODEL_NAMES.join(', ')} (repeatable or comma list)
  --strategy S            auto (default: pct/random hunt, then dfs to verify) |
                          random | pct (seeded) | dfs (exhaustive under --preemptions)
  --seed N                random seed (default ${DEFAULT_CHECK.seed})
  --executions N          execution budget (default ${DEFAULT_CHECK.executions})
  --preemptions N         dfs preemption bound (default ${DEFAULT_CHECK.preemptions})
  --reduction R           dfs partial-order reduction: dpor (default) | none
  --replay STRING         replay one recorded schedule (as printed with a violation)
  --json                  print { "results": [...] } instead of text
  --out FILE              also write the JSON results to FILE (atomically)
  --jobs N                cells at once, on worker threads (default: ${defaultJobs()}, the cores;
                          1 runs in this process, for a debugger)
  --shard I/N             run only every N-th cell of the plan, starting at the I-th;
                          combine the shards' --out files with 'fence-lab merge'
  --quiet                 no progress on stderr

Ctrl-C stops the run, prints the cells that finished and writes them to --out marked
"partial": true (exit 130).
`;

class UsageError extends Error {}

function intOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, got '${value}'`);
  return n;
}

function modelsOption(values: string[] | undefined): ModelName[] {
  if (!values || values.length === 0) return availableModels();
  const models = values.flatMap((v) => v.split(',')).map((m) => m.trim()) as ModelName[];
  for (const m of models) {
    if (!MODEL_NAMES.includes(m)) throw new UsageError(`unknown --model '${m}'; models: ${MODEL_NAMES.join(', ')}`);
    if (!availableModels().includes(m)) throw new UsageError(`--model ${m} is not built yet; available: ${availableModels().join(', ')}`);
  }
  return models;
}

interface Selection {
  variants: string[];
  scenarios: string[];
  models: ModelName[];
  options: Omit<CheckOptions, 'model'>;
  json: boolean;
  out?: string;
  jobs: number;
  shard?: ShardSpec;
  quiet: boolean;
}

function parse(args: string[]): Selection | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      variant: { type: 'string', multiple: true },
      scenario: { type: 'string', multiple: true },
      group: { type: 'string' },
      model: { type: 'string', multiple: true },
      strategy: { type: 'string' },
      seed: { type: 'string' },
      executions: { type: 'string' },
      preemptions: { type: 'string' },
      reduction: { type: 'string' },
      replay: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      jobs: { type: 'string' },
      shard: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.group && !(SCENARIO_GROUPS as readonly string[]).includes(values.group)) {
    throw new UsageError(`unknown --group '${values.group}'; groups: ${SCENARIO_GROUPS.join(', ')}`);
  }
  const strategy = (values.replay ? 'replay' : (values.strategy ?? DEFAULT_CHECK.strategy)) as Strategy;
  if (!['auto', 'random', 'pct', 'dfs', 'replay'].includes(strategy)) throw new UsageError(`unknown --strategy '${strategy}'; strategies: auto, random, pct, dfs`);
  const reduction = (values.reduction ?? 'dpor') as Reduction;
  if (!REDUCTIONS.includes(reduction)) throw new UsageError(`unknown --reduction '${values.reduction}'; reductions: ${REDUCTIONS.join(', ')}`);
  const variants = values.variant ?? builtinVariantFiles();
  const scenarios = values.scenario ?? builtinScenarioFiles(values.group);
  if (values.replay && (variants.length !== 1 || scenarios.length !== 1)) {
    throw new UsageError('--replay needs exactly one --variant and one --scenario (copy the printed command whole)');
  }
  const models = modelsOption(values.model);
  if (values.replay && models.length !== 1) throw new UsageError('--replay needs exactly one --model');
  let shard: ShardSpec | undefined;
  if (values.shard !== undefined) {
    try {
      shard = parseShard(values.shard);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return {
    variants,
    scenarios,
    models,
    json: values.json!,
    ...(values.out !== undefined ? { out: values.out } : {}),
    jobs: intOption(values.jobs, 'jobs', defaultJobs(), 1),
    ...(shard ? { shard } : {}),
    quiet: values.quiet!,
    options: {
      strategy,
      seed: intOption(values.seed, 'seed', DEFAULT_CHECK.seed),
      executions: intOption(values.executions, 'executions', DEFAULT_CHECK.executions),
      preemptions: intOption(values.preemptions, 'preemptions', DEFAULT_CHECK.preemptions),
      ...(reduction !== 'dpor' ? { reduction } : {}),
      ...(values.replay ? { replay: values.replay } : {}),
    },
  };
}

export async function run(args: string[]): Promise<number> {
  let sel: Selection | 'help';
  try {
    sel = parse(args);
  } catch (err) {
    console.error(`fence-lab check: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (sel === 'help') {
    console.log(HELP);
    return 0;
  }
  const planned = planCells(sel.variants, sel.scenarios, sel.models);
  const shard = sel.shard;
  const cells = shard ? planned.filter((_, p) => inShard(p, shard)) : planned;
  const { results, interrupted } = await runCells(cells, sel.options, {
    jobs: sel.jobs,
    progress: progressMode(sel.quiet),
    label: 'fence-lab check',
    onResult: (r, progress) => {
      if (!sel.json) progress.above(() => printResult(r));
    },
  });
  const output: CheckResults = {
    results,
    ...(shard ? { shard: shardRecord(planned, sel.options, shard) } : {}),
    ...(interrupted ? { partial: true } : {}),
  };
  let status = interrupted ? 130 : exitStatus(results);
  if (sel.out) {
    try {
      await writeFileAtomic(sel.out, `${JSON.stringify(output, null, 2)}\n`);
    } catch (err) {
      console.error(`fence-lab check: cannot write --out ${sel.out}: ${(err as Error).message}`);
      status = interrupted ? 130 : 2;
    }
  }
  if (sel.json) console.log(JSON.stringify(output, null, 2));
  else printMatrix(results);
  if (interrupted) {
    const where = sel.out ? `; partial results in ${sel.out}` : '';
    console.error(`fence-lab check: interrupted: ${results.length} of ${cells.length} cells finished${where}`);
  }
  return status;
}

/** 2 when a cell could not run (bad input), else 1 when a verdict differs from its expectation. */
export function exitStatus(results: CheckResult[]): number {
  if (results.some((r) => r.error)) return 2;
  return results.some((r) => r.expected !== undefined && r.expected !== r.verdict) ? 1 : 0;
}

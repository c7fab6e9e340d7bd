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
import { DEFAULT_CHECK, type CheckOptions } from '../sim/check.ts';
import { MODEL_NAMES } from '../sim/memory/index.ts';
import { builtinScenarioFiles, builtinVariantFiles, SCENARIO_GROUPS } from '../sim/registry.ts';
import { defaultJobs } from '../sim/pool.ts';
import { printMatrix, printResult } from './check-output.ts';
import { budgetOptions, CELL_OPTIONS, groupOption, intOption, modelsOption, UsageError } from './check-options.ts';
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
  --reduction R           dfs partial-order reduction: dpor | none (default: dpor,
                          none under tso, where it costs more than it saves)
  --replay STRING         replay one recorded schedule (as printed with a violation)
  --ablate FILE:LINE:PRIM take one ordering point of the variant away (as printed by
                          'fence-lab necessity'); needs exactly one --variant
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

interface Selection {
  variants: string[];
  scenarios: string[];
  models: ModelName[];
  ablate?: string;
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
      ...CELL_OPTIONS,
      variant: { type: 'string', multiple: true },
      replay: { type: 'string' },
      ablate: { type: 'string' },
      shard: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const options = budgetOptions(values, values.replay);
  const variants = values.variant ?? builtinVariantFiles();
  const scenarios = values.scenario ?? builtinScenarioFiles(groupOption(values.group));
  if (values.replay && (variants.length !== 1 || scenarios.length !== 1)) {
    throw new UsageError('--replay needs exactly one --variant and one --scenario (copy the printed command whole)');
  }
  if (values.ablate !== undefined && variants.length !== 1) throw new UsageError('--ablate needs exactly one --variant (the design whose ordering point it names)');
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
    ...(values.ablate !== undefined ? { ablate: values.ablate } : {}),
    json: values.json!,
    ...(values.out !== undefined ? { out: values.out } : {}),
    jobs: intOption(values.jobs, 'jobs', defaultJobs(), 1),
    ...(shard ? { shard } : {}),
    quiet: values.quiet!,
    options,
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
  const planned = planCells(sel.variants, sel.scenarios, sel.models, sel.ablate);
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

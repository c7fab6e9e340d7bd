// fence-lab check: model-checks variants against scenarios and compares every verdict with the
// one its scenario expects. Exit 0 when all agree, 1 when one differs, 2 on bad input (the
// other cells are still run and printed).

import { parseArgs } from 'node:util';
import type { CheckResult, ModelName } from '../results/types.ts';
import { planCells, runCell } from '../sim/cells.ts';
import { DEFAULT_CHECK, type CheckOptions, type Strategy } from '../sim/check.ts';
import { availableModels, MODEL_NAMES } from '../sim/memory/index.ts';
import { builtinScenarioFiles, builtinVariantFiles, SCENARIO_GROUPS } from '../sim/registry.ts';
import { printMatrix, printResult } from './check-output.ts';

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
  --replay STRING         replay one recorded schedule (as printed with a violation)
  --json                  print { "results": [...] } instead of text
`;

class UsageError extends Error {}

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number, got '${value}'`);
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
      replay: { type: 'string' },
      json: { type: 'boolean', default: false },
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
  const variants = values.variant ?? builtinVariantFiles();
  const scenarios = values.scenario ?? builtinScenarioFiles(values.group);
  if (values.replay && (variants.length !== 1 || scenarios.length !== 1)) {
    throw new UsageError('--replay needs exactly one --variant and one --scenario (copy the printed command whole)');
  }
  const models = modelsOption(values.model);
  if (values.replay && models.length !== 1) throw new UsageError('--replay needs exactly one --model');
  return {
    variants,
    scenarios,
    models,
    json: values.json!,
    options: {
      strategy,
      seed: intOption(values.seed, 'seed', DEFAULT_CHECK.seed),
      executions: intOption(values.executions, 'executions', DEFAULT_CHECK.executions),
      preemptions: intOption(values.preemptions, 'preemptions', DEFAULT_CHECK.preemptions),
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
  const results: CheckResult[] = [];
  for (const cell of planCells(sel.variants, sel.scenarios, sel.models)) {
    const r = await runCell(cell, sel.options);
    results.push(r);
    if (!sel.json) printResult(r);
  }
  if (sel.json) console.log(JSON.stringify({ results }, null, 2));
  else printMatrix(results);
  return exitStatus(results);
}

/** 2 when a cell could not run (bad input), else 1 when a verdict differs from its expectation. */
export function exitStatus(results: CheckResult[]): number {
  if (results.some((r) => r.error)) return 2;
  return results.some((r) => r.expected !== undefined && r.expected !== r.verdict) ? 1 : 0;
}

// The options `fence-lab check` and `fence-lab necessity` share: which scenarios and models,
// and the search budget of every cell (strategy, seed, executions, preemption bound), parsed
// and validated the same way so a necessity run uses exactly check's budgets.

import type { ModelName } from '../results/types.ts';
import { DEFAULT_CHECK, type CheckOptions, type Strategy } from '../sim/check.ts';
import { availableModels, MODEL_NAMES } from '../sim/memory/index.ts';
import { SCENARIO_GROUPS } from '../sim/registry.ts';
import { REDUCTIONS, type Reduction } from '../sim/schedulers/dfs.ts';

/** Bad command-line input: printed with the command's help, exit 2. */
export class UsageError extends Error {}

/** parseArgs specs of the shared options. */
export const CELL_OPTIONS = {
  scenario: { type: 'string', multiple: true },
  group: { type: 'string' },
  model: { type: 'string', multiple: true },
  strategy: { type: 'string' },
  seed: { type: 'string' },
  executions: { type: 'string' },
  preemptions: { type: 'string' },
  reduction: { type: 'string' },
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
  jobs: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function intOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, got '${value}'`);
  return n;
}

export function modelsOption(values: string[] | undefined): ModelName[] {
  if (!values || values.length === 0) return availableModels();
  const models = values.flatMap((v) => v.split(',')).map((m) => m.trim()) as ModelName[];
  for (const m of models) {
    if (!MODEL_NAMES.includes(m)) throw new UsageError(`unknown --model '${m}'; models: ${MODEL_NAMES.join(', ')}`);
    if (!availableModels().includes(m)) throw new UsageError(`--model ${m} is not built yet; available: ${availableModels().join(', ')}`);
  }
  return models;
}

export function groupOption(group: string | undefined): string | undefined {
  if (group && !(SCENARIO_GROUPS as readonly string[]).includes(group)) throw new UsageError(`unknown --group '${group}'; groups: ${SCENARIO_GROUPS.join(', ')}`);
  return group;
}

/** The budget of every cell; `replay` given: the replay strategy. */
export function budgetOptions(values: { strategy?: string; seed?: string; executions?: string; preemptions?: string; reduction?: string }, replay?: string): Omit<CheckOptions, 'model'> {
  const strategy = (replay ? 'replay' : (values.strategy ?? DEFAULT_CHECK.strategy)) as Strategy;
  if (!['auto', 'random', 'pct', 'dfs', 'replay'].includes(strategy)) throw new UsageError(`unknown --strategy '${strategy}'; strategies: auto, random, pct, dfs`);
  const reduction = values.reduction as Reduction | undefined;
  if (reduction !== undefined && !REDUCTIONS.includes(reduction)) throw new UsageError(`unknown --reduction '${values.reduction}'; reductions: ${REDUCTIONS.join(', ')}`);
  return {
    strategy,
    seed: intOption(values.seed, 'seed', DEFAULT_CHECK.seed),
    executions: intOption(values.executions, 'executions', DEFAULT_CHECK.executions),
    preemptions: intOption(values.preemptions, 'preemptions', DEFAULT_CHECK.preemptions),
    ...(reduction ? { reduction } : {}),
    ...(replay ? { replay } : {}),
  };
}

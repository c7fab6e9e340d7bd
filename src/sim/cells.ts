// The cells of the verdict matrix: planning them (variant x scenario x model, in a stable
// order) and running one. Shared by `fence-lab check`, `fence-lab report` and the worker pool,
// so every caller gets the same results for the same cell.

import type { CheckResult, ModelName } from '../results/types.ts';
import { check, type CheckOptions } from './check.ts';
import { KernelLoadError } from './loader.ts';
import { PathSyntaxError } from './path.ts';
import { ScenarioDefinitionError } from '../scenario.ts';
import { ReplayDivergence } from './schedulers/replay.ts';
import { loadScenario, loadVariant, nameOf } from './registry.ts';

export interface Cell {
  /** a built-in name or a path, as the user gave it */
  variant: string;
  scenario: string;
  model: ModelName;
  /** an ordering point of the variant to take away (file:line:primitive), see ordering-points.ts */
  ablate?: string;
}

/** Scenarios down, variants across, models innermost: the order results are printed in. */
export function planCells(variants: string[], scenarios: string[], models: ModelName[], ablate?: string): Cell[] {
  return scenarios.flatMap((scenario) => variants.flatMap((variant) => models.map((model) => ({ variant, scenario, model, ...(ablate ? { ablate } : {}) }))));
}

/** Errors that mean "bad input", not "a finding": the cell gets an error and exit status 2. */
export function isInputError(err: unknown): err is Error {
  return err instanceof KernelLoadError || err instanceof ScenarioDefinitionError || err instanceof PathSyntaxError || err instanceof ReplayDivergence;
}

function displayName(nameOrPath: string): string {
  return nameOf(nameOrPath.replace(/^.*\//, ''));
}

export async function runCell(cell: Cell, options: Omit<CheckOptions, 'model'>): Promise<CheckResult> {
  let variantName = displayName(cell.variant);
  let scenarioName = displayName(cell.scenario);
  try {
    const variant = await loadVariant(cell.variant, cell.ablate);
    variantName = variant.name;
    const scenario = await loadScenario(cell.scenario);
    scenarioName = scenario.name;
    return check(variant, scenario, { ...options, model: cell.model });
  } catch (err) {
    if (!isInputError(err)) throw err;
    return { variant: variantName, ...(cell.ablate ? { ablate: cell.ablate } : {}), scenario: scenarioName, model: cell.model, strategy: options.strategy, verdict: 'violation', complete: false, executions: 0, ms: 0, error: err.message };
  }
}

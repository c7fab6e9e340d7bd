// Necessity analysis (issue 18): why is each barrier there? Each ordering point of a design is
// taken away in turn (ordering-points.ts) and the ablated design is checked against the race
// catalogue and the semantics group, under each memory model, with check's budgets. The first
// scenario that the design passes as written and fails without the point is the race the point
// prevents; a point whose removal breaks nothing is a candidate the reviewer may remove -- for
// the races in the catalogue, under the models and bound used, and nothing more.
//
// Scenarios the design already fails as written are left out: a violation there cannot be
// charged to the ablation. Each (point, model) is one task on the worker pool; it runs the
// scenarios one after another and stops at the first violation.

import type { ModelName, NecessityResult } from '../results/types.ts';
import { check, type CheckOptions } from './check.ts';
import { orderingPoints, type OrderingPoint } from './ordering-points.ts';
import { loadScenario, loadVariant, resolveVariantFile } from './registry.ts';
import { task, type Task } from './pool.ts';

/** A design's name as results show it: a built-in's name, or the file's base name. */
export interface NecessityPlan {
  variant: string;
  points: OrderingPoint[];
}

/** The points `fence-lab necessity` ablates for a design (its own methods', or all it runs). */
export function planNecessity(variant: string, inherited: boolean): NecessityPlan {
  return { variant, points: orderingPoints(resolveVariantFile(variant), inherited) };
}

/** The task that checks `point` taken away from `variant` under `model`, on the worker pool. */
export function ablationTask(variant: string, point: OrderingPoint, model: ModelName, scenarios: readonly string[], options: Omit<CheckOptions, 'model'>): Task {
  return task(new URL(import.meta.url), 'runAblation', variant, point.id, model, scenarios, options);
}

/**
 * Runs the scenarios, in order, on the design without the ordering point `ablate` under
 * `model`, until one fails. Exported for the worker pool (arguments and result are plain data).
 */
export async function runAblation(variant: string, ablate: string, model: ModelName, scenarios: readonly string[], options: Omit<CheckOptions, 'model'>): Promise<NecessityResult> {
  const started = performance.now();
  const design = await loadVariant(variant, ablate);
  const point = design.ablated!;
  const row = {
    variant: design.name,
    site: point.site,
    primitive: point.primitive,
    ablation: point.ablation,
    model,
    ablate: point.id,
    method: point.method,
    source: point.source,
    kind: point.kind,
    bound: options.preemptions,
    scenarios: 0,
    executions: 0,
  };
  let complete = true;
  for (const name of scenarios) {
    const r = check(design, await loadScenario(name), { ...options, model });
    row.scenarios++;
    row.executions += r.executions;
    if (r.violation) {
      const v = r.violation;
      return { ...row, verdict: 'violation', complete: false, violation: { scenario: r.scenario, kind: v.kind, headline: v.headline, replay: v.replay, command: v.command! }, ms: elapsed(started) };
    }
    complete &&= r.complete;
  }
  return { ...row, verdict: 'pass', complete, ms: elapsed(started) };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

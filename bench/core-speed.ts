// Simulator speed on R9 (is-signaled-put-uaf, current-shared-lock), single thread, under one
// memory model (default sc): simulated primitive steps per second and executions per second,
// for the random strategy (full executions, no stop at the violation) and for dfs at
// preemption bound 2.
// Run: npm run bench:core [-- VARIANT SCENARIO] [-- --model tso|weak]
// (numbers go in the issue notes; nothing here is asserted)

import { performance } from 'node:perf_hooks';
import { programOf } from '../src/sim/check.ts';
import { Execution } from '../src/sim/execution.ts';
import { createMemoryModel, MODEL_NAMES } from '../src/sim/memory/index.ts';
import type { ModelName } from '../src/results/types.ts';
import { loadScenario, loadVariant } from '../src/sim/registry.ts';
import { DfsScheduler } from '../src/sim/schedulers/dfs.ts';
import { RandomScheduler } from '../src/sim/schedulers/random.ts';
import type { Scheduler } from '../src/sim/schedulers/scheduler.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--model');
const model = (at >= 0 ? args.splice(at, 2)[1] : 'sc') as ModelName;
if (!MODEL_NAMES.includes(model)) throw new Error(`--model takes one of ${MODEL_NAMES.join(', ')}`);
const variant = await loadVariant(args[0] ?? 'current-shared-lock');
const scenario = await loadScenario(args[1] ?? 'is-signaled-put-uaf');
console.log(`${variant.name} x ${scenario.name} under ${model}`);
const program = programOf(variant, scenario);

function measure(label: string, scheduler: Scheduler, budgetMs: number): void {
  const ex = new Execution(createMemoryModel(model), scheduler, 20_000);
  let executions = 0;
  let steps = 0;
  let violations = 0;
  const start = performance.now();
  while (performance.now() - start < budgetMs && scheduler.startExecution()) {
    const r = ex.run(program, false);
    scheduler.endExecution();
    executions++;
    steps += r.steps;
    if (r.violation) violations++;
  }
  const s = (performance.now() - start) / 1000;
  console.log(
    `${label.padEnd(22)} ${executions} executions in ${s.toFixed(2)} s: ${Math.round(executions / s)} exec/s, ${Math.round(steps / s)} steps/s, ${(steps / executions).toFixed(0)} steps/exec, ${violations} violating${scheduler.complete ? ', complete' : ''}`,
  );
}

measure('warm-up', new RandomScheduler(7), 1000);
measure('random (seed 1)', new RandomScheduler(1), 3000);
measure('dfs (bound 2)', new DfsScheduler(2), 10_000);

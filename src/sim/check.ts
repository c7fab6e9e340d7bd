// check(): one cell of the verdict matrix, a variant against a scenario under a memory model.
// Explores executions with the chosen strategy until a violation or the budget runs out;
// shrinks a violation to the fewest preemptions; replays it with tracing on to produce the
// report. Returns data; the CLI prints it (DESIGN.md: core returns data, a thin shell prints).

import path from 'node:path';
import type { CheckResult, ModelName, ViolationReport } from '../results/types.ts';
import { expectedVerdict } from '../scenario.ts';
import type { SimCpu } from './cpu.ts';
import { Execution, type ExecutionResult, type Program } from './execution.ts';
import { formatTrace, headlineOf } from './format.ts';
import { createMemoryModel } from './memory/index.ts';
import { decodePath, encodePath, type Choice } from './path.ts';
import { SCENARIOS_DIR, VARIANTS_DIR, type LoadedScenario, type LoadedVariant } from './registry.ts';
import { DfsScheduler } from './schedulers/dfs.ts';
import { RandomScheduler } from './schedulers/random.ts';
import { ReplayScheduler } from './schedulers/replay.ts';
import type { Scheduler } from './schedulers/scheduler.ts';
import { SourceMapper } from './source-lines.ts';

export type Strategy = 'random' | 'dfs' | 'replay';

export interface CheckOptions {
  model: ModelName;
  strategy: Strategy;
  seed: number;
  /** execution budget for random; a cap for dfs */
  executions: number;
  /** dfs preemption bound */
  preemptions: number;
  /** the choice path, for strategy replay */
  replay?: string;
}

export const DEFAULT_CHECK: CheckOptions = { model: 'sc', strategy: 'random', seed: 1, executions: 10_000, preemptions: 2 };

/** Executions the shrinker may spend per preemption bound. */
const SHRINK_BUDGET = 5_000;
const DEFAULT_STEP_BOUND = 20_000;

type Gen = Generator<unknown, unknown, unknown>;
type KernelGen = (...args: unknown[]) => Gen;

/** Builds the program an execution runs: a fresh variant instance each time. */
export function programOf(variant: LoadedVariant, scenario: LoadedScenario): Program {
  const def = scenario.def;
  let fences: Record<string, KernelGen> = {};
  return {
    warningsFatal: !def.allowWarnings,
    *setup(cpu: SimCpu) {
      fences = new variant.cls() as Record<string, KernelGen>;
      yield* fences['dma_buf_init']!.call(fences, cpu);
      return yield* (def.setup as unknown as KernelGen)(cpu, fences);
    },
    threads(shared: unknown) {
      return def.threads.map((t) => ({
        name: t.name,
        cpu: t.cpu,
        context: t.context,
        start: (cpu: SimCpu) => (t.run as unknown as KernelGen).call(t, cpu, fences, shared),
      }));
    },
    teardown: def.teardown ? (cpu: SimCpu, shared: unknown) => (def.teardown as unknown as KernelGen)(cpu, fences, shared) : undefined,
  };
}

function schedulerFor(opts: CheckOptions, replayPath: Choice[] | null): Scheduler {
  switch (opts.strategy) {
    case 'random':
      return new RandomScheduler(opts.seed);
    case 'dfs':
      return new DfsScheduler(opts.preemptions);
    case 'replay':
      return new ReplayScheduler(replayPath ?? []);
  }
}

/** Built-ins by name, anything else by path, so the command works from where it was printed. */
export function replayCommand(variant: LoadedVariant, scenario: LoadedScenario, model: ModelName, replay: string): string {
  const v = path.dirname(variant.file) === VARIANTS_DIR ? variant.name : path.relative(process.cwd(), variant.file);
  const s = path.dirname(path.dirname(scenario.file)) === SCENARIOS_DIR ? path.basename(scenario.file, '.ts') : path.relative(process.cwd(), scenario.file);
  return `npx fence-lab check --variant ${v} --scenario ${s} --model ${model} --replay '${replay}'`;
}

/** Runs one cell. */
export function check(variant: LoadedVariant, scenario: LoadedScenario, opts: CheckOptions): CheckResult {
  const started = performance.now();
  const program = programOf(variant, scenario);
  const stepBound = scenario.def.stepBound ?? DEFAULT_STEP_BOUND;
  const replayPath = opts.strategy === 'replay' ? decodePath(opts.replay ?? '') : null;
  const scheduler = schedulerFor(opts, replayPath);
  const ex = new Execution(createMemoryModel(opts.model), scheduler, stepBound);
  let executions = 0;
  let failing: ExecutionResult | null = null;
  while (executions < opts.executions && scheduler.startExecution()) {
    executions++;
    const result = ex.run(program, false);
    scheduler.endExecution();
    if (result.violation) {
      failing = result;
      break;
    }
  }
  const expected = expectedVerdict(scenario.def, variant.name, opts.model);
  const base = {
    variant: variant.name,
    scenario: scenario.name,
    model: opts.model,
    strategy: opts.strategy,
    ...(expected ? { expected } : {}),
  };
  if (!failing) {
    return { ...base, verdict: 'pass', complete: scheduler.complete, executions, ms: elapsed(started) };
  }
  const shrunk = opts.strategy === 'replay' ? failing : shrink(program, opts.model, stepBound, failing);
  const violation = report(variant, scenario, opts.model, program, stepBound, shrunk);
  return { ...base, verdict: 'violation', complete: false, executions, ms: elapsed(started), violation };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/**
 * The same kind of violation with fewer preemptions, if one exists: an exhaustive search at
 * each smaller bound, cheapest first (iterative context bounding finds the least-preempting
 * schedule first; CHESS, PLDI'07).
 */
function shrink(program: Program, model: ModelName, stepBound: number, failing: ExecutionResult): ExecutionResult {
  const kind = failing.violation!.kind;
  for (let bound = 0; bound < failing.preemptions; bound++) {
    const dfs = new DfsScheduler(bound);
    const ex = new Execution(createMemoryModel(model), dfs, stepBound);
    for (let n = 0; n < SHRINK_BUDGET && dfs.startExecution(); n++) {
      const result = ex.run(program, false);
      dfs.endExecution();
      if (result.violation?.kind === kind) return result;
    }
  }
  return failing;
}

/** Replays a failing path with tracing on and formats what it shows. */
export function replayTraced(program: Program, model: ModelName, stepBound: number, path: Choice[]): ExecutionResult {
  const replay = new ReplayScheduler(path);
  const ex = new Execution(createMemoryModel(model), replay, stepBound);
  replay.startExecution();
  const result = ex.run(program, true);
  replay.endExecution();
  return result;
}

function report(variant: LoadedVariant, scenario: LoadedScenario, model: ModelName, program: Program, stepBound: number, failing: ExecutionResult): ViolationReport {
  const replay = encodePath(failing.path);
  const traced = replayTraced(program, model, stepBound, failing.path);
  const v = traced.violation;
  if (!v || v.kind !== failing.violation!.kind) {
    throw new Error(`[lab internal bug] replaying ${replay} did not reproduce the ${failing.violation!.kind} (got ${v ? v.kind : 'no violation'})`);
  }
  const mapper = new SourceMapper([variant.bundle, scenario.bundle]);
  const headline = headlineOf(v, mapper);
  const details = v.details.map((d) => `  ${d}`).join('\n');
  const trace = `${headline}\n${details}\n\n${formatTrace(traced, v, mapper)}`;
  return { kind: v.kind, headline, replay, command: replayCommand(variant, scenario, model, replay), trace, preemptions: failing.preemptions };
}

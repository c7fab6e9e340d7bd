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
import { decodeReplay, encodeReplay, type Choice } from './path.ts';
import { Lockdep } from './lockdep.ts';
import { SCENARIOS_DIR, VARIANTS_DIR, type LoadedScenario, type LoadedVariant } from './registry.ts';
import { AutoScheduler } from './schedulers/auto.ts';
import { DfsScheduler, type Reduction } from './schedulers/dfs.ts';
import { PctScheduler } from './schedulers/pct.ts';
import { RandomScheduler } from './schedulers/random.ts';
import { ReplayScheduler } from './schedulers/replay.ts';
import type { Scheduler } from './schedulers/scheduler.ts';
import { SourceMapper } from './source-lines.ts';

export type Strategy = 'auto' | 'random' | 'pct' | 'dfs' | 'replay';

export interface CheckOptions {
  model: ModelName;
  strategy: Strategy;
  seed: number;
  /** execution budget for random and pct; a cap for dfs and auto */
  executions: number;
  /** dfs preemption bound */
  preemptions: number;
  /** dfs (and auto's dfs phase): partial-order reduction; unset: the model's default (defaultReduction) */
  reduction?: Reduction;
  /**
   * dfs and auto: once the search at `preemptions` is complete, verify again at each higher
   * bound up to this one while the execution budget lasts (result: verifiedBound).
   */
  deepenTo?: number;
  /** the choice path, for strategy replay */
  replay?: string;
}

export const DEFAULT_CHECK: CheckOptions = { model: 'sc', strategy: 'auto', seed: 1, executions: 200_000, preemptions: 2 };

/** Randomized executions the auto strategy spends hunting before it verifies with dfs. */
const AUTO_HUNT = 2_000;

/** Executions the shrinker may spend per preemption bound. */
const SHRINK_BUDGET = 5_000;
/** The largest bound the shrinker tries: beyond it exhaustive search costs more than it gives. */
const MAX_SHRINK_BOUND = 3;
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

/** A fresh execution engine with its own lockdep graph (shared by all its executions). */
function newExecution(model: ModelName, scheduler: Scheduler, stepBound: number): Execution {
  return new Execution(createMemoryModel(model), scheduler, stepBound, new Lockdep());
}

/**
 * The reduction a race cell gets unless one is asked for: dpor, except under tso, where a
 * store-buffer drain conflicts with every step of its CPU, so reduction prunes little while
 * its race analysis makes each execution several times dearer (slowest tso cell at bound 2,
 * enable-signaling-irq-inversion x unlocked-enable-signaling: 44,836 executions in 39 s
 * without, 39,723 in 178 s with; README "Partial-order reduction").
 */
export function defaultReduction(model: ModelName): Reduction {
  return model === 'tso' ? 'none' : 'dpor';
}

function schedulerFor(opts: CheckOptions, replayPaths: Choice[][] | null): Scheduler {
  const reduction = opts.reduction ?? defaultReduction(opts.model);
  switch (opts.strategy) {
    case 'auto':
      return new AutoScheduler(opts.seed, opts.preemptions, Math.min(AUTO_HUNT, opts.executions), reduction);
    case 'random':
      return new RandomScheduler(opts.seed);
    case 'pct':
      return new PctScheduler(opts.seed);
    case 'dfs':
      return new DfsScheduler(opts.preemptions, reduction);
    case 'replay':
      return new ReplayScheduler(replayPaths ?? []);
  }
}

/** Built-ins by name, anything else by path, so the command works from where it was printed. */
export function replayCommand(variant: LoadedVariant, scenario: LoadedScenario, model: ModelName, replay: string): string {
  const v = path.dirname(variant.file) === VARIANTS_DIR ? variant.name : path.relative(process.cwd(), variant.file);
  const s = path.dirname(path.dirname(scenario.file)) === SCENARIOS_DIR ? path.basename(scenario.file, '.ts') : path.relative(process.cwd(), scenario.file);
  const ablate = variant.ablated ? ` --ablate ${variant.ablated.id}` : '';
  return `npx fence-lab check --variant ${v}${ablate} --scenario ${s} --model ${model} --replay '${replay}'`;
}

/** Runs one cell. */
export function check(variant: LoadedVariant, scenario: LoadedScenario, opts: CheckOptions): CheckResult {
  const started = performance.now();
  const program = programOf(variant, scenario);
  const stepBound = scenario.def.stepBound ?? DEFAULT_STEP_BOUND;
  const replayPaths = opts.strategy === 'replay' ? decodeReplay(opts.replay ?? '') : null;
  const scheduler = schedulerFor(opts, replayPaths);
  const ex = newExecution(opts.model, scheduler, stepBound);
  let executions = 0;
  let failing: ExecutionResult | null = null;
  const runDfs = (s: Scheduler, e: Execution) => {
    while (executions < opts.executions && s.startExecution()) {
      executions++;
      const result = e.run(program, false);
      s.endExecution();
      if (result.violation) return result;
    }
    return null;
  };
  failing = runDfs(scheduler, ex);
  let verifiedBound = !failing && scheduler.complete && (opts.strategy === 'dfs' || opts.strategy === 'auto') ? opts.preemptions : undefined;
  // Deeper, from scratch at each bound: a bound-b search is not a prefix of a bound-(b+1) one.
  for (let bound = opts.preemptions + 1; verifiedBound === bound - 1 && bound <= (opts.deepenTo ?? -1) && executions < opts.executions; bound++) {
    const deeper = new DfsScheduler(bound, opts.reduction ?? defaultReduction(opts.model));
    failing = runDfs(deeper, newExecution(opts.model, deeper, stepBound));
    if (deeper.complete && !failing) verifiedBound = bound;
  }
  // An ablated design is not the one the scenario states verdicts for.
  const expected = variant.ablated ? undefined : expectedVerdict(scenario.def, variant.name, opts.model);
  const base = {
    variant: variant.name,
    ...(variant.ablated ? { ablate: variant.ablated.id } : {}),
    scenario: scenario.name,
    group: scenario.def.group,
    ...(scenario.def.demonstrates ? { demonstrates: scenario.def.demonstrates, reading: scenario.def.reading ?? '' } : {}),
    model: opts.model,
    strategy: opts.strategy,
    ...(expected ? { expected } : {}),
  };
  if (!failing) {
    return { ...base, verdict: 'pass', complete: scheduler.complete, ...(verifiedBound !== undefined ? { verifiedBound } : {}), executions, ms: elapsed(started) };
  }
  const shrunk = opts.strategy === 'replay' || failing.prelude.length > 0 ? failing : shrink(program, opts.model, stepBound, failing, opts.reduction ?? defaultReduction(opts.model));
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
function shrink(program: Program, model: ModelName, stepBound: number, failing: ExecutionResult, reduction?: Reduction): ExecutionResult {
  const kind = failing.violation!.kind;
  for (let bound = 0; bound < Math.min(failing.preemptions, MAX_SHRINK_BOUND + 1); bound++) {
    const dfs = new DfsScheduler(bound, reduction);
    const ex = newExecution(model, dfs, stepBound);
    for (let n = 0; n < SHRINK_BUDGET && dfs.startExecution(); n++) {
      const result = ex.run(program, false);
      dfs.endExecution();
      if (result.violation?.kind === kind) return result;
    }
  }
  return failing;
}

/** Replays a failing execution (after the executions it rests on) with tracing on. */
export function replayTraced(program: Program, model: ModelName, stepBound: number, paths: Choice[][]): ExecutionResult {
  const replay = new ReplayScheduler(paths);
  const ex = newExecution(model, replay, stepBound);
  let result: ExecutionResult | null = null;
  for (let i = 0; replay.startExecution(); i++) {
    result = ex.run(program, i === paths.length - 1);
    replay.endExecution();
  }
  return result!;
}

function report(variant: LoadedVariant, scenario: LoadedScenario, model: ModelName, program: Program, stepBound: number, failing: ExecutionResult): ViolationReport {
  const paths = [...failing.prelude, failing.path];
  const replay = encodeReplay(paths);
  const traced = replayTraced(program, model, stepBound, paths);
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

// Every execution of a program under dfs, violations included (check() stops at the first):
// what partial-order reduction is measured and tested against. Outcomes are counted by name:
// the violation kind, or "pass", or what `outcome` makes of the final state.

import type { LitmusTest } from '../litmus/ast.ts';
import { litmusProgram } from '../litmus/run.ts';
import type { ModelName } from '../results/types.ts';
import { Execution, type Program } from './execution.ts';
import { Lockdep } from './lockdep.ts';
import { createMemoryModel } from './memory/index.ts';
import type { MemoryModel } from './memory/model.ts';
import { WeakMemory } from './memory/weak.ts';
import { DfsScheduler, type Reduction } from './schedulers/dfs.ts';

export interface Exploration {
  /** executions run, redundant ones (cut short by sleep sets) included */
  executions: number;
  redundant: number;
  complete: boolean;
  /** outcome -> executions that ended in it (redundant executions have none) */
  outcomes: Map<string, number>;
  ms: number;
}

export interface ExploreOptions {
  bound: number;
  reduction: Reduction;
  /** stop after this many executions (complete: false) */
  maxExecutions: number;
  stepBound: number;
  /**
   * Lockdep's graph spans executions, so what it reports depends on the order they run in;
   * without it a bad lock order shows as the deadlock itself.
   */
  lockdep: boolean;
  /** the final state of a passing execution, when passes are told apart */
  outcome?: () => string;
}

export function explore(program: Program, model: ModelName | MemoryModel, opts: ExploreOptions): Exploration {
  const started = performance.now();
  const dfs = new DfsScheduler(opts.bound, opts.reduction);
  const memory = typeof model === 'string' ? createMemoryModel(model) : model;
  const ex = new Execution(memory, dfs, opts.stepBound, opts.lockdep ? new Lockdep() : null);
  const outcomes = new Map<string, number>();
  let executions = 0;
  let redundant = 0;
  while (executions < opts.maxExecutions && dfs.startExecution()) {
    executions++;
    const r = ex.run(program, false);
    dfs.endExecution();
    if (r.redundant) {
      redundant++;
      continue;
    }
    const name = r.violation ? r.violation.kind : opts.outcome ? opts.outcome() : 'pass';
    outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
  }
  return { executions, redundant, complete: dfs.complete, outcomes, ms: Math.round(performance.now() - started) };
}

/** A litmus test's exploration: its outcomes are the final states (registers and memory). */
export function exploreLitmus(test: LitmusTest, model: ModelName, reduction: Reduction, maxExecutions = 2_000_000): Exploration {
  const memory = createMemoryModel(model);
  // as runLitmus: registers carry dependencies exactly
  if (memory instanceof WeakMemory) memory.valueDependencies = false;
  const { program, frame } = litmusProgram(test, memory);
  return explore(program, memory, {
    bound: Infinity,
    reduction,
    maxExecutions,
    stepBound: 10_000,
    lockdep: false,
    outcome: () => {
      const f = frame();
      return JSON.stringify({ registers: f.registers, memory: f.memory });
    },
  });
}

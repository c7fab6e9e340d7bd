// A scenario: one executable race or semantic test. It names the mail or patch it comes from,
// builds its driver model in `setup`, runs its threads (each bound to a CPU and a context),
// optionally tears down, and states the verdict it expects for every built-in design, per
// memory model where that matters, so the suite is also the checker's regression test.

import type { Cpu, ExecContext } from './kernel/cpu.ts';
import type { ModelName, Verdict } from './results/types.ts';
import type Fences from '../variants/current-shared-lock.ts';

export type { Fences };

export interface ScenarioThread<S> {
  /** Shown in traces, e.g. "irq" -> "CPU0 irq". */
  name: string;
  cpu: number;
  context: ExecContext;
  run(cpu: Cpu, fences: Fences, shared: S): void;
}

export type Expectation = Verdict | Partial<Record<ModelName, Verdict>>;

export interface ScenarioDef<S> {
  name: string;
  title: string;
  /** The mail, patch or selftest this models. */
  source: string;
  group: 'races' | 'semantics';
  /**
   * Set when the scenario shows an outcome the API allows rather than a defect (R17: callbacks
   * of one context may run out of emission order): it asserts the outcome only to show it is
   * reached. Reports list it apart, out of the safety counts and the headline chart.
   */
  demonstrates?: 'allowed-outcome';
  /** With `demonstrates`: the outcome in one line, e.g. "callbacks of one context may run out of emission order". */
  reading?: string;
  setup(cpu: Cpu, fences: Fences): S;
  threads: ScenarioThread<S>[];
  teardown?(cpu: Cpu, fences: Fences, shared: S): void;
  /** Expected verdict per built-in variant name. */
  expect: Record<string, Expectation>;
  /** WARN()s are violations unless the scenario expects them (e.g. a caller-bug scenario). */
  allowWarnings?: boolean;
  /** Steps per execution before a `step-bound` violation (default 20000). */
  stepBound?: number;
}

export class ScenarioDefinitionError extends Error {}

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function scenario<S>(def: ScenarioDef<S>): ScenarioDef<S> {
  const problems: string[] = [];
  if (!KEBAB.test(def.name)) problems.push(`name "${def.name}" must be kebab-case`);
  if (!def.source) problems.push('source: name the mail, patch or selftest this models');
  if (def.demonstrates !== undefined) {
    if (def.demonstrates !== 'allowed-outcome') problems.push(`demonstrates: the only kind is 'allowed-outcome', got '${String(def.demonstrates)}'`);
    if (!def.reading?.trim() || def.reading.includes('\n')) problems.push('reading: with demonstrates, say the allowed outcome in one line');
  } else if (def.reading !== undefined) problems.push("reading: only with demonstrates: 'allowed-outcome'");
  if (def.threads.length === 0) problems.push('threads: at least one');
  const process = new Set<number>();
  for (const t of def.threads) {
    if (!Number.isInteger(t.cpu) || t.cpu < 0 || t.cpu > 7) problems.push(`thread ${t.name}: cpu must be 0..7`);
    if (t.context !== 'process' && t.context !== 'hardirq') problems.push(`thread ${t.name}: context must be 'process' or 'hardirq'`);
    if (t.context === 'process') {
      if (process.has(t.cpu)) problems.push(`thread ${t.name}: CPU${t.cpu} already has a process thread`);
      process.add(t.cpu);
    }
  }
  if (problems.length > 0) throw new ScenarioDefinitionError(`scenario ${def.name}: ${problems.join('; ')}`);
  return def;
}

/** The verdict a scenario expects for a variant under a model, if it states one. */
export function expectedVerdict(def: ScenarioDef<unknown>, variant: string, model: ModelName): Verdict | undefined {
  const e = def.expect[variant];
  if (e === undefined) return undefined;
  return typeof e === 'string' ? e : e[model];
}

// Final-state checking and herd7's verdict.
//
// herd7 (herdtools7 herd/top_herd.ml) counts, over the executions kept, `pos` = those
// whose final state satisfies the condition's proposition P and `neg` = the others,
// whatever the quantifier. Then:
//   Observation word: Never if pos = 0, else Always if neg = 0, else Sometimes;
//   condition line "Ok"/"No": exists P -> pos > 0; ~exists P -> pos = 0; forall P -> neg = 0;
//   "Witnesses Positive/Negative": (pos, neg), swapped for ~exists.
// A `filter` drops executions before anything is counted (memory-model-notes.md b.2).

import type { AddressOf, ConditionSubject, IntLiteral, LitmusTest, Observation, Prop, Quantifier } from './ast.ts';

/** A pointer value: the address of a shared location. */
export interface LocationRef {
  readonly loc: string;
}

export type FinalValue = number | LocationRef;

/** What an execution left behind: registers per thread id, and memory per location. */
export interface FinalState {
  readonly registers: Readonly<Record<number, Readonly<Record<string, FinalValue>>>>;
  readonly memory: Readonly<Record<string, FinalValue>>;
}

export function evaluate(prop: Prop, state: FinalState): boolean {
  switch (prop.kind) {
    case 'and':
      return evaluate(prop.left, state) && evaluate(prop.right, state);
    case 'or':
      return evaluate(prop.left, state) || evaluate(prop.right, state);
    case 'not':
      return !evaluate(prop.operand, state);
    case 'atom':
      return prop.value.kind === 'register'
        ? sameValue(valueOf(prop.subject, state), valueOf(prop.value, state))
        : matches(valueOf(prop.subject, state), prop.value);
  }
}

function valueOf(subject: ConditionSubject, state: FinalState): FinalValue {
  const value =
    subject.kind === 'register' ? state.registers[subject.thread]?.[subject.register] : state.memory[subject.location];
  if (value === undefined) {
    const name = subject.kind === 'register' ? `${subject.thread}:${subject.register}` : subject.location;
    throw new Error(`[lab internal bug] the final state has no value for ${name}`);
  }
  return value;
}

function sameValue(a: FinalValue, b: FinalValue): boolean {
  return typeof a === 'number' || typeof b === 'number' ? a === b : a.loc === b.loc;
}

function matches(actual: FinalValue, expected: IntLiteral | AddressOf): boolean {
  return expected.kind === 'int'
    ? actual === expected.value
    : typeof actual === 'object' && actual.loc === expected.location;
}

export interface Witnesses {
  /** Kept executions satisfying the proposition. */
  readonly positive: number;
  /** Kept executions not satisfying it. */
  readonly negative: number;
  /** Executions dropped by `filter`. */
  readonly filteredOut: number;
}

/** Counts final states, one per execution, after the test's filter. */
export function countWitnesses(test: Pick<LitmusTest, 'condition' | 'filter'>, states: Iterable<FinalState>): Witnesses {
  let positive = 0;
  let negative = 0;
  let filteredOut = 0;
  for (const state of states) {
    if (test.filter && !evaluate(test.filter, state)) filteredOut++;
    else if (evaluate(test.condition.prop, state)) positive++;
    else negative++;
  }
  return { positive, negative, filteredOut };
}

export interface Verdict {
  /** The word of herd7's `Observation` line, compared with a test's `Result:`. */
  readonly observation: Observation;
  /** herd7's `Ok` / `No` line: whether the quantified condition holds. */
  readonly validated: boolean;
  /** herd7's `Positive: p Negative: n` line. */
  readonly witnesses: { readonly positive: number; readonly negative: number };
}

/** herd7's verdict from the counts of executions satisfying (`positive`) or not (`negative`) the proposition. */
export function classify(positive: number, negative: number, quantifier: Quantifier): Verdict {
  const observation: Observation = positive === 0 ? 'Never' : negative === 0 ? 'Always' : 'Sometimes';
  switch (quantifier) {
    case 'exists':
      return { observation, validated: positive > 0, witnesses: { positive, negative } };
    case '~exists':
      return { observation, validated: positive === 0, witnesses: { positive: negative, negative: positive } };
    case 'forall':
      return { observation, validated: negative === 0, witnesses: { positive, negative } };
  }
}

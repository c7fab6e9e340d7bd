// Litmus conformance per memory model: how many tests have an expected result (LKMM's, from
// the test's Result: line), how many the model agrees with, and how the others differ.
// A model is *stronger* on a test when it forbids an outcome LKMM allows, *weaker* when it
// allows one LKMM forbids. Only weak is meant to agree with LKMM everywhere; sc and tso are
// stronger by design wherever those machines forbid the outcome, and no model may be weaker.
import type { LitmusResult, LitmusResults, ModelName } from '../results/types.ts';
import { MODEL_ORDER } from './verdicts.ts';

/** The model meant to agree with LKMM on every test. */
export const LKMM_MODEL: ModelName = 'weak';

export type LitmusStatus = 'agrees' | 'stronger' | 'weaker' | 'unchecked';

export function litmusStatus(r: LitmusResult): LitmusStatus {
  if (r.agrees === null || r.expected === null) return 'unchecked';
  if (r.agrees) return 'agrees';
  // LKMM allows the condition's outcome (Sometimes) and the model never or always shows it:
  // the model forbids outcomes LKMM allows
  return r.expected === 'Sometimes' ? 'stronger' : 'weaker';
}

/** A difference from LKMM that is a finding: any weaker answer, and a stronger one from weak. */
export function isFinding(r: LitmusResult): boolean {
  const status = litmusStatus(r);
  return status === 'weaker' || (status === 'stronger' && r.model === LKMM_MODEL);
}

export interface ModelConformance {
  model: ModelName;
  tests: number;
  agree: number;
  stronger: LitmusResult[];
  weaker: LitmusResult[];
  /** Every test whose observed result is not the expected one. */
  disagree: LitmusResult[];
  /** Tests with no expected result for this model (agrees: null). */
  unchecked: number;
}

export function litmusConformance(litmus: LitmusResults): ModelConformance[] {
  return MODEL_ORDER.flatMap((model) => {
    const results = litmus.results.filter((r) => r.model === model);
    if (results.length === 0) return [];
    return [{
      model,
      tests: results.length,
      agree: results.filter((r) => litmusStatus(r) === 'agrees').length,
      stronger: results.filter((r) => litmusStatus(r) === 'stronger'),
      weaker: results.filter((r) => litmusStatus(r) === 'weaker'),
      disagree: results.filter((r) => r.agrees === false),
      unchecked: results.filter((r) => litmusStatus(r) === 'unchecked').length,
    }];
  });
}

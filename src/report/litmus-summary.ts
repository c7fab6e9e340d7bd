// Litmus conformance per memory model: how many tests have an expected result, how many
// the model agrees with, and which disagree.
import type { LitmusResult, LitmusResults, ModelName } from '../results/types.ts';
import { MODEL_ORDER } from './verdicts.ts';

export interface ModelConformance {
  model: ModelName;
  tests: number;
  agree: number;
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
      agree: results.filter((r) => r.agrees === true).length,
      disagree: results.filter((r) => r.agrees === false),
      unchecked: results.filter((r) => r.agrees === null).length,
    }];
  });
}

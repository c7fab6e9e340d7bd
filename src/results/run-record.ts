// The combined results file `fence-lab report --save` writes and history stores: one run of the
// lab on one machine, stamped with its environment (DESIGN.md "Results, reports, history").
// Any part may be absent: a bench-only run has no `check`, a check-only run no `bench`.
import type { ParsedResults } from './schema.ts';
import type { BenchContext, BenchResults, CheckResults, LitmusResults, NecessityResults } from './types.ts';

export interface RunRecord {
  schema: 1;
  context: BenchContext;
  bench?: BenchResults;
  check?: CheckResults;
  litmus?: LitmusResults;
}

/** The parts of a run that compare and history read; every results file kind maps onto it. */
export interface RunParts {
  context?: BenchContext;
  bench?: BenchResults;
  check?: CheckResults;
  litmus?: LitmusResults;
  /** `fence-lab necessity` results: read by the report, not kept in run records */
  necessity?: NecessityResults;
}

export function runParts(parsed: ParsedResults): RunParts {
  switch (parsed.kind) {
    case 'bench':
      return { context: parsed.bench.context, bench: parsed.bench };
    case 'check':
      return { check: parsed.check };
    case 'litmus':
      return { litmus: parsed.litmus };
    case 'necessity':
      return { necessity: parsed.necessity };
    case 'run':
      return parsed.run;
  }
}

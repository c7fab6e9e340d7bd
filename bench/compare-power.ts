// Power and false-alarm rate of `fence-lab compare` on micro rows (issue 16).
//
//   node --import tsx bench/compare-power.ts --synthetic [--isolates 3] [--samples 60] [--pairs 200] [--seed 1]
//   node --import tsx bench/compare-power.ts RUN.json RUN.json ...
//
// Synthetic: independent pairs of noise-only runs shaped like a micro run (src/history/synthetic.ts
// microRowSpecs, VM_NOISE): the A/A false-alarm rate over the pairs, and the power to flag one
// row made 5%, 10% and 50% slower in NEW (the row's own noise still differs between the runs).
// Files: real runs of the same code, the first the base: the A/A alarms of each compare with the
// first, and the power to flag each micro row of run k made 10% slower against run 1 (a real
// run's noise), by operation.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compareRuns, DEFAULT_COMPARE_OPTIONS, rowName } from '../src/history/compare.ts';
import { microRowSpecs, syntheticRun, VM_NOISE } from '../src/history/synthetic.ts';
import { runParts } from '../src/results/run-record.ts';
import { parseResultsFile } from '../src/results/schema.ts';
import type { BenchResults, BenchRow } from '../src/results/types.ts';

const SLOWDOWNS = [1.05, 1.1, 1.5];

/** `bench` with one row's samples multiplied by `factor`. */
function slowed(bench: BenchResults, name: string, factor: number): BenchResults {
  return {
    ...bench,
    results: bench.results.map((row): BenchRow => (rowName(row) === name ? { ...row, value: row.value * factor, samples: row.samples.map((x) => x * factor) } : row)),
  };
}

const flagged = (base: BenchResults, next: BenchResults, name: string): boolean =>
  compareRuns({ context: base.context, bench: base }, { context: next.context, bench: next }).regressions.some((r) => r.startsWith(`${name}:`));

function percent(hits: number, total: number): string {
  return `${hits}/${total} (${((100 * hits) / Math.max(1, total)).toFixed(1)}%)`;
}

function synthetic(isolates: number, samples: number, pairs: number, seed: number): void {
  const specs = microRowSpecs();
  let alarms = 0;
  const hits = SLOWDOWNS.map(() => 0);
  for (let pair = 0; pair < pairs; pair++) {
    const run = (s: number) => syntheticRun(specs, { seed: s, samples: samples * isolates, isolates: { count: isolates, noise: VM_NOISE } });
    const base = run(seed + 2 * pair);
    const next = run(seed + 2 * pair + 1);
    if (compareRuns({ bench: base }, { bench: next }).regressions.length > 0) alarms++;
    const target = rowName(specs[pair % specs.length]!);
    SLOWDOWNS.forEach((factor, i) => (hits[i]! += flagged(base, slowed(next, target, factor), target) ? 1 : 0));
  }
  console.log(`synthetic: ${specs.length} micro rows × ${isolates} isolates × ${samples} samples, VM_NOISE ${JSON.stringify(VM_NOISE)}, ${pairs} pairs from seed ${seed}`);
  console.log(`  A/A compares with a false alarm: ${percent(alarms, pairs)}`);
  SLOWDOWNS.forEach((factor, i) => console.log(`  one row ×${factor} flagged: ${percent(hits[i]!, pairs)}`));
}

function measured(files: string[]): void {
  const runs = files.map((file) => {
    const { bench } = runParts(parseResultsFile(readFileSync(file, 'utf8'), file));
    if (!bench) throw new Error(`${file}: no bench results`);
    return bench;
  });
  const [base, ...rest] = runs;
  let alarms = 0;
  const byOp = new Map<string, { hits: number; total: number }>();
  rest.forEach((next, k) => {
    const comparison = compareRuns({ context: base!.context, bench: base }, { context: next.context, bench: next });
    if (comparison.regressions.length > 0) alarms++;
    console.log(`run ${k + 2} vs run 1: ${comparison.regressions.length} alarm(s), run noise ±${(100 * (comparison.runNoise?.logScale ?? 0)).toFixed(1)}%${comparison.regressions.map((r) => `\n    ${r}`).join('')}`);
    for (const row of next.results) {
      if (!row.isolates || row.error || row.variant === 'floor') continue;
      const name = rowName(row);
      const tally = byOp.get(row.workload) ?? { hits: 0, total: 0 };
      tally.total++;
      if (flagged(base!, slowed(next, name, 1.1), name)) tally.hits++;
      byOp.set(row.workload, tally);
    }
  });
  console.log(`A/A compares with a false alarm: ${percent(alarms, rest.length)}`);
  let hits = 0;
  let total = 0;
  for (const [op, tally] of byOp) {
    console.log(`  ×1.10 of one ${op} row (run k vs run 1) flagged: ${percent(tally.hits, tally.total)}`);
    hits += tally.hits;
    total += tally.total;
  }
  console.log(`  ×1.10 of one micro row, all operations: ${percent(hits, total)}`);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    synthetic: { type: 'boolean', default: false },
    isolates: { type: 'string', default: '3' },
    samples: { type: 'string', default: '60' },
    pairs: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
  },
});
console.log(`compare: factor ${DEFAULT_COMPARE_OPTIONS.factor}, alpha ${DEFAULT_COMPARE_OPTIONS.alpha}`);
if (values.synthetic) synthetic(Number(values.isolates), Number(values.samples), Number(values.pairs), Number(values.seed));
else if (positionals.length >= 2) measured(positionals);
else {
  console.error('compare-power: give --synthetic or at least two saved runs of the same code');
  process.exitCode = 2;
}

// The issue-6 bar from saved micro runs:
//   for i in 1 2 3 4 5; do npx fence-lab bench --workload micro --out run$i.json; done
//   node --import tsx bench/micro/bar.ts run*.json
// prints, per design, is_signaled-signaled as a multiple of the Atomics.load floor (median over
// the runs), locked-reads against current-shared-lock on that row (ratio per run and a
// one-sided Mann-Whitney U over the pooled samples), and the run-to-run coefficient of variation
// of every micro row's figure (the bar: under 3%) and of its samples' median. Nothing is
// asserted; it reports.

import { readFileSync } from 'node:fs';
import { parseResultsFile } from '../../src/results/schema.ts';
import { mannWhitneyU } from '../../src/history/stats.ts';
import type { BenchRow } from '../../src/results/types.ts';
import { cv, quantile } from '../../src/native/stats.ts';

const files = process.argv.slice(2);
if (files.length < 2) {
  console.error('usage: node --import tsx bench/micro/bar.ts RUN.json RUN.json ... (saved by fence-lab bench --workload micro --out)');
  process.exit(2);
}
const runs = files.map((f) => {
  const parsed = parseResultsFile(readFileSync(f, 'utf8'), f);
  if (parsed.kind !== 'bench') throw new Error(`${f}: not a bench results file`);
  return parsed.bench;
});
const find = (rows: BenchRow[], variant: string, workload: string, metric = 'time') => rows.find((r) => r.variant === variant && r.workload === workload && r.metric === metric && !r.error);
const med = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

console.log(`${runs.length} runs: ${runs.map((r) => r.context.date).join(', ')}`);
console.log(`machine: ${runs[0]!.context.cpu}, ${runs[0]!.context.cores} cores, node ${runs[0]!.context.node}`);

const floors = runs.map((r) => find(r.results, 'floor', 'floor', 'atomics-load')?.value ?? NaN);
console.log(`\nAtomics.load floor per run (ns): ${floors.map((x) => x.toFixed(2)).join(' ')}`);
console.log('is_signaled-signaled / floor (median of the per-run ratios):');
const designs = [...new Set(runs.flatMap((r) => r.results.filter((x) => x.workload === 'is_signaled-signaled').map((x) => x.variant)))];
for (const d of designs) {
  const ratios = runs.map((r, i) => (find(r.results, d, 'is_signaled-signaled')?.value ?? NaN) / floors[i]!);
  console.log(`  ${d.padEnd(30)} ${med(ratios).toFixed(2)}x   (runs: ${ratios.map((x) => x.toFixed(2)).join(' ')})`);
}

const lr = runs.map((r) => find(r.results, 'locked-reads', 'is_signaled-signaled'));
const cs = runs.map((r) => find(r.results, 'current-shared-lock', 'is_signaled-signaled'));
if (lr.every(Boolean) && cs.every(Boolean)) {
  const per = lr.map((x, i) => x!.value / cs[i]!.value);
  const mw = mannWhitneyU(lr.flatMap((x) => x!.samples), cs.flatMap((x) => x!.samples), 'greater');
  console.log(`\nlocked-reads / current-shared-lock on is_signaled-signaled: ${per.map((x) => x.toFixed(2)).join(' ')} (per run); ` + `Mann-Whitney U one-sided p = ${mw.p.toExponential(2)}`);
}

// run-to-run spread of a row's figure (the value: the fastest sample of any isolate) and, for
// comparison, of its samples' median
const spread = (label: string, of: (row: BenchRow) => number) => {
  const byKey = new Map<string, number[]>();
  for (const run of runs) {
    for (const row of run.results) {
      if (row.workload.startsWith('irq-load/')) continue;
      const k = `${row.variant} ${row.workload} ${row.metric}`;
      byKey.set(k, [...(byKey.get(k) ?? []), row.error ? NaN : of(row)]);
    }
  }
  const cvs = [...byKey.entries()].map(([k, xs]) => ({ k, c: cv(xs), xs })).filter((x) => Number.isFinite(x.c)).sort((a, b) => a.c - b.c);
  const worst = cvs[cvs.length - 1]!;
  console.log(
    `\nrun-to-run CV of the ${label}, ${cvs.length} micro rows: median ${(100 * cvs[cvs.length >> 1]!.c).toFixed(1)}%, ` +
      `under 3%: ${cvs.filter((x) => x.c < 0.03).length}, worst ${(100 * worst.c).toFixed(1)}% (${worst.k})`,
  );
  return cvs;
};
spread("samples' medians", (row) => med(row.samples));
for (const x of spread('figures (value)', (row) => row.value)) console.log(`  ${x.k.padEnd(56)} ${x.xs.map((v) => v.toFixed(2).padStart(8)).join(' ')}  CV ${(100 * x.c).toFixed(1)}%`);

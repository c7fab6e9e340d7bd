// Prints the timing model's validation tables (README "Timing model"): the one-CPU ratios
// between designs against the native micro figures, and the spinlock-counter shape of
// Boyd-Wickizer et al. 2012. Deterministic: the same tables on any host.
//
//   node --import tsx bench/scale/validate.ts [PROFILE]

import { readFileSync } from 'node:fs';
import { counterRate, ratioTable, RATIO_BASE } from '../../src/timing/validation.ts';

const profile = process.argv[2] ?? 'xeon-8375c';
const native = JSON.parse(readFileSync(new URL('./native-micro.json', import.meta.url), 'utf8')) as { ns: Record<string, Record<string, number>> };
console.log(`One CPU of ${profile}: each design / ${RATIO_BASE}, native (reports/sample) vs model`);
console.log('| operation | design | native | model | off |');
console.log('|---|---|---|---|---|');
for (const r of await ratioTable(profile, native.ns)) {
  console.log(`| ${r.op} | ${r.design} | ${r.native.toFixed(2)} | ${r.model.toFixed(2)} | ${(r.off * 100).toFixed(0)}%${r.agrees ? '' : ' (outside ±30%)'} |`);
}
console.log('');
console.log(`Counter increments per second (millions), ${profile}`);
const ns = [1, 2, 4, 8, 16, 32, 64];
console.log(`| counter | ${ns.map((n) => `N=${n}`).join(' | ')} |`);
console.log(`|---|${ns.map(() => '---').join('|')}|`);
for (const kind of ['ticket', 'qspinlock', 'per-cpu'] as const) {
  const rates = [];
  for (const n of ns) rates.push((await counterRate(kind, n, profile)) / 1e6);
  console.log(`| ${kind} | ${rates.map((r) => r.toFixed(2)).join(' | ')} |`);
}

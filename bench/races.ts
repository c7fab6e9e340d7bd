// The race catalogue's figures for the issue notes (not a test: timings on a shared machine
// are not assertions). For every race scenario x design x memory model:
//  - a violation cell: time and executions until the default strategy (auto, seed 1) finds it;
//  - a pass cell: time and executions of the exhaustive dfs at preemption bound 2, and
//    whether it completed.
// Prints a table, the slowest cells, and any cell whose verdict differs from its scenario.
// Run: node --import tsx bench/races.ts [--model sc,tso,weak] [--scenario NAME ...]

import { parseArgs } from 'node:util';
import type { ModelName } from '../src/results/types.ts';
import { expectedVerdict } from '../src/scenario.ts';
import { check } from '../src/sim/check.ts';
import { builtinScenarioFiles, builtinVariantFiles, loadScenario, loadVariant } from '../src/sim/registry.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'sc,tso,weak' }, scenario: { type: 'string', multiple: true } } });
const models = values.model!.split(',') as ModelName[];
const variants = await Promise.all(builtinVariantFiles().map((f) => loadVariant(f)));
const scenarios = await Promise.all((values.scenario ?? builtinScenarioFiles('races')).map((f) => loadScenario(f)));

interface Row {
  cell: string;
  expected: string;
  verdict: string;
  executions: number;
  ms: number;
  complete: boolean;
}

const rows: Row[] = [];
for (const scenario of scenarios) {
  for (const variant of variants) {
    for (const model of models) {
      const expected = expectedVerdict(scenario.def, variant.name, model) ?? '?';
      const r = expected === 'violation'
        ? check(variant, scenario, { model, strategy: 'auto', seed: 1, executions: 200_000, preemptions: 2 })
        : check(variant, scenario, { model, strategy: 'dfs', seed: 1, executions: 1_000_000, preemptions: 2 });
      const row = { cell: `${scenario.name} x ${variant.name} [${model}]`, expected, verdict: r.verdict, executions: r.executions, ms: r.ms, complete: r.complete };
      rows.push(row);
      console.log(`${row.cell.padEnd(72)} ${row.verdict.padEnd(9)} ${String(row.executions).padStart(8)} exec ${row.ms.toFixed(0).padStart(7)} ms${row.verdict === 'pass' ? (row.complete ? '  complete' : '  INCOMPLETE') : ''}${row.verdict !== expected ? '  DIFFERS' : ''}`);
    }
  }
}

const found = rows.filter((r) => r.verdict === 'violation');
const verified = rows.filter((r) => r.verdict === 'pass');
const slow = (xs: Row[]) => [...xs].sort((a, b) => b.ms - a.ms).slice(0, 5).map((r) => `  ${r.cell}: ${r.ms.toFixed(0)} ms, ${r.executions} executions`);
console.log(`\n${rows.length} cells; ${found.length} violations found, ${verified.length} passes verified (${verified.filter((r) => r.complete).length} complete)`);
console.log(`violations: max ${Math.max(0, ...found.map((r) => r.ms)).toFixed(0)} ms to the first one, median ${median(found.map((r) => r.ms)).toFixed(0)} ms`);
console.log(`slowest to find:\n${slow(found).join('\n')}`);
console.log(`passes: max ${Math.max(0, ...verified.map((r) => r.ms)).toFixed(0)} ms for dfs at bound 2, median ${median(verified.map((r) => r.ms)).toFixed(0)} ms`);
console.log(`slowest to verify:\n${slow(verified).join('\n')}`);
const differ = rows.filter((r) => r.verdict !== r.expected);
console.log(differ.length ? `DIFFER from the scenario files:\n${differ.map((r) => `  ${r.cell}: ${r.verdict}, expected ${r.expected}`).join('\n')}` : 'every verdict as the scenario files state');

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

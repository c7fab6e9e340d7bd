// The semantics group's cost: every built-in variant x every scenario of scenarios/semantics/,
// dfs at preemption bound 2 under SC (the bar every design must pass, complete), one cell at a
// time in this process: executions, milliseconds, executions per second, and the verdict.
// Run: node --import tsx bench/semantics.ts [--model sc] [--preemptions 2] [--json]
// Numbers go in the issue notes; nothing here is asserted (test/semantics.test.ts asserts).

import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import type { ModelName } from '../src/results/types.ts';
import { check } from '../src/sim/check.ts';
import { builtinScenarioFiles, builtinVariantFiles, loadScenario, loadVariant } from '../src/sim/registry.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'sc' },
    preemptions: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const model = values.model as ModelName;
const preemptions = Number(values.preemptions);

const variants = await Promise.all(builtinVariantFiles().map((f) => loadVariant(f)));
const scenarios = await Promise.all(builtinScenarioFiles('semantics').map((f) => loadScenario(f)));

interface Row {
  scenario: string;
  variant: string;
  executions: number;
  ms: number;
  complete: boolean;
  verdict: string;
}

const rows: Row[] = [];
// Warm-up: one cheap cell, so the first measured one does not pay for JIT and module loading.
check(variants[0]!, scenarios[0]!, { model, strategy: 'dfs', seed: 1, executions: 1_000_000, preemptions });
for (const s of scenarios) {
  for (const v of variants) {
    const r = check(v, s, { model, strategy: 'dfs', seed: 1, executions: 1_000_000, preemptions });
    rows.push({ scenario: s.name, variant: v.name, executions: r.executions, ms: r.ms, complete: r.complete, verdict: r.verdict });
    if (!values.json) process.stderr.write('.');
  }
}

if (values.json) {
  console.log(JSON.stringify({ model, preemptions, node: process.version, cpu: cpus()[0]?.model ?? '', rows }, null, 2));
} else {
  process.stderr.write('\n');
  const w = Math.max(...rows.map((r) => r.scenario.length));
  const vw = Math.max(...rows.map((r) => r.variant.length));
  console.log(`semantics group, ${model}, dfs at preemption bound ${preemptions}, one process (${process.version}, ${cpus()[0]?.model ?? '?'})\n`);
  console.log(`${'scenario'.padEnd(w)}  ${'variant'.padEnd(vw)}  ${'executions'.padStart(10)}  ${'ms'.padStart(9)}  ${'exec/s'.padStart(7)}  verdict`);
  for (const r of rows) {
    const rate = r.ms > 0 ? Math.round((r.executions / r.ms) * 1000) : 0;
    console.log(`${r.scenario.padEnd(w)}  ${r.variant.padEnd(vw)}  ${String(r.executions).padStart(10)}  ${r.ms.toFixed(1).padStart(9)}  ${String(rate).padStart(7)}  ${r.verdict}${r.complete ? ' (complete)' : ' (INCOMPLETE)'}`);
  }
  console.log('\nper scenario, all variants:');
  for (const s of scenarios) {
    const mine = rows.filter((r) => r.scenario === s.name);
    const ex = mine.reduce((a, r) => a + r.executions, 0);
    const ms = mine.reduce((a, r) => a + r.ms, 0);
    console.log(`${s.name.padEnd(w)}  ${String(ex).padStart(10)} executions  ${(ms / 1000).toFixed(2).padStart(7)} s  ${mine.every((r) => r.verdict === 'pass' && r.complete) ? 'all pass, complete' : 'NOT all pass/complete'}`);
  }
  const total = rows.reduce((a, r) => a + r.ms, 0);
  const bad = rows.filter((r) => r.verdict !== 'pass' || !r.complete);
  console.log(`\n${rows.length} cells, ${rows.reduce((a, r) => a + r.executions, 0)} executions, ${(total / 1000).toFixed(1)} s; ${bad.length === 0 ? 'every cell passes, complete' : `${bad.length} cells fail or are incomplete`}`);
}

// Partial-order reduction's figures for the issue notes (not a test: timings on a shared
// machine are not assertions; execution counts are the deterministic measure).
//  - the race matrix: every pass cell verified by dfs at --bound (default 2), with and without
//    reduction: executions, time, complete; the slowest cells; with --compare, every cell
//    explored to the end both ways (violations included, lockdep off) and its outcome sets
//    compared: any difference is printed as LOST;
//  - with --litmus, the LKMM corpus (../shared/litmus/lkmm) under every model, unbounded:
//    executions and time both ways, final-state sets compared.
// Run: node --import tsx bench/por.ts [--bound N] [--model sc,tso,weak] [--scenario NAME ...]
//        [--reduction both|dpor|none] [--compare] [--litmus] [--no-races]

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { litmusFiles } from '../src/cli/litmus.ts';
import { parseLitmus } from '../src/litmus/parser.ts';
import type { ModelName } from '../src/results/types.ts';
import { expectedVerdict } from '../src/scenario.ts';
import { check, programOf } from '../src/sim/check.ts';
import { explore, exploreLitmus, type Exploration } from '../src/sim/explore.ts';
import { builtinScenarioFiles, builtinVariantFiles, loadScenario, loadVariant } from '../src/sim/registry.ts';
import type { Reduction } from '../src/sim/schedulers/dfs.ts';

const { values } = parseArgs({
  options: {
    bound: { type: 'string', default: '2' },
    model: { type: 'string', default: 'sc,tso,weak' },
    scenario: { type: 'string', multiple: true },
    reduction: { type: 'string', default: 'both' },
    compare: { type: 'boolean', default: false },
    litmus: { type: 'boolean', default: false },
    'no-races': { type: 'boolean', default: false },
    executions: { type: 'string', default: '5000000' },
  },
});
const bound = Number(values.bound);
const models = values.model!.split(',') as ModelName[];
const reductions: Reduction[] = values.reduction === 'both' ? ['none', 'dpor'] : [values.reduction as Reduction];
const cap = Number(values.executions);
const keys = (e: Exploration) => [...e.outcomes.keys()].sort().join(',');

if (!values['no-races']) {
  const variants = await Promise.all(builtinVariantFiles().map((f) => loadVariant(f)));
  const scenarios = await Promise.all((values.scenario ?? builtinScenarioFiles('races')).map((f) => loadScenario(f)));
  const totals = new Map<Reduction, { executions: number; ms: number; incomplete: number }>(reductions.map((r) => [r, { executions: 0, ms: 0, incomplete: 0 }]));
  const slowest: { cell: string; reduction: Reduction; executions: number; ms: number }[] = [];
  let lost = 0;
  for (const scenario of scenarios) {
    for (const variant of variants) {
      for (const model of models) {
        const cell = `${scenario.name} x ${variant.name} [${model}]`;
        const parts: string[] = [];
        if (values.compare) {
          const opts = { bound, maxExecutions: cap, stepBound: scenario.def.stepBound ?? 20_000, lockdep: false };
          const runs = reductions.map((reduction) => explore(programOf(variant, scenario), model, { ...opts, reduction }));
          runs.forEach((r, i) => parts.push(`${reductions[i]} ${r.executions}${r.complete ? '' : '+'} exec ${r.ms} ms`));
          const differs = runs.length === 2 && runs[0]!.complete && runs[1]!.complete && keys(runs[0]!) !== keys(runs[1]!);
          if (differs) lost++;
          console.log(`${cell.padEnd(72)} ${parts.join('  ')}  {${keys(runs[0]!)}}${differs ? `  LOST: with reduction {${keys(runs[1]!)}}` : ''}`);
          continue;
        }
        if (expectedVerdict(scenario.def, variant.name, model) !== 'pass') continue;
        for (const reduction of reductions) {
          const r = check(variant, scenario, { model, strategy: 'dfs', seed: 1, executions: cap, preemptions: bound, reduction });
          const t = totals.get(reduction)!;
          t.executions += r.executions;
          t.ms += r.ms;
          if (!r.complete) t.incomplete++;
          slowest.push({ cell, reduction, executions: r.executions, ms: r.ms });
          parts.push(`${reduction} ${String(r.executions).padStart(8)} exec ${r.ms.toFixed(0).padStart(7)} ms${r.complete ? '' : ' INCOMPLETE'}${r.verdict === 'pass' ? '' : ` ${r.verdict.toUpperCase()}`}`);
        }
        console.log(`${cell.padEnd(72)} ${parts.join('  ')}`);
      }
    }
  }
  if (values.compare) console.log(`\ncells whose outcomes differ with reduction: ${lost}`);
  else {
    console.log(`\npass cells at preemption bound ${bound}:`);
    for (const [reduction, t] of totals) console.log(`  ${reduction.padEnd(5)} ${t.executions} executions, ${(t.ms / 1000).toFixed(1)} s, ${t.incomplete} incomplete`);
    for (const reduction of reductions) {
      const top = slowest.filter((s) => s.reduction === reduction).sort((a, b) => b.ms - a.ms).slice(0, 3);
      console.log(`  slowest with ${reduction}: ${top.map((s) => `${s.cell} ${s.executions} exec ${(s.ms / 1000).toFixed(1)} s`).join('; ')}`);
    }
  }
}

if (values.litmus) {
  const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/litmus/lkmm');
  for (const model of models) {
    const sum = new Map<Reduction, { executions: number; ms: number }>(reductions.map((r) => [r, { executions: 0, ms: 0 }]));
    let differs = 0;
    for (const file of litmusFiles([corpus])) {
      const test = parseLitmus(readFileSync(file, 'utf8'), file);
      const runs = reductions.map((reduction) => exploreLitmus(test, model, reduction, cap));
      runs.forEach((r, i) => {
        const s = sum.get(reductions[i]!)!;
        s.executions += r.executions;
        s.ms += r.ms;
      });
      if (runs.length === 2 && keys(runs[0]!) !== keys(runs[1]!)) {
        differs++;
        console.log(`${test.name} [${model}]: final states differ with reduction`);
      }
    }
    console.log(`litmus corpus [${model}]: ${[...sum].map(([r, s]) => `${r} ${s.executions} executions ${(s.ms / 1000).toFixed(1)} s`).join(', ')}; final-state sets differing: ${differs}`);
  }
}

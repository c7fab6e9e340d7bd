// The whole LKMM litmus corpus (../shared/litmus/lkmm, 43 files) under a memory model,
// exhaustively, single thread: wall time per run (parse + explore + classify, in process),
// executions, and the agreement with the tests' Result: lines. The issue's bar: the corpus
// under weak in under 10 s.
// Run: node --import tsx bench/litmus-corpus.ts [--model sc|tso|weak ...] [--runs N] [--each] [DIR]
// --each prints one line per test (executions, of them pruned by the LKMM check, ms); DIR
// test/litmus runs the lab's own 5-process chain tests.
// (numbers go in the issue notes and the README; nothing here is asserted)

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { litmusFiles } from '../src/cli/litmus.ts';
import { parseLitmus } from '../src/litmus/parser.ts';
import { runLitmus } from '../src/litmus/run.ts';
import type { ModelName } from '../src/results/types.ts';
import { MODEL_NAMES } from '../src/sim/memory/index.ts';

const { values, positionals } = parseArgs({
  options: { model: { type: 'string', multiple: true }, runs: { type: 'string', default: '3' }, each: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const models = (values.model?.flatMap((m) => m.split(',')) ?? ['weak']) as ModelName[];
for (const m of models) if (!MODEL_NAMES.includes(m)) throw new Error(`--model takes ${MODEL_NAMES.join(', ')}`);
const runs = Number(values.runs);
const dir = positionals[0] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/litmus/lkmm');
const files = litmusFiles([dir]);

console.log(`${files.length} litmus files from ${dir}; ${os.cpus()[0]?.model ?? 'cpu?'} x${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`);
for (const model of models) {
  const times: number[] = [];
  let executions = 0;
  let agree = 0;
  let slowest = { name: '', ms: 0 };
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    executions = 0;
    agree = 0;
    for (const file of files) {
      const test = parseLitmus(readFileSync(file, 'utf8'), file);
      const r = runLitmus(test, model);
      executions += r.executions;
      if (r.observed === test.result) agree++;
      if (values.each && run === runs - 1) {
        console.log(`  ${model} ${test.name}: ${r.observed} (expected ${test.result}), ${r.executions} executions, ${r.pruned} pruned, ${r.ms} ms`);
      }
      if (r.ms > slowest.ms) slowest = { name: test.name, ms: r.ms };
    }
    times.push((performance.now() - started) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${model.padEnd(5)} median ${median.toFixed(2)} s over ${runs} run${runs === 1 ? '' : 's'} (min ${times[0]!.toFixed(2)} s, max ${times[times.length - 1]!.toFixed(2)} s); ` +
      `${executions} executions; ${agree} of ${files.length} agree with their Result: line; slowest ${slowest.name} ${slowest.ms} ms`,
  );
}

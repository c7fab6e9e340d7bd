// fence-lab litmus: runs C litmus tests under the lab's memory models, exhaustively, and prints
// herd7's vocabulary (Observation Never/Sometimes/Always, positive and negative witnesses)
// next to the result the test states in its `Result:` line. Exit 0 when every test agrees with
// it, 1 when one disagrees, 2 on bad input (the other tests are still run and printed).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LitmusError, parseLitmus } from '../litmus/parser.ts';
import { DEFAULT_MAX_EXECUTIONS, LitmusRunError, runLitmus, type LitmusLimits, type LitmusRun } from '../litmus/run.ts';
import type { LitmusTest } from '../litmus/ast.ts';
import type { FinalState, FinalValue } from '../litmus/condition.ts';
import type { LitmusResult, ModelName } from '../results/types.ts';
import { availableModels, MODEL_NAMES } from '../sim/memory/index.ts';
import { CorpusError, corpusLine, KERNEL_LITMUS_DIRS, kernelCorpus } from '../litmus/corpus.ts';
import { encodePath } from '../sim/path.ts';

/** Seconds of searching before progress lines appear on stderr. */
const PROGRESS_AFTER_S = 3;

const HELP = `usage: fence-lab litmus FILE|DIR... [options]
       fence-lab litmus --kernel DIR [options]

Explores every execution of each C litmus test (for a directory: every *.litmus file below
it) under a memory model, and compares herd7's observation with the test's Result: line.

  --kernel DIR  a kernel tree: its ${KERNEL_LITMUS_DIRS[0]}/ (and
                ${KERNEL_LITMUS_DIRS[1]}/ when present); KERNEL_SRC=DIR does the same
                when no FILE or DIR is named
  --model M     memory model: ${MODEL_NAMES.join(', ')} (default weak; repeatable or comma list)
  --states      also print every final state reached (* = satisfies the condition) and the
                choice path of one witness execution
  --json        print { "results": [...] } instead of text
  --max-executions N   per test and model: stop after N executions (default ${DEFAULT_MAX_EXECUTIONS})
  --timeout S   per test and model: stop after S seconds (default: none)
                A stopped search answers Unknown (never a guess) with the executions done.
                A search that runs longer than ${PROGRESS_AFTER_S} s reports progress on stderr.

Exit status: 0 every test agrees with its Result: line, 1 one disagrees, 2 bad input,
3 none disagrees but one answered Unknown.
Only the weak model is meant to agree everywhere: sc and tso answer Never where LKMM
says Sometimes whenever those architectures forbid the outcome.
`;

class UsageError extends Error {}

function positiveNumber(option: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${option} takes a positive ${integer ? 'integer' : 'number'}, got '${value}'`);
  }
  return n;
}

function modelsOption(values: string[] | undefined): ModelName[] {
  if (!values || values.length === 0) return ['weak'];
  const models = values.flatMap((v) => v.split(',')).map((m) => m.trim()) as ModelName[];
  for (const m of models) {
    if (!MODEL_NAMES.includes(m)) throw new UsageError(`unknown --model '${m}'; models: ${MODEL_NAMES.join(', ')}`);
    if (!availableModels().includes(m)) throw new UsageError(`--model ${m} is not built yet; available: ${availableModels().join(', ')}`);
  }
  return [...new Set(models)];
}

/** Every .litmus file named or below a named directory, in a stable order. */
export function litmusFiles(args: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.litmus')) out.push(p);
    }
  };
  for (const arg of args) {
    let st;
    try {
      st = statSync(arg);
    } catch {
      throw new UsageError(`no such file or directory: ${arg}`);
    }
    if (st.isDirectory()) {
      const before = out.length;
      walk(arg);
      if (out.length === before) throw new UsageError(`no .litmus files below ${arg}`);
    } else out.push(arg);
  }
  return out;
}

/** Runs one parsed test under one model: the JSON contract's row and the run itself. */
export function litmusResult(file: string, test: LitmusTest, model: ModelName, limits: LitmusLimits = {}): { result: LitmusResult; run: LitmusRun } {
  const run = runLitmus(test, model, limits);
  const expected = test.result;
  return {
    run,
    result: {
      file,
      name: test.name,
      model,
      expected,
      observed: run.observed,
      agrees: expected === null || run.observed === 'Unknown' ? null : expected === run.observed,
      positive: run.positive,
      negative: run.negative,
      executions: run.executions,
      ms: run.ms,
    },
  };
}

function agreement(r: LitmusResult): string {
  if (r.observed === 'Unknown') return `search stopped after ${r.executions} executions: no answer${r.expected ? ` (expected ${r.expected})` : ''}`;
  if (r.expected === null) return 'no Result: line';
  if (r.agrees) return `expected ${r.expected}: agrees`;
  const stronger = r.observed === 'Never' || (r.expected === 'Always' && r.observed === 'Sometimes');
  return `expected ${r.expected}: DISAGREES (${stronger ? 'stronger than LKMM' : 'weaker than LKMM'})`;
}

function showValue(v: FinalValue): string {
  return typeof v === 'number' ? String(v) : v.loc;
}

function showState(s: FinalState): string {
  const parts: string[] = [];
  for (const [tid, regs] of Object.entries(s.registers)) for (const [r, v] of Object.entries(regs)) parts.push(`${tid}:${r}=${showValue(v)}`);
  for (const [loc, v] of Object.entries(s.memory)) parts.push(`${loc}=${showValue(v)}`);
  return parts.join('; ');
}

function printText(r: LitmusResult, run: LitmusRun, states: boolean): void {
  const how = `${r.executions} execution${r.executions === 1 ? '' : 's'}, ${r.ms} ms`;
  console.log(`Observation ${r.name} ${r.observed} ${r.positive} ${r.negative}   [${r.model}] ${agreement(r)} (${how})`);
  if (!states) return;
  for (const s of run.states) console.log(`  ${s.satisfies ? '*' : ' '} ${showState(s.state)}   (${s.executions} execution${s.executions === 1 ? '' : 's'})`);
  if (run.witness) console.log(`  witness path: ${encodePath(run.witness)}`);
}

function summary(model: ModelName, results: LitmusResult[]): string {
  const mine = results.filter((r) => r.model === model);
  const stated = mine.filter((r) => r.agrees !== null);
  const unknown = mine.filter((r) => r.observed === 'Unknown');
  const agree = stated.filter((r) => r.agrees).length;
  const bad = stated.filter((r) => !r.agrees);
  const ms = mine.reduce((sum, r) => sum + r.ms, 0);
  const list = bad.map((r) => `${r.name} (${r.expected} expected, ${r.observed} observed)`).join(', ');
  const stopped = unknown.length ? `; ${unknown.length} Unknown (search stopped): ${unknown.map((r) => r.name).join(', ')}` : '';
  return `${model}: ${agree} of ${stated.length} agree with their Result: line${bad.length ? `; ${bad.length} ${bad.length === 1 ? 'disagrees' : 'disagree'}: ${list}` : ''}${stopped} [${(ms / 1000).toFixed(2)} s]`;
}

export async function run(args: string[]): Promise<number> {
  let values: { model?: string[]; kernel?: string; json?: boolean; states?: boolean; help?: boolean; 'max-executions'?: string; timeout?: string };
  let limits: { maxExecutions?: number; timeoutMs?: number };
  let files: string[];
  let models: ModelName[];
  try {
    const parsed = parseArgs({
      args,
      options: {
        model: { type: 'string', multiple: true },
        kernel: { type: 'string' },
        json: { type: 'boolean', default: false },
        states: { type: 'boolean', default: false },
        'max-executions': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values;
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const targets = [...parsed.positionals];
    const tree = values.kernel ?? (targets.length === 0 ? process.env['KERNEL_SRC'] : undefined);
    if (tree) {
      const corpus = kernelCorpus(tree, values.kernel ? `--kernel ${tree}` : `KERNEL_SRC=${tree}`);
      console.error(`fence-lab litmus: corpus from ${corpusLine(corpus)}`);
      targets.push(...corpus.dirs);
    }
    if (targets.length === 0) throw new UsageError('name at least one litmus file or directory, or a kernel tree with --kernel DIR');
    models = modelsOption(values.model);
    const timeout = positiveNumber('--timeout', values.timeout, false);
    limits = { maxExecutions: positiveNumber('--max-executions', values['max-executions'], true), timeoutMs: timeout === undefined ? undefined : timeout * 1000 };
    files = litmusFiles(targets);
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError) && !(err instanceof CorpusError)) throw err;
    console.error(`fence-lab litmus: ${err.message}\n\n${HELP}`);
    return 2;
  }

  const results: LitmusResult[] = [];
  let bad = false;
  for (const file of files) {
    const shown = path.relative(process.cwd(), file) || file;
    let test: LitmusTest;
    try {
      test = parseLitmus(readFileSync(file, 'utf8'), shown);
    } catch (err) {
      if (!(err instanceof LitmusError) && !(err instanceof Error && 'code' in err)) throw err;
      console.error(`fence-lab litmus: ${(err as Error).message}`);
      bad = true;
      continue;
    }
    for (const model of models) {
      try {
        const onProgress = (executions: number, ms: number): void => {
          if (ms >= PROGRESS_AFTER_S * 1000) console.error(`fence-lab litmus: ${shown} [${model}]: ${executions} executions, ${(ms / 1000).toFixed(0)} s`);
        };
        const { result, run } = litmusResult(shown, test, model, { ...limits, onProgress });
        results.push(result);
        if (!values.json) printText(result, run, values.states === true);
      } catch (err) {
        if (!(err instanceof LitmusRunError)) throw err;
        console.error(`fence-lab litmus: ${shown}: ${err.message}`);
        bad = true;
      }
    }
  }
  if (values.json) console.log(JSON.stringify({ results }, null, 2));
  else {
    console.log('');
    for (const model of models) console.log(summary(model, results));
  }
  if (bad) return 2;
  if (results.some((r) => r.agrees === false)) return 1;
  return results.some((r) => r.observed === 'Unknown') ? 3 : 0;
}

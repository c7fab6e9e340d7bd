// fence-lab compare BASE NEW: regressions between two results files (issue 8).
// Exit 0: no regression; 1: at least one (each named); 2: bad input.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runParts, type RunParts } from '../results/run-record.ts';
import { parseResultsFile } from '../results/schema.ts';
import { compareRuns, DEFAULT_COMPARE_OPTIONS } from '../history/compare.ts';
import { formatComparison, formatComparisonMarkdown } from '../history/compare-text.ts';

const USAGE = `usage: fence-lab compare BASE NEW [--factor ${DEFAULT_COMPARE_OPTIONS.factor}] [--alpha ${DEFAULT_COMPARE_OPTIONS.alpha}] [--all] [--format text|markdown|json]

BASE and NEW are results files: 'fence-lab bench --json', 'check --json', 'litmus --json'
output, or a stored run record (results/<machine>/<commit>-<date>.json).

Prints a summary first (regressions, improvements, changes, unchanged, left out), then
only the rows that changed (--all: every row). --format markdown writes the same for a
pull-request comment or a CI job summary; json (or --json) the whole comparison.

A timed bench row regresses when its figure moves the wrong way by more than --factor and
a test says it moved beyond the factor, Benjamini-Hochberg-adjusted at --alpha over the
rows that gate. Rows measured in several isolates (the micro rows): the figure is the
fastest sample of any isolate, tested by the exact bootstrap over isolates widened by the
run-to-run noise all such rows of the pair show together. Other rows: the samples'
median, tested by Mann-Whitney U on the samples scaled by the factor. Deterministic rows
(flag "deterministic" or "simulated") compare exactly: beyond the factor the wrong way
regresses, a smaller move is listed as a change. Rows flagged "oversubscribed", and timed
rows of runs from different machines, are information only. A verdict cell going
pass -> violation, or away from its expected verdict, or a litmus test that stops
agreeing with its expected outcome always regresses.
Exit 0: no regression; 1: at least one, each named; 2: bad input.`;

const COMPARE_FORMATS = ['text', 'markdown', 'json'] as const;
type CompareFormatName = (typeof COMPARE_FORMATS)[number];

export class BadInput extends Error {}

/** Parses a numeric option, or explains what is wrong with it. */
export function numberOption(name: string, raw: string | undefined, fallback: number, valid: (x: number) => boolean, rule: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) throw new BadInput(`--${name} ${raw}: ${rule}`);
  return value;
}

export async function readResults(file: string, role: string): Promise<RunParts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BadInput(`cannot read ${role} '${file}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass the path of a results file`);
  }
  try {
    return runParts(parseResultsFile(text, file));
  } catch (err) {
    throw new BadInput((err as Error).message);
  }
}

/** JSON with non-finite numbers (a ratio from a zero base) as null, which JSON can hold. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

export async function run(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        factor: { type: 'string' },
        alpha: { type: 'string' },
        json: { type: 'boolean', default: false },
        all: { type: 'boolean', default: false },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 2) throw new BadInput(`expected two files, BASE and NEW; got ${positionals.length}\n\n${USAGE}`);
    const options = {
      ...DEFAULT_COMPARE_OPTIONS,
      factor: numberOption('factor', values.factor, DEFAULT_COMPARE_OPTIONS.factor, (x) => x >= 1, 'must be a ratio ≥ 1, e.g. 1.05 for 5%'),
      alpha: numberOption('alpha', values.alpha, DEFAULT_COMPARE_OPTIONS.alpha, (x) => x > 0 && x < 1, 'must be a probability between 0 and 1, e.g. 0.01'),
    };
    const format = values.json ? 'json' : (values.format ?? 'text');
    if (!COMPARE_FORMATS.includes(format as CompareFormatName)) throw new BadInput(`--format ${format}: expected one of ${COMPARE_FORMATS.join(', ')}`);
    const [baseFile, newFile] = positionals as [string, string];
    const comparison = compareRuns(await readResults(baseFile, 'BASE'), await readResults(newFile, 'NEW'), options);
    if (comparison.rows.length === 0 && comparison.verdictCellsCompared === 0) {
      throw new BadInput(`${baseFile} and ${newFile} have no bench row or verdict cell in common; compare two runs of the same kind`);
    }
    const shown = { all: values.all };
    if (format === 'json') console.log(toJson(comparison));
    else if (format === 'markdown') console.log(formatComparisonMarkdown(comparison, baseFile, newFile, shown));
    else console.log(formatComparison(comparison, baseFile, newFile, shown));
    return comparison.regressions.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof BadInput || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`fence-lab compare: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

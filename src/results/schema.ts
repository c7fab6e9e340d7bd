// Validation of every results file the lab reads (DESIGN.md "One versioned JSON schema for
// everything, validated when read"). The schemas mirror `types.ts`; the type annotations make
// the compiler reject any drift between the two.
import { z } from 'zod';
import type { RunRecord } from './run-record.ts';
import type {
  BenchContext,
  BenchResults,
  BenchRow,
  CheckResult,
  CheckResults,
  CheckShard,
  LitmusResult,
  LitmusResults,
  NecessityResult,
  NecessityResults,
  ViolationReport,
} from './types.ts';

export const SCHEMA_VERSION = 1;

const modelName = z.enum(['sc', 'tso', 'weak']);
const verdict = z.enum(['pass', 'violation']);
const outcome = z.enum(['Never', 'Sometimes', 'Always']);

const violationKind = z.enum([
    'use-after-free',
    'null-deref',
    'double-free',
    'leak',
    'deadlock',
    'lockdep',
    'assertion',
    'step-bound',
    'data-race',
    'error',
]);

const violationReport: z.ZodType<ViolationReport> = z.object({
  kind: violationKind,
  headline: z.string(),
  replay: z.string(),
  command: z.string().optional(),
  trace: z.string(),
  preemptions: z.number().optional(),
});

const checkResult: z.ZodType<CheckResult> = z.object({
  variant: z.string(),
  ablate: z.string().optional(),
  scenario: z.string(),
  group: z.enum(['races', 'semantics']).optional(),
  demonstrates: z.literal('allowed-outcome').optional(),
  reading: z.string().optional(),
  model: modelName,
  strategy: z.string(),
  verdict,
  expected: verdict.optional(),
  complete: z.boolean(),
  verifiedBound: z.number().optional(),
  executions: z.number(),
  ms: z.number(),
  violation: violationReport.optional(),
  error: z.string().optional(),
});

const checkShard: z.ZodType<CheckShard> = z
  .object({ index: z.number().int().min(1), count: z.number().int().min(1), planned: z.number().int().min(0), plan: z.string() })
  .refine((s) => s.index <= s.count, { message: 'shard index must be at most the shard count', path: ['index'] });

export const checkResultsSchema: z.ZodType<CheckResults> = z.object({
  results: z.array(checkResult),
  shard: checkShard.optional(),
  partial: z.boolean().optional(),
});

const necessityResult: z.ZodType<NecessityResult> = z.object({
  variant: z.string(),
  site: z.string(),
  primitive: z.string(),
  ablation: z.string(),
  model: modelName,
  verdict,
  complete: z.boolean(),
  violation: z.object({ scenario: z.string(), kind: violationKind, headline: z.string(), replay: z.string(), command: z.string() }).optional(),
  ablate: z.string(),
  method: z.string(),
  source: z.string(),
  kind: z.enum(['barrier', 'acquire/release', 'rmw', 'free', 'lock', 'rcu']),
  bound: z.number(),
  scenarios: z.number(),
  executions: z.number(),
  ms: z.number(),
});

export const necessityResultsSchema: z.ZodType<NecessityResults> = z.object({
  results: z.array(necessityResult),
  excluded: z.record(z.string(), z.partialRecord(modelName, z.array(z.string()))).optional(),
  partial: z.boolean().optional(),
});

const litmusResult: z.ZodType<LitmusResult> = z.object({
  file: z.string(),
  name: z.string(),
  model: modelName,
  expected: outcome.nullable(),
  observed: z.union([outcome, z.literal('Unknown')]),
  agrees: z.boolean().nullable(),
  positive: z.number(),
  negative: z.number(),
  executions: z.number(),
  ms: z.number(),
});

export const litmusResultsSchema: z.ZodType<LitmusResults> = z.object({ results: z.array(litmusResult) });

const benchContext: z.ZodType<BenchContext> = z.object({
  node: z.string(),
  v8: z.string(),
  cpu: z.string(),
  cores: z.number(),
  os: z.string(),
  commit: z.string(),
  date: z.string(),
});

const benchRow: z.ZodType<BenchRow> = z.object({
  variant: z.string(),
  workload: z.string(),
  metric: z.string(),
  value: z.number(),
  unit: z.string(),
  samples: z.array(z.number()),
  isolates: z.array(z.number().int().nonnegative()).optional(),
  stats: z.object({ p50: z.number(), p75: z.number(), p99: z.number(), min: z.number(), max: z.number(), avg: z.number() }),
  error: z.string().optional(),
  flags: z.array(z.string()).optional(),
}).refine((row) => !row.isolates || row.isolates.reduce((a, n) => a + n, 0) === row.samples.length, {
  message: 'the isolates counts must add up to the number of samples',
  path: ['isolates'],
});

export const benchResultsSchema: z.ZodType<BenchResults> = z.object({
  schema: z.literal(SCHEMA_VERSION),
  context: benchContext,
  results: z.array(benchRow),
});

export const runRecordSchema: z.ZodType<RunRecord> = z.object({
  schema: z.literal(SCHEMA_VERSION),
  context: benchContext,
  bench: benchResultsSchema.optional(),
  check: checkResultsSchema.optional(),
  litmus: litmusResultsSchema.optional(),
});

export type ParsedResults =
  | { kind: 'bench'; bench: BenchResults }
  | { kind: 'check'; check: CheckResults }
  | { kind: 'litmus'; litmus: LitmusResults }
  | { kind: 'necessity'; necessity: NecessityResults }
  | { kind: 'run'; run: RunRecord };

export type ResultsKind = ParsedResults['kind'];

/** What to run to get a valid file of each kind: the "what to do" of every error. */
const REGENERATE: Record<ResultsKind, string> = {
  bench: "regenerate it with 'fence-lab bench --json > FILE'",
  check: "regenerate it with 'fence-lab check --json > FILE'",
  litmus: "regenerate it with 'fence-lab litmus --json > FILE'",
  necessity: "regenerate it with 'fence-lab necessity --variant NAME --out FILE'",
  run: "regenerate it with 'fence-lab report --save' or 'fence-lab bench --save'",
};

/** A results file that cannot be used; the message names the file, the field and the remedy. */
export class ResultsFileError extends Error {
  constructor(
    readonly file: string,
    readonly fieldPath: string,
    problem: string,
  ) {
    super(`${file}: ${fieldPath ? `${fieldPath}: ` : ''}${problem}`);
    this.name = 'ResultsFileError';
  }
}

/** `["results", 3, "samples"]` → `results[3].samples`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Which kind of results file a parsed JSON value claims to be, from its top-level shape. */
function detectKind(json: unknown): ResultsKind | null {
  if (!isObject(json)) return null;
  if (!('results' in json) && ('bench' in json || 'check' in json || 'litmus' in json)) return 'run';
  if (!('results' in json)) return null;
  if ('schema' in json || 'context' in json) return 'bench';
  if ('excluded' in json) return 'necessity';
  const first = Array.isArray(json.results) ? json.results[0] : undefined;
  if (isObject(first) && ('observed' in first || 'file' in first) && !('scenario' in first)) return 'litmus';
  if (isObject(first) && 'ablate' in first && 'site' in first) return 'necessity';
  return 'check';
}

function validate<T>(schema: z.ZodType<T>, json: unknown, file: string, kind: ResultsKind): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ResultsFileError(file, formatPath(issue.path), `${issue.message} (in a ${kind} results file); ${REGENERATE[kind]}`);
}

/**
 * Parses and validates a results file of any kind the lab writes. Throws a `ResultsFileError`
 * naming the file, the first bad field path and what to do about it.
 */
export function parseResultsFile(text: string, file: string): ParsedResults {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ResultsFileError(file, '', `not valid JSON (${(err as Error).message}); pass a file written by fence-lab, or delete it if a write was interrupted`);
  }
  const kind = detectKind(json);
  if (kind === null) {
    throw new ResultsFileError(
      file,
      '',
      'not a fence-lab results file: expected a bench file {schema, context, results}, a check or litmus file {results}, ' +
        "or a run record {schema, context, bench?, check?, litmus?}; pass a file written by 'fence-lab bench|check|litmus --json' or 'report --save'",
    );
  }
  const version = (json as Record<string, unknown>).schema;
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new ResultsFileError(file, 'schema', `version ${version} is newer than this fence-lab reads (${SCHEMA_VERSION}); update fence-lab`);
  }
  switch (kind) {
    case 'bench':
      return { kind, bench: validate(benchResultsSchema, json, file, kind) };
    case 'check':
      return { kind, check: validate(checkResultsSchema, json, file, kind) };
    case 'litmus':
      return { kind, litmus: validate(litmusResultsSchema, json, file, kind) };
    case 'necessity':
      return { kind, necessity: validate(necessityResultsSchema, json, file, kind) };
    case 'run':
      return { kind, run: validate(runRecordSchema, json, file, kind) };
  }
}

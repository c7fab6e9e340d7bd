// fence-lab merge: puts the results of a sharded check back together. Each file must be a
// check results file written by `fence-lab check --shard I/N --out FILE`; together they must be
// every shard of one plan (same plan hash, same N, each I once, none partial). The merged
// results are in plan order: exactly what one unsharded run gives. Prints like check (text, or
// --json), writes --out atomically, and exits like check: 0 all verdicts as expected, 1 one
// differs, 2 a cell could not run or the files do not belong together.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../history/store.ts';
import { parseResultsFile, ResultsFileError } from '../results/schema.ts';
import type { CheckResult, CheckResults, CheckShard } from '../results/types.ts';
import { printMatrix, printResult } from './check-output.ts';
import { exitStatus } from './check.ts';
import { shardPositions } from './shard.ts';

const HELP = `usage: fence-lab merge FILE... [--out FILE] [--json]

Combines the results of 'fence-lab check --shard I/N --out FILE' runs (one file per shard, in
any order) into the results of the whole run, in plan order.

  --out FILE     write the merged JSON results to FILE (atomically)
  --json         print { "results": [...] } instead of text

Exit status as check: 0 every verdict is the expected one, 1 one differs, 2 a cell could not
run or the files are not the shards of one run.
`;

class MergeError extends Error {}

interface ShardFile {
  file: string;
  shard: CheckShard;
  results: CheckResult[];
}

async function readShard(file: string): Promise<ShardFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MergeError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const parsed = parseResultsFile(text, file);
  if (parsed.kind !== 'check') throw new MergeError(`${file}: a ${parsed.kind} results file; merge takes the --out files of 'fence-lab check --shard I/N'`);
  const { shard, partial } = parsed.check;
  // The results as written, not as the schema re-built them: same key order as one run's file.
  const { results } = JSON.parse(text) as CheckResults;
  if (!shard) throw new MergeError(`${file}: not a shard (no "shard" field); write each shard with 'fence-lab check --shard I/N --out FILE'`);
  if (partial) throw new MergeError(`${file}: shard ${shard.index}/${shard.count} was interrupted (partial results); run it again`);
  const expected = shardPositions(shard.planned, shard).length;
  if (results.length !== expected) {
    throw new MergeError(`${file}: shard ${shard.index}/${shard.count} of a ${shard.planned}-cell plan should hold ${expected} results, holds ${results.length}`);
  }
  return { file, shard, results };
}

/** The shards of one plan, checked to belong together, merged into plan order. */
export function mergeShards(shards: readonly ShardFile[]): CheckResults {
  if (shards.length === 0) throw new MergeError('no files to merge');
  const first = shards[0]!;
  for (const s of shards.slice(1)) {
    if (s.shard.plan !== first.shard.plan || s.shard.count !== first.shard.count || s.shard.planned !== first.shard.planned) {
      throw new MergeError(
        `${s.file} (shard ${s.shard.index}/${s.shard.count}, plan ${s.shard.plan}, ${s.shard.planned} cells) and ${first.file} ` +
          `(shard ${first.shard.index}/${first.shard.count}, plan ${first.shard.plan}, ${first.shard.planned} cells) are not shards of one run: ` +
          'run every shard from the same commit with the same options',
      );
    }
  }
  const byIndex = new Map<number, ShardFile>();
  for (const s of shards) {
    const other = byIndex.get(s.shard.index);
    if (other) throw new MergeError(`${other.file} and ${s.file} are both shard ${s.shard.index}/${s.shard.count}`);
    byIndex.set(s.shard.index, s);
  }
  const missing: number[] = [];
  for (let i = 1; i <= first.shard.count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) throw new MergeError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${first.shard.count}`).join(', ')}`);
  const results = new Array<CheckResult>(first.shard.planned);
  for (const s of shards) shardPositions(s.shard.planned, s.shard).forEach((p, k) => (results[p] = s.results[k]!));
  return { results };
}

export async function run(args: string[]): Promise<number> {
  let values;
  let files: string[];
  try {
    const parsed = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values;
    files = parsed.positionals;
  } catch (err) {
    console.error(`fence-lab merge: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (files.length === 0) {
    console.error(`fence-lab merge: give the shards' results files\n\n${HELP}`);
    return 2;
  }
  let merged: CheckResults;
  try {
    merged = mergeShards(await Promise.all(files.map(readShard)));
  } catch (err) {
    if (err instanceof MergeError || err instanceof ResultsFileError) {
      console.error(`fence-lab merge: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (values.out) {
    try {
      await writeFileAtomic(values.out, `${JSON.stringify(merged, null, 2)}\n`);
    } catch (err) {
      console.error(`fence-lab merge: cannot write --out ${values.out}: ${(err as Error).message}`);
      return 2;
    }
  }
  if (values.json) console.log(JSON.stringify(merged, null, 2));
  else {
    for (const r of merged.results) printResult(r);
    printMatrix(merged.results);
  }
  return exitStatus(merged.results);
}

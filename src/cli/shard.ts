// Sharding the verdict matrix across machines: `--shard i/n` runs a deterministic slice of the
// planned cells, and `fence-lab merge` puts the slices back together in plan order. The slice is
// round-robin by plan index (cell p goes to shard p mod n + 1), so neighbouring cells, which
// tend to cost alike (one scenario across the designs), are spread over the shards.
//
// A sharded results file records its place: `shard: { index, count, planned, plan }`, where
// `planned` is the size of the whole plan and `plan` a hash of the planned cells and the check
// options, so merge can refuse shards of different plans (another commit's scenario set, other
// budgets or seeds).

import { createHash } from 'node:crypto';
import path from 'node:path';
import type { CheckShard } from '../results/types.ts';
import type { Cell } from '../sim/cells.ts';
import type { CheckOptions } from '../sim/check.ts';
import { LAB_ROOT } from '../sim/loader.ts';

export interface ShardSpec {
  /** 1-based */
  index: number;
  count: number;
}

/** "2/3" -> { index: 2, count: 3 }; throws a message for the user otherwise. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard takes i/n with 1 <= i <= n (e.g. --shard 2/3), got '${text}'`);
  }
  return { index, count };
}

/** Whether plan position `p` belongs to `shard`. */
export function inShard(p: number, shard: ShardSpec): boolean {
  return p % shard.count === shard.index - 1;
}

/** The plan positions of a shard, in plan order. */
export function shardPositions(planned: number, shard: ShardSpec): number[] {
  const out: number[] = [];
  for (let p = shard.index - 1; p < planned; p += shard.count) out.push(p);
  return out;
}

/** Lab files by their path inside the lab, so the hash is the same on every checkout. */
function portable(nameOrPath: string): string {
  if (!path.isAbsolute(nameOrPath)) return nameOrPath;
  const rel = path.relative(LAB_ROOT, nameOrPath);
  return rel.startsWith('..') ? nameOrPath : rel.split(path.sep).join('/');
}

/** Identifies a plan: its cells (in order) and the options every cell runs with. */
export function planId(cells: readonly Cell[], options: Omit<CheckOptions, 'model'>): string {
  const text = JSON.stringify({
    cells: cells.map((c) => [portable(c.variant), portable(c.scenario), c.model]),
    options: [options.strategy, options.seed, options.executions, options.preemptions, options.replay ?? null, ...(options.reduction ? [options.reduction] : []), ...(options.deepenTo !== undefined ? [options.deepenTo] : [])],
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function shardRecord(cells: readonly Cell[], options: Omit<CheckOptions, 'model'>, shard: ShardSpec): CheckShard {
  return { index: shard.index, count: shard.count, planned: cells.length, plan: planId(cells, options) };
}

// The micro benchmarks: every operation of MICRO_OPS for every design, each design on a worker
// thread of its own (a fresh isolate), next to the floors (an empty call, bare Atomics loops,
// ktime_get) measured the same way. Rows: workload = the operation, metric "time", unit "ns" per
// call.
//
// Interleaved: the run is cut into rounds; in each round an operation is measured for a short
// slice on every design in turn (the order rotating from round to round), and the floors too. On
// a shared machine whose speed drifts every design then sees the same mix of fast and slow
// moments. Full runs give each operation design workers of its own (bench/micro/isolate.ts
// `workerPerOp` says why); --quick measures every operation in the same workers.
//
// Isolates: the whole interleaved run is repeated in fresh processes (bench/micro/isolate.ts
// says why processes), and a row's figure is the fastest sample of any isolate
// (src/results/isolates.ts says why). An operation whose fastest isolate no second isolate has
// come within 1% of is run again, alone, in further isolates (up to `maxIsolates`). TurboFan
// compiles on the measuring thread (--no-concurrent-recompilation): with background
// compilation, when optimized code lands depends on thread timing, and so does which code gets
// measured.
//
// A figure well below its floor (the floor's fastest sample, measured again in the design's own
// worker) cannot be a real measurement: the JIT removed work (mitata's dead-code guard, avg <
// 1.42 x an empty call, is the same idea). It is flagged "below-floor" and carries an error.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from '../../src/results/types.ts';
import { isolateFigure, SETTLE_TOLERANCE, settled } from '../../src/results/isolates.ts';
import { errorRow, makeRow, round4 } from '../../src/native/stats.ts';
import type { VariantRef } from '../../src/native/variants.ts';
import { FLOOR_METRICS, MICRO_OPS } from './ops.ts';
import { FLOOR_VARIANT, type IsolatePart, type IsolateSpec, sampleKey, settings } from './isolate.ts';

export { FLOOR_VARIANT };

/** mitata's dead-code rule: an average under 1.42 x the empty call's */
const DCE_FACTOR = 1.42;
/**
 * A figure this far under its floor cannot have done the floor's work (an operation that reads
 * the SIGNALED bit does at least one Atomics.load); closer than that is measurement noise, as an
 * operation that is one Atomics.load is its floor.
 */
const FLOOR_TOLERANCE = 0.75;

export interface MicroOptions {
  variants: VariantRef[];
  /** operation names (default: all) */
  ops?: string[];
  quick: boolean;
  log?: (line: string) => void;
  /** an isolate's process finished; its peak resident set in KiB */
  onIsolate?: (index: number, maxRssKb: number) => void;
}

export async function runMicro(opts: MicroOptions): Promise<BenchRow[]> {
  const log = opts.log ?? (() => undefined);
  const ops = opts.ops ?? MICRO_OPS.map((o) => o.name);
  for (const op of ops) if (!MICRO_OPS.some((o) => o.name === op)) throw new Error(`unknown micro operation '${op}'; known: ${MICRO_OPS.map((o) => o.name).join(', ')}`);
  const s = settings(opts.quick);
  const designNames = ops.length === 0 ? [] : opts.variants.map((v) => v.name);

  /** samples per (server, op), one array per isolate that measured it, in order */
  const samples = new Map<string, number[][]>();
  const errors = new Map<string, string>();
  /** why an isolate's process gave no result, by the operation it lacks (FLOOR_VARIANT: the floors) */
  const processFailures = new Map<string, string>();
  const inIsolate = (index: number, e: string) => (s.isolates > 1 ? `isolate ${index + 1}: ${e}` : e);
  const runIsolate = async (index: number, isolateOps: string[]) => {
    const part = await runIsolateProcess({ variants: opts.variants, ops: isolateOps, quick: opts.quick, index }, log);
    if ('failure' in part) {
      for (const op of [FLOOR_VARIANT, ...isolateOps]) if (!processFailures.has(op)) processFailures.set(op, inIsolate(index, part.failure));
      return;
    }
    opts.onIsolate?.(index, part.maxRssKb);
    for (const [k, xs] of Object.entries(part.samples)) samples.set(k, [...(samples.get(k) ?? []), xs]);
    for (const [k, e] of Object.entries(part.errors)) if (!errors.has(k)) errors.set(k, inIsolate(index, e));
  };
  for (let index = 0; index < s.isolates; index++) await runIsolate(index, ops);
  // an operation whose fastest isolate no other isolate has matched yet is measured again
  const opSettled = (op: string) =>
    processFailures.has(op) || designNames.every((name) => errors.has(sampleKey(name, op)) || settled(samples.get(sampleKey(name, op)) ?? []));
  for (let index = s.isolates; index < s.maxIsolates; index++) {
    const pending = ops.filter((op) => !opSettled(op));
    if (pending.length === 0) break;
    log(`micro: isolate ${index + 1}: ${pending.join(', ')} again (no second isolate within ${100 * SETTLE_TOLERANCE}% of the fastest yet)`);
    await runIsolate(index, pending);
  }

  const rows: BenchRow[] = [];
  // a floor row lacks an isolate when any isolate's process failed; a design's row, when one that
  // was to measure its operation did
  const failure = (server: string, op: string) => processFailures.get(server === FLOOR_VARIANT ? FLOOR_VARIANT : op);
  const measured = (server: string, op: string) => {
    const groups = samples.get(sampleKey(server, op));
    return groups && !errors.has(sampleKey(server, op)) && failure(server, op) === undefined ? groups : undefined;
  };
  const whyNot = (server: string, op: string) => errors.get(sampleKey(server, op)) ?? failure(server, op) ?? 'no samples';
  const rowOf = (variant: string, workload: string, metric: string, groups: number[][], extra: { flags?: string[]; error?: string } = {}) => {
    // the figure from the samples as stored (rounded), so it can be recomputed from the file
    const stored = groups.map((g) => g.map(round4));
    return makeRow({ variant, workload, metric, unit: 'ns', samples: stored.flat(), isolates: stored.map((g) => g.length), value: isolateFigure(stored), ...extra });
  };
  const floors = new Map<string, number>();
  for (const m of FLOOR_METRICS) {
    const groups = measured(FLOOR_VARIANT, m);
    if (!groups) {
      rows.push(errorRow(FLOOR_VARIANT, 'floor', m, 'ns', whyNot(FLOOR_VARIANT, m)));
      continue;
    }
    floors.set(m, Math.min(...groups.flat()));
    rows.push(rowOf(FLOOR_VARIANT, 'floor', m, groups));
  }
  for (const name of designNames) {
    // the fastest the floor was ever seen, here or in the floor worker's rounds: a floor taken in
    // a slow moment would flag an honest figure taken in a fast one
    const local = (f: string) => {
      const xs = samples.get(sampleKey(name, `local:${f}`))?.flat() ?? [];
      const best = Math.min(...xs, floors.get(f) ?? Infinity);
      return Number.isFinite(best) ? best : undefined;
    };
    for (const opName of ops) {
      const groups = measured(name, opName);
      if (!groups) {
        rows.push(errorRow(name, opName, 'time', 'ns', whyNot(name, opName)));
        continue;
      }
      const op = MICRO_OPS.find((o) => o.name === opName)!;
      const value = isolateFigure(groups);
      const fl = local(op.floor);
      const noop = local('noop');
      const all = groups.flat();
      const avg = all.reduce((a, x) => a + x, 0) / all.length;
      const below = (fl !== undefined && value < FLOOR_TOLERANCE * fl) || (noop !== undefined && avg < DCE_FACTOR * noop);
      rows.push(
        rowOf(
          name,
          opName,
          'time',
          groups,
          below
            ? {
                flags: ['below-floor'],
                error: `${value.toFixed(2)} ns is below its floor (${op.floor} at best ${fl?.toFixed(2)} ns, empty call ${noop?.toFixed(2)} ns): the JIT likely removed the work; not reported`,
              }
            : {},
        ),
      );
    }
  }
  return rows;
}

const ISOLATE_PROCESS = fileURLToPath(new URL('./isolate-process.js', import.meta.url));

/**
 * Runs one isolate in a new node process and returns what it measured, or why the process gave
 * nothing (a crash, a kill, output that is not its result) with what it printed last.
 */
function runIsolateProcess(spec: IsolateSpec, log: (line: string) => void): Promise<IsolatePart | { failure: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-concurrent-recompilation', ISOLATE_PROCESS, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      for (const line of d.split('\n')) if (line.startsWith('micro: ')) log(line);
    });
    const failed = (why: string) => {
      const last = err.trim().split('\n').filter((l) => !l.startsWith('micro: ')).slice(-3).join(' | ');
      return { failure: `the isolate's process ${why}${last ? `: ${last}` : ''}` };
    };
    child.on('error', (e) => resolve(failed(`could not start (${e.message})`)));
    child.on('close', (code, signal) => {
      if (code !== 0) return resolve(failed(signal ? `was killed (${signal})` : `exited ${code}`));
      try {
        resolve(JSON.parse(out) as IsolatePart);
      } catch {
        resolve(failed('printed no result'));
      }
    });
  });
}

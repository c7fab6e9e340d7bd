// The interrupt-load benchmark: for each configuration and design, one shared heap, the driver set
// up on the main thread, and one worker thread per role (worker.ts). The run has a warm-up and
// then N equal measurement intervals; every rate row keeps one sample per interval, every latency
// row one per-interval percentile, so runs can be compared for significance. Rows carry
// "oversubscribed" when the run has more threads than the machine has cores, and "unfair" when a
// thread kind's busiest thread did more than twice the work of its idlest (locktorture's ???).

import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchRow } from '../../src/results/types.ts';
import { monoMs } from '../../src/native/clock.ts';
import type { NativePool } from '../../src/native/pool.ts';
import { createSession } from '../../src/native/session.ts';
import { errorRow, makeRow, quantile } from '../../src/native/stats.ts';
import type { VariantRef } from '../../src/native/variants.ts';
import { configName, threadsOf, type IrqConfig, type RunTiming } from './config.ts';
import type { BenchInitParams } from './driver.ts';
import { timesWords, type Role, type RoleJobData, type RoleResult } from './worker.ts';

const WORKER = new URL('./worker.ts', import.meta.url).href;
const DRIVER = new URL('./driver.ts', import.meta.url).href;
export const FLOOR_DESIGN: VariantRef = { name: 'floor', file: new URL('./floor-design.ts', import.meta.url).pathname };

/** How long threads get to finish after the end of a run before they are told to abandon it. */
const FINISH_MS = 3000;

export interface IrqLoadOptions {
  variants: VariantRef[];
  configs: IrqConfig[];
  timing: RunTiming;
  pool: NativePool;
  cores: number;
  /** include the floor design (default true) */
  floor?: boolean;
  heapWords?: number;
  log?: (line: string) => void;
}

export interface IrqLoadRun {
  variant: string;
  workload: string;
  threads: number;
  results: RoleResult[];
  /** errors of threads that never returned a result */
  lost: string[];
}

interface ThreadPlan {
  role: Role;
  index: number;
  ctx: number;
}

function planThreads(c: IrqConfig): ThreadPlan[] {
  const plan: ThreadPlan[] = [];
  for (let ctx = 0; ctx < c.ctx; ctx++) plan.push({ role: 'irq', index: ctx, ctx }, { role: 'submitter', index: ctx, ctx });
  for (let i = 0; i < c.pollers; i++) plan.push({ role: 'poller', index: i, ctx: i % c.ctx });
  for (let i = 0; i < c.waiters; i++) plan.push({ role: 'waiter', index: i, ctx: i % c.ctx });
  for (let i = 0; i < c.cbs; i++) plan.push({ role: 'adder', index: i, ctx: i % c.ctx });
  return plan;
}

/** Runs one design under one configuration. */
export async function runOne(v: VariantRef, config: IrqConfig, opts: Pick<IrqLoadOptions, 'pool' | 'timing' | 'heapWords'>): Promise<IrqLoadRun> {
  const workload = configName(config);
  const plan = planThreads(config);
  const session = await createSession({
    variantFile: v.file,
    init: { module: DRIVER, export: 'bench_driver_init', params: { contexts: config.ctx } satisfies BenchInitParams },
    heapWords: opts.heapWords ?? 1 << 21,
  });
  const times = new SharedArrayBuffer(timesWords(config.ctx) * 8);
  const jobs = plan.map((t, i) =>
    opts.pool.run<RoleResult>({
      module: WORKER,
      export: 'roleJob',
      data: { attach: session.attachData(i + 1, t.role === 'irq' ? 'hardirq' : 'process'), ...t, config, timing: opts.timing, times } satisfies RoleJobData,
    }),
  );
  const anyFailed = Promise.all(jobs).then(() => undefined);
  anyFailed.catch(() => undefined);
  const { heap } = session;
  try {
    await Promise.race([heap.waitReady(jobs.length), anyFailed]);
  } catch {
    // a thread failed to attach: run the others anyway, it is reported as lost
  }
  new Float64Array(times)[0] = monoMs() + 1;
  heap.go();
  await sleep(opts.timing.warmupMs + opts.timing.intervals * opts.timing.intervalMs + 20);
  heap.stop();
  heap.wakeAll();
  let settled = await settleWithin(jobs, FINISH_MS);
  if (settled.some((s) => s === undefined)) {
    heap.kill();
    heap.wakeAll();
    settled = await settleWithin(jobs, FINISH_MS);
    if (settled.some((s) => s === undefined)) {
      await opts.pool.terminateBusy();
      settled = await settleWithin(jobs, FINISH_MS);
    }
  }
  const results: RoleResult[] = [];
  const lost: string[] = [];
  settled.forEach((s, i) => {
    const t = plan[i]!;
    if (s?.status === 'fulfilled') results.push(s.value);
    else lost.push(`${t.role}#${t.index}: ${s?.status === 'rejected' ? (s.reason as Error).message : 'did not finish'}`);
  });
  return { variant: v.name, workload, threads: plan.length, results, lost };
}

async function settleWithin<T>(jobs: Promise<T>[], ms: number): Promise<(PromiseSettledResult<T> | undefined)[]> {
  const out: (PromiseSettledResult<T> | undefined)[] = jobs.map(() => undefined);
  const tracked = jobs.map((p, i) =>
    p.then(
      (value) => (out[i] = { status: 'fulfilled', value }),
      (reason: unknown) => (out[i] = { status: 'rejected', reason }),
    ),
  );
  await Promise.race([Promise.all(tracked), sleep(ms)]);
  return out;
}

const KIND_OF: Record<Role, string> = { irq: 'IRQs', submitter: 'Emits', poller: 'Polls', waiter: 'Waits', adder: 'Callbacks' };

/** The rows of one run (rates, latencies, spin time, fairness). */
export function rowsOf(run: IrqLoadRun, timing: RunTiming, cores: number): BenchRow[] {
  const { variant, workload } = run;
  const intervalS = timing.intervalMs / 1000;
  const baseFlags = run.threads > cores ? ['oversubscribed'] : [];
  const errorsOf = (...roles: Role[]) => {
    const errs = run.results.filter((r) => roles.includes(r.role) && r.error).map((r) => `${r.role}#${r.index} threw ${r.error}`);
    const lost = run.lost.filter((l) => roles.some((role) => l.startsWith(`${role}#`)));
    const all = [...errs, ...lost];
    return all.length > 0 ? all.join('; ') : undefined;
  };
  const of = (role: Role) => run.results.filter((r) => r.role === role);
  const rows: BenchRow[] = [];
  const unfair = (role: Role): boolean => {
    const totals = of(role).map((r) => r.counts.reduce((a, x) => a + x, 0));
    return totals.length > 1 && Math.max(...totals) / 2 > Math.min(...totals);
  };

  const rate = (metric: string, unit: string, role: Role, errRoles: Role[]) => {
    const rs = of(role);
    if (rs.length === 0 && !errorsOf(...errRoles)) return;
    const samples = Array.from({ length: timing.intervals }, (_, k) => rs.reduce((a, r) => a + (r.counts[k] ?? 0), 0) / intervalS);
    const total = samples.reduce((a, x) => a + x, 0) / (samples.length || 1);
    const flags = [...baseFlags, ...(unfair(role) ? ['unfair'] : [])];
    const error = errorsOf(...errRoles);
    rows.push(makeRow({ variant, workload, metric, unit, samples, value: total, flags, ...(error ? { error } : {}) }));
  };
  rate('fences_per_s', 'fences/s', 'irq', ['irq', 'submitter']);
  if (run.results.some((r) => r.role === 'poller') || run.lost.some((l) => l.startsWith('poller#'))) rate('polls_per_s', 'polls/s', 'poller', ['poller']);
  if (run.results.some((r) => r.role === 'waiter') || run.lost.some((l) => l.startsWith('waiter#'))) rate('waits_per_s', 'waits/s', 'waiter', ['waiter']);
  if (run.results.some((r) => r.role === 'adder') || run.lost.some((l) => l.startsWith('adder#'))) rate('callbacks_per_s', 'callbacks/s', 'adder', ['adder']);

  const latency = (prefix: string, role: Role, errRoles: Role[]) => {
    const rs = of(role);
    const n = rs.reduce((a, r) => a + r.latCount, 0);
    const error = errorsOf(...errRoles);
    if (n === 0) {
      if (error) for (const q of ['p50', 'p99', 'p999']) rows.push(errorRow(variant, workload, `${prefix}_${q}_ns`, 'ns', error));
      return;
    }
    // Samples: the latencies in time order (interval, then thread), cut into `intervals` groups
    // of equal size, one percentile per group; so every row has as many samples as intervals.
    const all = new Float64Array(n);
    const ordered: number[] = [];
    for (let k = 0; k < timing.intervals; k++) for (const r of rs) for (let i = 0; i < r.latCount; i++) if (r.latInterval[i] === k) ordered.push(r.lat[i]!);
    let at = 0;
    for (const r of rs) {
      all.set(r.lat, at);
      at += r.latCount;
    }
    all.sort();
    const groups = Math.max(10, timing.intervals);
    if (n < groups) {
      for (const q of ['p50', 'p99', 'p999']) rows.push(errorRow(variant, workload, `${prefix}_${q}_ns`, 'ns', `only ${n} latency samples (fewer than ${groups}): ${error ?? 'too few events in the run'}`));
      return;
    }
    const sorted = Array.from({ length: groups }, (_, g) => ordered.slice(Math.floor((g * n) / groups), Math.floor(((g + 1) * n) / groups)).sort((a, b) => a - b));
    for (const [q, p] of [['p50', 0.5], ['p99', 0.99], ['p999', 0.999]] as const) {
      rows.push(
        makeRow({
          variant,
          workload,
          metric: `${prefix}_${q}_ns`,
          unit: 'ns',
          samples: sorted.map((xs) => quantile(xs, p)),
          value: quantile(all, p),
          flags: baseFlags,
          ...(error ? { error } : {}),
        }),
      );
    }
  };
  latency('cb_latency', 'irq', ['irq', 'adder']);
  latency('wake_latency', 'waiter', ['waiter', 'irq']);

  const perInterval = (pick: (r: RoleResult) => number[]) =>
    Array.from({ length: timing.intervals }, (_, k) => run.results.reduce((a, r) => a + (pick(r)[k] ?? 0), 0) / intervalS);
  rows.push(makeRow({ variant, workload, metric: 'lock_spin_ns_per_s', unit: 'ns/s', samples: perInterval((r) => r.spinNs), value: mean(perInterval((r) => r.spinNs)), flags: baseFlags }));
  rows.push(makeRow({ variant, workload, metric: 'lock_contended_per_s', unit: 'acquisitions/s', samples: perInterval((r) => r.contended), value: mean(perInterval((r) => r.contended)), flags: baseFlags }));

  for (const role of ['poller', 'waiter', 'adder', 'irq'] as Role[]) {
    const rs = of(role);
    if (rs.length < 2) continue;
    const ratio = (xs: number[]) => Math.max(...xs) / Math.max(1, Math.min(...xs));
    const totals = rs.map((r) => r.counts.reduce((a, x) => a + x, 0));
    const samples = Array.from({ length: timing.intervals }, (_, k) => ratio(rs.map((r) => r.counts[k] ?? 0)));
    rows.push(
      makeRow({
        variant,
        workload,
        metric: `${role}_max_min`,
        unit: 'ratio',
        samples,
        value: ratio(totals),
        flags: [...baseFlags, ...(unfair(role) ? ['unfair'] : [])],
      }),
    );
  }
  return rows;
}

function mean(xs: number[]): number {
  return xs.reduce((a, x) => a + x, 0) / (xs.length || 1);
}

/** locktorture-style lines for one run: per thread kind Total and Max/Min, ??? when unfair. */
export function fairnessLines(run: IrqLoadRun): string[] {
  const lines: string[] = [];
  for (const role of ['irq', 'submitter', 'poller', 'waiter', 'adder'] as Role[]) {
    const rs = run.results.filter((r) => r.role === role);
    if (rs.length === 0) continue;
    const totals = rs.map((r) => r.counts.reduce((a, x) => a + x, 0));
    const max = Math.max(...totals);
    const min = Math.min(...totals);
    const fails = rs.filter((r) => r.error).length + run.lost.filter((l) => l.startsWith(`${role}#`)).length;
    const total = totals.reduce((a, x) => a + x, 0);
    lines.push(`${`${KIND_OF[role]}:`.padEnd(11)} Total: ${total}  Max/Min: ${max}/${min} ${max / 2 > min && rs.length > 1 ? '???' : ''}  Fail: ${fails} ${fails > 0 ? '!!!' : ''}`.trimEnd());
  }
  return lines;
}

export interface IrqLoadOutput {
  rows: BenchRow[];
  runs: IrqLoadRun[];
}

export async function runIrqLoad(opts: IrqLoadOptions): Promise<IrqLoadOutput> {
  const log = opts.log ?? (() => undefined);
  const variants = opts.floor === false ? opts.variants : [FLOOR_DESIGN, ...opts.variants];
  const rows: BenchRow[] = [];
  const runs: IrqLoadRun[] = [];
  for (const config of opts.configs) {
    const over = threadsOf(config) > opts.cores ? ` (${threadsOf(config)} threads on ${opts.cores} cores: oversubscribed)` : '';
    for (const v of variants) {
      log(`${configName(config)}: ${v.name}${over}`);
      let run: IrqLoadRun;
      try {
        run = await runOne(v, config, opts);
      } catch (err) {
        for (const metric of ['fences_per_s', 'polls_per_s']) rows.push(errorRow(v.name, configName(config), metric, metric === 'fences_per_s' ? 'fences/s' : 'polls/s', (err as Error).message));
        continue;
      }
      runs.push(run);
      rows.push(...rowsOf(run, opts.timing, opts.cores));
    }
  }
  return { rows, runs };
}

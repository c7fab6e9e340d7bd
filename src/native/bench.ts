// The benchmark run behind `fence-lab bench` (and anything else that wants bench results): the
// micro benchmarks and the interrupt-load sweeps for the chosen designs, returned as data (the
// BenchResults contract) plus the text a kernel developer reads. Printing is the CLI's job.

import { FLOOR_VARIANT, runMicro } from '../../bench/micro/run.ts';
import { FLOOR_METRICS, MICRO_OPS } from '../../bench/micro/ops.ts';
import { fairnessLines, runIrqLoad, type IrqLoadRun } from '../../bench/irq-load/run.ts';
import { configName, parseConfig, sweepConfigs, threadsOf, timingFor, type IrqConfig } from '../../bench/irq-load/config.ts';
import { environmentContext } from '../results/context.ts';
import type { BenchResults, BenchRow } from '../results/types.ts';
import { machineCores, NativePool } from './pool.ts';
import type { VariantRef } from './variants.ts';
import { runScale, scaleProfiles, scaleText, simulatedContext } from '../timing/run.ts';
import { defaultJobs } from '../sim/pool.ts';

export interface BenchOptions {
  variants: VariantRef[];
  /** 'micro', 'irq-load', 'floor', 'scale', a micro operation, or 'irq-load/<config>'; empty = everything */
  workloads: string[];
  quick: boolean;
  /** machine profiles for 'scale' (names or paths); empty = every built-in profile */
  profiles?: string[];
  /** worker threads for 'scale' cells (default: the cores) */
  jobs?: number;
  log?: (line: string) => void;
}

export interface BenchOutput {
  results: BenchResults;
  text: string[];
  /** the largest peak RSS of the micro isolates' processes (they run one at a time), MiB */
  isolatePeakRssMiB: number;
}

export interface Plan {
  micro: string[] | null;
  irq: IrqConfig[];
  /** the timing model's scale workload (src/timing) */
  scale: boolean;
}

/** What a --workload list asks for. Throws on an unknown name. */
export function planWorkloads(workloads: string[], quick: boolean): Plan {
  if (workloads.length === 0) return { micro: MICRO_OPS.map((o) => o.name), irq: sweepConfigs(quick), scale: true };
  const micro: string[] = [];
  const irq: IrqConfig[] = [];
  let floorOnly = false;
  let scale = false;
  for (const w of workloads.flatMap((x) => x.split(/\s+/)).filter(Boolean)) {
    if (w === 'micro') micro.push(...MICRO_OPS.map((o) => o.name));
    else if (w === 'floor') floorOnly = true;
    else if (w === 'irq-load') irq.push(...sweepConfigs(quick));
    else if (w === 'scale') scale = true;
    else if (w.startsWith('irq-load/')) irq.push(parseConfig(w));
    else if (MICRO_OPS.some((o) => o.name === w)) micro.push(w);
    else {
      throw new Error(
        `unknown workload '${w}'; workloads: micro, irq-load, scale, floor, ${MICRO_OPS.map((o) => o.name).join(', ')}, or irq-load/<config> such as ${configName(sweepConfigs(true)[0]!)}`,
      );
    }
  }
  const uniqueIrq = irq.filter((c, i) => irq.findIndex((d) => configName(d) === configName(c)) === i);
  return { micro: micro.length > 0 || floorOnly ? [...new Set(micro)] : null, irq: uniqueIrq, scale };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function microText(rows: BenchRow[]): string[] {
  const floor = (m: string) => rows.find((r) => r.variant === FLOOR_VARIANT && r.workload === 'floor' && r.metric === m && !r.error)?.value;
  const isolates = rows.find((r) => r.isolates)?.isolates?.length ?? 1;
  const lines = [
    `Micro benchmarks (one thread; ns per call: the fastest 1 ms sample over ${isolates} fresh isolate${isolates === 1 ? '' : 's'}; x = multiple of its floor; p50/p99 over every sample)`,
  ];
  lines.push(`  floor: ${FLOOR_METRICS.map((m) => `${m} ${floor(m) !== undefined ? fmt(floor(m)!) : '-'} ns`).join(', ')}`);
  const micro = rows.filter((r) => r.workload !== 'floor');
  for (const op of MICRO_OPS) {
    const opRows = micro.filter((r) => r.workload === op.name);
    if (opRows.length === 0) continue;
    lines.push(`  ${op.name} (${op.what}; floor ${op.floor})`);
    const f = floor(op.floor);
    for (const r of opRows) {
      if (r.error) {
        lines.push(`    ${r.variant.padEnd(30)} ${'-'.padStart(9)}  ${r.error}`);
        continue;
      }
      const x = f ? `${(r.value / f).toFixed(2)}x` : '';
      lines.push(`    ${r.variant.padEnd(30)} ${fmt(r.value).padStart(9)} ns ${x.padStart(8)}   p50 ${fmt(r.stats.p50)} p99 ${fmt(r.stats.p99)} (${r.samples.length} samples)`);
    }
  }
  return lines;
}

function irqText(rows: BenchRow[], runs: IrqLoadRun[], cores: number): string[] {
  const lines = [
    `Interrupt load (worker threads on ${cores} cores; rates per second; latency from the interrupt, us;`,
    '  lock wait = time threads spent waiting for contended locks, % of one thread)',
  ];
  const workloads = [...new Set(rows.filter((r) => r.workload.startsWith('irq-load/')).map((r) => r.workload))];
  for (const w of workloads) {
    const threads = threadsOf(parseConfig(w));
    lines.push(`  ${w}${threads > cores ? `  [${threads} threads: oversubscribed]` : ''}`);
    for (const v of [...new Set(rows.filter((r) => r.workload === w).map((r) => r.variant))]) {
      const get = (m: string) => rows.find((r) => r.variant === v && r.workload === w && r.metric === m);
      const val = (m: string, scale = 1) => {
        const r = get(m);
        return r && !r.error ? fmt(r.value / scale) : '-';
      };
      lines.push(
        `    ${v.padEnd(30)} fences ${val('fences_per_s').padStart(7)}  polls ${val('polls_per_s').padStart(7)}  ` +
          `cb p50/p99/p999 ${val('cb_latency_p50_ns', 1e3)}/${val('cb_latency_p99_ns', 1e3)}/${val('cb_latency_p999_ns', 1e3)}  ` +
          `wake p50/p99 ${val('wake_latency_p50_ns', 1e3)}/${val('wake_latency_p99_ns', 1e3)}  lock wait ${val('lock_spin_ns_per_s', 1e7)}%`,
      );
      const run = runs.find((r) => r.variant === v && r.workload === w);
      if (run) for (const l of fairnessLines(run)) lines.push(`      ${l}`);
      const errors = rows.filter((r) => r.variant === v && r.workload === w && r.error).map((r) => `${r.metric}: ${r.error}`);
      for (const e of [...new Set(errors)]) lines.push(`      error ${e}`);
    }
  }
  return lines;
}

/** The results file: one row per line (as the report fixtures are), so a diff shows rows. */
export function formatResults(results: BenchResults): string {
  const head = JSON.stringify({ schema: results.schema, context: results.context });
  return `${head.slice(0, -1)},"results":[\n${results.results.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
}

export async function runBench(opts: BenchOptions): Promise<BenchOutput> {
  const plan = planWorkloads(opts.workloads, opts.quick);
  const cores = machineCores();
  const rows: BenchRow[] = [];
  const text: string[] = [];
  let isolatePeakRssMiB = 0;
  // a pool per part: the interrupt-load threads start from fresh isolates, and the micro
  // servers' memory is given back before they start
  if (plan.micro) {
    // the micro servers start pools of their own, one per isolate
    const microRows = await runMicro({
      variants: opts.variants,
      ops: plan.micro,
      quick: opts.quick,
      log: opts.log,
      onIsolate: (_, kb) => (isolatePeakRssMiB = Math.max(isolatePeakRssMiB, kb / 1024)),
    });
    rows.push(...microRows);
    text.push(...microText(microRows), '');
  }
  if (plan.irq.length > 0) {
    const pool = new NativePool();
    try {
      const out = await runIrqLoad({ variants: opts.variants, configs: plan.irq, timing: timingFor(opts.quick), pool, cores, log: opts.log });
      rows.push(...out.rows);
      text.push(...irqText(out.rows, out.runs, cores), '');
    } finally {
      await pool.close();
    }
  }
  const simulatedOnly = plan.scale && !plan.micro && plan.irq.length === 0;
  if (plan.scale) {
    const out = await runScale({ variants: opts.variants.map((v) => v.file), profiles: opts.profiles ?? [], quick: opts.quick, jobs: opts.jobs ?? defaultJobs(), log: opts.log });
    rows.push(...out.rows);
    text.push(...scaleText(out.rows), '');
  }
  // simulated rows alone do not depend on the host or the hour: their context says what made them
  const context = simulatedOnly ? simulatedContext(scaleProfiles(opts.profiles ?? [])) : environmentContext();
  return { results: { schema: 1, context, results: rows }, text, isolatePeakRssMiB };
}

// The scale workload (`fence-lab bench --workload scale`): every design (and the floor) on
// 1..64 simulated CPUs of every machine profile, under the interrupt-load configurations, cells
// spread over the worker pool (src/sim/pool.ts). Rows come back in plan order whatever the
// number of jobs, so the results file is the same bytes on every run.

import { performance } from 'node:perf_hooks';
import { SCALE_CPUS, scaleConfigName, scaleConfigs, parseScaleWorkload, type ScaleConfig } from '../../bench/scale/config.ts';
import { gitCommit } from '../results/context.ts';
import type { BenchContext, BenchRow } from '../results/types.ts';
import { runTasks, task } from '../sim/pool.ts';
import { loadProfiles, resolveProfile, type Profile } from './profile.ts';
import { FLOOR_NAME, MODEL_VERSION, type ScaleCell, type ScaleCellResult } from './scale.ts';
import { execFileSync } from 'node:child_process';

export interface ScaleOptions {
  /** design names or paths (the floor design is added first) */
  variants: string[];
  /** profile names or paths; empty: every built-in profile */
  profiles: string[];
  quick: boolean;
  jobs: number;
  log?: (line: string) => void;
}

export interface ScaleOutput {
  rows: BenchRow[];
  cells: number;
  events: number;
  wallMs: number;
}

export function scaleProfiles(names: string[]): Profile[] {
  return names.length === 0 ? loadProfiles() : names.map((n) => resolveProfile(n));
}

/** The cells, in the order their rows are reported: profile, configuration, CPUs, design. */
export function planScale(opts: Pick<ScaleOptions, 'variants' | 'profiles' | 'quick'>): ScaleCell[] {
  const cells: ScaleCell[] = [];
  for (const p of scaleProfiles(opts.profiles)) {
    const profile = p.file;
    for (const config of scaleConfigs(opts.quick)) {
      for (const cpus of SCALE_CPUS) {
        if (config.roles === 'stub-pollers' && cpus === 1) continue;
        for (const variant of [FLOOR_NAME, ...opts.variants]) cells.push({ variant, profile, cpus, config, quick: opts.quick });
      }
    }
  }
  return cells;
}

export async function runScale(opts: ScaleOptions): Promise<ScaleOutput> {
  const cells = planScale(opts);
  const started = performance.now();
  // the biggest cells first, so no worker is left with a 64-CPU cell at the end
  const order = cells.map((_, i) => i).sort((a, b) => cells[b]!.cpus - cells[a]!.cpus || a - b);
  const tasks = order.map((i) => task(import.meta.resolve('./scale.ts'), 'runScaleCell', cells[i]!));
  let done = 0;
  let events = 0;
  let lastLog = 0;
  const { results } = await runTasks<ScaleCellResult>(tasks, {
    jobs: opts.jobs,
    onSettle: (_i, r) => {
      done++;
      events += r.events;
      const now = performance.now();
      if (opts.log && (now - lastLog > 5000 || done === tasks.length)) {
        lastLog = now;
        const s = (now - started) / 1000;
        opts.log(`scale: ${done}/${tasks.length} cells, ${s.toFixed(1)} s, ${(events / s / 1e6).toFixed(2)}M simulated events/s`);
      }
    },
  });
  const byCell: ScaleCellResult[] = new Array(cells.length);
  order.forEach((cellIndex, taskIndex) => (byCell[cellIndex] = results[taskIndex]!));
  return { rows: byCell.flatMap((r) => r.rows), cells: cells.length, events, wallMs: performance.now() - started };
}

/**
 * The context of a results file that holds only simulated rows: what produced them (the model,
 * the profiles, the commit and its date), nothing of the host's clock, so two runs of one
 * commit write the same bytes.
 */
export function simulatedContext(profiles: Profile[], cwd = process.cwd()): BenchContext {
  const commit = gitCommit(cwd);
  let date = '1970-01-01T00:00:00.000Z';
  try {
    date = new Date(execFileSync('git', ['log', '-1', '--format=%cI'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()).toISOString();
  } catch {
    // outside a git checkout: the epoch, stated as such
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: `simulated (${MODEL_VERSION}): ${profiles.map((p) => p.name).join(', ')}`,
    cores: Math.max(...SCALE_CPUS),
    os: `fence-lab timing model ${MODEL_VERSION}`,
    commit,
    date,
  };
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Text for `fence-lab bench`: per profile and configuration, each metric against the CPU count. */
export function scaleText(rows: BenchRow[]): string[] {
  const lines = ['Scale (timing model, simulated CPUs; deterministic: the same figures on any host)'];
  const groups = new Map<string, { profile: string; config: ScaleConfig; cpus: Set<number> }>();
  for (const r of rows) {
    const w = parseScaleWorkload(r.workload);
    if (!w) continue;
    const key = `${w.profile} ${scaleConfigName(w.config)}`;
    const g = groups.get(key) ?? { profile: w.profile, config: w.config, cpus: new Set<number>() };
    g.cpus.add(w.cpus);
    groups.set(key, g);
  }
  const metrics: [string, string, number][] = [
    ['fences_per_s', 'fences/s', 1],
    ['polls_per_s', 'polls/s', 1],
    ['cb_latency_p99_ns', 'callback p99, us', 1e3],
    ['line_transfers_per_poll', 'line transfers per poll', 1],
    ['lock_wait_ns_per_acquire', 'lock wait per acquisition, ns', 1],
  ];
  for (const [key, g] of groups) {
    lines.push(`  ${key}`);
    const cpus = [...g.cpus].sort((a, b) => a - b);
    const inGroup = rows.filter((r) => {
      const w = parseScaleWorkload(r.workload);
      return w && `${w.profile} ${scaleConfigName(w.config)}` === key;
    });
    const variants = [...new Set(inGroup.map((r) => r.variant))];
    for (const [metric, label, scale] of metrics) {
      if (!inGroup.some((r) => r.metric === metric)) continue;
      lines.push(`    ${label.padEnd(30)} ${cpus.map((n) => `N=${n}`.padStart(8)).join('')}`);
      for (const v of variants) {
        const cells = cpus.map((n) => {
          const r = inGroup.find((x) => x.variant === v && x.metric === metric && parseScaleWorkload(x.workload)!.cpus === n);
          return fmt(r ? r.value / scale : undefined).padStart(8);
        });
        lines.push(`      ${v.padEnd(28)} ${cells.join('')}`);
      }
    }
  }
  return lines;
}

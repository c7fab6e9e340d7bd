// The timing model's rows in a bench results file (workload "scale/<profile>/cpus=<N>,<config>",
// flag "simulated"): which profiles and configurations are there, and the headline simulated
// configuration the report builds its safety x cost chart on.
import { parseScaleWorkload, scaleConfigName, scaleWorkload, type ScaleConfig } from '../../bench/scale/config.ts';
import type { BenchResults, BenchRow } from '../results/types.ts';

/** The profile the headline prefers (the first machine), when present. */
const PREFERRED_PROFILE = 'xeon-8375c';
/** The headline configuration: a GPU interrupt rate every design keeps up with, all roles. */
const HEADLINE_CONFIG: ScaleConfig = { irq: 50_000, roles: 'mixed' };
/** The scaling chart's throughput panel: unthrottled interrupts. */
export const THROUGHPUT_CONFIG: ScaleConfig = { irq: 0, roles: 'mixed' };

export interface ScaleFigures {
  rows: BenchRow[];
  profiles: string[];
  /** the model version the rows name (flag model=...) */
  model: string;
  value(variant: string, profile: string, cpus: number, config: ScaleConfig, metric: string): number | undefined;
  cpus(profile: string, config: ScaleConfig): number[];
  /** the headline: profile, CPU count and configuration the safety x cost chart uses */
  headline?: { profile: string; cpus: number; config: ScaleConfig; workload: string };
}

export function readScaleFigures(bench: BenchResults): ScaleFigures | undefined {
  const rows = bench.results.filter((r) => !r.error && r.flags?.includes('simulated') && parseScaleWorkload(r.workload));
  if (rows.length === 0) return undefined;
  const parsed = new Map(rows.map((r) => [r.workload, parseScaleWorkload(r.workload)!]));
  const profiles = [...new Set([...parsed.values()].map((w) => w.profile))].sort();
  const model = rows[0]!.flags!.find((f) => f.startsWith('model='))?.slice('model='.length) ?? 'unknown';
  const cpus = (profile: string, config: ScaleConfig) =>
    [...new Set([...parsed.values()].filter((w) => w.profile === profile && scaleConfigName(w.config) === scaleConfigName(config)).map((w) => w.cpus))].sort((a, b) => a - b);
  const value = (variant: string, profile: string, n: number, config: ScaleConfig, metric: string) =>
    rows.find((r) => r.variant === variant && r.metric === metric && r.workload === scaleWorkload(profile, n, config))?.value;
  const profile = profiles.includes(PREFERRED_PROFILE) ? PREFERRED_PROFILE : profiles[0]!;
  const ns = cpus(profile, HEADLINE_CONFIG);
  const most = ns[ns.length - 1];
  return {
    rows,
    profiles,
    model,
    value,
    cpus,
    ...(most !== undefined ? { headline: { profile, cpus: most, config: HEADLINE_CONFIG, workload: scaleWorkload(profile, most, HEADLINE_CONFIG) } } : {}),
  };
}

/** "simulated: xeon-8375c, 64 CPUs, irq=50k, roles=mixed (timing model timing-1)". */
export function describeHeadline(f: ScaleFigures): string {
  const h = f.headline!;
  return `simulated: ${h.profile}, ${h.cpus} CPUs, ${scaleConfigName(h.config)} (timing model ${f.model}, not measured on this host)`;
}

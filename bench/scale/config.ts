// Scale configurations: what the timing model runs on N simulated CPUs, and the
// "scale/<profile>/cpus=<N>,<config>" workload name its rows get.
//
//   irq     interrupts per second the GPU can raise for the one fence context (its completion
//           rate), as in irq-load/<config>; 0 = max (each fence completes as it is submitted)
//   roles   mixed: CPU0 submits fences and takes the GPU interrupt; every other CPU runs one of
//                  poller, adder, waiter, poller in turn (the irq-load roles, fpc=8)
//           stub-pollers: CPU0 as above; every other CPU polls the shared stub fence

import { rateText } from '../irq-load/config.ts';

export type ScaleRoles = 'mixed' | 'stub-pollers';

export interface ScaleConfig {
  irq: number;
  roles: ScaleRoles;
}

export const SCALE_CPUS = [1, 2, 4, 8, 16, 32, 64] as const;
export const FENCES_PER_CONTEXT = 8;
/**
 * Work between two polls of a paced poller (mixed roles), ns: a CPU that checks a fence between
 * other work (a scheduler walking its dependencies, a compositor's poll()), at the same pace on
 * every design, so each design is offered the same polls (bench/scale/roles.ts).
 */
export const POLL_GAP_NS = 1000;

/** The native sweep's interrupt rates (bench/irq-load/config.ts sweepConfigs). */
const QUICK_RATES = [50_000, 0];
const FULL_RATES = [25_000, 50_000, 100_000, 200_000, 400_000, 0];

export function scaleConfigName(c: ScaleConfig): string {
  return `irq=${rateText(c.irq)},roles=${c.roles}`;
}

export function scaleWorkload(profile: string, cpus: number, c: ScaleConfig): string {
  return `scale/${profile}/cpus=${cpus},${scaleConfigName(c)}`;
}

/** Parses "scale/<profile>/cpus=<N>,irq=<rate>,roles=<roles>". */
export function parseScaleWorkload(w: string): { profile: string; cpus: number; config: ScaleConfig } | null {
  const m = /^scale\/([^/]+)\/cpus=(\d+),irq=(max|\d+(?:\.\d+)?[kM]?),roles=(mixed|stub-pollers)$/.exec(w);
  if (!m) return null;
  const r = m[3]!;
  const irq = r === 'max' ? 0 : Number(r.replace(/[kM]$/, '')) * (r.endsWith('k') ? 1e3 : r.endsWith('M') ? 1e6 : 1);
  return { profile: m[1]!, cpus: Number(m[2]), config: { irq, roles: m[4] as ScaleRoles } };
}

/** The sweep: the interrupt rates with the mixed roles, and "every CPU polls the stub" at max. */
export function scaleConfigs(quick: boolean): ScaleConfig[] {
  return [...(quick ? QUICK_RATES : FULL_RATES).map((irq) => ({ irq, roles: 'mixed' as const })), { irq: 0, roles: 'stub-pollers' }];
}

export type Role = 'poller' | 'adder' | 'waiter' | 'stub-poller';

/** The role of consumer CPU `cpu` (1..N-1). */
export function roleOf(c: ScaleConfig, cpu: number): Role {
  if (c.roles === 'stub-pollers') return 'stub-poller';
  return (['poller', 'adder', 'waiter', 'poller'] as const)[(cpu - 1) % 4]!;
}

/** Simulated time per cell: a warm-up, then the measured window (ns). */
export function windowFor(quick: boolean): { warmupNs: number; measureNs: number } {
  return quick ? { warmupNs: 200_000, measureNs: 2_000_000 } : { warmupNs: 500_000, measureNs: 20_000_000 };
}

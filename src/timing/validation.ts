// The timing model's validation experiments (README "Timing model", test/timing.test.ts):
//   - one CPU: the native micro benchmarks' operation loops, so the model's ratios between
//     designs can be held against the native figures (bench/scale/native-micro.json);
//   - Boyd-Wickizer, Kaashoek, Morris, Zeldovich, "Non-scalable locks are dangerous" (Linux
//     Symposium 2012): N CPUs incrementing one counter under a ticket spinlock stop scaling and
//     then collapse; per-CPU counters scale linearly; and (the paper's remedy) under a queued
//     lock the shared counter stops scaling but does not collapse.

import type { MicroWorld } from '../../bench/micro/world.ts';
import type { ScaleHarness } from '../../bench/scale/roles.ts';
import { loadFences, loadRoles, newProgram } from './scale.ts';
import { resolveProfile } from './profile.ts';

/** The micro operations whose ratios between designs the model is held to. */
export const RATIO_OPS = ['is_signaled-signaled', 'is_signaled-unsignaled', 'signal-cycle', 'add_callback-signal', 'get_status'] as const;

const WARM_ITERATIONS = 16;
const ITERATIONS = 64;

/** Simulated ns per call of micro operation `op` of `variant` on one CPU of `profile`. */
export async function microOpNs(variant: string, op: string, profile: string): Promise<number> {
  const roles = await loadRoles();
  const { make } = await loadFences(variant);
  const { eng, proc } = newProgram(resolveProfile(profile), 1);
  const fences = make();
  const cpu = proc[0];
  const mw = eng.runAlone(roles['scale_micro_world']!(cpu, fences)) as MicroWorld;
  eng.runAlone(roles['scale_micro_op']!(cpu, fences, mw, op, WARM_ITERATIONS));
  const start = eng.cores[0]!.clock;
  eng.runAlone(roles['scale_micro_op']!(cpu, fences, mw, op, ITERATIONS));
  return (eng.cores[0]!.clock - start) / ITERATIONS;
}

export type CounterKind = 'ticket' | 'qspinlock' | 'per-cpu';

/** Loads of a private line between two increments (the paper's non-critical work). */
export const PRIVATE_WORK = 200;

/** Increments per second of `cpus` CPUs on a counter of `kind`, over `windowNs` of simulated time. */
export async function counterRate(kind: CounterKind, cpus: number, profile: string, windowNs = 200_000): Promise<number> {
  const roles = await loadRoles();
  const { eng, proc } = newProgram(resolveProfile(profile), cpus);
  let counts = 0;
  const warm = windowNs / 4;
  const h = { counted: () => void (eng.now >= warm && counts++) } as unknown as ScaleHarness;
  const cpu0 = proc[0];
  // the ticket lock's two words on separate lines (next, then owner 8 words on), the counter on a third
  const lock = eng.runAlone(roles['scale_alloc']!(cpu0, 16)) as number;
  const counter = eng.runAlone(roles['scale_alloc']!(cpu0, 8)) as number;
  const mine = Array.from({ length: cpus }, () => eng.runAlone(roles['scale_alloc']!(cpu0, 8)) as number);
  eng.cores[0]!.clock = 0;
  for (let id = 0; id < cpus; id++) {
    const gen =
      kind === 'ticket'
        ? roles['scale_ticket_counter']!(proc[id], lock, counter, mine[id], PRIVATE_WORK, h)
        : kind === 'qspinlock'
          ? roles['scale_qspin_counter']!(proc[id], lock, counter, mine[id], PRIVATE_WORK, h)
          : roles['scale_percpu_counter']!(proc[id], mine[id], PRIVATE_WORK, h);
    eng.startProcess(id, gen, kind);
  }
  eng.run(warm + windowNs);
  return counts / (windowNs / 1e9);
}

/** The baseline every ratio is taken against: upstream's design. */
export const RATIO_BASE = 'current-shared-lock';
export const RATIO_TOLERANCE = 0.3;

export interface RatioRow {
  op: string;
  design: string;
  /** design / baseline, natively and in the model */
  native: number;
  model: number;
  /** model / native - 1 */
  off: number;
  agrees: boolean;
}

/** The one-CPU ratio table: every design against the baseline, per operation, model vs native. */
export async function ratioTable(profile: string, native: Record<string, Record<string, number>>): Promise<RatioRow[]> {
  const rows: RatioRow[] = [];
  for (const op of RATIO_OPS) {
    const base = await microOpNs(RATIO_BASE, op, profile);
    for (const design of Object.keys(native[op]!).filter((d) => d !== RATIO_BASE)) {
      const nativeRatio = native[op]![design]! / native[op]![RATIO_BASE]!;
      const model = (await microOpNs(design, op, profile)) / base;
      const off = model / nativeRatio - 1;
      rows.push({ op, design, native: nativeRatio, model, off, agrees: Math.abs(off) <= RATIO_TOLERANCE });
    }
  }
  return rows;
}

// One cell of the scale workload: a design on N simulated CPUs of one machine profile under one
// interrupt-load configuration, run by the timing engine for a fixed simulated window, turned
// into result rows (the BenchRow contract). Rows carry the flag "simulated" plus the profile and
// the model version, so compare treats them as exact and the report says where they come from.

import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchWorld } from '../../bench/irq-load/driver.ts';
import { RING } from '../../bench/irq-load/driver.ts';
import type { ScaleHarness } from '../../bench/scale/roles.ts';
import { FENCES_PER_CONTEXT, POLL_GAP_NS, roleOf, scaleWorkload, windowFor, type Role, type ScaleConfig } from '../../bench/scale/config.ts';
import type { Cpu } from '../kernel/cpu.ts';
import { makeRow, quantile } from '../native/stats.ts';
import type { BenchRow } from '../results/types.ts';
import { loadKernelFile } from '../sim/loader.ts';
import { loadVariant } from '../sim/registry.ts';
import type { Fences } from '../scenario.ts';
import { KernelMemory, TimingCpu } from './cpu.ts';
import { Engine, type TThread } from './engine.ts';
import { resolveProfile, type Profile } from './profile.ts';

/** Bumped whenever a change to the model moves its figures: rows name it. */
export const MODEL_VERSION = 'timing-2';

const LAB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ROLES_FILE = path.join(LAB, 'bench', 'scale', 'roles.ts');
export const FLOOR_FILE = path.join(LAB, 'bench', 'irq-load', 'floor-design.ts');
/** The floor design's name in rows, as the native interrupt-load rows call it. */
export const FLOOR_NAME = 'floor';

type Gen = Generator<unknown, unknown, unknown>;
type KernelEntry = (...args: unknown[]) => Gen;

export interface ScaleCell {
  /** a built-in design name, 'floor', or a path */
  variant: string;
  /** a built-in profile name or a path to a profile file */
  profile: string;
  cpus: number;
  config: ScaleConfig;
  quick: boolean;
}

export interface ScaleCellResult {
  rows: BenchRow[];
  /** primitives the engine ran (deterministic) and the host time it took (not) */
  events: number;
  hostMs: number;
}

export async function loadRoles(): Promise<Record<string, KernelEntry>> {
  return (await loadKernelFile(ROLES_FILE)).exports as Record<string, KernelEntry>;
}

export async function loadFences(variant: string): Promise<{ name: string; make: () => Fences }> {
  const v = await loadVariant(variant === FLOOR_NAME ? FLOOR_FILE : variant);
  return { name: variant === FLOOR_NAME ? FLOOR_NAME : v.name, make: () => new v.cls() as unknown as Fences };
}

/** A timed program: the engine, a Cpu per thread, the module memory. */
export function newProgram(profile: Profile, cpus: number): { eng: Engine; proc: TimingCpu[]; irq: TimingCpu[] } {
  const eng = new Engine(profile, cpus);
  const kernel = new KernelMemory(eng.machine);
  return {
    eng,
    proc: eng.cores.map((c) => new TimingCpu(eng, c.proc, kernel)),
    irq: eng.cores.map((c) => new TimingCpu(eng, c.irqThread, kernel)),
  };
}

/** Latency samples, growing by doubling (amortized: no allocation per sample). */
class Samples {
  private a = new Float64Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  sorted(): Float64Array {
    return this.a.slice(0, this.n).sort();
  }
}

/** The harness: the GPU's completion times, and what the roles count, inside the measured window. */
class Harness implements ScaleHarness {
  readonly fpc = FENCES_PER_CONTEXT;
  readonly pollGapNs = POLL_GAP_NS;
  /**
   * When the interrupt for each fence in the ring is due: the GPU's completion, held until every
   * consumer listens to the fence (Infinity until then), so that every design signals every fence
   * with the same callbacks on it, the same waiters asleep and the same pollers polling: a design
   * whose consumers come late would otherwise do the cheaper work of a late add_callback.
   */
  private readonly completion = new Float64Array(RING);
  private readonly gpuDone = new Float64Array(RING);
  private readonly listening = new Int32Array(RING);
  private readonly listeningSeqno = new Float64Array(RING);
  /** per CPU: the newest fence it registered on, and the fence its waiter waits for */
  private readonly lastRegistered: Float64Array;
  private readonly waitingFor: Float64Array;
  /** consumers done with each fence in the ring, and which seqno each slot counts for */
  private readonly done = new Int32Array(RING);
  private readonly doneSeqno = new Float64Array(RING);
  private lastCompletion = 0;
  submitterTask = 0;
  /** the fence the sleeping submitter waits for every consumer to finish (0: not waiting) */
  private awaited = 0;
  newest = 0;
  handled = 0;
  fences = 0;
  polls = 0;
  counts = 0;
  readonly cbLat = new Samples();
  readonly wakeLat = new Samples();
  /** polls in the iteration in progress and in the last whole one, per CPU (fast-forward credit) */
  private readonly iterPolls: Int32Array;
  private readonly lastIterPolls: Int32Array;

  constructor(
    private readonly eng: Engine,
    private readonly periodNs: number,
    private readonly from: number,
    private readonly to: number,
    /** CPUs that must be done with a fence before the submitter runs fpc past it */
    private readonly consumers: number,
  ) {
    this.iterPolls = new Int32Array(eng.ncpus);
    this.lastIterPolls = new Int32Array(eng.ncpus);
    this.lastRegistered = new Float64Array(eng.ncpus);
    this.waitingFor = new Float64Array(eng.ncpus);
    eng.onSleep = (t) => {
      if (t.role === 'waiter') this.registered(this.waitingFor[t.core.id]!);
    };
  }

  private inWindow(t: number): boolean {
    return t >= this.from && t < this.to;
  }

  iteration(): void {
    const t = this.eng.current;
    const id = t.core.id;
    this.lastIterPolls[id] = this.iterPolls[id]!;
    this.iterPolls[id] = 0;
    this.eng.iteration(t);
  }

  *pause(cpu: Cpu, ns: number): Generator<unknown, void, unknown> {
    yield* (cpu as unknown as TimingCpu).delay(ns);
  }

  /** Fast-forwarded iterations of CPU `id`: those started inside the window count. */
  credit(id: number, count: number, first: number, period: number): void {
    const lo = Math.max(0, Math.ceil((this.from - first) / period));
    const hi = Math.min(count, Math.ceil((this.to - first) / period));
    if (hi > lo) {
      this.polls += (hi - lo) * this.lastIterPolls[id]!;
      this.counts += hi - lo;
    }
  }

  polled(n: number): void {
    this.iterPolls[this.eng.current.core.id]! += n;
    if (this.inWindow(this.eng.now)) this.polls += n;
  }

  consumedBy(seqno: number): boolean {
    return seqno <= 0 || this.consumers === 0 || this.count(this.done, this.doneSeqno, seqno, 0) === this.consumers;
  }

  submitterWaits(task: number, seqno: number): void {
    this.submitterTask = task;
    this.awaited = seqno;
  }

  consumed(seqno: number): boolean {
    const n = this.count(this.done, this.doneSeqno, seqno, 1);
    if (n !== this.consumers || this.awaited !== seqno) return false;
    this.awaited = 0;
    return true;
  }

  submitted(seqno: number): void {
    const now = this.eng.now;
    const slot = seqno & (RING - 1);
    const done = Math.max(now, this.lastCompletion + this.periodNs);
    this.gpuDone[slot] = done;
    this.lastCompletion = done;
    this.newest = seqno;
    this.completion[slot] = this.consumers === 0 || this.count(this.listening, this.listeningSeqno, seqno, 0) === this.consumers ? done : Infinity;
    this.arm();
  }

  waitsFor(seqno: number): void {
    this.waitingFor[this.eng.current.core.id] = seqno;
  }

  registered(seqno: number): void {
    const id = this.eng.current.core.id;
    if (this.lastRegistered[id]! >= seqno) return;
    this.lastRegistered[id] = seqno;
    if (this.count(this.listening, this.listeningSeqno, seqno, 1) !== this.consumers || seqno > this.newest || seqno <= this.handled) return;
    // everyone listens: the interrupt is due when the GPU is done, or now if it already was
    const slot = seqno & (RING - 1);
    this.completion[slot] = Math.max(this.gpuDone[slot]!, this.eng.now);
    this.arm();
  }

  /**
   * Adds `by` to the count of fence `seqno` in a ring of counters tagged with the seqno they count
   * for (a consumer may get to a fence before the submitter's h.submitted() for it has run).
   */
  private count(counts: Int32Array, tags: Float64Array, seqno: number, by: number): number {
    const slot = seqno & (RING - 1);
    if (tags[slot] !== seqno) {
      tags[slot] = seqno;
      counts[slot] = 0;
    }
    return (counts[slot]! += by);
  }

  /** Raises the interrupt on CPU0 for the oldest completion not yet handled. */
  arm(): void {
    const c = this.eng.cores[0]!;
    if (c.inIrq || this.handled >= this.newest) return;
    const at = this.completion[(this.handled + 1) & (RING - 1)]!;
    if (at < c.irqAt) {
      c.irqAt = at;
      this.eng.noteEvent(Math.max(at, c.clock), 0);
    }
  }

  completedByGpu(): number {
    const now = this.eng.now;
    let s = this.handled;
    while (s < this.newest && this.completion[(s + 1) & (RING - 1)]! <= now) s++;
    return s;
  }

  signaled(n: number): void {
    this.handled += n;
    if (this.inWindow(this.eng.now)) this.fences += n;
  }

  callback(seqno: number): void {
    const now = this.eng.now;
    if (this.inWindow(now)) this.cbLat.push(now - this.completion[seqno & (RING - 1)]!);
  }

  woke(seqno: number): void {
    const now = this.eng.now;
    if (this.inWindow(now)) this.wakeLat.push(now - this.completion[seqno & (RING - 1)]!);
  }

  counted(): void {
    if (this.inWindow(this.eng.now)) this.counts++;
  }
}

interface Totals {
  transfers: number;
  pollerTransfers: number;
  acquisitions: number;
  lockWaitNs: number;
  events: number;
}

function totals(eng: Engine): Totals {
  const t: Totals = { transfers: eng.machine.transfers, pollerTransfers: 0, acquisitions: 0, lockWaitNs: 0, events: 0 };
  for (const c of eng.cores) {
    for (const th of [c.proc, c.irqThread]) {
      if (th.role === 'poller' || th.role === 'stub-poller') t.pollerTransfers += th.transfers;
      t.acquisitions += th.acquisitions;
      t.lockWaitNs += th.lockWaitNs;
      t.events += th.events;
    }
  }
  return t;
}

const ENTRY: Record<Role, string> = { poller: 'scale_poller', adder: 'scale_adder', waiter: 'scale_waiter', 'stub-poller': 'scale_stub_poller' };

/** Runs one cell; returns its rows. Deterministic: the same cell gives the same rows anywhere. */
export async function runScaleCell(cell: ScaleCell): Promise<ScaleCellResult> {
  const started = performance.now();
  const profile = resolveProfile(cell.profile);
  const roles = await loadRoles();
  const { name, make } = await loadFences(cell.variant);
  const { warmupNs, measureNs } = windowFor(cell.quick);
  const { eng, proc, irq } = newProgram(profile, cell.cpus);
  const consumers = cell.config.roles === 'mixed' ? cell.cpus - 1 : 0;
  const h = new Harness(eng, cell.config.irq > 0 ? 1e9 / cell.config.irq : 0, warmupNs, warmupNs + measureNs, consumers);
  const fences = make();
  const world = eng.runAlone(roles['scale_setup']!(proc[0], fences, h)) as BenchWorld;
  eng.cores[0]!.clock = 0;
  eng.cores[0]!.irqHandler = () => roles['scale_irq']!(irq[0], fences, world, h);
  eng.onIrqExit = () => h.arm();
  eng.startProcess(0, roles['scale_submitter']!(proc[0], fences, world, h), 'submitter');
  for (let id = 1; id < cell.cpus; id++) {
    const role = roleOf(cell.config, id);
    const th: TThread = eng.startProcess(id, roles[ENTRY[role]]!(proc[id], fences, world, h), role);
    th.onCredit = (count, first, period) => h.credit(id, count, first, period);
  }
  eng.run(warmupNs);
  const before = totals(eng);
  eng.run(warmupNs + measureNs);
  eng.settleAll(warmupNs + measureNs);
  const after = totals(eng);
  const rows = rowsOf(cell, profile, name, h, before, after, measureNs);
  return { rows, events: after.events, hostMs: performance.now() - started };
}

function rowsOf(cell: ScaleCell, profile: Profile, variant: string, h: Harness, before: Totals, after: Totals, measureNs: number): BenchRow[] {
  const workload = scaleWorkload(profile.name, cell.cpus, cell.config);
  const flags = ['simulated', `profile=${profile.name}`, `model=${MODEL_VERSION}`, ...(cell.quick ? ['quick'] : [])];
  const rows: BenchRow[] = [];
  const add = (metric: string, unit: string, value: number) => {
    if (Number.isFinite(value)) rows.push(makeRow({ variant, workload, metric, unit, samples: [value], value, flags }));
  };
  const seconds = measureNs / 1e9;
  const d = (k: keyof Totals) => after[k] - before[k];
  add('fences_per_s', 'fences/s', h.fences / seconds);
  // Polls are the measured work only where polling is all the CPUs do: in the mixed roles their
  // count says how long fences stayed unsignaled (a slower design gets more polls per fence),
  // and the pollers' transfers include their gets and puts of each fence, so there it is left out.
  if (cell.config.roles === 'stub-pollers' && h.polls > 0) {
    add('polls_per_s', 'polls/s', h.polls / seconds);
    add('line_transfers_per_poll', 'transfers', d('pollerTransfers') / h.polls);
  }
  // At irq=max every design runs saturated, and latency there is the length of the queue the
  // design's own throughput sets (a faster signal makes a waiter sleep where a slower one finds
  // the fence signaled): latency is reported only under a stated interrupt rate.
  const latencies = cell.config.irq > 0 ? ([['cb_latency', h.cbLat], ['wake_latency', h.wakeLat]] as const) : [];
  for (const [prefix, s] of latencies) {
    if (s.n === 0) continue;
    const sorted = s.sorted();
    add(`${prefix}_p50_ns`, 'ns', quantile(sorted, 0.5));
    add(`${prefix}_p99_ns`, 'ns', quantile(sorted, 0.99));
    add(`${prefix}_p999_ns`, 'ns', quantile(sorted, 0.999));
  }
  if (h.fences > 0) add('line_transfers_per_fence', 'transfers', d('transfers') / h.fences);
  if (d('acquisitions') > 0) add('lock_wait_ns_per_acquire', 'ns', d('lockWaitNs') / d('acquisitions'));
  add('sim_events', 'events', d('events'));
  return rows;
}

export type { Cpu };

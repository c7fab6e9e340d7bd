// The memory model as partial-order reduction sees it: every call an interleaving step makes
// into the model is noted on the step's footprint (src/sim/footprint.ts) on its way through.
// Only built when the scheduler reduces (dfs with reduction on); other strategies talk to the
// model directly.

import type { FenceKind, MemOrder, Ptr } from '../../kernel/cpu.ts';
import { cpuLocation, FENCE_LOCATION, RCU_LOCATION, type FootprintRecorder } from '../footprint.ts';
import type { Chooser, MemoryModel, RmwFn } from './model.ts';

/** The fences that are full (smp_mb and friends): under the weak model they join the global view. */
function isFull(kind: FenceKind): boolean {
  return kind === 'mb' || kind === 'after_spinlock' || kind === 'before_atomic' || kind === 'after_atomic';
}

export class ObservedMemory implements MemoryModel {
  readonly name: MemoryModel['name'];

  constructor(
    readonly inner: MemoryModel,
    private readonly fp: FootprintRecorder,
  ) {
    this.name = inner.name;
  }

  private fullFence(): void {
    if (!this.inner.fencesLocal) this.fp.write(FENCE_LOCATION);
  }

  reset(cpus: number, chooser: Chooser): void {
    this.inner.reset(cpus, chooser);
  }

  init(addr: Ptr, size: number, value: number): void {
    this.inner.init(addr, size, value);
  }

  load(cpu: number, addr: Ptr, order: MemOrder): number {
    this.fp.read(addr);
    return this.inner.load(cpu, addr, order);
  }

  store(cpu: number, addr: Ptr, value: number, order: MemOrder): void {
    this.fp.write(addr);
    this.inner.store(cpu, addr, value, order);
  }

  rmw(cpu: number, addr: Ptr, f: RmwFn, order: MemOrder, failOrder: MemOrder): number {
    this.fp.write(addr);
    if (order === 'mb') this.fullFence();
    return this.inner.rmw(cpu, addr, f, order, failOrder);
  }

  fence(cpu: number, kind: FenceKind): void {
    if (isFull(kind)) this.fullFence();
    this.inner.fence(cpu, kind);
  }

  lock(cpu: number, addr: Ptr): void {
    this.fp.write(addr);
    this.inner.lock(cpu, addr);
  }

  unlock(cpu: number, addr: Ptr): void {
    this.fp.write(addr);
    this.inner.unlock(cpu, addr);
  }

  latest(addr: Ptr): number {
    return this.inner.latest(addr);
  }

  synchronizeAll(): void {
    this.inner.synchronizeAll();
  }

  gracePeriodStart(cpu: number, waiter: boolean): void {
    this.fp.write(RCU_LOCATION);
    this.inner.gracePeriodStart(cpu, waiter);
  }

  readSectionStart(cpu: number): void {
    this.fp.read(RCU_LOCATION);
    this.inner.readSectionStart(cpu);
  }

  readSectionEnd(cpu: number): void {
    this.fp.read(RCU_LOCATION);
    this.inner.readSectionEnd(cpu);
  }

  gracePeriod(waiter: number, readers: readonly number[]): void {
    // The waiter takes in what the readers' CPUs have seen: as dependent as their own steps.
    this.fp.write(RCU_LOCATION);
    for (const r of readers) this.fp.write(cpuLocation(r));
    this.inner.gracePeriod(waiter, readers);
  }

  pendingActions(out: number[]): number {
    return this.inner.pendingActions(out);
  }

  performAction(action: number): void {
    this.inner.performAction(action);
  }

  describeAction(action: number): string {
    return this.inner.describeAction(action);
  }

  traceNote(cpu: number, show: (value: number) => string): string {
    return this.inner.traceNote(cpu, show);
  }
}

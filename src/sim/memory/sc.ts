// Sequential consistency: one value per word, every access takes effect at once, in the
// order the scheduler interleaves the threads. Orders and fences change nothing.

import type { FenceKind, MemOrder, Ptr } from '../../kernel/cpu.ts';
import type { MemoryModel, RmwFn } from './model.ts';

export class ScMemory implements MemoryModel {
  readonly name = 'sc' as const;
  readonly fencesLocal = true;
  private values = new Float64Array(1 << 14);

  reset(): void {
    this.values.fill(0);
  }

  init(addr: Ptr, size: number, value: number): void {
    const end = addr + size;
    if (end > this.values.length) {
      const grown = new Float64Array(Math.max(this.values.length * 2, end));
      grown.set(this.values);
      this.values = grown;
    }
    this.values.fill(value, addr, end);
  }

  load(_cpu: number, addr: Ptr, _order: MemOrder): number {
    return this.values[addr]!;
  }

  store(_cpu: number, addr: Ptr, value: number, _order: MemOrder): void {
    this.values[addr] = value;
  }

  rmw(_cpu: number, addr: Ptr, f: RmwFn, _order: MemOrder, _failOrder: MemOrder): number {
    const old = this.values[addr]!;
    const next = f(old);
    if (next !== undefined) this.values[addr] = next;
    return old;
  }

  fence(_cpu: number, _kind: FenceKind): void {}

  lock(_cpu: number, addr: Ptr): void {
    this.values[addr] = 1;
  }

  unlock(_cpu: number, addr: Ptr): void {
    this.values[addr] = 0;
  }

  latest(addr: Ptr): number {
    return this.values[addr]!;
  }

  synchronizeAll(): void {}
  gracePeriodStart(): void {}
  readSectionStart(): void {}
  readSectionEnd(): void {}
  gracePeriod(): void {}

  pendingActions(): number {
    return 0;
  }

  performAction(action: number): void {
    throw new Error(`sc memory has no internal action ${action}`);
  }

  traceNote(): string {
    return '';
  }

  describeAction(action: number): string {
    return `action ${action}`;
  }
}

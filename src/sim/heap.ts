// The simulated heap: every object is an allocation with a label ("fence#1"), a layout for
// naming fields, and a state. Memory is never reused within an execution, so any access to a
// freed object is a precise use-after-free; the first page is unmapped, so `NULL->field`
// faults as a NULL dereference. Values live in the memory model, not here: the heap only
// answers "may this word be touched, and what is it called".

import type { LoadedModule, Ptr, StructLayout } from '../kernel/cpu.ts';
import { fieldName } from '../kernel/struct.ts';

export const NULL_PAGE_WORDS = 64;

export type AllocState = 'live' | 'rcu-pending' | 'freed';
export type AllocKind = 'heap' | 'text' | 'rodata' | 'static' | 'task';

export interface Allocation {
  base: Ptr;
  size: number;
  label: string;
  layout: StructLayout | null;
  kind: AllocKind;
  state: AllocState;
  /** Module that owns it (text, rodata, static), or null for kmalloc memory. */
  module: string | null;
  allocThread: string;
  allocStep: number;
  freeThread: string;
  freeStep: number;
  freeHow: string;
  /** For text: the functions, one per word. For rodata strings: the text. */
  payload: unknown;
}

export class SimHeap {
  private top = NULL_PAGE_WORDS;
  /** word -> allocation index + 1 (0 = unmapped) */
  private owner = new Int32Array(1 << 14);
  readonly allocations: Allocation[] = [];
  private labelCounts = new Map<string, number>();

  reset(): void {
    this.owner.fill(0, 0, this.top);
    this.top = NULL_PAGE_WORDS;
    this.allocations.length = 0;
    this.labelCounts.clear();
  }

  get size(): number {
    return this.top;
  }

  allocate(
    size: number,
    layout: StructLayout | null,
    kind: AllocKind,
    module: string | null,
    thread: string,
    step: number,
    label?: string,
  ): Allocation {
    const words = Math.max(1, size);
    const base = this.top;
    this.top += words;
    if (this.top > this.owner.length) {
      const grown = new Int32Array(Math.max(this.owner.length * 2, this.top));
      grown.set(this.owner);
      this.owner = grown;
    }
    const a: Allocation = {
      base,
      size: words,
      label: label ?? this.nextLabel(layout?.label ?? 'obj'),
      layout,
      kind,
      state: 'live',
      module,
      allocThread: thread,
      allocStep: step,
      freeThread: '',
      freeStep: -1,
      freeHow: '',
      payload: null,
    };
    this.allocations.push(a);
    this.owner.fill(this.allocations.length, base, base + words);
    return a;
  }

  private nextLabel(prefix: string): string {
    const n = (this.labelCounts.get(prefix) ?? 0) + 1;
    this.labelCounts.set(prefix, n);
    return `${prefix}#${n}`;
  }

  /** The allocation a word belongs to, or undefined for unmapped memory. */
  find(addr: Ptr): Allocation | undefined {
    if (addr < 0 || addr >= this.top || !Number.isInteger(addr)) return undefined;
    const i = this.owner[addr]!;
    return i === 0 ? undefined : this.allocations[i - 1];
  }

  /** The allocation starting exactly at `ptr` (what kfree is given). */
  findBase(ptr: Ptr): Allocation | undefined {
    const a = this.find(ptr);
    return a && a.base === ptr ? a : undefined;
  }

  /** "fence#1.flags", "nouveau.ops.fence_ops.signaled", "NULL+2". */
  name(addr: Ptr): string {
    if (addr >= 0 && addr < NULL_PAGE_WORDS) return addr === 0 ? 'NULL' : `NULL+${addr}`;
    const a = this.find(addr);
    if (!a) return `0x${addr.toString(16)}`;
    const offset = addr - a.base;
    if (a.layout) return `${a.label}.${fieldName(a.layout, offset)}`;
    return a.size === 1 ? a.label : `${a.label}[${offset}]`;
  }

  /** A pointer value by what it points at: the object, or its member struct ("fence#1.cb_list"). */
  pointerName(addr: Ptr): string {
    const a = this.find(addr);
    if (!a || addr === a.base) return a ? a.label : this.name(addr);
    if (!a.layout) return this.name(addr);
    const first = a.layout.fieldsAt[addr - a.base]?.[0] ?? '';
    return `${a.label}.${first.split('.')[0]}`;
  }

  liveModuleAllocations(mod: LoadedModule): Allocation[] {
    return this.allocations.filter((a) => a.module === mod.name && a.state === 'live');
  }
}

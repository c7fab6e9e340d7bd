// Struct layouts over the word heap. A layout is declared once; fields are word offsets, so
// kernel code writes `fence + dma_fence.flags` where C writes `&fence->flags`, and traces can
// name `fence#2.cb_list.next` instead of a raw address. Every field is one word; a nested
// struct contributes its fields with a dotted prefix; a union puts several names at one offset.

import type { StructLayout } from './cpu.ts';

type FieldSpec = string | { union: readonly FieldSpec[] } | { struct: StructLayout; name: string };

const layouts = new Map<string, StructLayout>();
const RESERVED = new Set(['name', 'label', 'size', 'fieldsAt']);

/** Every declared layout, by name (for naming addresses in traces). */
export function layoutByName(name: string): StructLayout | undefined {
  return layouts.get(name);
}

function namesOf(spec: FieldSpec): string[][] {
  if (typeof spec === 'string') return [[spec]];
  if ('union' in spec) {
    const members = spec.union.map(namesOf);
    const width = Math.max(...members.map((m) => m.length));
    const slots: string[][] = Array.from({ length: width }, () => []);
    for (const member of members) member.forEach((names, i) => slots[i]!.push(...names));
    return slots;
  }
  return spec.struct.fieldsAt.map((names) => names.map((n) => `${spec.name}.${n}`));
}

/**
 * Declares a struct and returns its layout together with an offset per field name:
 * `defineStruct('dma_fence_cb', 'cb', ['node.next', 'node.prev', 'func'])` gives
 * `{ layout, 'node.next': 0, 'node.prev': 1, func: 2 }`.
 */
export function defineStruct<const F extends readonly FieldSpec[]>(
  name: string,
  label: string,
  fields: F,
): StructLayout & Record<string, number> {
  const fieldsAt: string[][] = fields.flatMap(namesOf);
  const clash = fieldsAt.flat().find((n) => RESERVED.has(n));
  if (clash) throw new Error(`struct ${name}: a field may not be called '${clash}' (the layout itself has that property); rename it`);
  const layout: StructLayout = { name, label, size: fieldsAt.length, fieldsAt };
  layouts.set(name, layout);
  inheritBitNames(name, fields);
  const offsets: Record<string, number> = {};
  fieldsAt.forEach((names, offset) => {
    for (const n of names) {
      offsets[n] = offset;
      // A nested struct's name is the offset of its first field: `cb_list` for `cb_list.next`.
      for (let dot = n.indexOf('.'); dot > 0; dot = n.indexOf('.', dot + 1)) offsets[n.slice(0, dot)] ??= offset;
    }
  });
  return Object.assign(offsets, layout) as StructLayout & Record<string, number>;
}

/** The struct fields' names at `offset`, joined with "/" where a union overlays them. */
export function fieldName(layout: StructLayout, offset: number): string {
  const names = layout.fieldsAt[offset];
  return names ? names.join('/') : `+${offset}`;
}

const bitNames = new Map<string, readonly string[]>();

/** A nested struct's named flag bits keep their names inside the outer struct. */
function inheritBitNames(name: string, fields: readonly FieldSpec[]): void {
  let offset = 0;
  for (const spec of fields) {
    if (typeof spec === 'object' && 'struct' in spec) {
      for (let i = 0; i < spec.struct.size; i++) {
        const names = bitNames.get(`${spec.struct.name}:${i}`);
        if (names) bitNames.set(`${name}:${offset + i}`, names);
      }
    }
    offset += namesOf(spec).length;
  }
}

/** Names the bits of a flags word, so traces print `SIGNALED` rather than `3`. */
export function defineBits(layout: StructLayout, offset: number, names: readonly string[]): void {
  bitNames.set(`${layout.name}:${offset}`, names);
}

export function bitName(layout: StructLayout | null, offset: number, nr: number): string {
  const names = layout ? bitNames.get(`${layout.name}:${offset}`) : undefined;
  return names?.[nr] ?? String(nr);
}

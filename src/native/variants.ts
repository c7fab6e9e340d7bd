// The designs, loaded as written (no transform) for native runs: every variants/*.ts, or a file
// given by path. Loading needs TypeScript support in the running Node (the CLI registers tsx,
// vitest transforms, native workers register tsx themselves).

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Cpu, Ptr } from '../kernel/cpu.ts';

export const LAB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VARIANTS_DIR = path.join(LAB_ROOT, 'variants');

/** What native code needs of a variant instance (the rest is called by name). */
export interface NativeFences {
  dma_buf_init(cpu: Cpu): void;
  [method: string]: unknown;
}

export interface VariantCtor {
  new (): NativeFences;
  name: string;
  lockModel?: 'extern' | 'inline';
}

export interface VariantRef {
  /** "current-shared-lock", or the file's base name for a plug-in */
  name: string;
  /** absolute path */
  file: string;
}

const REQUIRED = ['dma_buf_init', 'dma_fence_init', 'dma_fence_signal', 'dma_fence_is_signaled', 'dma_fence_put', 'dma_fence_add_callback'];

export function builtinVariants(): VariantRef[] {
  if (!existsSync(VARIANTS_DIR)) return [];
  return readdirSync(VARIANTS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => ({ name: f.replace(/\.ts$/, ''), file: path.join(VARIANTS_DIR, f) }));
}

/** A built-in name or a path to a .ts file. */
export function resolveVariant(nameOrPath: string): VariantRef {
  if (!nameOrPath.includes('/') && !nameOrPath.endsWith('.ts')) {
    const found = builtinVariants().find((v) => v.name === nameOrPath);
    if (!found) throw new Error(`unknown variant '${nameOrPath}'; built-in variants: ${builtinVariants().map((v) => v.name).join(', ')}; or give a path to a .ts file`);
    return found;
  }
  const file = path.resolve(nameOrPath);
  if (!existsSync(file)) throw new Error(`${nameOrPath}: no such file`);
  return { name: path.basename(file).replace(/\.ts$/, ''), file };
}

export async function loadVariantClass(file: string): Promise<VariantCtor> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const cls = mod.default as VariantCtor | undefined;
  if (typeof cls !== 'function') throw new Error(`${path.relative(process.cwd(), file)}: the default export must be the variant's class`);
  const missing = REQUIRED.filter((m) => typeof (cls.prototype as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) throw new Error(`${path.relative(process.cwd(), file)}: ${cls.name} does not extend a lab variant (missing ${missing.join(', ')})`);
  return cls;
}

/** Calls a variant method by name (kernel API calls from the harness). */
export type FenceMethod = (cpu: Cpu, ...args: number[]) => unknown;
export function method(fences: NativeFences, name: string): FenceMethod {
  const f = fences[name];
  if (typeof f !== 'function') throw new Error(`variant ${fences.constructor.name} has no ${name}`);
  return (f as FenceMethod).bind(fences);
}

export type { Ptr };

// Finds the built-in variants and scenarios, and loads either from a name or a path. A file
// dropped into variants/ or scenarios/<group>/ is picked up with no registration.

import { readdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ScenarioDef } from '../scenario.ts';
import { KernelLoadError, LAB_ROOT, loadKernelFile, type LoadedBundle } from './loader.ts';
import { findOrderingPoint, type OrderingPoint } from './ordering-points.ts';

export const VARIANTS_DIR = path.join(LAB_ROOT, 'variants');
export const SCENARIOS_DIR = path.join(LAB_ROOT, 'scenarios');
export const SCENARIO_GROUPS = ['semantics', 'races'] as const;

export interface VariantClass {
  new (): object;
  name: string;
  title?: string;
  summary?: string;
  source?: string;
  lockModel?: 'extern' | 'inline';
}

export interface LoadedVariant {
  name: string;
  file: string;
  cls: VariantClass;
  bundle: LoadedBundle;
  /** the ordering point taken away (`--ablate`): a design of its own, with no stated verdicts */
  ablated?: OrderingPoint;
}

export interface LoadedScenario {
  name: string;
  file: string;
  def: ScenarioDef<unknown>;
  bundle: LoadedBundle;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function builtinVariantFiles(): string[] {
  return tsFiles(VARIANTS_DIR);
}

export function builtinScenarioFiles(group?: string): string[] {
  const groups = group ? [group] : SCENARIO_GROUPS;
  return groups.flatMap((g) => tsFiles(path.join(SCENARIOS_DIR, g)));
}

export function nameOf(file: string): string {
  return path.basename(file).replace(/\.ts$/, '');
}

/** A name of a built-in, or a path to a file. */
export function resolveVariantFile(nameOrPath: string): string {
  const builtin = path.join(VARIANTS_DIR, `${nameOrPath}.ts`);
  if (!nameOrPath.includes('/') && !nameOrPath.endsWith('.ts')) {
    if (existsSync(builtin)) return builtin;
    throw new KernelLoadError(nameOrPath, `unknown variant '${nameOrPath}'; built-in variants: ${builtinVariantFiles().map(nameOf).join(', ')}; or give a path to a .ts file`);
  }
  return path.resolve(nameOrPath);
}

export function resolveScenarioFile(nameOrPath: string): string {
  if (!nameOrPath.includes('/') && !nameOrPath.endsWith('.ts')) {
    const found = builtinScenarioFiles().find((f) => nameOf(f) === nameOrPath);
    if (found) return found;
    throw new KernelLoadError(nameOrPath, `unknown scenario '${nameOrPath}'; built-in scenarios: ${builtinScenarioFiles().map(nameOf).join(', ')}; or give a path to a .ts file`);
  }
  return path.resolve(nameOrPath);
}

const REQUIRED_METHODS = ['dma_buf_init', 'dma_fence_init', 'dma_fence_signal', 'dma_fence_is_signaled', 'dma_fence_put', 'dma_fence_add_callback'];

/** A design by name or path; `ablate` (file:line:primitive) takes one of its ordering points away. */
export async function loadVariant(nameOrPath: string, ablate?: string): Promise<LoadedVariant> {
  const file = resolveVariantFile(nameOrPath);
  const ablated = ablate === undefined ? undefined : findOrderingPoint(file, ablate);
  const bundle = await loadKernelFile(file, ablated);
  const cls = bundle.exports['default'] as VariantClass | undefined;
  const rel = path.relative(process.cwd(), file);
  if (typeof cls !== 'function') {
    throw new KernelLoadError(file, `${rel}: the default export must be the variant's class (export default class MyProposal extends Base { … })`);
  }
  const missing = REQUIRED_METHODS.filter((m) => typeof (cls.prototype as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new KernelLoadError(file, `${rel}: ${cls.name} does not extend a lab variant (missing ${missing.join(', ')}); extend one: import Base from 'dma-fence-lab/variants/inline-lock.ts'`);
  }
  return { name: nameOf(file), file, cls, bundle, ...(ablated ? { ablated } : {}) };
}

export async function loadScenario(nameOrPath: string): Promise<LoadedScenario> {
  const file = resolveScenarioFile(nameOrPath);
  const bundle = await loadKernelFile(file);
  const def = bundle.exports['default'] as ScenarioDef<unknown> | undefined;
  if (!def || typeof def !== 'object' || !Array.isArray(def.threads) || typeof def.setup !== 'function') {
    throw new KernelLoadError(file, `${path.relative(process.cwd(), file)}: the default export must be scenario({ … }) from src/scenario.ts`);
  }
  return { name: def.name, file, def, bundle };
}

export function isDirectory(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

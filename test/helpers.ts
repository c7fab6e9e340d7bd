// Shared by the lab's tests: load fixture scenarios that are not in scenarios/.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioDef } from '../src/scenario.ts';
import { loadKernelFile } from '../src/sim/loader.ts';
import type { LoadedScenario } from '../src/sim/registry.ts';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The scenarios of a fixture file's `cases` export, by name. */
export async function loadCases(file: string): Promise<Record<string, LoadedScenario>> {
  const abs = path.join(FIXTURES, file);
  const bundle = await loadKernelFile(abs);
  const cases = bundle.exports['cases'] as Record<string, ScenarioDef<unknown>>;
  return Object.fromEntries(Object.entries(cases).map(([name, def]) => [name, { name, file: abs, def, bundle }]));
}

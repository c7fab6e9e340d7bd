// Shared by the lab's tests: load fixture scenarios that are not in scenarios/.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

const execFileAsync = promisify(execFile);
export const LAB = path.resolve(FIXTURES, '../..');

/** Runs bin/fence-lab.js as a user would (from the lab's top, or `cwd`), never throwing. */
export async function fenceLab(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('node', [path.join(LAB, 'bin/fence-lab.js'), ...args], {
      cwd: options.cwd ?? LAB,
      env: options.env ?? process.env,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

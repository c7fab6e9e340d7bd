// Machine profiles for the timing model: one JSON file per machine in src/timing/profiles/
// (a user adds a machine by adding a file). Every constant is { value, unit, source }: the
// source says where the figure comes from (a core-to-core latency table, a vendor optimization
// manual, Agner Fog's or uops.info's instruction tables). A malformed file is an error naming
// the file and the field.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const PROFILES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'profiles');

const constant = (unit: z.ZodType<string>) =>
  z.object({ value: z.number().nonnegative(), unit, source: z.string().min(10, 'name where the figure comes from') }).strict();
const time = constant(z.enum(['ns', 'cycles']));

const COST_NAMES = [
  'l1_hit', 'llc_hit', 'store', 'atomic_rmw', 'full_fence', 'partial_fence', 'acquire_release_extra', 'irq_save_restore',
  'ktime_get', 'irq_entry', 'irq_exit', 'wake_latency', 'kmalloc', 'kfree', 'indirect_call', 'pause', 'call_overhead',
] as const;
export type CostName = (typeof COST_NAMES)[number];

const profileFile = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a kebab-case name'),
    title: z.string(),
    ghz: z.object({ value: z.number().positive(), unit: z.literal('GHz'), source: z.string().min(10) }).strict(),
    topology: z.object({ group: constant(z.literal('cpus')), socket: constant(z.literal('cpus')) }).strict(),
    latency: z.object({ same_group: constant(z.literal('ns')), same_socket: constant(z.literal('ns')), cross_socket: constant(z.literal('ns')) }).strict(),
    costs: z.object(Object.fromEntries(COST_NAMES.map((n) => [n, time])) as Record<CostName, typeof time>).strict(),
  })
  .strict();

type ProfileFile = z.infer<typeof profileFile>;

/** A profile with every cost in ns, as the engine uses it. */
export interface Profile {
  name: string;
  title: string;
  file: string;
  /** CPUs per cluster sharing a cache (CCX) and per socket */
  group: number;
  socket: number;
  /** one line transfer between two cores in the same cluster, the same socket, other sockets */
  sameGroupNs: number;
  sameSocketNs: number;
  crossSocketNs: number;
  costs: Record<CostName, number>;
  /** the file as read, for the report's profile table */
  raw: ProfileFile;
}

export class ProfileError extends Error {}

function fieldPath(p: readonly PropertyKey[]): string {
  return p.map((k) => (typeof k === 'number' ? `[${k}]` : String(k))).join('.').replace(/\.\[/g, '[');
}

/** Parses one profile file's text; `file` names it in errors. */
export function parseProfile(text: string, file: string): Profile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProfileError(`${file}: not valid JSON (${(err as Error).message}); fix the file or copy a profile from ${PROFILES_DIR}`);
  }
  const parsed = profileFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = fieldPath(issue.path) || '(top level)';
    throw new ProfileError(`${file}: ${where}: ${issue.message}; every constant is { "value": number, "unit": ..., "source": "where the figure comes from" }`);
  }
  const p = parsed.data;
  const base = path.basename(file, '.json');
  if (p.name !== base) throw new ProfileError(`${file}: name: "${p.name}" must match the file name ("${base}")`);
  const ghz = p.ghz.value;
  const costs = {} as Record<CostName, number>;
  for (const n of COST_NAMES) {
    const c = p.costs[n];
    costs[n] = c.unit === 'cycles' ? c.value / ghz : c.value;
  }
  for (const k of ['group', 'socket'] as const) {
    if (!Number.isInteger(p.topology[k].value) || p.topology[k].value < 1) throw new ProfileError(`${file}: topology.${k}.value: a whole number of CPUs, at least 1`);
  }
  return {
    name: p.name,
    title: p.title,
    file,
    group: p.topology.group.value,
    socket: p.topology.socket.value,
    sameGroupNs: p.latency.same_group.value,
    sameSocketNs: p.latency.same_socket.value,
    crossSocketNs: p.latency.cross_socket.value,
    costs,
    raw: p,
  };
}

export function loadProfileFile(file: string): Profile {
  return parseProfile(readFileSync(file, 'utf8'), file);
}

/** Every profile in `dir` (default: the built-in ones), sorted by name. */
export function loadProfiles(dir: string = PROFILES_DIR): Profile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadProfileFile(path.join(dir, f)));
}

/** A built-in profile by name, or a path to a profile file. */
export function resolveProfile(nameOrPath: string, dir: string = PROFILES_DIR): Profile {
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/')) return loadProfileFile(path.resolve(nameOrPath));
  const all = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
  if (!all.includes(nameOrPath)) throw new ProfileError(`unknown profile '${nameOrPath}'; profiles: ${all.sort().join(', ')}; or give a path to a .json file`);
  return loadProfileFile(path.join(dir, `${nameOrPath}.json`));
}

/** Latency of one line transfer between two CPUs, from the profile's topology. */
export function transferNs(p: Profile, a: number, b: number): number {
  if (Math.floor(a / p.socket) !== Math.floor(b / p.socket)) return p.crossSocketNs;
  if (Math.floor(a / p.group) !== Math.floor(b / p.group)) return p.sameSocketNs;
  return p.sameGroupNs;
}

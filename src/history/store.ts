// The results store, laid out like asv's (asv docs "Using airspeed velocity", results layout):
//   results/<machine>/machine.json          what the machine is
//   results/<machine>/<commit>-<date>.json  one run record per run
// Writes are atomic (temp file in the same directory, fsync, rename), so a crash never leaves a
// half-written results file; reads skip anything corrupt or foreign with a warning naming it.
import { randomBytes } from 'node:crypto';
import { type Dirent, existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RunRecord } from '../results/run-record.ts';
import { parseResultsFile, runRecordSchema } from '../results/schema.ts';

export const MACHINE_FILE = '.fence-lab-machine';
const MACHINE_INFO = 'machine.json';
const TEMP_MARKER = '.tmp-';

export interface StoreOptions {
  /** Repository root: where `.fence-lab-machine` and `results/` live (default: cwd). */
  root?: string;
  /** The results directory (default: `<root>/results`). */
  resultsDir?: string;
  /** Machine name override (default: `machineName(root, context)`). */
  machine?: string;
}

/** Lower-case words joined by '-', safe as a directory name on every OS. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/\((r|tm|c)\)/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/**
 * The machine's name: the first line of `.fence-lab-machine` in the repository root when present
 * (asv's `~/.asv-machine.json` plays this part), else a slug of the CPU model and core count.
 */
export function machineName(root: string, context: { cpu: string; cores: number }): string {
  const file = path.join(root, MACHINE_FILE);
  if (existsSync(file)) {
    const named = slug(readFileSync(file, 'utf8').split('\n').find((line) => line.trim()) ?? '');
    if (named) return named;
  }
  return slug(`${context.cpu} ${context.cores}c`) || 'unknown-machine';
}

/** Writes `data` to `file` so readers see the old file or the whole new one, never a part. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

/** `2026-06-10T12:34:56.789Z` → `20260610T123456Z`: sortable and valid in file names everywhere. */
function compactDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return slug(iso) || 'undated';
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

function resultsDirOf(options: StoreOptions): string {
  return options.resultsDir ?? path.join(options.root ?? process.cwd(), 'results');
}

/** The first `<commit>-<date>[-n].json` not taken yet in `dir`. */
async function freeRunFile(dir: string, record: RunRecord): Promise<string> {
  const stem = `${slug(record.context.commit) || 'unknown'}-${compactDate(record.context.date)}`;
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${stem}${n === 1 ? '' : `-${n}`}.json`);
    if (!existsSync(file)) return file;
  }
}

/**
 * Stores one run: `results/<machine>/<commit>-<date>.json`, written atomically; returns the path.
 * `fence-lab bench --save` passes `{ schema: 1, context, bench }`, `report --save` the full record.
 */
export async function saveRun(record: RunRecord, options: StoreOptions = {}): Promise<string> {
  const checked = runRecordSchema.safeParse(record);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new Error(`[lab internal bug] saveRun got an invalid run record at ${issue.path.join('.')}: ${issue.message}`);
  }
  const root = options.root ?? process.cwd();
  const machine = options.machine ?? machineName(root, record.context);
  const dir = path.join(resultsDirOf(options), machine);
  await mkdir(dir, { recursive: true });
  const info = path.join(dir, MACHINE_INFO);
  if (!existsSync(info)) {
    const { cpu, cores, os } = record.context;
    await writeFileAtomic(info, `${JSON.stringify({ machine, cpu, cores, os }, null, 2)}\n`);
  }
  const file = await freeRunFile(dir, record);
  await writeFileAtomic(file, `${JSON.stringify(checked.data, null, 2)}\n`);
  return file;
}

export interface StoredRun {
  file: string;
  run: RunRecord;
}

export interface RunListing {
  machine: string;
  dir: string;
  /** Oldest first, by the run's date. */
  runs: StoredRun[];
  /** One line per skipped file, naming it and what to do. */
  warnings: string[];
}

async function readStoredRun(file: string): Promise<RunRecord | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return `skipped ${file}: cannot read it (${(err as Error).message})`;
  }
  try {
    const parsed = parseResultsFile(text, file);
    if (parsed.kind === 'run') return parsed.run;
    if (parsed.kind === 'bench') return { schema: 1, context: parsed.bench.context, bench: parsed.bench };
    return `skipped ${file}: a ${parsed.kind} results file has no environment stamp; store runs with 'fence-lab report --save'`;
  } catch (err) {
    return `skipped ${(err as Error).message}`;
  }
}

/**
 * Every run stored for one machine (`machineName` gives this one's), oldest first. Corrupt,
 * foreign, leftover temp and non-JSON files are skipped with a warning each; never fatal.
 */
export async function listRuns(options: StoreOptions & { machine: string }): Promise<RunListing> {
  const dir = path.join(resultsDirOf(options), options.machine);
  const listing: RunListing = { machine: options.machine, dir, runs: [], warnings: [] };
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return listing; // nothing stored yet
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const name = entry.name;
    const file = path.join(dir, name);
    if (name === MACHINE_INFO) continue;
    if (name.includes(TEMP_MARKER)) {
      listing.warnings.push(`skipped ${file}: a temp file left by an interrupted save; delete it`);
    } else if (!entry.isFile() || !name.endsWith('.json')) {
      listing.warnings.push(`skipped ${file}: not a results file (runs are <commit>-<date>.json); move it out of ${dir}`);
    } else {
      const run = await readStoredRun(file);
      if (typeof run === 'string') listing.warnings.push(run);
      else listing.runs.push({ file, run });
    }
  }
  listing.runs.sort((a, b) => a.run.context.date.localeCompare(b.run.context.date) || a.file.localeCompare(b.file));
  return listing;
}

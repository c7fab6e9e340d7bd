// Loads kernel code for the simulator: bundles a variant or scenario file with esbuild, running
// the kernel-code transform over every kernel file it pulls in (variants/, scenarios/,
// src/kernel/lib/, and any plug-in outside the lab), and keeping the lab's runtime modules
// (everything else under src/) external so the bundle shares their identity with the
// simulator. The bundle and its source map land in .cache/sim/, named by content hash.
// An ablation (`fence-lab necessity`, ordering-points.ts) is a set of text edits the plugin
// makes to the files it loads before the transform, so the design file on disk is never touched.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { KernelRuleError, transformKernelSource } from './transform.ts';

export const LAB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(LAB_ROOT, 'src') + path.sep;
const KERNEL_LIB = path.join(LAB_ROOT, 'src', 'kernel', 'lib') + path.sep;
const CACHE = path.join(LAB_ROOT, '.cache', 'sim');
const PACKAGE_PREFIX = 'dma-fence-lab/';

/** A file that could not be turned into kernel code: names the file and line. */
export class KernelLoadError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LoadedBundle {
  /** the bundle's exports */
  exports: Record<string, unknown>;
  bundleFile: string;
  mapFile: string;
}

function isRuntimeModule(file: string): boolean {
  return file.startsWith(SRC) && !file.startsWith(KERNEL_LIB);
}

/** Edits made to the source of the files a bundle loads: an ablated design. */
export interface Ablation {
  /** names it, e.g. variants/barrier-lockless.ts:44:test_bit_acquire */
  id: string;
  edits: readonly { file: string; start: number; end: number; text: string }[];
}

/** The source with the ablation's edits to `file` made (positions are the original source's). */
function ablated(source: string, file: string, ablation: Ablation | undefined): string {
  const edits = (ablation?.edits ?? []).filter((e) => e.file === file).sort((a, b) => b.start - a.start);
  let out = source;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function kernelPlugin(ablation?: Ablation): esbuild.Plugin {
  return {
    name: 'fence-lab-kernel',
    setup(build) {
      // `import Base from 'dma-fence-lab/variants/inline-lock.ts'` works from a plug-in anywhere.
      build.onResolve({ filter: /^dma-fence-lab\// }, (args) => {
        const resolved = path.join(LAB_ROOT, args.path.slice(PACKAGE_PREFIX.length));
        return isRuntimeModule(resolved) ? { path: pathToFileURL(resolved).href, external: true } : { path: resolved };
      });
      build.onResolve({ filter: /^[./]/ }, (args) => {
        const resolved = path.resolve(args.resolveDir, args.path);
        if (isRuntimeModule(resolved)) return { path: pathToFileURL(resolved).href, external: true };
        return { path: resolved };
      });
      build.onResolve({ filter: /.*/ }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const source = ablated(readFileSync(args.path, 'utf8'), args.path, ablation);
        const rel = path.relative(process.cwd(), args.path) || args.path;
        try {
          return { contents: transformKernelSource(source, rel).code, loader: 'ts' };
        } catch (err) {
          if (err instanceof KernelRuleError) throw new KernelLoadError(args.path, err.message);
          throw err;
        }
      });
    },
  };
}

const loaded = new Map<string, Promise<LoadedBundle>>();

/** Bundles and imports `file` as kernel code, with an ablation's edits if given (memoised per process). */
export function loadKernelFile(file: string, ablation?: Ablation): Promise<LoadedBundle> {
  const abs = path.resolve(file);
  const key = ablation ? `${abs}\0${ablation.id}` : abs;
  let p = loaded.get(key);
  if (!p) {
    p = bundle(abs, ablation);
    loaded.set(key, p);
  }
  return p;
}

async function bundle(abs: string, ablation: Ablation | undefined): Promise<LoadedBundle> {
  const rel = path.relative(process.cwd(), abs) || abs;
  if (!existsSync(abs)) throw new KernelLoadError(abs, `${rel}: no such file; give a path to a .ts file, or a built-in name (fence-lab variants lists them)`);
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = await esbuild.build({
      entryPoints: [abs],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      sourcemap: 'external',
      outdir: CACHE,
      logLevel: 'silent',
      plugins: [kernelPlugin(ablation)],
    });
  } catch (err) {
    throw asLoadError(abs, rel, err);
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  mkdirSync(CACHE, { recursive: true });
  const bundleFile = path.join(CACHE, `${path.basename(abs).replace(/\.[cm]?[jt]s$/, '')}-${hash}.mjs`);
  const mapFile = `${bundleFile}.map`;
  if (!existsSync(bundleFile)) {
    // Worker threads and parallel processes bundle the same file at once: each writes a name
    // of its own and renames it into place, so no reader ever sees a half-written file (the
    // content is the same whoever wins). The map goes first: the bundle's presence means both are there.
    writeFileAtomicSync(mapFile, map);
    writeFileAtomicSync(bundleFile, `${code}\n//# sourceMappingURL=${path.basename(mapFile)}\n`);
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(bundleFile).href)) as Record<string, unknown>;
  } catch (err) {
    throw new KernelLoadError(abs, `${rel}: throws while loading: ${(err as Error).message}; fix the module's top-level code`);
  }
  return { exports, bundleFile, mapFile };
}

let tempCounter = 0;

function writeFileAtomicSync(file: string, data: string): void {
  const temp = `${file}.${process.pid}-${threadId}-${tempCounter++}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}

function asLoadError(abs: string, rel: string, err: unknown): KernelLoadError {
  const failure = err as { errors?: esbuild.Message[] };
  const first = failure.errors?.[0];
  if (first) {
    const detail = first.detail as unknown;
    if (detail instanceof KernelLoadError) return detail;
    const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}` : rel;
    return new KernelLoadError(abs, `${where}: ${first.text}`);
  }
  return new KernelLoadError(abs, `${rel}: ${(err as Error).message}`);
}

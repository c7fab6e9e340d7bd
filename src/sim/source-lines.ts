// Maps a V8 stack captured inside a primitive to the kernel source line that made it, through
// the bundles' source maps. Used only when a failing execution is replayed with tracing on,
// never on the exploration hot path.

import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LAB_ROOT } from './loader.ts';

export interface SourceFrame {
  fn: string;
  /** path relative to the lab root (or absolute, for plug-ins outside it) */
  file: string;
  line: number;
}

const FRAME = /^\s*at (?:(.*?) \()?((?:file:\/\/)?\/[^)]+?):(\d+):(\d+)\)?$/;

export class SourceMapper {
  private maps = new Map<string, SourceMap>();

  constructor(bundles: { bundleFile: string; mapFile: string }[]) {
    for (const b of bundles) {
      this.maps.set(pathToFileURL(b.bundleFile).href, new SourceMap(JSON.parse(readFileSync(b.mapFile, 'utf8'))));
    }
  }

  /** Kernel frames of a stack, innermost first. */
  frames(stack: string): SourceFrame[] {
    const out: SourceFrame[] = [];
    for (const line of stack.split('\n')) {
      const m = FRAME.exec(line);
      if (!m) continue;
      const url = m[2]!.startsWith('file:') ? m[2]! : pathToFileURL(m[2]!).href;
      const map = this.maps.get(url);
      if (!map) {
        // Already mapped by Node's own source-map support (tsx turns it on): kernel files only.
        const abs = url.startsWith('file:') ? fileURLToPath(url) : url;
        if (isKernelSource(abs)) out.push({ fn: functionName(m[1] ?? ''), file: relative(abs), line: Number(m[3]) });
        continue;
      }
      const entry = map.findEntry(Number(m[3]) - 1, Number(m[4]) - 1) as { originalSource?: string; originalLine?: number };
      if (!entry.originalSource) continue;
      const abs = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(m[2]!.replace('file://', '')), entry.originalSource);
      out.push({ fn: functionName(m[1] ?? ''), file: relative(abs), line: entry.originalLine! + 1 });
    }
    return out;
  }

  /** Where an event happened: the innermost frame outside the kernel helper library. */
  site(stack: string): SourceFrame | undefined {
    const frames = this.frames(stack);
    return frames.find((f) => !f.file.startsWith(path.join('src', 'kernel', 'lib'))) ?? frames[0];
  }
}

function relative(abs: string): string {
  const rel = path.relative(LAB_ROOT, abs);
  return rel.startsWith('..') ? abs : rel;
}

/** Kernel code: anything but the lab's runtime (src/ outside src/kernel/lib) and node_modules. */
function isKernelSource(abs: string): boolean {
  if (abs.includes(`${path.sep}node_modules${path.sep}`) || !/\.[cm]?[jt]s$/.test(abs)) return false;
  const src = path.join(LAB_ROOT, 'src') + path.sep;
  return !abs.startsWith(src) || abs.startsWith(path.join(src, 'kernel', 'lib') + path.sep);
}

function functionName(raw: string): string {
  const name = raw.replace(/^(?:async )?(?:Generator\.|new )?/, '').replace(/ \[as .*\]$/, '');
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1) : name || '<anonymous>';
}

// Vega-Lite spec → SVG with vega's View (no browser, no canvas), SVG → PNG with resvg.
// Both sides use DejaVu Sans: the SVG names it, layout measures text with its real advance
// widths, and resvg is handed the font file itself so text is never silently dropped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './chart-style.ts';
import { loadFontMetrics, type FontMetrics } from './font-metrics.ts';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
/** Debian's fonts-dejavu-core ships these; .ci/run installs it when they are missing. */
export const FONT_FILES = {
  regular: join(FONT_DIR, 'DejaVuSans.ttf'),
  bold: join(FONT_DIR, 'DejaVuSans-Bold.ttf'),
} as const;

/** PNGs are rendered at twice the SVG's pixel size so they stay sharp in a mail attachment. */
const PNG_ZOOM = 2;

function requireFontFiles(): void {
  for (const file of Object.values(FONT_FILES)) {
    if (!existsSync(file)) {
      throw new Error(`chart font ${file} is missing: install it with 'apt-get install -y fonts-dejavu-core'`);
    }
  }
}

interface ScenegraphTextItem {
  fontSize?: number;
  fontWeight?: string | number;
}
interface ScenegraphModule {
  textMetrics: { width: (item: ScenegraphTextItem, text?: unknown) => number };
}

/**
 * Every installed copy of vega-scenegraph. npm nests several versions under vega's
 * packages (vega-view renders with one, vega-view-transforms lays out with another), and
 * each keeps its own `textMetrics`, so overriding only the one `vega` re-exports would
 * measure with one font and lay out with another.
 */
function scenegraphCopies(): string[] {
  const require = createRequire(import.meta.url);
  const vegaEntry = require.resolve('vega'); // <root>/vega/build/vega.module.js
  const modulesRoot = vegaEntry.slice(0, vegaEntry.lastIndexOf(`${sep}vega${sep}`));
  const found: string[] = [];
  const visit = (nodeModules: string): void => {
    for (const name of readdirSync(nodeModules)) {
      if (!name.startsWith('vega')) continue;
      const pkg = join(nodeModules, name);
      if (name === 'vega-scenegraph') found.push(pkg);
      const nested = join(pkg, 'node_modules');
      if (existsSync(nested)) visit(nested);
    }
  };
  visit(modulesRoot);
  return found;
}

/** The file `import 'vega-scenegraph'` loads from a package directory (its "exports" default). */
function entryFile(pkg: string): string {
  type Exports = string | { default?: Exports; import?: Exports; '.'?: Exports };
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { exports?: Exports; module?: string };
  let entry = manifest.exports;
  while (entry && typeof entry !== 'string') entry = entry['.'] ?? entry.import ?? entry.default;
  return join(pkg, entry ?? manifest.module ?? 'index.js');
}

let textMetricsReady: Promise<void> | undefined;

/**
 * Points every vega-scenegraph copy's text measurement at DejaVu Sans. Chart configs set
 * every label `limit` to 0 (see chart-style.ts), so no text is truncated and a plain width
 * of the string is exactly what Vega's layout asks for.
 */
function useChartFontMetrics(): Promise<void> {
  textMetricsReady ??= (async () => {
    requireFontFiles();
    const regular = loadFontMetrics(FONT_FILES.regular);
    const bold = loadFontMetrics(FONT_FILES.bold);
    const metricsFor = (item: ScenegraphTextItem): FontMetrics =>
      item.fontWeight === 'bold' || Number(item.fontWeight) >= 600 ? bold : regular;
    const width = (item: ScenegraphTextItem, text?: unknown): number => {
      const size = item.fontSize != null ? +item.fontSize || 0 : 11;
      return metricsFor(item).width(text == null ? '' : String(text).trim(), size);
    };
    for (const pkg of scenegraphCopies()) {
      const scenegraph = (await import(pathToFileURL(entryFile(pkg)).href)) as ScenegraphModule;
      scenegraph.textMetrics.width = width;
    }
  })();
  return textMetricsReady;
}

/** Compiles a Vega-Lite spec and renders it to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  await useChartFontMetrics();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG (as produced by renderSvg) to PNG bytes. */
export function renderPng(svg: string): Buffer {
  requireFontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: PNG_ZOOM },
    background: 'white',
    font: {
      loadSystemFonts: true,
      fontFiles: Object.values(FONT_FILES),
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
  });
  return resvg.render().asPng();
}

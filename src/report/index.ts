// Report writer: results in, report.txt + charts (NAME.vl.json, NAME.svg, NAME.png) +
// report.html out. The CLI (`fence-lab report`) gathers the inputs and calls writeReport.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCharts } from './charts.ts';
import { renderHtml, type RenderedChart } from './html.ts';
import type { ReportInputs } from './inputs.ts';
import { renderPng, renderSvg } from './render.ts';
import { renderText } from './text.ts';

export type { ReportCommands, ReportInputs } from './inputs.ts';
export type { Chart } from './charts.ts';
export { buildCharts } from './charts.ts';
export { escapeHtml, renderHtml } from './html.ts';
export { renderPng, renderSvg } from './render.ts';
export { renderText } from './text.ts';
export { latencySpec } from './latency-chart.ts';
export { litmusSpec } from './litmus-chart.ts';
export { safetyCostSpec } from './safety-cost-chart.ts';
export { scalingSpec } from './scaling-chart.ts';
export { throughputSpec } from './throughput-chart.ts';
export { verdictHeatmapSpec } from './verdict-heatmap-chart.ts';

/** Writes through a temporary name and renames, so a reader never sees a half-written file. */
async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/**
 * Writes the whole report into `outDir` (created if needed) and returns the paths written:
 * report.txt, then each chart's .vl.json, .svg and .png, then report.html.
 */
export async function writeReport(inputs: ReportInputs, outDir: string): Promise<{ files: string[] }> {
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const write = async (name: string, data: string | Buffer) => {
    const path = join(outDir, name);
    await writeAtomically(path, data);
    files.push(path);
  };
  const text = renderText(inputs);
  await write('report.txt', text);
  const rendered: RenderedChart[] = [];
  for (const chart of buildCharts(inputs)) {
    const svg = await renderSvg(chart.spec);
    await write(`${chart.name}.vl.json`, JSON.stringify(chart.spec, null, 2) + '\n');
    await write(`${chart.name}.svg`, svg);
    await write(`${chart.name}.png`, renderPng(svg));
    rendered.push({ chart, svg });
  }
  await write('report.html', renderHtml(inputs, text, rendered));
  return { files };
}

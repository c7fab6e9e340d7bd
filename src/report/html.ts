// report.html: one self-contained page (no script, no network) with the text summary, every
// chart as inline SVG, each violation's trace and replay command, and the chart specs.
// Every string that came from results is escaped; the page's CSP forbids loading anything.
import { necessityHtml } from './necessity.ts';
import type { Chart } from './charts.ts';
import { listDesigns } from './designs.ts';
import type { ReportInputs } from './inputs.ts';
import { buildVerdictMatrix, kindCode, replayCommand, type VerdictCell } from './verdicts.ts';

export interface RenderedChart {
  chart: Chart;
  svg: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/**
 * Prefixes the ids an SVG defines (Vega's clip paths are clip1, clip2, ... in every chart)
 * and the references to them, so several SVGs inline in one page cannot clip each other.
 */
function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

const STYLE = `
body { font: 14px/1.45 "DejaVu Sans", sans-serif; color: #1e1e1e; margin: 24px auto; max-width: 1280px; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; border-bottom: 1px solid #ccc; margin-top: 32px; } h3 { font-size: 15px; }
nav a { margin-right: 14px; }
pre { font: 12px/1.35 "DejaVu Sans Mono", monospace; background: #f6f6f6; padding: 8px 10px; overflow-x: auto; }
figure { margin: 18px 0 28px; } figcaption { font-weight: bold; margin-bottom: 6px; }
figure svg { max-width: 100%; height: auto; display: block; }
details { margin: 4px 0; } summary { cursor: pointer; }
.kind { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; color: #b3321f; }
.replay { background: #eef3fa; }
`;

function chartFigures(charts: RenderedChart[]): string {
  return charts
    .map(
      ({ chart, svg }) =>
        `<figure id="chart-${chart.name}" data-chart="${chart.name}">` +
        `<figcaption>${escapeHtml(chart.caption)}</figcaption>\n${scopeSvgIds(svg, chart.name)}\n</figure>`,
    )
    .join('\n');
}

function violationEntry(cell: VerdictCell): string {
  const v = cell.violation!;
  const command = replayCommand(cell)!;
  return [
    `<details class="violation">`,
    `<summary>${escapeHtml(cell.variant)} &middot; ${escapeHtml(cell.model)} &middot; ` +
      `<span class="kind">${escapeHtml(kindCode(v.kind))}</span> ${escapeHtml(v.headline)}</summary>`,
    `<pre class="trace">${escapeHtml(v.trace)}</pre>`,
    `<p>Replay${v.preemptions !== undefined ? ` (${v.preemptions} preemption${v.preemptions === 1 ? '' : 's'})` : ''}:</p>`,
    `<pre class="replay">${escapeHtml(command)}</pre>`,
    `</details>`,
  ].join('\n');
}

function violationSection(inputs: ReportInputs): string {
  if (!inputs.check) return '';
  const matrix = buildVerdictMatrix(inputs.check);
  const designs = listDesigns(inputs).map((d) => d.name);
  const parts = ['<h2 id="violations">Violations: traces and replays</h2>'];
  for (const scenario of matrix.scenarios) {
    const cells = designs.flatMap((design) =>
      matrix.models.flatMap((model) => {
        const cell = matrix.cell(model, scenario, design);
        return cell?.violation ? [cell] : [];
      }),
    );
    if (cells.length === 0) continue;
    parts.push(`<h3>${escapeHtml(scenario)}</h3>`, ...cells.map(violationEntry));
  }
  if (parts.length === 1) parts.push('<p>No violations.</p>');
  return parts.join('\n');
}

function specSection(charts: RenderedChart[]): string {
  const entries = charts.map(
    ({ chart }) =>
      `<details><summary>${chart.name}.vl.json</summary>` +
      `<pre>${escapeHtml(JSON.stringify(chart.spec, null, 1))}</pre></details>`,
  );
  return ['<h2 id="specs">Vega-Lite specs (data inline)</h2>', ...entries].join('\n');
}

export function renderHtml(inputs: ReportInputs, text: string, charts: RenderedChart[]): string {
  const nav = [
    '<a href="#summary">Summary</a>',
    charts.length ? '<a href="#charts">Charts</a>' : '',
    inputs.check ? '<a href="#violations">Violations</a>' : '',
    inputs.necessity?.results.length ? '<a href="#necessity">Why each barrier</a>' : '',
    charts.length ? '<a href="#specs">Specs</a>' : '',
  ].join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dma-fence-lab report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>dma-fence-lab report</h1>
<nav>${nav}</nav>
<h2 id="summary">Summary</h2>
<pre class="summary">${escapeHtml(text)}</pre>
${charts.length ? `<h2 id="charts">Charts</h2>\n${chartFigures(charts)}` : ''}
${violationSection(inputs)}
${necessityHtml(inputs.necessity?.results ?? [])}
${charts.length ? specSection(charts) : ''}
</body>
</html>
`;
}

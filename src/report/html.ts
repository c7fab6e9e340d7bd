// report.html: one self-contained page (no script, no network): what a proposal changes, the
// verdict matrix as a table per model whose violation cells link to their trace and replay
// command, the designs with title, summary and source, every chart as inline SVG (whatever
// charts.ts builds), the traces, the mail text in a collapsible block and the chart specs.
// Every string that came from results is escaped; the page's CSP forbids loading anything.
import { necessityHtml } from './necessity.ts';
import type { Chart } from './charts.ts';
import { changesSection } from './changes.ts';
import { listDesigns, type Design } from './designs.ts';
import { escapeHtml } from './escape.ts';
import { matrixSection, ViolationAnchors } from './html-matrix.ts';
import type { ReportInputs } from './inputs.ts';
import { buildVerdictMatrix, kindCode, replayCommand, type VerdictCell } from './verdicts.ts';

export { escapeHtml } from './escape.ts';

export interface RenderedChart {
  chart: Chart;
  svg: string;
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
table.matrix { border-collapse: collapse; margin: 10px 0 22px; font: 12px/1.3 "DejaVu Sans Mono", monospace; }
table.matrix caption { text-align: left; font: bold 13px "DejaVu Sans", sans-serif; padding: 4px 0; }
table.matrix th, table.matrix td { border: 1px solid #d0d0d0; padding: 2px 7px; }
table.matrix thead th { background: #f0f0f0; }
table.matrix tbody th { text-align: left; font-weight: normal; }
td.pass { background: #e6f4e6; } td.pass.open { background: #f3f9f0; }
td.violation { background: #f9dcd6; font-weight: bold; } td.error { background: #eee; color: #666; }
td.mismatch { outline: 2px solid #b3321f; } td.not-run { color: #999; }
td.violation a { color: #8a1d0d; }
tr.semantic th { font-style: italic; }
.codes span { margin-right: 14px; white-space: nowrap; }
.design { margin: 10px 0 16px; } .design h3 { margin-bottom: 2px; } .design p { margin: 3px 0; }
details.violation:target, details.violation:has(:target) { outline: 2px solid #2c6fbb; }
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

function violationEntry(cell: VerdictCell, anchors: ViolationAnchors): string {
  const v = cell.violation!;
  const command = replayCommand(cell)!;
  // the anchor is inside the block, so following a link to it opens the <details>
  return [
    `<details class="violation">`,
    `<summary>${escapeHtml(cell.variant)} &middot; ${escapeHtml(cell.model)} &middot; ` +
      `<span class="kind">${escapeHtml(kindCode(v.kind))}</span> ${escapeHtml(v.headline)}</summary>`,
    `<pre class="trace" id="${anchors.of(cell)}">${escapeHtml(v.trace)}</pre>`,
    `<p>Replay${v.preemptions !== undefined ? ` (${v.preemptions} preemption${v.preemptions === 1 ? '' : 's'})` : ''}:</p>`,
    `<pre class="replay">${escapeHtml(command)}</pre>`,
    `</details>`,
  ].join('\n');
}

function violationSection(inputs: ReportInputs, anchors: ViolationAnchors): string {
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
    parts.push(`<h3>${escapeHtml(scenario)}</h3>`, ...cells.map((cell) => violationEntry(cell, anchors)));
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

/** Each design's title, summary and source, as its class declares them. */
function designSection(inputs: ReportInputs, designs: Design[]): string {
  if (designs.length === 0) return '';
  const entries = designs.map((d) => {
    const info = inputs.designInfo?.find((i) => i.name === d.name);
    if (!info) return `<div class="design"><h3>${escapeHtml(d.code)} ${escapeHtml(d.name)}</h3></div>`;
    const patches = info.base
      ? `extends ${escapeHtml(info.base)}; overrides ${info.overrides.length ? info.overrides.map((o) => `<code>${escapeHtml(o)}</code>`).join(', ') : 'nothing'}`
      : 'the root design: every other extends it';
    return [
      `<div class="design" id="design-${escapeHtml(d.code)}">`,
      `<h3>${escapeHtml(d.code)} ${escapeHtml(d.name)}: ${escapeHtml(info.title)}</h3>`,
      `<p>${escapeHtml(info.summary)}</p>`,
      `<p><b>Source:</b> ${escapeHtml(info.source)}</p>`,
      `<p><b>Patch:</b> ${patches}</p>`,
      `</div>`,
    ].join('\n');
  });
  return ['<h2 id="designs">Designs</h2>', ...entries].join('\n');
}

/** The "what it changes" sections, as the mail text has them. */
function changesHtml(inputs: ReportInputs): string {
  return (inputs.changes ?? [])
    .map((change) => {
      const [, title, , ...body] = changesSection(inputs, change);
      return `<h2 class="changes">${escapeHtml(title!)}</h2>\n<pre class="changes">${escapeHtml(body.join('\n'))}</pre>`;
    })
    .join('\n');
}

export function renderHtml(inputs: ReportInputs, text: string, charts: RenderedChart[]): string {
  const designs = listDesigns(inputs);
  const anchors = new ViolationAnchors();
  const matrix = inputs.check ? matrixSection(inputs.check, designs, anchors) : '';
  const violations = violationSection(inputs, anchors);
  const stamp = text.split('\n\n')[0]!.split('\n').slice(2).join(' ');
  const nav = [
    inputs.check ? '<a href="#matrix">Verdict matrix</a>' : '',
    designs.length ? '<a href="#designs">Designs</a>' : '',
    charts.length ? '<a href="#charts">Charts</a>' : '',
    inputs.check ? '<a href="#violations">Violations</a>' : '',
    inputs.necessity?.results.length ? '<a href="#necessity">Why each barrier</a>' : '',
    '<a href="#mail">Mail text</a>',
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
<p class="stamp">${escapeHtml(stamp)}</p>
<nav>${nav}</nav>
${changesHtml(inputs)}
${matrix}
${designSection(inputs, designs)}
${charts.length ? `<h2 id="charts">Charts</h2>\n${chartFigures(charts)}` : ''}
${violations}
${necessityHtml(inputs.necessity?.results ?? [])}
<h2 id="mail">Mail text</h2>
<details class="mail"><summary>report.txt: the text for a mail body (72 columns)</summary>
<pre class="summary">${escapeHtml(text)}</pre>
</details>
${charts.length ? specSection(charts) : ''}
</body>
</html>
`;
}

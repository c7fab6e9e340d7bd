// "Why each barrier is there": the necessity results (`fence-lab necessity`, issue 18) as text
// for the CLI and report.txt, and as an HTML section of report.html. Per design, each ordering
// point with what removing it brings back under each model: the first race (the race it
// prevents), "no violation found" (a candidate the reviewer may remove, as far as the catalogue,
// the models and the bound go) or "not exhaustive".

import type { ModelName, NecessityResult } from '../results/types.ts';
import { TEXT_WIDTH, wrap, wrapShellCommand } from './format.ts';
import { escapeHtml } from './html.ts';

/** Results grouped by design and ordering point, in the order they came. */
export function rowsByPoint(results: readonly NecessityResult[]): NecessityResult[][] {
  const byPoint = new Map<string, NecessityResult[]>();
  for (const r of results) {
    const key = `${r.variant}\0${r.ablate}`;
    byPoint.set(key, [...(byPoint.get(key) ?? []), r]);
  }
  return [...byPoint.values()];
}

/** What one model's row says: the race, or why there is none. */
export function outcomeText(r: NecessityResult): string {
  if (r.violation) return `${r.violation.scenario}: ${r.violation.headline}`;
  return r.complete ? `no violation found (complete at bound ${r.bound})` : `no violation found, not exhaustive (within ${r.executions} executions)`;
}

type PointClass = 'necessary' | 'unneeded' | 'not exhaustive';

/** A point is necessary when some model shows a race without it; else complete or not. */
export function classify(rows: readonly NecessityResult[]): PointClass {
  if (rows.some((r) => r.verdict === 'violation')) return 'necessary';
  return rows.every((r) => r.complete) ? 'unneeded' : 'not exhaustive';
}

const removal = (r: NecessityResult) => `${r.primitive} -> ${r.ablation}`;

/** One ordering point, as `fence-lab necessity` prints it (commands: the replay of each race). */
export function necessityRowText(rows: readonly NecessityResult[], opts: { commands: boolean }): string {
  const first = rows[0]!;
  const lines = [`${first.site}  ${first.method}(): ${removal(first)}`, `    ${first.source}`];
  for (const r of rows) {
    lines.push(`  ${r.model.padEnd(5)} ${outcomeText(r)}`);
    if (opts.commands && r.violation) lines.push(`        ${r.violation.command}`);
  }
  return lines.join('\n');
}

function countLine(variant: string, points: NecessityResult[][]): string {
  const n = (c: PointClass) => points.filter((p) => classify(p) === c).length;
  const plural = points.length === 1 ? 'point' : 'points';
  return `${variant}: ${points.length} ordering ${plural}, ${n('necessary')} necessary (a race appears), ${n('unneeded')} no violation found (complete), ${n('not exhaustive')} not exhaustive`;
}

/** The table at the end of `fence-lab necessity`: one line per point, the race per model. */
export function necessitySummary(results: readonly NecessityResult[], excluded: Record<string, Partial<Record<ModelName, string[]>>>): string {
  const points = rowsByPoint(results);
  const models = [...new Set(results.map((r) => r.model))];
  const cell = (p: NecessityResult[], m: ModelName) => {
    const r = p.find((x) => x.model === m);
    if (!r) return '';
    return r.violation ? r.violation.scenario : r.complete ? 'ok' : 'ok?';
  };
  const head = ['site', 'removed', ...models];
  const rows = points.map((p) => [p[0]!.site, removal(p[0]!), ...models.map((m) => cell(p, m))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line), ''];
  for (const variant of new Set(results.map((r) => r.variant))) out.push(countLine(variant, points.filter((p) => p[0]!.variant === variant)));
  for (const [variant, byModel] of Object.entries(excluded)) {
    for (const [model, scenarios] of Object.entries(byModel)) {
      if (scenarios && scenarios.length) out.push(...wrap(`not used under ${model} (${variant} fails them as written): ${scenarios.join(', ')}`, 100, 2));
    }
  }
  out.push('legend: a scenario name = the first race that appears without the point; ok = no violation found (complete at the bound); ok? = not exhaustive');
  return out.join('\n');
}

/** Models grouped by outcome: "stale-error [weak]", "no violation found [sc tso]". */
function outcomesByModel(rows: readonly NecessityResult[]): { text: string; models: ModelName[]; example?: NecessityResult }[] {
  const groups: { text: string; models: ModelName[]; example?: NecessityResult }[] = [];
  for (const r of rows) {
    const text = r.violation ? `brings back ${r.violation.scenario} (${r.violation.kind})` : r.complete ? 'no violation found' : 'not exhaustive';
    const g = groups.find((x) => x.text === text);
    if (g) g.models.push(r.model);
    else groups.push({ text, models: [r.model], ...(r.violation ? { example: r } : {}) });
  }
  return groups;
}

/** report.txt: per design, each ordering point and the race it prevents (72 columns). */
export function necessitySection(results: readonly NecessityResult[]): string[] {
  if (results.length === 0) return [];
  const lines = ['', 'Why each barrier is there', '-------------------------'];
  lines.push(...wrap('Each ordering point of a design taken away in turn (fence-lab necessity): the race that comes back, per model. "No violation found" is evidence only for the races in the catalogue, under these models and bounds: a candidate for removal, not a proof.', TEXT_WIDTH));
  const points = rowsByPoint(results);
  for (const variant of new Set(results.map((r) => r.variant))) {
    const mine = points.filter((p) => p[0]!.variant === variant);
    lines.push('', ...wrap(countLine(variant, mine), TEXT_WIDTH, 2));
    for (const p of mine) {
      const first = p[0]!;
      lines.push(...wrap(`${first.site.replace(/^.*\//, '')} ${first.method}(): ${removal(first)}`, TEXT_WIDTH, 6, '  '));
      for (const g of outcomesByModel(p)) lines.push(...wrap(`${g.text} [${g.models.join(' ')}]`, TEXT_WIDTH, 8, '    '));
      const example = outcomesByModel(p).find((g) => g.example)?.example;
      if (example?.violation) lines.push(...wrapShellCommand(example.violation.command, TEXT_WIDTH - 2).map((l) => `  ${l}`));
    }
  }
  return lines;
}

/** report.html: the same, as one table per design. */
export function necessityHtml(results: readonly NecessityResult[]): string {
  if (results.length === 0) return '';
  const points = rowsByPoint(results);
  const models = [...new Set(results.map((r) => r.model))];
  const parts = ['<h2 id="necessity">Why each barrier is there</h2>', '<p>Each ordering point of a design taken away in turn (<code>fence-lab necessity</code>): the first race of the catalogue that comes back, per memory model, with the command that replays it on the ablated design. &ldquo;No violation found&rdquo; is evidence only for the races in the catalogue, under these models and bounds.</p>'];
  for (const variant of new Set(results.map((r) => r.variant))) {
    const mine = points.filter((p) => p[0]!.variant === variant);
    parts.push(`<h3>${escapeHtml(variant)}</h3>`, `<p>${escapeHtml(countLine(variant, mine))}</p>`);
    parts.push(`<table class="necessity"><thead><tr><th>site</th><th>kernel line</th><th>removed</th>${models.map((m) => `<th>${m}</th>`).join('')}</tr></thead><tbody>`);
    for (const p of mine) {
      const first = p[0]!;
      const cells = models.map((m) => {
        const r = p.find((x) => x.model === m);
        if (!r) return '<td>-</td>';
        if (!r.violation) return `<td>${escapeHtml(outcomeText(r))}</td>`;
        return `<td><b>${escapeHtml(r.violation.scenario)}</b>: ${escapeHtml(r.violation.headline)}<br><code>${escapeHtml(r.violation.command)}</code></td>`;
      });
      parts.push(`<tr><td><code>${escapeHtml(first.site)}</code></td><td><code>${escapeHtml(first.method)}(): ${escapeHtml(first.source)}</code></td><td>${escapeHtml(removal(first))}</td>${cells.join('')}</tr>`);
    }
    parts.push('</tbody></table>');
  }
  return parts.join('\n');
}

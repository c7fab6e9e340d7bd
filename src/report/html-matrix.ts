// report.html's verdict matrix: one HTML table per memory model, designs across, races down
// (and the semantic tests with findings), each violation cell a link to its trace and replay
// further down the page; the allowed outcomes apart. Anchors are numbered, not derived from
// names, so a design or scenario name can never break out of an attribute.
import type { Design } from './designs.ts';
import { escapeHtml } from './escape.ts';
import { buildVerdictMatrix, cellToken, raceBreakage, scenariosWithFindings, type VerdictCell, type VerdictMatrix } from './verdicts.ts';
import type { CheckResults, ModelName } from '../results/types.ts';

/** The anchor of each violation's entry, by (model, scenario, design). */
export class ViolationAnchors {
  private readonly ids = new Map<string, string>();
  of(cell: VerdictCell): string {
    const key = JSON.stringify([cell.model, cell.scenario, cell.variant]);
    let id = this.ids.get(key);
    if (!id) this.ids.set(key, (id = `violation-${this.ids.size + 1}`));
    return id;
  }
}

function cellHtml(cell: VerdictCell | undefined, anchors: ViolationAnchors): string {
  const token = escapeHtml(cellToken(cell));
  if (!cell) return `<td class="not-run">${token}</td>`;
  const title = escapeHtml(
    cell.outcome === 'violation'
      ? `${cell.violation?.headline ?? 'violation'} (${cell.variant}, ${cell.model})`
      : cell.outcome === 'error'
        ? (cell.error ?? 'error')
        : cell.complete
          ? 'no violation: search complete'
          : 'no violation found; search not exhaustive',
  );
  const classes = [cell.outcome, cell.mismatch ? 'mismatch' : '', cell.outcome === 'pass' && !cell.complete ? 'open' : ''].filter(Boolean).join(' ');
  const content = cell.violation ? `<a href="#${anchors.of(cell)}">${token}</a>` : token;
  return `<td class="${classes}" title="${title}">${content}</td>`;
}

function modelTable(matrix: VerdictMatrix, model: ModelName, rows: string[], designs: Design[], anchors: ViolationAnchors): string {
  const head = designs.map((d) => `<th scope="col" title="${escapeHtml(d.name)}">${escapeHtml(d.code)}</th>`).join('');
  const body = rows.map((scenario) => {
    const cells = designs.map((d) => cellHtml(matrix.cell(model, scenario, d.name), anchors)).join('');
    const semantic = matrix.semantics.includes(scenario) ? ' class="semantic"' : '';
    return `<tr${semantic}><th scope="row">${escapeHtml(scenario)}</th>${cells}</tr>`;
  });
  return [
    `<table class="matrix" data-model="${model}">`,
    `<caption>Memory model: ${model}</caption>`,
    `<thead><tr><th scope="col">race</th>${head}</tr></thead>`,
    `<tbody>\n${body.join('\n')}\n</tbody>`,
    `</table>`,
  ].join('\n');
}

function allowedList(matrix: VerdictMatrix, designs: Design[], anchors: ViolationAnchors): string {
  if (matrix.allowed.length === 0) return '';
  const items = raceBreakage(matrix, designs.map((d) => d.name), matrix.allowed.map((a) => a.scenario)).map((race) => {
    const reading = matrix.allowed.find((a) => a.scenario === race.scenario)!.reading;
    const reached = race.broken.length === designs.length ? 'every design' : race.broken.map((b) => b.variant).join(', ') || 'no design';
    const example = race.example ? ` (<a href="#${anchors.of(race.example)}">an execution that reaches it</a>)` : '';
    return `<li><b>${escapeHtml(race.scenario)}</b>: reached in ${escapeHtml(reached)}: ${escapeHtml(reading)}${example}</li>`;
  });
  return `<h3>Allowed outcomes (the API permits them; not defects)</h3>\n<ul class="allowed">\n${items.join('\n')}\n</ul>`;
}

/** The matrix section: a legend of design codes, a table per model, the allowed outcomes. */
export function matrixSection(check: CheckResults, designs: Design[], anchors: ViolationAnchors): string {
  const matrix = buildVerdictMatrix(check);
  const rows = [...matrix.races, ...scenariosWithFindings(matrix, matrix.semantics)];
  const legend = designs.map((d) => `<span><b>${escapeHtml(d.code)}</b> ${escapeHtml(d.name)}</span>`).join(' ');
  return [
    '<h2 id="matrix">Verdict matrix</h2>',
    `<p class="codes">${legend}</p>`,
    '<p>ok: no violation found (ok?: the search was not exhaustive); a violation cell links to its trace and replay command; ! the verdict differs from the scenario file\'s.</p>',
    ...matrix.models.map((model) => modelTable(matrix, model, rows, designs, anchors)),
    allowedList(matrix, designs, anchors),
  ].join('\n');
}

// The plain-text report for a mail body: no line over 72 columns, ASCII only. Mail clients
// and terminals disagree on the width of glyphs such as check marks (some fonts draw them
// double-width, some lack them), which would break the column alignment the tables rely
// on, and quoting by "> " in replies keeps ASCII intact; the charts and HTML use the glyphs.
import type { BenchContext, BenchResults, LitmusResults, ModelName } from '../results/types.ts';
import { describeLoad, IRQ_METRICS, MICRO_OPS, readBenchFigures, type BenchFigures } from './bench-figures.ts';
import { listDesigns, type Design } from './designs.ts';
import { columns, formatMultiple, formatNs, formatRate, TEXT_WIDTH, wrap, wrapShellCommand, wrapWords } from './format.ts';
import { DEFAULT_COMMANDS, type ReportInputs } from './inputs.ts';
import { litmusConformance } from './litmus-summary.ts';
import {
  buildVerdictMatrix,
  kindCode,
  raceBreakage,
  replayCommand,
  type VerdictCell,
  type VerdictMatrix,
} from './verdicts.ts';

function heading(title: string): string[] {
  return ['', title, '-'.repeat(title.length)];
}

function paragraph(text: string): string[] {
  return wrap(text, TEXT_WIDTH);
}

/** An indented list entry whose continuation lines hang two columns further in. */
function listItem(text: string): string[] {
  return wrap(text, TEXT_WIDTH, 4, '  ');
}

function environmentLines(env: BenchContext | undefined): string[] {
  if (!env) return paragraph('Results from: environment not recorded (no bench results or stamp given).');
  const stamp =
    `Results from: ${env.cpu}, ${env.cores} cores, ${env.os}; Node ${env.node} (V8 ${env.v8}); ` +
    `commit ${env.commit}; ${env.date}.`;
  return paragraph(stamp);
}

function inputLines(inputs: ReportInputs): string[] {
  const present: string[] = [];
  const missing: string[] = [];
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  if (inputs.check) present.push(`check (${count(inputs.check.results.length, 'run')})`);
  else missing.push('check results (no verdict matrix, races or safety chart)');
  if (inputs.litmus) present.push(`litmus (${count(inputs.litmus.results.length, 'run')})`);
  else missing.push('litmus results (no conformance section)');
  if (inputs.bench) present.push(`bench (${count(inputs.bench.results.length, 'row')})`);
  else missing.push('bench results (no cost table, throughput or latency)');
  const lines = paragraph(`Inputs: ${present.join(', ') || 'none'}.`);
  if (missing.length) lines.push(...paragraph(`Missing: ${missing.join('; ')}.`));
  return lines;
}

function designLegend(designs: Design[]): string[] {
  return [...heading('Designs'), ...designs.map((d) => `  ${d.code}  ${d.name}`)];
}

function cellToken(cell: VerdictCell | undefined): string {
  if (!cell) return '-';
  const base =
    cell.outcome === 'pass' ? 'ok' : cell.outcome === 'error' ? 'err' : cell.violation ? kindCode(cell.violation.kind) : 'X';
  return base + (cell.outcome === 'pass' && !cell.complete ? '?' : '') + (cell.mismatch ? '!' : '');
}

function matrixForModel(
  matrix: VerdictMatrix,
  model: ModelName,
  designs: Design[],
  layout: { nameWidth: number; cellWidth: number },
): string[] {
  const { nameWidth, cellWidth } = layout;
  const perBlock = Math.max(1, Math.floor((TEXT_WIDTH - nameWidth) / cellWidth));
  const lines = [`Memory model: ${model}`];
  for (let from = 0; from < designs.length; from += perBlock) {
    const block = designs.slice(from, from + perBlock);
    const widths = [nameWidth, ...block.map(() => cellWidth)];
    lines.push(columns(['race', ...block.map((d) => d.code)], widths));
    for (const scenario of matrix.scenarios) {
      const cells = block.map((d) => cellToken(matrix.cell(model, scenario, d.name)));
      if (scenario.length > nameWidth - 2) {
        lines.push(...wrap(scenario, TEXT_WIDTH));
        lines.push(columns(['', ...cells], widths));
      } else lines.push(columns([scenario, ...cells], widths));
    }
    lines.push('');
  }
  return lines;
}

function matrixLegend(matrix: VerdictMatrix): string[] {
  const entries: [string, string][] = [['ok', 'no violation found']];
  const kinds = new Set(matrix.cells.flatMap((c) => (c.violation ? [c.violation.kind] : [])));
  for (const kind of kinds) entries.push([kindCode(kind), kind]);
  if (matrix.cells.some((c) => c.outcome === 'violation' && !c.violation)) entries.push(['X', 'violation without a report']);
  if (matrix.cells.some((c) => c.outcome === 'error')) entries.push(['err', 'the cell could not run']);
  if (matrix.cells.some((c) => c.outcome === 'pass' && !c.complete)) {
    entries.push(['?', 'search not exhaustive (bound hit): "ok" is not a proof']);
  }
  if (matrix.cells.some((c) => c.mismatch)) entries.push(['!', "differs from the scenario's expected verdict"]);
  entries.push(['-', 'not run']);
  return ['Legend:', ...entries.flatMap(([code, meaning]) => wrap(meaning, TEXT_WIDTH, 9, `  ${code.padEnd(7)}`))];
}

function verdictSection(matrix: VerdictMatrix, designs: Design[]): string[] {
  const lines = [...heading('Verdict matrix (designs across, races down)')];
  const longest = Math.max(3, ...matrix.cells.map((c) => cellToken(c).length));
  const nameWidth = Math.min(32, Math.max(6, ...matrix.scenarios.map((s) => s.length + 2)));
  // two spaces between cells when every design still fits in one block, else one
  const cellWidth = nameWidth + designs.length * (longest + 2) <= TEXT_WIDTH ? longest + 2 : longest + 1;
  for (const model of matrix.models) lines.push(...matrixForModel(matrix, model, designs, { nameWidth, cellWidth }));
  lines.push(...matrixLegend(matrix));
  const mismatches = matrix.cells.filter((c) => c.mismatch);
  if (mismatches.length) {
    lines.push('', 'Verdicts that differ from the scenario files:');
    for (const c of mismatches) {
      lines.push(...listItem(`${c.scenario} on ${c.variant} (${c.model}): expected ${c.expected}, got ${c.outcome}`));
    }
  }
  const errors = matrix.cells.filter((c) => c.outcome === 'error');
  if (errors.length) {
    lines.push('', 'Cells that could not run:');
    for (const c of errors) lines.push(...listItem(`${c.scenario} on ${c.variant} (${c.model}): ${c.error}`));
  }
  return lines;
}

function raceSection(matrix: VerdictMatrix, designs: Design[]): string[] {
  const codeOf = new Map(designs.map((d) => [d.name, d.code]));
  const lines = [...heading('Races: the designs each one breaks, and why')];
  for (const race of raceBreakage(matrix, designs.map((d) => d.name))) {
    lines.push('');
    if (race.broken.length === 0) {
      lines.push(...paragraph(`${race.scenario}: breaks none of the ${designs.length} designs (${matrix.models.join(' ')}).`));
      continue;
    }
    const broken = race.broken.map((b, i, all) => `${b.variant} [${b.models.join(' ')}]${i < all.length - 1 ? ',' : ''}`);
    lines.push(...wrapWords([`${race.scenario}:`, 'breaks', ...broken], TEXT_WIDTH, 4));
    for (const reason of race.reasons) {
      const who = reason.variants.map((v) => codeOf.get(v)).join(' ');
      lines.push(...wrap(`why (${who}): ${reason.headline}`, TEXT_WIDTH, 6, '  '));
    }
    const example = race.example;
    const command = example && replayCommand(example);
    if (example && command) {
      lines.push(`  replay ${codeOf.get(example.variant)}/${example.model}:`);
      lines.push(...wrapShellCommand(command, TEXT_WIDTH - 4).map((l) => `    ${l}`));
    }
  }
  return lines;
}

interface CostColumn {
  title: [string, string];
  value(figures: BenchFigures, variant: string): number | undefined;
  floor(figures: BenchFigures): number | undefined;
  format(value: number): string;
}

function costColumns(figures: BenchFigures): CostColumn[] {
  const load = figures.heaviestLoad?.workload ?? '';
  const irq = (metric: string) => ({
    value: (f: BenchFigures, v: string) => f.value(v, load, metric),
    floor: (f: BenchFigures) => f.irqFloor(load, metric),
  });
  return [
    {
      title: ['is_signaled', 'ns'],
      value: (f, v) => f.value(v, MICRO_OPS.isSignaled.workload),
      floor: (f) => f.microFloor(MICRO_OPS.isSignaled.floorMetric),
      format: formatNs,
    },
    {
      title: ['signal cycle', 'ns'],
      value: (f, v) => f.value(v, MICRO_OPS.signalCycle.workload),
      floor: (f) => f.microFloor(MICRO_OPS.signalCycle.floorMetric),
      format: formatNs,
    },
    { title: ['fences/s', 'under load'], ...irq(IRQ_METRICS.fencesPerS), format: formatRate },
    { title: ['cb latency', 'p99 ns'], ...irq(IRQ_METRICS.p99), format: formatNs },
  ];
}

function costSection(bench: BenchResults, designs: Design[]): string[] {
  const figures = readBenchFigures(bench);
  const lines = [...heading('Cost per design')];
  const load = figures.heaviestLoad;
  lines.push(
    ...paragraph(
      'Micro: ns per operation, one thread. Under load: the heaviest irq-load config' +
        (load ? ` (${describeLoad(load)})` : ' (none measured)') +
        '. Nx = multiple of the bare-Atomics floor. Lower is better, except fences/s.',
    ),
    '',
  );
  const cols = costColumns(figures);
  const widths = [8, ...cols.map(() => 15)];
  lines.push(columns(['', ...cols.map((c) => c.title[0])], widths));
  lines.push(columns(['', ...cols.map((c) => c.title[1])], widths));
  const cell = (value: number | undefined, floor: number | undefined, col: CostColumn, isFloor: boolean) => {
    if (value === undefined) return '-';
    const shown = col.format(value);
    return isFloor || floor === undefined || floor === 0 ? shown : `${shown.padEnd(7)}${formatMultiple(value / floor)}`;
  };
  lines.push(columns(['floor', ...cols.map((c) => cell(c.floor(figures), undefined, c, true))], widths));
  for (const d of designs) {
    lines.push(columns([d.code, ...cols.map((c) => cell(c.value(figures, d.name), c.floor(figures), c, false))], widths));
  }
  lines.push(...benchNotes(figures, designs));
  return lines;
}

/** locktorture-style flags and failed rows, so a number is never quoted without its caveats. */
function benchNotes(figures: BenchFigures, designs: Design[]): string[] {
  const codeOf = (variant: string) => designs.find((d) => d.name === variant)?.code ?? variant;
  const flagged = new Map<string, Set<string>>();
  for (const row of figures.rows) {
    if (!row.flags?.length) continue;
    const key = `${codeOf(row.variant)} ${row.workload}`;
    const set = flagged.get(key) ?? new Set<string>();
    row.flags.forEach((flag) => set.add(flag));
    flagged.set(key, set);
  }
  const lines: string[] = [];
  if (flagged.size) {
    lines.push('', 'Flags:');
    for (const [key, flags] of flagged) lines.push(...listItem(`${key}: ${[...flags].join(', ')}`));
  }
  if (figures.failed.length) {
    lines.push('', 'Failed rows (left out above):');
    for (const row of figures.failed) {
      lines.push(...listItem(`${codeOf(row.variant)} ${row.workload} ${row.metric}: ${row.error}`));
    }
  }
  return lines;
}

function litmusSection(litmus: LitmusResults): string[] {
  const lines = [...heading("Litmus conformance (each model vs the test's expected result)")];
  const widths = [8, 8, 8, 10, 14];
  const right = [false, true, true, true, true];
  lines.push(columns(['model', 'tests', 'agree', 'disagree', 'no expected'], widths, right));
  const models = litmusConformance(litmus);
  for (const m of models) {
    const checked = m.tests - m.unchecked;
    lines.push(
      columns(
        [m.model, String(m.tests), checked ? String(m.agree) : '-', checked ? String(m.disagree.length) : '-', String(m.unchecked)],
        widths,
        right,
      ),
    );
  }
  const disagreements = models.flatMap((m) => m.disagree);
  if (disagreements.length) {
    lines.push('', 'Disagreements:');
    for (const r of disagreements) {
      lines.push(
        ...listItem(
          `${r.model}: ${r.name} expected ${r.expected}, observed ${r.observed} ` +
            `(Positive: ${r.positive} Negative: ${r.negative}, ${r.executions} executions)`,
        ),
      );
    }
  }
  return lines;
}

function commandSection(inputs: ReportInputs): string[] {
  const commands = { ...DEFAULT_COMMANDS, ...inputs.commands };
  const entries: [string, string | undefined][] = [
    ['verdict matrix, races and traces', inputs.check && commands.check],
    ['litmus conformance', inputs.litmus && commands.litmus],
    ['cost table and load sweeps', inputs.bench && commands.bench],
    ['this report', commands.report],
  ];
  const lines = entries.flatMap(([what, command]) => (command ? [`# ${what}`, ...wrapShellCommand(command, TEXT_WIDTH)] : []));
  return lines.length ? [...heading('Reproduce'), ...lines] : [];
}

/** The whole mail-body text. */
export function renderText(inputs: ReportInputs): string {
  const designs = listDesigns(inputs);
  const lines = ['dma-fence-lab report', '===================='];
  lines.push(...environmentLines(inputs.environment ?? inputs.bench?.context), ...inputLines(inputs));
  if (designs.length) lines.push(...designLegend(designs));
  if (inputs.check) {
    const matrix = buildVerdictMatrix(inputs.check);
    lines.push(...verdictSection(matrix, designs), ...raceSection(matrix, designs));
  }
  if (inputs.bench) lines.push(...costSection(inputs.bench, designs));
  if (inputs.litmus) lines.push(...litmusSection(inputs.litmus));
  lines.push(...commandSection(inputs));
  return lines.join('\n') + '\n';
}

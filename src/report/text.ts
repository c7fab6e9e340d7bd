// The plain-text report for a mail body: no line over 72 columns, ASCII only. Mail clients
// and terminals disagree on the width of glyphs such as check marks (some fonts draw them
// double-width, some lack them), which would break the column alignment the tables rely
// on, and quoting by "> " in replies keeps ASCII intact; the charts and HTML use the glyphs.
import { necessitySection } from './necessity.ts';
import type { BenchContext, BenchResults, BenchRow, CheckResults, LitmusResults, ModelName } from '../results/types.ts';
import {
  describeLoad,
  IRQ_METRICS,
  MICRO_OPS,
  readBenchFigures,
  shortLoadName,
  type BenchFigures,
} from './bench-figures.ts';
import { reproduceCommands } from './commands.ts';
import { scaleSection } from './scale-text.ts';
import { describeHeadline, readScaleFigures, type ScaleFigures } from './scale-figures.ts';
import { FLOOR, listDesigns, type Design } from './designs.ts';
import {
  columns,
  formatDuration,
  formatMultiple,
  formatNs,
  formatRate,
  heading,
  listItem,
  paragraph,
  TEXT_WIDTH,
  wrap,
  wrapShellCommand,
  wrapWords,
} from './format.ts';
import { changesSection } from './changes.ts';
import type { LitmusSource, ReportInputs } from './inputs.ts';
import { isFinding, litmusConformance, LKMM_MODEL } from './litmus-summary.ts';
import {
  buildVerdictMatrix,
  cellToken,
  executionBudget,
  kindCode,
  raceBreakage,
  replayCommand,
  scenariosWithFindings,
  type RaceBreakage,
  type VerdictMatrix,
} from './verdicts.ts';

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
  else if (inputs.litmusSource?.notRun) missing.push(`litmus results (the conformance section was not run: ${inputs.litmusSource.notRun})`);
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

function matrixForModel(
  matrix: VerdictMatrix,
  model: ModelName,
  scenarios: string[],
  designs: Design[],
  layout: { nameWidth: number; cellWidth: number; title: string },
): string[] {
  const { nameWidth, cellWidth } = layout;
  const perBlock = Math.max(1, Math.floor((TEXT_WIDTH - nameWidth) / cellWidth));
  const lines = [`Memory model: ${model}`];
  for (let from = 0; from < designs.length; from += perBlock) {
    const block = designs.slice(from, from + perBlock);
    const widths = [nameWidth, ...block.map(() => cellWidth)];
    lines.push(columns([layout.title, ...block.map((d) => d.code)], widths));
    for (const scenario of scenarios) {
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

function matrixLegend(matrix: VerdictMatrix, budget: number | undefined): string[] {
  const entries: [string, string][] = [['ok', 'no violation found']];
  // the allowed outcomes are not in the tables, so their kinds are not either
  const shown = new Set([...matrix.races, ...matrix.semantics]);
  const cells = matrix.cells.filter((c) => shown.has(c.scenario));
  const kinds = new Set(cells.flatMap((c) => (c.violation ? [c.violation.kind] : [])));
  for (const kind of kinds) entries.push([kindCode(kind), kind]);
  if (cells.some((c) => c.outcome === 'violation' && !c.violation)) entries.push(['X', 'violation without a report']);
  if (cells.some((c) => c.outcome === 'error')) entries.push(['err', 'the cell could not run']);
  if (cells.some((c) => c.outcome === 'pass' && !c.complete)) {
    const stop = budget === undefined ? 'bound hit' : `stopped within ${budget} executions`;
    entries.push(['?', `search not exhaustive (${stop}): "ok" is not a proof`]);
  }
  if (cells.some((c) => c.mismatch)) entries.push(['!', "differs from the scenario's expected verdict"]);
  entries.push(['-', 'not run']);
  return ['Legend:', ...entries.flatMap(([code, meaning]) => wrap(meaning, TEXT_WIDTH, 9, `  ${code.padEnd(7)}`))];
}

function matrixLayout(matrix: VerdictMatrix, scenarios: string[], designs: Design[], title: string) {
  const longest = Math.max(3, ...matrix.cells.map((c) => cellToken(c).length));
  const nameWidth = Math.min(32, Math.max(6, ...scenarios.map((s) => s.length + 2)));
  // two spaces between cells when every design still fits in one block, else one
  const cellWidth = nameWidth + designs.length * (longest + 2) <= TEXT_WIDTH ? longest + 2 : longest + 1;
  return { nameWidth, cellWidth, title };
}

/** The semantic tests: one paragraph when every design passes them, else their failing rows. */
function semanticLines(matrix: VerdictMatrix, designs: Design[]): string[] {
  if (matrix.semantics.length === 0) return [];
  const findings = scenariosWithFindings(matrix, matrix.semantics);
  const clean = matrix.semantics.filter((s) => !findings.includes(s));
  const lines: string[] = [];
  if (clean.length) {
    const cells = matrix.cells.filter((c) => clean.includes(c.scenario));
    const open = cells.filter((c) => !c.complete).length;
    const models = matrix.models.join(' ');
    lines.push(
      ...paragraph(
        `Semantic tests (what the API promises), passed by all ${designs.length} designs under ${models}` +
          (open ? ` (${open} of ${cells.length} searches not exhaustive)` : '') +
          `: ${clean.join(', ')}.`,
      ),
      '',
    );
  }
  if (findings.length) {
    lines.push(clean.length ? 'Semantic tests with findings (the others pass):' : 'Semantic tests with findings:');
    const layout = matrixLayout(matrix, findings, designs, 'test');
    for (const model of matrix.models) lines.push(...matrixForModel(matrix, model, findings, designs, layout));
  }
  return lines;
}

function verdictSection(check: CheckResults, matrix: VerdictMatrix, designs: Design[]): string[] {
  const lines = [...heading('Verdict matrix (designs across, races down)')];
  const layout = matrixLayout(matrix, matrix.races, designs, 'race');
  if (matrix.races.length) {
    for (const model of matrix.models) lines.push(...matrixForModel(matrix, model, matrix.races, designs, layout));
  }
  lines.push(...semanticLines(matrix, designs));
  lines.push(...matrixLegend(matrix, executionBudget(check)));
  lines.push(...allowedLines(matrix, designs));
  lines.push(...verifiedBoundLines(matrix));
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

/** How deep each pass cell was verified: the largest preemption bound its dfs finished at. */
function verifiedBoundLines(matrix: VerdictMatrix): string[] {
  const pass = matrix.cells.filter((c) => c.outcome === 'pass' && matrix.races.includes(c.scenario));
  const deepest = Math.max(-1, ...pass.map((c) => c.verifiedBound ?? -1));
  if (deepest < 0) return [];
  const short = pass.filter((c) => (c.verifiedBound ?? -1) < deepest);
  const lines = ['', ...paragraph(`Race cells without a violation verified exhaustively (dfs) at preemption bound ${deepest}: ${pass.length - short.length} of ${pass.length}.`)];
  if (short.length) {
    lines.push('Largest bound reached by the others (within the execution budget):');
    for (const c of short) lines.push(...listItem(`${c.scenario} on ${c.variant} (${c.model}): ${c.verifiedBound === undefined ? 'none (not exhaustive at any bound)' : `bound ${c.verifiedBound}`}`));
  }
  return lines;
}

/**
 * Who a race breaks, in words: "every design [sc tso weak]", "every design but
 * locked-reads [sc tso weak]", or each design with its models.
 */
function brokenWords(race: RaceBreakage, designs: Design[]): string[] {
  const models = (ms: ModelName[]) => `[${ms.join(' ')}]`;
  const sets = new Set(race.broken.map((b) => b.models.join(' ')));
  if (sets.size === 1 && race.broken.length > 1) {
    const m = models(race.broken[0]!.models);
    if (race.broken.length === designs.length) return ['every', 'design', m];
    if (race.broken.length > designs.length / 2) {
      const spared = designs.filter((d) => !race.broken.some((b) => b.variant === d.name)).map((d) => d.name);
      return ['every', 'design', 'but', ...spared.map((n, i) => (i < spared.length - 1 ? `${n},` : n)), m];
    }
  }
  return race.broken.map((b, i, all) => `${b.variant} ${models(b.models)}${i < all.length - 1 ? ',' : ''}`);
}

/**
 * The scenarios that show an outcome the API allows (R17): which designs reach it, and what it
 * means. Apart from the matrix, so that every violation there is a defect.
 */
function allowedLines(matrix: VerdictMatrix, designs: Design[]): string[] {
  if (matrix.allowed.length === 0) return [];
  const lines = ['', ...paragraph('Allowed outcomes (the API permits them; each scenario shows one is reached, not a defect):')];
  const readings = new Map(matrix.allowed.map((a) => [a.scenario, a.reading]));
  for (const race of raceBreakage(matrix, designs.map((d) => d.name), [...readings.keys()])) {
    const who = race.broken.length ? ['reached', 'in', ...brokenWords(race, designs)] : ['reached', 'in', 'no', 'design'];
    const words = [`${race.scenario}:`, ...who];
    words[words.length - 1] += ':';
    lines.push(...wrapWords([...words, ...readings.get(race.scenario)!.split(/\s+/)], TEXT_WIDTH, 6, '  '));
  }
  return lines;
}

function raceSection(matrix: VerdictMatrix, designs: Design[]): string[] {
  const codeOf = new Map(designs.map((d) => [d.name, d.code]));
  const lines = [...heading('Races: the designs each one breaks, and why')];
  const scenarios = [...matrix.races, ...scenariosWithFindings(matrix, matrix.semantics)];
  const safe: string[] = [];
  for (const race of raceBreakage(matrix, designs.map((d) => d.name), scenarios)) {
    if (race.broken.length === 0) {
      safe.push(race.scenario);
      continue;
    }
    lines.push('');
    lines.push(...wrapWords([`${race.scenario}:`, 'breaks', ...brokenWords(race, designs)], TEXT_WIDTH, 4));
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
  if (safe.length) {
    const what = safe.length === 1 ? 'race breaks' : 'races break';
    lines.push('', ...paragraph(`These ${what} none of the ${designs.length} designs (${matrix.models.join(' ')}): ${safe.join(', ')}.`));
  }
  return lines;
}

interface CostColumn {
  title: [string, string];
  value(figures: BenchFigures, variant: string): number | undefined;
  floor(figures: BenchFigures): number | undefined;
  format(value: number): string;
}

type LoadColumn = Pick<CostColumn, 'value' | 'floor'>;

/**
 * An "under load" column: from the timing model's headline configuration when the results have
 * simulated rows (a 2-core host cannot load a fence from many CPUs, so the native interrupt-load
 * figures measure its scheduler: issue 14), else from the native heaviest load.
 */
function loadColumn(figures: BenchFigures, scale: ScaleFigures | undefined, metric: string): LoadColumn {
  const h = scale?.headline;
  if (scale && h) {
    return {
      value: (_f: BenchFigures, v: string) => scale.value(v, h.profile, h.cpus, h.config, metric),
      floor: () => scale.value(FLOOR, h.profile, h.cpus, h.config, metric),
    };
  }
  const load = figures.heaviestLoad?.workload ?? '';
  return { value: (f: BenchFigures, v: string) => f.value(v, load, metric), floor: (f: BenchFigures) => f.irqFloor(load, metric) };
}

function costColumns(figures: BenchFigures, scale: ScaleFigures | undefined): CostColumn[] {
  const micro = (op: { workload: string; floorMetric: string }) => ({
    value: (f: BenchFigures, v: string) => f.value(v, op.workload),
    floor: (f: BenchFigures) => f.microFloor(op.floorMetric),
  });
  const load = (metric: string) => loadColumn(figures, scale, metric);
  return [
    { title: ['is_signaled', 'ns'], ...micro(MICRO_OPS.isSignaled), format: formatNs },
    { title: ['signal cycle', 'ns'], ...micro(MICRO_OPS.signalCycle), format: formatNs },
    { title: ['fences/s', 'under load'], ...load(IRQ_METRICS.fencesPerS), format: formatRate },
    { title: ['callback', 'p99 latency'], ...load(IRQ_METRICS.p99), format: formatDuration },
    { title: ['wake-up', 'p99 latency'], ...load(IRQ_METRICS.wakeP99), format: formatDuration },
  ];
}

const COST_CODE_WIDTH = 6;
const COST_CELL_WIDTH = 13;

function costSection(bench: BenchResults, designs: Design[]): string[] {
  const figures = readBenchFigures(bench);
  const scale = readScaleFigures(bench);
  const lines = [...heading('Cost per design')];
  const load = figures.heaviestLoad;
  const cores = bench.context.cores;
  lines.push(
    ...paragraph(
      'is_signaled: dma_fence_is_signaled() on a signaled fence; signal cycle: kzalloc + ' +
        'dma_fence_init, enable_sw_signaling, signal, put. Both one thread, ns per call ' +
        '(the fastest 1 ms sample over fresh isolates), x = multiple of a bare Atomics.load ' +
        '(is_signaled) or compareExchange ' +
        '(signal cycle) loop.',
    ),
    '',
    ...paragraph(
      'Under load: ' +
        (scale?.headline
          ? `${describeHeadline(scale)}`
          : load
            ? `${describeLoad(load)} on ${cores} core${cores === 1 ? '' : 's'}`
            : 'no irq-load config measured') +
        '; fences signalled per second and the p99 latency from the interrupt to the callback ' +
        "and to the waiter's return; x = multiple of the lock-free floor design in the same run. " +
        'Lower is better, except fences/s.',
    ),
    '',
  );
  const cols = costColumns(figures, scale);
  const widths = [COST_CODE_WIDTH, ...cols.map(() => COST_CELL_WIDTH)];
  lines.push(columns(['', ...cols.map((c) => c.title[0])], widths));
  lines.push(columns(['', ...cols.map((c) => c.title[1])], widths));
  const cell = (value: number | undefined, floor: number | undefined, col: CostColumn, isFloor: boolean) => {
    if (value === undefined) return '-';
    const shown = col.format(value);
    return isFloor || floor === undefined || floor === 0 ? shown : `${shown.padEnd(7)}${formatMultiple(value / floor)}`;
  };
  lines.push(columns([FLOOR, ...cols.map((c) => cell(c.floor(figures), undefined, c, true))], widths));
  for (const d of designs) {
    lines.push(columns([d.code, ...cols.map((c) => cell(c.value(figures, d.name), c.floor(figures), c, false))], widths));
  }
  lines.push(...microTable(figures, designs), ...benchNotes(figures, designs));
  return lines;
}

const MICRO_LABEL_WIDTH = 24;
const MICRO_CELL_WIDTH = 6;

/** Every micro operation measured, ns per call: operations down, the floor and designs across. */
function microTable(figures: BenchFigures, designs: Design[]): string[] {
  if (figures.microOps.length === 0) return [];
  const lines = ['', ...paragraph('Every micro operation, ns per call (floor: the loop it is read against):')];
  const perBlock = Math.max(1, Math.floor((TEXT_WIDTH - MICRO_LABEL_WIDTH - MICRO_CELL_WIDTH) / MICRO_CELL_WIDTH));
  const right = (n: number) => [false, ...new Array<boolean>(n).fill(true)];
  for (let from = 0; from < designs.length; from += perBlock) {
    const block = designs.slice(from, from + perBlock);
    const widths = [MICRO_LABEL_WIDTH, ...new Array<number>(block.length + 1).fill(MICRO_CELL_WIDTH)];
    lines.push(columns(['', FLOOR, ...block.map((d) => d.code)], widths, right(block.length + 1)));
    for (const op of figures.microOps) {
      const value = (n: number | undefined) => (n === undefined ? '-' : formatNs(n));
      const cells = [value(figures.microFloor(op.floorMetric)), ...block.map((d) => value(figures.value(d.name, op.workload)))];
      lines.push(columns([op.label, ...cells], widths, right(cells.length)));
    }
  }
  return lines;
}

/** What the bench's flags mean (src/native/bench.ts, bench/micro/run.ts). */
const FLAG_MEANINGS: Record<string, string> = {
  oversubscribed: 'more threads than cores',
  unfair: "the busiest thread of a kind did over twice the idlest's work",
  'below-floor': 'faster than its floor: the JIT removed work',
};

/**
 * Flags that describe how a row was made rather than a caveat on its figure: the timing model's
 * rows (src/timing/scale.ts), whose section names the model and profile itself.
 */
function describesOrigin(flag: string): boolean {
  return flag === 'simulated' || flag === 'quick' || flag.startsWith('profile=') || flag.startsWith('model=');
}

/** locktorture-style flags and failed rows, so a number is never quoted without its caveats. */
function benchNotes(figures: BenchFigures, designs: Design[]): string[] {
  const codeOf = (variant: string) => designs.find((d) => d.name === variant)?.code ?? variant;
  // design codes in order, the floor (no code) last
  const byCode = (a: string, b: string) => {
    const [x, y] = [designs.findIndex((d) => d.name === a), designs.findIndex((d) => d.name === b)];
    return (x < 0 ? Infinity : x) - (y < 0 ? Infinity : y);
  };
  const loadName = (workload: string) => {
    const config = figures.irqConfigs.find((c) => c.workload === workload);
    return config ? shortLoadName(config, figures.irqConfigs) : workload;
  };
  // flag -> workload -> variants, metrics
  const flagged = new Map<string, Map<string, { variants: Set<string>; metrics: Set<string> }>>();
  for (const row of figures.rows) {
    for (const flag of row.flags ?? []) {
      if (describesOrigin(flag)) continue;
      const byWorkload = flagged.get(flag) ?? new Map<string, { variants: Set<string>; metrics: Set<string> }>();
      const entry = byWorkload.get(row.workload) ?? { variants: new Set<string>(), metrics: new Set<string>() };
      entry.variants.add(row.variant);
      entry.metrics.add(row.metric);
      byWorkload.set(row.workload, entry);
      flagged.set(flag, byWorkload);
    }
  }
  const lines: string[] = [];
  if (flagged.size) {
    lines.push('', 'Flags:');
    const irqRows = figures.rows.filter((r) => figures.irqConfigs.some((c) => c.workload === r.workload));
    for (const [flag, byWorkload] of flagged) {
      const meaning = FLAG_MEANINGS[flag];
      const title = meaning ? `${flag} (${meaning})` : flag;
      const everyIrqRow = irqRows.length > 0 && irqRows.every((r) => r.flags?.includes(flag));
      if (everyIrqRow) {
        const threads = [...new Set(figures.irqConfigs.map((c) => c.threads))].sort((a, b) => a - b).join(' to ');
        const why = flag === 'oversubscribed' ? `: ${threads} threads on ${figures.cores} cores` : '';
        lines.push(...listItem(`${title}: every irq-load run${why}`));
        continue;
      }
      const parts = [...byWorkload].map(([workload, { variants, metrics }]) => {
        const who = [...variants].sort(byCode).map(codeOf).join(' ');
        return `${loadName(workload)}: ${who} (${[...metrics].join(', ')})`;
      });
      lines.push(...listItem(`${title}: ${parts.join('; ')}`));
    }
  }
  if (figures.failed.length) {
    lines.push('', 'Failed rows (left out above):');
    // one entry per design, workload and error, with the metrics it hit
    const groups = new Map<string, { row: BenchRow; metrics: string[] }>();
    for (const row of figures.failed) {
      const key = JSON.stringify([row.variant, row.workload, row.error]);
      const group = groups.get(key);
      if (group) group.metrics.push(row.metric);
      else groups.set(key, { row, metrics: [row.metric] });
    }
    for (const { row, metrics } of groups.values()) {
      lines.push(...listItem(`${codeOf(row.variant)} ${loadName(row.workload)} ${metrics.join(', ')}: ${row.error}`));
    }
  }
  return lines;
}

function litmusSection(litmus: LitmusResults, source: LitmusSource | undefined): string[] {
  const lines = [...heading("Litmus conformance (each model vs LKMM's result for the test)")];
  if (source?.corpus) lines.push(...paragraph(`Corpus: ${source.corpus}.`), '');
  const widths = [8, 7, 7, 10, 8, 13];
  const right = [false, true, true, true, true, true];
  lines.push(columns(['model', 'tests', 'agree', 'stronger', 'weaker', 'no expected'], widths, right));
  const models = litmusConformance(litmus);
  for (const m of models) {
    const checked = m.tests - m.unchecked;
    const count = (n: number) => (checked ? String(n) : '-');
    lines.push(
      columns(
        [m.model, String(m.tests), count(m.agree), count(m.stronger.length), count(m.weaker.length), String(m.unchecked)],
        widths,
        right,
      ),
    );
  }
  const strongByDesign = models.filter((m) => m.model !== LKMM_MODEL && m.stronger.length).map((m) => m.model);
  lines.push(
    '',
    ...paragraph(
      'stronger: the model forbids an outcome LKMM allows; weaker: it allows one LKMM forbids. ' +
        `Only ${LKMM_MODEL} is meant to agree everywhere` +
        (strongByDesign.length
          ? `; ${strongByDesign.join(' and ')} ${strongByDesign.length === 1 ? 'is' : 'are'} stronger by design ` +
            'where the machine forbids the outcome, and must never be weaker.'
          : '.'),
    ),
  );
  if (source?.unparsed?.length) {
    lines.push('', ...paragraph(`Not run: ${source.unparsed.length} file(s) of the corpus the lab's litmus parser does not take:`));
    for (const problem of source.unparsed) lines.push(...listItem(problem));
  }
  const findings = litmus.results.filter(isFinding);
  if (findings.length) {
    lines.push('', 'Differences from LKMM that are findings:');
    for (const r of findings) {
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
  const commands = reproduceCommands(inputs);
  const entries: [string, string | undefined][] = [
    ['verdict matrix, races and traces', commands.check],
    ['litmus conformance', commands.litmus],
    ['cost table and load sweeps', commands.bench],
    [commands.report?.includes('--from') ? 'this report, from the JSON the commands above print' : 'this report', commands.report],
  ];
  const lines = entries.flatMap(([what, command]) => (command ? [`# ${what}`, ...wrapShellCommand(command, TEXT_WIDTH)] : []));
  return lines.length ? [...heading('Reproduce'), ...lines] : [];
}

/** The whole mail-body text. */
export function renderText(inputs: ReportInputs): string {
  const designs = listDesigns(inputs);
  const lines = ['dma-fence-lab report', '===================='];
  lines.push(...environmentLines(inputs.environment ?? inputs.bench?.context), ...inputLines(inputs));
  for (const change of inputs.changes ?? []) lines.push(...changesSection(inputs, change));
  if (designs.length) lines.push(...designLegend(designs));
  if (inputs.check) {
    const matrix = buildVerdictMatrix(inputs.check);
    lines.push(...verdictSection(inputs.check, matrix, designs), ...raceSection(matrix, designs));
  }
  if (inputs.bench) lines.push(...costSection(inputs.bench, designs), ...scaleSection(inputs.bench, designs));
  if (inputs.litmus) lines.push(...litmusSection(inputs.litmus, inputs.litmusSource));
  if (inputs.necessity) lines.push(...necessitySection(inputs.necessity.results));
  lines.push(...commandSection(inputs));
  return lines.join('\n') + '\n';
}

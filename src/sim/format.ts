// Turns a traced failing execution into what a kernel reviewer reads: a KASAN/lockdep-style
// headline, the details, and the schedule as one column per CPU with time going down and the
// kernel source line of every step at the right, ending at the faulting access.

import type { ExecutionResult, TraceEvent } from './execution.ts';
import type { SourceMapper } from './source-lines.ts';
import type { Violation } from './violation.ts';
import type { SimThread } from './thread.ts';

const MAX_CELL = 72;

interface Row {
  cpu: number;
  text: string;
  where: string;
}

export function headlineOf(v: Violation, mapper: SourceMapper): string {
  const site = mapper.site(v.stack ?? '');
  return v.headline
    .replace('{fn}', site ? site.fn : 'the scenario')
    .replace('{site}', site ? `${site.file}:${site.line} ${site.fn}` : 'the scenario')
    .replace(/ (?:in|at) the scenario$/, '');
}

function clip(s: string): string {
  if (s.length <= MAX_CELL) return s;
  // Shorten the arguments, not what follows them: the value read and the memory model's note
  // ("= 0 [stale: newest 11]") are what the reviewer needs.
  const tail = s.slice(s.lastIndexOf(')'));
  if (tail.length > 1 && tail.length <= MAX_CELL - 24) return `${s.slice(0, MAX_CELL - 1 - tail.length)}…${tail}`;
  return `${s.slice(0, MAX_CELL - 1)}…`;
}

function rowsOf(result: ExecutionResult, v: Violation, mapper: SourceMapper): Row[] {
  const rows: Row[] = [];
  const started = new Set<number>();
  const lastFn = new Map<number, string>();
  const threadOf = (tid: number): SimThread | undefined => result.threads[tid];
  const push = (e: TraceEvent | { tid: number; text: string; stack: string }, mark = '') => {
    const t = threadOf(e.tid);
    if (!t) return;
    const indent = t.context === 'hardirq' ? '  ' : '';
    if (t.context === 'hardirq' && !started.has(t.tid)) {
      started.add(t.tid);
      rows.push({ cpu: t.cpuIndex, text: `<Interrupt> ${t.name}`, where: '' });
    }
    const site = mapper.site(e.stack);
    // Name the function once per run of steps inside it, as a reviewer annotates a diagram.
    const fn = site ? `${site.fn}: ` : '';
    const shown = fn && lastFn.get(t.tid) === fn ? ' '.repeat(Math.min(fn.length, 4)) : fn;
    lastFn.set(t.tid, fn);
    rows.push({ cpu: t.cpuIndex, text: clip(`${indent}${shown}${e.text}${mark}`), where: site ? `${site.file}:${site.line}` : '' });
  };
  for (const e of result.trace) push(e);
  const access = v.accesses[0];
  const faulting = result.threads.find((t) => t.name === access?.thread);
  if (access && faulting) push({ tid: faulting.tid, text: `${access.primitive}(${access.address})`, stack: v.stack ?? '' }, '  <-- BUG');
  return rows;
}

export function formatTrace(result: ExecutionResult, v: Violation, mapper: SourceMapper): string {
  const rows = rowsOf(result, v, mapper);
  const cpus = [...new Set(result.threads.map((t) => t.cpuIndex))].sort((a, b) => a - b);
  const headers = cpus.map((c) => {
    const names = result.threads.filter((t) => t.cpuIndex === c).map((t) => (t.context === 'hardirq' ? `${t.name} [hardirq]` : t.name));
    return `CPU${c}: ${names.join(', ')}`;
  });
  const widths = cpus.map((c, i) => Math.max(headers[i]!.length, ...rows.filter((r) => r.cpu === c).map((r) => r.text.length)));
  const line = (cells: string[], where: string) =>
    cells.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').concat(where ? `   ${where}` : '').trimEnd();
  const out = [line(headers, ''), line(widths.map((w) => '-'.repeat(w)), '')];
  for (const r of rows) out.push(line(cpus.map((c) => (c === r.cpu ? r.text : '')), r.where));
  return out.join('\n');
}

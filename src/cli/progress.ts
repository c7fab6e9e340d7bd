// Progress of a long run on stderr (stdout carries the results). On a terminal: a live block, a
// summary line (done/total, executions/s, ETA) and one line per job with what it is running
// and for how long, redrawn in place. Off a terminal (CI logs): a plain line every 30 seconds,
// so a run shorter than that prints nothing. --quiet: nothing at all.
//
//   check: 12/45 cells, 21.3k exec/s per job, ETA 1m20s
//     job 1  current-shared-lock x is-signaled-put-uaf [sc]  3.2s
//     job 2  idle
//
// executions/s is per job: the finished units' executions over their own run time, so it is the
// simulator's speed whatever the number of jobs. The ETA is the mean wall time of a unit times
// the units left (less what the running ones have had), over the jobs. FENCE_LAB_PROGRESS_MS sets the interval of the
// plain lines (tests use it).

import type { WriteStream } from 'node:tty';

export type ProgressMode = 'tty' | 'lines' | 'quiet';

/** tty when the stream is a terminal, plain lines otherwise, nothing with --quiet. */
export function progressMode(quiet: boolean, stream: NodeJS.WritableStream = process.stderr): ProgressMode {
  if (quiet) return 'quiet';
  return (stream as WriteStream).isTTY ? 'tty' : 'lines';
}

export interface ProgressOptions {
  /** "check", "report", "litmus": starts every line */
  label: string;
  /** what is counted: "cells", "tests" */
  unit: string;
  total: number;
  jobs: number;
  mode: ProgressMode;
  stream?: NodeJS.WritableStream;
  /** plain-line interval (default 30 s, or FENCE_LAB_PROGRESS_MS) */
  intervalMs?: number;
}

interface Running {
  name: string;
  since: number;
}

const TTY_REDRAW_MS = 250;

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return String(Math.round(perSecond));
}

export class Progress {
  private readonly stream: NodeJS.WritableStream;
  private readonly started = performance.now();
  private readonly running: (Running | null)[];
  private done = 0;
  private executions = 0;
  private simMs = 0;
  private wallMs = 0;
  private drawn = 0;
  private linesPrinted = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.running = Array.from({ length: Math.max(1, opts.jobs) }, () => null);
    if (opts.mode === 'quiet' || opts.total === 0) return;
    const every = opts.mode === 'tty' ? TTY_REDRAW_MS : (opts.intervalMs ?? (Number(process.env['FENCE_LAB_PROGRESS_MS']) || 30_000));
    this.timer = setInterval(() => (opts.mode === 'tty' ? this.redraw() : this.line()), every);
    this.timer.unref();
    if (opts.mode === 'tty') this.redraw();
  }

  /** A unit starts on job `slot` (0-based). */
  start(slot: number, name: string): void {
    this.running[slot] = { name, since: performance.now() };
    if (this.opts.mode === 'tty') this.redraw();
  }

  /** The unit on `slot` finished, having run `executions` executions in `ms` of its own time. */
  finish(slot: number, stats: { executions: number; ms: number }): void {
    const r = this.running[slot];
    if (r) this.wallMs += performance.now() - r.since;
    this.running[slot] = null;
    this.done++;
    this.executions += stats.executions;
    this.simMs += stats.ms;
    if (this.opts.mode === 'tty') this.redraw();
  }

  /** Runs `print` (which writes to stdout) without tearing the live block. */
  above(print: () => void): void {
    if (this.opts.mode !== 'tty' || this.stopped) return print();
    this.clear();
    print();
    this.redraw();
  }

  /** Ends the display: clears the live block, or closes the plain lines with a last one. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.opts.mode === 'tty') this.clear();
    else if (this.opts.mode === 'lines' && this.linesPrinted > 0) {
      this.stream.write(`${this.opts.label}: ${this.done}/${this.opts.total} ${this.opts.unit} in ${formatDuration(performance.now() - this.started)}\n`);
    }
  }

  /** The summary line: "12/45 cells, 21.3k exec/s per job, ETA 1m20s". */
  summary(): string {
    const parts = [`${this.opts.label}: ${this.done}/${this.opts.total} ${this.opts.unit}`];
    if (this.simMs > 0) parts.push(`${formatRate((this.executions / this.simMs) * 1000)} exec/s per job`);
    const left = this.opts.total - this.done;
    if (this.done > 0 && left > 0) {
      // The mean unit counts the running ones at what they have had so far (a lower bound: one
      // long cell among quick ones must not leave the ETA at a second), then: a mean unit for
      // each unit not started, and what the mean leaves of each running one.
      const now = performance.now();
      const running = this.running.filter((r): r is Running => r !== null);
      const mean = (this.wallMs + running.reduce((ms, r) => ms + (now - r.since), 0)) / (this.done + running.length);
      let work = mean * (left - running.length);
      for (const r of running) work += Math.max(0, mean - (now - r.since));
      // Nothing left by the estimate while units still run: it knows no better, so it says nothing.
      if (work > 0) parts.push(`ETA ${formatDuration(work / Math.min(this.running.length, left))}`);
    }
    return parts.join(', ');
  }

  private line(): void {
    if (this.stopped) return;
    this.linesPrinted++;
    this.stream.write(`${this.summary()}\n`);
  }

  private clear(): void {
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private redraw(): void {
    if (this.stopped) return;
    const now = performance.now();
    const width = Math.max(20, ((this.stream as WriteStream).columns || 80) - 1);
    const lines = [this.summary()];
    if (this.running.length > 1 || this.running[0]) {
      this.running.forEach((r, i) => lines.push(`  job ${i + 1}  ${r ? `${r.name}  ${formatDuration(now - r.since)}` : 'idle'}`));
    }
    const text = lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join('\n');
    this.clear();
    this.stream.write(`${text}\n`);
    this.drawn = lines.length;
  }
}

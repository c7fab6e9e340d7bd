// The report's "Scaling (simulated)" section: the timing model's figures (src/timing) for the
// headline profile, in 72 columns: fences/s and p99 interrupt->callback latency against the CPU
// count, and what polling the stub fence from every CPU costs. It says plainly that none of it
// was measured on the host.
import { scaleConfigName, type ScaleConfig } from '../../bench/scale/config.ts';
import type { BenchResults } from '../results/types.ts';
import { FLOOR, type Design } from './designs.ts';
import { columns, formatDuration, formatNs, formatRate, TEXT_WIDTH, wrap } from './format.ts';
import { readScaleFigures, THROUGHPUT_CONFIG } from './scale-figures.ts';

const STUB_POLLERS: ScaleConfig = { irq: 0, roles: 'stub-pollers' };

export function scaleSection(bench: BenchResults, designs: Design[]): string[] {
  const f = readScaleFigures(bench);
  if (!f?.headline) return [];
  const { profile, cpus: most, config } = f.headline;
  const title = `Scaling (simulated: timing model ${f.model}, profile ${profile})`;
  const lines = ['', title, '-'.repeat(title.length)];
  lines.push(
    ...wrap(
      `Not measured on this host: every figure in this section comes from the timing model (src/timing), the same design code on N simulated CPUs of the ${profile} profile` +
        (f.profiles.length > 1 ? ` (the results also hold ${f.profiles.filter((p) => p !== profile).join(', ')})` : '') +
        '. The safety x cost chart uses the last column of the latency table.',
      TEXT_WIDTH,
    ),
  );
  const rowsOf = [{ name: FLOOR, code: 'floor' }, ...designs];
  const table = (label: string, cfg: ScaleConfig, metric: string, show: (v: number) => string) => {
    const ns = f.cpus(profile, cfg);
    if (ns.length === 0) return;
    const widths = [6, ...ns.map(() => 9)];
    lines.push('', `${label} (${scaleConfigName(cfg)})`, columns(['', ...ns.map((n) => `N=${n}`)], widths, [false, ...ns.map(() => true)]));
    for (const d of rowsOf) {
      const cells = ns.map((n) => {
        const v = f.value(d.name, profile, n, cfg, metric);
        return v === undefined ? '-' : show(v);
      });
      if (cells.every((c) => c === '-')) continue;
      lines.push(columns([d.code, ...cells], widths, [false, ...ns.map(() => true)]));
    }
  };
  table('fences/s', THROUGHPUT_CONFIG, 'fences_per_s', formatRate);
  table('p99 interrupt->callback', config, 'cb_latency_p99_ns', formatDuration);
  const stubN = f.cpus(profile, STUB_POLLERS).at(-1) ?? most;
  const widths = [6, 12, 16, 16];
  lines.push('', `${stubN} CPUs polling the stub fence (${scaleConfigName(STUB_POLLERS)})`);
  lines.push(columns(['', 'polls/s', 'transfers/poll', 'lock wait/acq'], widths, [false, true, true, true]));
  for (const d of rowsOf) {
    const v = (m: string) => f.value(d.name, profile, stubN, STUB_POLLERS, m);
    const polls = v('polls_per_s');
    if (polls === undefined) continue;
    const tp = v('line_transfers_per_poll');
    const lw = v('lock_wait_ns_per_acquire');
    lines.push(columns([d.code, formatRate(polls), tp === undefined ? '-' : tp.toFixed(2), lw === undefined ? '-' : `${formatNs(lw)}ns`], widths, [false, true, true, true]));
  }
  return lines;
}

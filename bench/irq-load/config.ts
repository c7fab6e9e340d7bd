// Interrupt-load configurations: what runs, and the "irq-load/<config>" workload name it gets
// (a comma list of key=value, the offered interrupt rate first as irq=<n>[k|M] per second per
// fence context, or irq=max for an unthrottled interrupt thread).

export interface IrqConfig {
  /** interrupts per second per context; 0 = unthrottled (the IRQ thread signals as fast as it can) */
  irq: number;
  /** fence contexts, each with its own IRQ thread and submitter thread */
  ctx: number;
  /** fences in flight per context (the submitter waits when that many are unsignaled) */
  fpc: number;
  pollers: number;
  waiters: number;
  /** callback adders */
  cbs: number;
}

export const BASE_CONFIG: IrqConfig = { irq: 100_000, ctx: 1, fpc: 8, pollers: 2, waiters: 1, cbs: 1 };

/** An interrupt rate as config names write it: max, 50k, 1.5M. */
export function rateText(r: number): string {
  if (r === 0) return 'max';
  if (r >= 1e6 && r % 1e5 === 0) return `${r / 1e6}M`;
  if (r >= 1e3 && r % 100 === 0) return `${r / 1e3}k`;
  return String(r);
}

export function configName(c: IrqConfig): string {
  return `irq-load/irq=${rateText(c.irq)},ctx=${c.ctx},fpc=${c.fpc},pollers=${c.pollers},waiters=${c.waiters},cbs=${c.cbs}`;
}

/** Parses a config name (with or without the "irq-load/" prefix); missing keys take BASE_CONFIG's. */
export function parseConfig(text: string): IrqConfig {
  const body = text.replace(/^irq-load\/?/, '');
  const c: IrqConfig = { ...BASE_CONFIG };
  if (body === '') return c;
  for (const part of body.split(',')) {
    const [key, raw] = part.split('=').map((s) => s.trim());
    if (!key || raw === undefined) throw new Error(`irq-load config '${text}': '${part}' is not key=value`);
    if (!(key in c)) throw new Error(`irq-load config '${text}': unknown key '${key}' (keys: ${Object.keys(BASE_CONFIG).join(', ')})`);
    let n: number;
    if (key === 'irq' && raw === 'max') n = 0;
    else {
      const m = /^(\d+(?:\.\d+)?)([kM]?)$/.exec(raw);
      if (!m) throw new Error(`irq-load config '${text}': ${key}=${raw} is not a number`);
      n = Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
    }
    if (!Number.isInteger(n) || n < 0 || (key !== 'irq' && key !== 'pollers' && key !== 'waiters' && key !== 'cbs' && n < 1)) {
      throw new Error(`irq-load config '${text}': ${key}=${raw} is out of range`);
    }
    (c as unknown as Record<string, number>)[key] = n;
  }
  if (c.fpc > 256) throw new Error(`irq-load config '${text}': fpc=${c.fpc} is above 256`);
  if (threadsOf(c) > 60) throw new Error(`irq-load config '${text}': ${threadsOf(c)} threads is above 60`);
  return c;
}

/** Worker threads a config runs: per context an IRQ thread and a submitter, plus the consumers. */
export function threadsOf(c: IrqConfig): number {
  return 2 * c.ctx + c.pollers + c.waiters + c.cbs;
}

/** The sweeps: interrupt rate, poller count and fences per context, each around BASE_CONFIG. */
export function sweepConfigs(quick: boolean): IrqConfig[] {
  if (quick) return [{ ...BASE_CONFIG, irq: 50_000 }, { ...BASE_CONFIG, irq: 0 }];
  const out: IrqConfig[] = [];
  const add = (c: IrqConfig) => {
    if (!out.some((o) => configName(o) === configName(c))) out.push(c);
  };
  for (const irq of [25_000, 50_000, 100_000, 200_000, 400_000, 0]) add({ ...BASE_CONFIG, irq });
  for (const pollers of [1, 2, 4, 8]) add({ ...BASE_CONFIG, pollers });
  for (const fpc of [1, 8, 64]) add({ ...BASE_CONFIG, fpc });
  add({ ...BASE_CONFIG, ctx: 2 });
  return out;
}

export interface RunTiming {
  warmupMs: number;
  intervalMs: number;
  intervals: number;
}

export function timingFor(quick: boolean): RunTiming {
  return quick ? { warmupMs: 150, intervalMs: 60, intervals: 10 } : { warmupMs: 400, intervalMs: 100, intervals: 20 };
}

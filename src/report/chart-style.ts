// The look every chart shares: one font, plain axes, no decoration.
import type { Config } from 'vega-lite';

/** The font the SVGs name and the PNG renderer loads (see render.ts). */
export const CHART_FONT = 'DejaVu Sans';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Verdict cell colours: pale for "nothing found", strong for a violation. */
export const VERDICT_COLORS = {
  pass: '#dfeedd',
  violation: '#c8442f',
  error: '#b8b8b8',
} as const;

/**
 * Shared Vega-Lite config. Every text `limit` is 0 (no truncation): labels here are design
 * and scenario names a reader must see whole, and render.ts measures text assuming Vega
 * never truncates it.
 */
export const CHART_CONFIG: Config = {
  font: CHART_FONT,
  background: 'white',
  padding: 10,
  view: { stroke: '#999' },
  title: { fontSize: 14, anchor: 'start', offset: 10, subtitleFontSize: 11, subtitleColor: '#333', limit: 0 },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    labelColor: '#222',
    titleColor: '#222',
    gridColor: '#e4e4e4',
    domainColor: '#666',
    tickColor: '#666',
    labelLimit: 0,
    titleLimit: 0,
  },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', labelLimit: 0, titleLimit: 0 },
  header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0, titleLimit: 0 },
  text: { fontSize: 11 },
};

/** Axis labels 950, 25k, 1.5M (d3's "~s" would print 0 as "0k" beside "50k"). */
export const SI_LABEL_EXPR =
  "datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M' : " +
  "datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + 'k' : format(datum.value, '~g')";

/** Category colours dark enough to read as thin lines and text on white (no pale yellow). */
const DESIGN_PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#17becf', '#7f7f00', '#393b79',
];

/** The floor's colour wherever it is drawn next to the designs. */
const FLOOR_COLOR = '#777777';

/** One colour per design, the same in every chart of a report. */
export function designColors(designs: string[], floorLabel?: string): { domain: string[]; range: string[] } {
  const domain = floorLabel ? [...designs, floorLabel] : [...designs];
  const range = designs.map((_, i) => DESIGN_PALETTE[i % DESIGN_PALETTE.length]!);
  if (floorLabel) range.push(FLOOR_COLOR);
  return { domain, range };
}

/**
 * Log-axis ticks from the last one at or below `low` to the first one at or above `high`:
 * at 1, 2, 5 x 10^k, or when the axis is too short for three labels a decade (`lengthPx`
 * pixels over the span), at 1 and 3 x 10^k or whole decades only. Left to itself, Vega
 * labels every minor tick of a log axis and then drops overlapping labels, decades too.
 */
export function oneTwoFiveTicks(low: number, high: number, lengthPx = Infinity): number[] {
  const steps = (set: number[]) => {
    const all: number[] = [];
    for (let decade = 10 ** Math.floor(Math.log10(low)); decade < high * 10; decade *= 10) {
      for (const step of set) all.push(step * decade);
    }
    const first = all.filter((tick) => tick <= low).length - 1;
    const last = all.findIndex((tick) => tick >= high);
    return all.slice(Math.max(0, first), last + 1);
  };
  for (const set of [[1, 2, 5], [1, 3], [1]]) {
    const ticks = steps(set);
    const decades = Math.log10(ticks[ticks.length - 1]! / ticks[0]!) || 1;
    if (lengthPx / decades >= set.length * 48 || set.length === 1) return ticks;
  }
  return steps([1]);
}

/** Axis labels for durations given in ns: 500ns, 20µs, 1ms, 2s. */
export const DURATION_LABEL_EXPR =
  "datum.value >= 1e9 ? format(datum.value / 1e9, '~g') + 's' : " +
  "datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'ms' : " +
  "datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + 'µs' : format(datum.value, '~g') + 'ns'";

// Which way is better for a metric. The unit decides, in this one place: a rate (a unit ending
// in "/s" or "_per_s", e.g. "fences/s", "fences_per_s", "polls_per_s") is better when higher;
// everything else the lab measures (ns, latency percentiles, spin time, spread) is better lower.

export type Direction = 'lower-is-better' | 'higher-is-better';

export function metricDirection(unit: string): Direction {
  const u = unit.trim().toLowerCase();
  return /(\/s|\/sec|_per_s|_per_sec|per second)$/.test(u) ? 'higher-is-better' : 'lower-is-better';
}

/** true when going from `base` to `next` (ratio next/base) makes the metric worse. */
export function isWorse(ratio: number, direction: Direction): boolean {
  return direction === 'lower-is-better' ? ratio > 1 : ratio < 1;
}

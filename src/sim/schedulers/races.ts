// The races of one execution, for source-DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Optimal
// dynamic partial order reduction", POPL'14, Algorithm 1 with race detection deferred to the
// end of the execution). Events are the execution's interleaving steps in order; two events
// are dependent when their footprints say so (src/sim/footprint.ts), and happens-before is
// program order plus dependence, transitively, kept as vector clocks. A race e ⋖ e' is a pair
// of dependent events of different actors with no happens-before path between them through
// other events: reversing it may reach a new Mazurkiewicz trace. For each race the explorer
// needs the initials of v = notdep(e).e' (the actors whose first event in v nothing else in
// v happens before): scheduling any of them right before e starts the reversed order.

import type { Footprint } from '../footprint.ts';

/**
 * A dependent pair of events of two actors, `first` before `second`; `race` false when they
 * are ordered through other events (a dependent pair, not a race).
 */
export type PairVisitor = (first: number, second: number, race: boolean) => void;

export class EventLog {
  readonly actors: number[] = [];
  readonly footprints: Footprint[] = [];
  /** the dfs choice point that picked the event's actor, or -1 when it was the only one */
  readonly nodes: number[] = [];

  get length(): number {
    return this.actors.length;
  }

  clear(): void {
    this.actors.length = 0;
    this.footprints.length = 0;
    this.nodes.length = 0;
  }

  push(actor: number, footprint: Footprint, node: number): void {
    this.actors.push(actor);
    this.footprints.push(footprint);
    this.nodes.push(node);
  }

  // happens-before of the last analysed execution (see races())
  private seq = new Int32Array(0);
  private clocks: Int32Array[] = [];
  private actorOf: number[] = [];

  private before(i: number, j: number): boolean {
    return this.clocks[j]![this.actorOf[i]!]! >= this.seq[i]!;
  }

  /** Visits every race of the execution; with `pairs`, every other dependent pair of two actors too. */
  races(pairs: boolean, visit: PairVisitor): void {
    const n = this.length;
    const dense = new Map<number, number>();
    const actorOf = this.actors.map((a) => {
      let d = dense.get(a);
      if (d === undefined) dense.set(a, (d = dense.size));
      return d;
    });
    const width = dense.size;
    // seq[e]: e is its actor's seq[e]-th event (1-based); clock[e][a]: how many of actor a's
    // events happen before or are e. i happens before j iff clock[j][actorOf[i]] >= seq[i].
    const seq = new Int32Array(n);
    const clocks: Int32Array[] = [];
    const lastOf = new Int32Array(width).fill(-1);
    const counts = new Int32Array(width);
    const fps = this.footprints;
    // Per location, the events that touched it and those that wrote it: the candidates for
    // dependence, found without comparing every pair of footprints.
    const touched = new Map<number, number[]>();
    const written = new Map<number, number[]>();
    const globals: number[] = [];
    const mark = new Int32Array(n).fill(-1);
    /** first, second, race: flat, visited once happens-before is complete */
    const found: number[] = [];
    for (let j = 0; j < n; j++) {
      const aj = actorOf[j]!;
      seq[j] = ++counts[aj]!;
      const prev = lastOf[aj]!;
      const clock = prev >= 0 ? clocks[prev]!.slice() : new Int32Array(width);
      const fp = fps[j]!;
      if (fp.global) mark.fill(j, 0, j);
      else {
        for (const i of globals) mark[i] = j;
        for (const e of fp.entries) {
          const list = (e & 1 ? touched : written).get(e >> 1);
          if (list) for (const i of list) mark[i] = j;
        }
      }
      // Latest first: an earlier event that happens before a later dependent one is ordered
      // through it, not a race.
      for (let i = j - 1; i >= 0; i--) {
        const ai = actorOf[i]!;
        if (ai === aj || mark[i] !== j) continue;
        const race = clock[ai]! < seq[i]!;
        if (race || pairs) found.push(i, j, race ? 1 : 0);
        const ci = clocks[i]!;
        for (let a = 0; a < width; a++) if (ci[a]! > clock[a]!) clock[a] = ci[a]!;
      }
      clock[aj] = seq[j]!;
      clocks.push(clock);
      lastOf[aj] = j;
      if (fp.global) globals.push(j);
      for (const e of fp.entries) {
        const loc = e >> 1;
        let t = touched.get(loc);
        if (!t) touched.set(loc, (t = []));
        t.push(j);
        if (e & 1) {
          let w = written.get(loc);
          if (!w) written.set(loc, (w = []));
          w.push(j);
        }
      }
    }
    this.seq = seq;
    this.clocks = clocks;
    this.actorOf = actorOf;
    for (let k = 0; k < found.length; k += 3) visit(found[k]!, found[k + 1]!, found[k + 2] === 1);
  }

  /**
   * The actors that can start the reversal of `race` right before its first event, the later
   * event's own actor first when it is one of them.
   */
  initials(i: number, j: number): number[] {
    const before = (a: number, b: number) => this.before(a, b);
    const v: number[] = [];
    for (let k = i + 1; k < j; k++) if (!before(i, k)) v.push(k);
    v.push(j);
    const out: number[] = [];
    for (let x = 0; x < v.length; x++) {
      const k = v[x]!;
      let initial = true;
      for (let y = 0; y < x && initial; y++) if (before(v[y]!, k)) initial = false;
      if (initial && !out.includes(this.actors[k]!)) out.push(this.actors[k]!);
    }
    // The later event's own actor first, when it can start the reversal itself.
    const own = this.actors[j]!;
    if (out.includes(own)) return [own, ...out.filter((a) => a !== own)];
    return out;
  }
}

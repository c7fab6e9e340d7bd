// Messages and views of the weak model (weak.ts), in the style of the promising semantics
// (Kang et al., POPL'17) without promises.
//
// Every location that is written while threads run gets a *slot* and a history: its writes in
// coherence order, the initial value first. A write is a message. A *view* maps each slot to
// the newest message of that slot its owner must not read (or write) before, i.e. a coherence
// floor per location. Views hold the message objects themselves, and a message knows its
// current position `idx` in its history: a store placed mid-way in coherence order shifts the
// positions of the later messages, and every view that points at them stays right.
// A slot with no entry (undefined) is at the initial message (idx 0).

export interface Msg {
  readonly value: number;
  /** position in its location's coherence order; 0 is the value the location had before. */
  idx: number;
  /**
   * What a reader that synchronizes with this message learns (release stores, stores after a
   * fence, RMWs continuing a release sequence); null: nothing beyond the message itself.
   */
  view: View | null;
  /** Written by an RMW: no store may be placed between it and the write it read (atomicity). */
  readonly rmw: boolean;
  /** its write event in the execution graph (graph.ts); -1 for the initial value */
  ev: number;
}

export type View = (Msg | undefined)[];

/** The coherence position a view holds for `slot` (0 = initial write). */
export function at(view: View | null, slot: number): number {
  if (!view) return 0;
  const m = view[slot];
  return m ? m.idx : 0;
}

/** dst := dst ⊔ src, in place. */
export function joinInto(dst: View, src: View | null): void {
  if (!src) return;
  for (let i = 0; i < src.length; i++) {
    const m = src[i];
    if (m !== undefined) {
      const d = dst[i];
      if (d === undefined || d.idx < m.idx) dst[i] = m;
    }
  }
}

/** dst[slot] := max(dst[slot], m). */
export function raise(dst: View, slot: number, m: Msg): void {
  const d = dst[slot];
  if (d === undefined || d.idx < m.idx) dst[slot] = m;
}

/** a ⊔ b as a new view (neither argument changes); null when both are empty. */
export function joined(a: View | null, b: View | null): View | null {
  if (!a || a.length === 0) return b && b.length > 0 ? b.slice() : null;
  const out = a.slice();
  joinInto(out, b);
  return out;
}

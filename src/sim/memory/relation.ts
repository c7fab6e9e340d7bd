// Binary relations over the events of one execution graph (lkmm.ts), as bit matrices: row i
// holds the events j with i -> j, `words` 32-bit words per row in one flat array. The cat
// language's operators (union `|`, sequence `;`, closures `+` `*`, `?`, restriction `[S]`) on
// them. Graphs are small (a litmus execution has tens of events, one row is a word or two; a
// kernel execution that reached a violation a few hundred), so plain O(n^3 / 32) algorithms
// are enough.

export class Relation {
  readonly words: number;
  readonly bits: Uint32Array;

  constructor(readonly n: number) {
    this.words = (n + 31) >>> 5;
    this.bits = new Uint32Array(n * this.words);
  }

  add(i: number, j: number): void {
    this.bits[i * this.words + (j >>> 5)]! |= 1 << (j & 31);
  }

  has(i: number, j: number): boolean {
    return (this.bits[i * this.words + (j >>> 5)]! & (1 << (j & 31))) !== 0;
  }

  copy(): Relation {
    const r = new Relation(this.n);
    r.bits.set(this.bits);
    return r;
  }

  /** this := this | other, in place; returns whether anything was added. */
  addAll(other: Relation): boolean {
    const a = this.bits;
    const b = other.bits;
    let changed = false;
    for (let x = 0; x < a.length; x++) {
      const v = a[x]! | b[x]!;
      if (v !== a[x]) {
        a[x] = v;
        changed = true;
      }
    }
    return changed;
  }

  /** `this | others...` as a new relation. */
  union(...others: Relation[]): Relation {
    const r = this.copy();
    for (const o of others) r.addAll(o);
    return r;
  }

  /** `this ; other` */
  then(other: Relation): Relation {
    const r = new Relation(this.n);
    const W = this.words;
    const a = this.bits;
    const b = other.bits;
    const out = r.bits;
    for (let i = 0; i < this.n; i++) {
      const row = i * W;
      for (let w = 0; w < W; w++) {
        let bits = a[row + w]!;
        while (bits !== 0) {
          const low = bits & -bits;
          const k = (w << 5) + 31 - Math.clz32(low);
          bits ^= low;
          const via = k * W;
          for (let x = 0; x < W; x++) out[row + x]! |= b[via + x]!;
        }
      }
    }
    return r;
  }

  /** `this+`, transitive closure (Warshall). */
  plus(): Relation {
    const r = this.copy();
    const W = this.words;
    const m = r.bits;
    for (let k = 0; k < this.n; k++) {
      const word = k >>> 5;
      const bit = 1 << (k & 31);
      const rowK = k * W;
      for (let i = 0; i < this.n; i++) {
        const rowI = i * W;
        if ((m[rowI + word]! & bit) === 0) continue;
        for (let x = 0; x < W; x++) m[rowI + x]! |= m[rowK + x]!;
      }
    }
    return r;
  }

  /** `this*`, reflexive transitive closure. */
  star(): Relation {
    const r = this.plus();
    for (let i = 0; i < this.n; i++) r.add(i, i);
    return r;
  }

  /** `this?` */
  opt(): Relation {
    const r = this.copy();
    for (let i = 0; i < this.n; i++) r.add(i, i);
    return r;
  }

  /** `[dom] ; this ; [ran]`, either side null for no restriction. */
  restrict(dom: Uint8Array | null, ran: Uint8Array | null): Relation {
    const r = new Relation(this.n);
    const W = this.words;
    const mask = ran ? setMask(ran, W) : null;
    for (let i = 0; i < this.n; i++) {
      if (dom && !dom[i]) continue;
      for (let w = 0; w < W; w++) r.bits[i * W + w] = mask ? this.bits[i * W + w]! & mask[w]! : this.bits[i * W + w]!;
    }
    return r;
  }

  /** `this & other` */
  intersect(other: Relation): Relation {
    const r = new Relation(this.n);
    for (let x = 0; x < r.bits.length; x++) r.bits[x] = this.bits[x]! & other.bits[x]!;
    return r;
  }

  /** `this \ id` */
  minusIdentity(): Relation {
    const r = this.copy();
    for (let i = 0; i < this.n; i++) r.bits[i * this.words + (i >>> 5)]! &= ~(1 << (i & 31));
    return r;
  }

  /** Some i with i -> i. */
  reflexive(): boolean {
    for (let i = 0; i < this.n; i++) if (this.has(i, i)) return true;
    return false;
  }

  acyclic(): boolean {
    return !this.plus().reflexive();
  }

  isEmpty(): boolean {
    for (let x = 0; x < this.bits.length; x++) if (this.bits[x] !== 0) return false;
    return true;
  }
}

function setMask(set: Uint8Array, words: number): Uint32Array {
  const m = new Uint32Array(words);
  for (let i = 0; i < set.length; i++) if (set[i]) m[i >>> 5]! |= 1 << (i & 31);
  return m;
}

// LKMM's axioms on one execution graph (graph.ts), relation by relation as the kernel's
// tools/memory-model/linux-kernel.cat (and lock.cat for the lock events) defines them:
//
//   coherence        acyclic po-loc | rf | co | fr
//   atomic           empty rmw & (fre ; coe)
//   happens-before   acyclic hb,  hb = [Marked] ; (ppo | rfe | ((prop \ id) & int)) ; [Marked]
//   propagation      acyclic pb,  pb = prop ; strong-fence ; hb* ; [Marked]
//   rcu              irreflexive rb,  rb = prop ; po ; rcu-fence ; po? ; hb* ; pb* ; [Marked]
//
// with ppo, cumul-fence, prop and the recursive rcu-fence (grace periods against read-side
// critical sections, SRCU's per srcu_struct) spelled out below. The weak model generates
// candidate executions operationally and drops those this check rejects, so it never allows
// an outcome LKMM forbids (README "Memory models").
//
// Plain C accesses count as marked here (the weak model runs them as READ_ONCE/WRITE_ONCE):
// LKMM's data-race and plain-coherence rules are not checked, which is stronger than LKMM for
// racy plain accesses, never weaker for marked ones.

import { EvFlag, EvKind, Fence, type ExecutionGraph } from './graph.ts';
import { Relation } from './relation.ts';

export type LkmmAxiom = 'coherence' | 'atomic' | 'happens-before' | 'propagation' | 'rcu';

/** The first LKMM axiom the graph violates, or null when LKMM allows the execution. */
export function lkmmViolation(g: ExecutionGraph): LkmmAxiom | null {
  return new Checker(g).check();
}

class Checker {
  private readonly n: number;
  private readonly pos: Int32Array;
  /** each CPU's events in program order */
  private readonly threads: number[][] = [];
  private readonly M: Uint8Array;
  private readonly W: Uint8Array;
  /** the fence kinds the graph has */
  private readonly present = new Set<number>();

  constructor(private readonly g: ExecutionGraph) {
    this.n = g.n;
    this.pos = g.positions();
    this.M = this.set((e) => g.kind[e] !== EvKind.F);
    this.W = this.set((e) => g.kind[e] === EvKind.W);
    for (let e = 0; e < this.n; e++) {
      (this.threads[g.cpu[e]!] ??= []).push(e);
      if (g.kind[e] === EvKind.F) this.present.add(g.fence[e]!);
    }
  }

  private set(test: (e: number) => boolean): Uint8Array {
    const s = new Uint8Array(this.n);
    for (let e = 0; e < this.n; e++) if (test(e)) s[e] = 1;
    return s;
  }

  private rel(add: (r: Relation) => void): Relation {
    const r = new Relation(this.n);
    add(r);
    return r;
  }

  private flag(f: EvFlag): Uint8Array {
    return this.set((e) => (this.g.flags[e]! & f) !== 0);
  }

  private isFence(e: number, f: Fence): boolean {
    return this.g.kind[e] === EvKind.F && this.g.fence[e] === f;
  }

  check(): LkmmAxiom | null {
    const g = this.g;
    const { M, W, n } = this;
    const R = this.set((e) => g.kind[e] === EvKind.R);

    // --- basic relations, in one pass over the pairs ---
    const po = new Relation(n);
    const rf = new Relation(n);
    const co = new Relation(n);
    const fr = new Relation(n);
    const int = new Relation(n);
    const ext = new Relation(n);
    const loc = new Relation(n);
    const pos = this.pos;
    for (let a = 0; a < n; a++) {
      if (R[a] && g.rf[a]! >= 0) rf.add(g.rf[a]!, a);
      const cpuA = g.cpu[a];
      const addrA = g.addr[a]!;
      for (let b = 0; b < n; b++) {
        if (g.cpu[b] === cpuA) {
          int.add(a, b);
          if (a < b) po.add(a, b);
        } else ext.add(a, b);
        if (addrA < 0 || g.addr[b] !== addrA) continue;
        loc.add(a, b);
        // co by position; a read is fr-before every write of its location after the one it
        // read (position 0: the initial value, before them all).
        if (W[b] && (W[a] || R[a]) && pos[a]! < pos[b]!) (W[a] ? co : fr).add(a, b);
      }
    }
    const rfe = rf.intersect(ext);
    const rfi = rf.intersect(int);

    // --- coherence and atomicity ---
    if (!po.intersect(loc).restrict(M, M).union(rf, co, fr).acyclic()) return 'coherence';
    const freCoe = fr.intersect(ext).then(co.intersect(ext));
    for (let e = 0; e < n; e++) if (R[e] && g.rmw[e]! >= 0 && freCoe.has(e, g.rmw[e]!)) return 'atomic';

    // --- fences ---
    const Acquire = this.flag(EvFlag.Acquire);
    const Release = this.flag(EvFlag.Release);
    const UL = this.flag(EvFlag.Ul);
    const LKR = this.flag(EvFlag.Lkr);
    const LKW = this.flag(EvFlag.Lkw);
    const RMW = this.flag(EvFlag.Rmw);
    const R4rmb = this.set((e) => R[e] === 1 && (g.flags[e]! & EvFlag.Noreturn) === 0);

    const acqPo = po.restrict(Acquire, M);
    const poRel = po.restrict(M, Release);
    const poUnlockRfLockPo = po.restrict(null, UL).then(rf.restrict(UL, LKR)).then(po);
    const rmb = this.fencerel(Fence.Rmb).restrict(R4rmb, R4rmb);
    const wmb = this.fencerel(Fence.Wmb).restrict(W, W);
    const mb = this.fencerel(Fence.Mb);
    if (this.present.has(Fence.BeforeAtomic)) mb.addAll(this.aroundRmw(Fence.BeforeAtomic, RMW, 'before'));
    if (this.present.has(Fence.AfterAtomic)) mb.addAll(this.aroundRmw(Fence.AfterAtomic, RMW, 'after'));
    if (this.present.has(Fence.AfterSpinlock)) mb.addAll(this.aroundRmw(Fence.AfterSpinlock, LKW, 'after'));
    if (this.present.has(Fence.AfterUnlockLock)) {
      mb.addAll(po.restrict(M, UL).then(co.union(po).restrict(UL, LKW)).then(this.fencerel(Fence.AfterUnlockLock)));
    }
    const mbM = mb.restrict(M, M);
    const gp = this.fencerel(Fence.SyncRcu).union(this.fencerel(Fence.SyncSrcu)).restrict(M, M);
    const strongFence = mbM.union(gp);
    const fence = strongFence.union(poRel, acqPo, wmb, rmb);

    // --- preserved program order ---
    const addr = this.deps(g.addrDeps);
    const data = this.deps(g.dataDeps);
    const ctrl = this.deps(g.ctrlDeps);
    const dep = addr.union(data);
    const overwrite = co.union(fr);
    const toW = dep.union(ctrl).restrict(null, W).union(overwrite.intersect(int));
    const toR = addr.union(dep.restrict(null, M).then(rfi));
    const ppo = toR.union(toW, fence, poUnlockRfLockPo.intersect(int));

    // --- propagation and happens-before ---
    const aCumul = rfe.restrict(null, M).opt().then(strongFence.union(poRel));
    const cumulFence = aCumul.union(wmb, poUnlockRfLockPo).restrict(M, M);
    const prop = overwrite
      .intersect(ext)
      .opt()
      .restrict(M, null)
      .then(cumulFence.star())
      .restrict(null, M)
      .then(rfe.opt())
      .restrict(null, M);
    const hb = ppo.union(rfe, prop.minusIdentity().intersect(int)).restrict(M, M);
    if (!hb.acyclic()) return 'happens-before';
    const hbStar = hb.star();
    const pb = prop.then(strongFence).then(hbStar).restrict(null, M);
    if (!pb.acyclic()) return 'propagation';

    // --- RCU ---
    const rcuFence = this.rcuFence(po, hbStar, pb.star(), prop, loc);
    if (rcuFence && prop.then(po).then(rcuFence).then(po.opt()).then(hbStar).then(pb.star()).restrict(null, M).reflexive()) return 'rcu';
    return null;
  }

  /** fencerel(F) = po ; [F] ; po: a before some fence F before b, on one CPU. */
  private fencerel(f: Fence): Relation {
    return this.rel((r) => {
      if (!this.present.has(f)) return;
      const isS = (e: number) => this.isFence(e, f);
      for (const t of this.threads) {
        if (!t) continue;
        let next = t.length;
        for (let i = t.length - 1; i >= 0; i--) {
          for (let k = next + 1; k < t.length; k++) r.add(t[i]!, t[k]!);
          if (isS(t[i]!)) next = i;
        }
      }
    });
  }

  /**
   * `[M] ; fencerel(F) ; [S] ; po? ; [M]` (before) or `[M] ; po? ; [S] ; fencerel(F) ; [M]`
   * (after): smp_mb__before_atomic / __after_atomic / __after_spinlock order across the
   * RMW or lock acquisition S next to them.
   */
  private aroundRmw(f: Fence, S: Uint8Array, side: 'before' | 'after'): Relation {
    return this.rel((r) => {
      for (const t of this.threads) {
        if (!t) continue;
        for (let i = 0; i < t.length; i++) {
          if (!this.M[t[i]!]) continue;
          let k = i;
          const find = (test: (e: number) => boolean, from: number) => {
            for (let j = from; j < t.length; j++) if (test(t[j]!)) return j;
            return t.length;
          };
          if (side === 'before') {
            k = find((e) => this.isFence(e, f), i + 1);
            k = find((e) => S[e] === 1, k + 1);
          } else {
            k = find((e) => S[e] === 1, i);
            k = find((e) => this.isFence(e, f), k + 1) + 1;
          }
          for (let j = k; j < t.length; j++) if (this.M[t[j]!]) r.add(t[i]!, t[j]!);
        }
      }
    });
  }

  private deps(lists: readonly (readonly number[] | null)[]): Relation {
    return this.rel((r) => {
      for (let e = 0; e < this.n; e++) for (const from of lists[e] ?? []) r.add(from, e);
    });
  }

  /**
   * rcu-fence: grace periods and read-side critical sections joined by rcu-link, any sequence
   * with at least as many grace periods as critical sections (linux-kernel.cat's `let rec`);
   * null when the execution has no grace period.
   */
  private rcuFence(po: Relation, hbStar: Relation, pbStar: Relation, prop: Relation, loc: Relation): Relation | null {
    const g = this.g;
    const rcuGp = this.rel((r) => {
      for (let e = 0; e < this.n; e++) if (this.isFence(e, Fence.SyncRcu)) r.add(e, e);
    });
    const srcuGp = this.rel((r) => {
      for (let e = 0; e < this.n; e++) if (this.isFence(e, Fence.SyncSrcu)) r.add(e, e);
    });
    if (rcuGp.isEmpty() && srcuGp.isEmpty()) return null;
    // rcu-rscsi / srcu-rscsi: from each unlock to the lock it closes (innermost matching; SRCU
    // per srcu_struct).
    const rcuRscsi = new Relation(this.n);
    const srcuRscsi = new Relation(this.n);
    for (const t of this.threads) {
      if (!t) continue;
      const open: number[] = [];
      const openSrcu = new Map<number, number[]>();
      for (const e of t) {
        if (this.isFence(e, Fence.RcuLock)) open.push(e);
        else if (this.isFence(e, Fence.RcuUnlock) && open.length) rcuRscsi.add(e, open.pop()!);
        else if (this.isFence(e, Fence.SrcuLock)) (openSrcu.get(g.addr[e]!) ?? openSrcu.set(g.addr[e]!, []).get(g.addr[e]!)!).push(e);
        else if (this.isFence(e, Fence.SrcuUnlock)) {
          const stack = openSrcu.get(g.addr[e]!);
          if (stack?.length) srcuRscsi.add(e, stack.pop()!);
        }
      }
    }
    const link = po.opt().then(hbStar).then(pbStar).then(prop).then(po);
    const gpLink = rcuGp.then(link);
    const srcuGpLink = srcuGp.then(link);
    const rscsiLink = rcuRscsi.then(link);
    const srcuRscsiLink = srcuRscsi.then(link);
    const fence = rcuGp.union(
      srcuGp,
      gpLink.then(rcuRscsi),
      srcuGpLink.then(srcuRscsi).intersect(loc),
      rscsiLink.then(rcuGp),
      srcuRscsiLink.then(srcuGp).intersect(loc),
    );
    for (;;) {
      const fenceLink = fence.then(link);
      const next = gpLink.then(fenceLink).then(rcuRscsi).union(
        srcuGpLink.then(fenceLink).then(srcuRscsi).intersect(loc),
        rscsiLink.then(fenceLink).then(rcuGp),
        srcuRscsiLink.then(fenceLink).then(srcuGp).intersect(loc),
        fenceLink.then(fence),
      );
      if (!fence.addAll(next)) return fence;
    }
  }
}

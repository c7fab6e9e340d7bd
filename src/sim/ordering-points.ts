// The ordering points of a design: every call in its methods that orders memory or excludes
// other CPUs, each with the one edit of the design's source that takes its ordering away
// (`fence-lab necessity`, issue 18). Found on a real parse of the design's file and of the files
// it extends, so a point is named by its call site (file:line), and the edit is applied by the
// loader at bundle time (loader.ts): the design file itself is never touched.
//
//   barrier               smp_mb() ...                    -> removed
//   acquire / release     test_bit_acquire() ...          -> test_bit() ...   (RELAXED_FORMS)
//   fully ordered RMW     test_and_set_bit(), xchg() ...  -> set_bit(), xchg_relaxed() ...
//   kfree_rcu             kfree_rcu()                     -> kfree()
//   critical section      x = lock_irqsave(); ...; unlock_irqrestore(x)  -> local_irq_save/restore
//                         (the lock goes, interrupts stay off; lockdep_assert_held() goes with it)
//   RCU read section      rcu_read_lock(); ...; rcu_read_unlock()         -> both removed
//
// This follows the fence-inference literature's idea of a program's ordering points as the
// candidates to remove (Kuperstein, Vechev, Yahav, FMCAD 2010; Alglave, Kroening, Nimal,
// Poetzl, CAV 2014), at the granularity a kernel reviewer argues about: one call site.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@babel/parser';
import { BARRIERS, RELAXED_FORMS } from '../kernel/primitives.ts';
import { KernelLoadError, LAB_ROOT } from './loader.ts';
import { children, type Node } from './transform.ts';

export type PointKind = 'barrier' | 'acquire/release' | 'rmw' | 'free' | 'lock' | 'rcu';

/** One text replacement in one file; the replacement keeps the replaced text's line breaks. */
export interface SourceEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface OrderingPoint {
  /** `file:line:primitive`, with `#n` when one line holds several: what --ablate takes */
  id: string;
  /** `file:line` (file relative to the working directory) */
  site: string;
  /** absolute path of the file the call is in */
  file: string;
  line: number;
  /** the method it is in */
  method: string;
  /** the call as written, e.g. test_bit_acquire, dma_fence_lock_irqsave */
  primitive: string;
  /** what replaces it, e.g. test_bit; "removed" for barriers and RCU sections */
  ablation: string;
  kind: PointKind;
  /** the source line, trimmed: the kernel line it models */
  source: string;
  /** defined in a design this one extends */
  inherited: boolean;
  /** the edits, the import of the primitives they call included */
  edits: SourceEdit[];
}

const PRIMITIVES_FILE = fileURLToPath(new URL('../kernel/primitives.ts', import.meta.url));
/** The identifier an edit calls a primitive by (imported under it, so no name of the file clashes). */
export const ablatedName = (primitive: string): string => `__ablated_${primitive}`;
/** The primitives an ablation calls, imported at the end of the file (imports are hoisted; no line moves). */
function importEdit(file: string, source: string, primitives: readonly string[]): SourceEdit {
  const names = [...new Set(primitives)].map((p) => `${p} as ${ablatedName(p)}`).join(', ');
  return { file, start: source.length, end: source.length, text: `\nimport { ${names} } from ${JSON.stringify(PRIMITIVES_FILE)};\n` };
}

/** Critical sections: the lock call, its unlock, and what an ablation calls instead. */
const LOCK_PAIRS: Record<string, { unlock: string; keyBy: 'flags' | 'lock'; replace?: [string, string] }> = {
  dma_fence_lock_irqsave: { unlock: 'dma_fence_unlock_irqrestore', keyBy: 'flags', replace: ['local_irq_save', 'local_irq_restore'] },
  spin_lock_irqsave: { unlock: 'spin_unlock_irqrestore', keyBy: 'flags', replace: ['local_irq_save', 'local_irq_restore'] },
  spin_lock: { unlock: 'spin_unlock', keyBy: 'lock' },
};

function parseFile(file: string, source: string): Node {
  try {
    return parse(source, { sourceType: 'module', plugins: ['typescript'] }).program as unknown as Node;
  } catch (err) {
    throw new KernelLoadError(file, `${path.relative(process.cwd(), file)}: does not parse: ${(err as Error).message}`);
  }
}

/** The called name: `f(...)` or `this.f(...)`. */
function calleeName(call: Node): string | null {
  const callee = call.callee as Node;
  if (callee.type === 'Identifier') return callee.name as string;
  if (callee.type === 'MemberExpression' && (callee.object as Node).type === 'ThisExpression' && (callee.property as Node).type === 'Identifier') return (callee.property as Node).name as string;
  return null;
}

interface Call {
  node: Node;
  name: string;
  /** the node the call's value is assigned to, for `x = lock()` */
  assignedTo: string | null;
}

/** Calls in source order, each with the variable its result is assigned to. */
function callsIn(node: Node, assignedTo: string | null = null, out: Call[] = []): Call[] {
  if (node.type === 'CallExpression') {
    const name = calleeName(node);
    if (name) out.push({ node, name, assignedTo });
  }
  for (const c of children(node)) {
    let target: string | null = null;
    if (node.type === 'VariableDeclarator' && c === node.init && (node.id as Node).type === 'Identifier') target = (node.id as Node).name as string;
    if (node.type === 'AssignmentExpression' && c === node.right && (node.left as Node).type === 'Identifier') target = (node.left as Node).name as string;
    callsIn(c, target, out);
  }
  return out;
}

/** The replacement keeps every line break of the text it replaces, so lines do not move. */
function edit(file: string, source: string, start: number, end: number, text: string): SourceEdit {
  const breaks = source.slice(start, end).split('\n').length - 1;
  return { file, start, end, text: text + '\n'.repeat(breaks) };
}

interface DesignFile {
  file: string;
  source: string;
  cls: Node;
  /** the file of the class it extends, or null */
  base: string | null;
}

/** The default-exported class of a design file and the file of the class it extends. */
function readDesignFile(file: string): DesignFile {
  const source = readFileSync(file, 'utf8');
  const program = parseFile(file, source);
  const body = program.body as Node[];
  const decl = body.find((n) => n.type === 'ExportDefaultDeclaration')?.declaration as Node | undefined;
  const rel = path.relative(process.cwd(), file);
  if (!decl || decl.type !== 'ClassDeclaration') throw new KernelLoadError(file, `${rel}: the default export must be the variant's class (export default class MyProposal extends Base { … })`);
  const superClass = decl.superClass as Node | null;
  if (!superClass) return { file, source, cls: decl, base: null };
  const name = superClass.type === 'Identifier' ? (superClass.name as string) : null;
  for (const imp of body.filter((n) => n.type === 'ImportDeclaration')) {
    const local = (imp.specifiers as Node[]).find((s) => s.type === 'ImportDefaultSpecifier' && (s.local as Node).name === name);
    if (!local) continue;
    const from = (imp.source as Node).value as string;
    const base = from.startsWith('dma-fence-lab/') ? path.join(LAB_ROOT, from.slice('dma-fence-lab/'.length)) : path.resolve(path.dirname(file), from);
    return { file, source, cls: decl, base };
  }
  throw new KernelLoadError(file, `${rel}: the class extends ${name ?? 'an expression'}, which is not a default import of a design file`);
}

function methodsOf(cls: Node): Node[] {
  return ((cls.body as Node).body as Node[]).filter((m) => m.type === 'ClassMethod' && (m.key as Node).type === 'Identifier' && m.kind === 'method');
}

const methodName = (m: Node): string => (m.key as Node).name as string;

/** The design's chain of files, its own first. */
function designChain(file: string): DesignFile[] {
  const chain: DesignFile[] = [];
  for (let f: string | null = path.resolve(file); f; ) {
    if (chain.some((d) => d.file === f)) break;
    const d = readDesignFile(f);
    chain.push(d);
    f = d.base;
  }
  return chain;
}

/**
 * The ordering points of the design in `file`: those of the methods it defines and, with
 * `inherited`, those of the methods it inherits (a method a subclass overrides is not run, so
 * its points are not the design's).
 */
export function orderingPoints(file: string, inherited: boolean): OrderingPoint[] {
  const chain = designChain(file);
  const overridden = new Set<string>();
  const points: Omit<OrderingPoint, 'id'>[] = [];
  chain.forEach((design, depth) => {
    for (const m of methodsOf(design.cls)) {
      const name = methodName(m);
      if (overridden.has(name)) continue;
      if (depth === 0 || inherited) points.push(...pointsOfMethod(design, m, depth > 0, chain));
    }
    for (const m of methodsOf(design.cls)) overridden.add(methodName(m));
  });
  return withIds(points.sort((a, b) => (a.file === b.file ? a.line - b.line : chain.findIndex((d) => d.file === a.file) - chain.findIndex((d) => d.file === b.file))));
}

/** `file:line:primitive`, and `#n` for the n-th such call on one line. */
function withIds(points: Omit<OrderingPoint, 'id'>[]): OrderingPoint[] {
  const seen = new Map<string, number>();
  const base = (p: Omit<OrderingPoint, 'id'>) => `${p.site}:${p.primitive}`;
  const counts = new Map<string, number>();
  for (const p of points) counts.set(base(p), (counts.get(base(p)) ?? 0) + 1);
  return points.map((p) => {
    const b = base(p);
    const n = (seen.get(b) ?? 0) + 1;
    seen.set(b, n);
    return { ...p, id: counts.get(b)! > 1 ? `${b}#${n}` : b };
  });
}

function pointsOfMethod(design: DesignFile, method: Node, inherited: boolean, chain: DesignFile[]): Omit<OrderingPoint, 'id'>[] {
  const { file, source } = design;
  const lines = source.split('\n');
  const calls = callsIn(method.body as Node);
  const at = (call: Call, primitive: string, kind: PointKind, ablation: string, edits: SourceEdit[], imports: string[]): Omit<OrderingPoint, 'id'> => {
    const line = call.node.loc.start.line;
    const all = imports.length > 0 ? [...edits, importEdit(file, source, imports)] : edits;
    return { site: `${path.relative(process.cwd(), file)}:${line}`, file, line, method: methodName(method), primitive, ablation, kind, source: lines[line - 1]!.trim(), inherited, edits: all };
  };
  const out: Omit<OrderingPoint, 'id'>[] = [];
  const rename = (call: Call, to: string): SourceEdit => edit(file, source, (call.node.callee as Node).start, (call.node.callee as Node).end, ablatedName(to));
  for (const call of calls) {
    const n = call.name;
    if (BARRIERS.includes(n)) out.push(at(call, n, 'barrier', 'removed', [edit(file, source, call.node.start, call.node.end, 'void 0')], []));
    else if (RELAXED_FORMS[n] && (call.node.callee as Node).type === 'Identifier') {
      const to = RELAXED_FORMS[n]!;
      const kind: PointKind = n === 'kfree_rcu' ? 'free' : /^(test_and_|xchg|cmpxchg|atomic)/.test(n) ? 'rmw' : 'acquire/release';
      out.push(at(call, n, kind, to, [rename(call, to)], [to]));
    }
  }
  out.push(...criticalSections(file, source, calls, chain, at), ...rcuSections(file, source, calls, at));
  return out;
}

type At = (call: Call, primitive: string, kind: PointKind, ablation: string, edits: SourceEdit[], imports: string[]) => Omit<OrderingPoint, 'id'>;

/** Each critical section of a method: its lock calls and unlocks, paired by flags variable or lock. */
function criticalSections(file: string, source: string, calls: Call[], chain: DesignFile[], at: At): Omit<OrderingPoint, 'id'>[] {
  const keyOf = (call: Call, keyBy: 'flags' | 'lock', unlock: boolean): string | null => {
    const args = call.node.arguments as Node[];
    if (keyBy === 'lock') return args[1] ? source.slice(args[1].start, args[1].end) : null;
    if (!unlock) return call.assignedTo;
    const last = args[args.length - 1];
    return last?.type === 'Identifier' ? (last.name as string) : null;
  };
  const out: Omit<OrderingPoint, 'id'>[] = [];
  const done = new Set<Call>();
  for (const lock of calls) {
    const pair = LOCK_PAIRS[lock.name];
    if (!pair || done.has(lock)) continue;
    const key = keyOf(lock, pair.keyBy, false);
    if (key === null) continue;
    const locks = calls.filter((c) => c.name === lock.name && keyOf(c, pair.keyBy, false) === key);
    const unlocks = calls.filter((c) => c.name === pair.unlock && keyOf(c, pair.keyBy, true) === key);
    for (const c of locks) done.add(c);
    if (unlocks.length === 0) continue; // a lock helper, not a critical section
    const [saveIrqs, restoreIrqs] = pair.replace ?? [null, null];
    const edits = [
      ...locks.map((c) => edit(file, source, c.node.start, c.node.end, saveIrqs ? `${ablatedName(saveIrqs)}(cpu)` : 'void 0')),
      ...unlocks.map((c) => edit(file, source, c.node.start, c.node.end, restoreIrqs ? `${ablatedName(restoreIrqs)}(cpu, ${key})` : 'void 0')),
      ...lockAssertions(chain),
    ];
    out.push(at(lock, lock.name, 'lock', saveIrqs ? `${saveIrqs}/${restoreIrqs} (lock dropped)` : 'removed', edits, saveIrqs ? [saveIrqs, restoreIrqs!] : []));
  }
  return out;
}

/** Every lockdep_assert_held() of the design: a dropped lock takes its assertions with it. */
function lockAssertions(chain: DesignFile[]): SourceEdit[] {
  return chain.flatMap((d) =>
    callsIn(parseFile(d.file, d.source))
      .filter((c) => c.name === 'lockdep_assert_held')
      .map((c) => edit(d.file, d.source, c.node.start, c.node.end, 'void 0')),
  );
}

/** Each RCU read-side section of a method: an rcu_read_lock() and the unlocks up to the next one. */
function rcuSections(file: string, source: string, calls: Call[], at: At): Omit<OrderingPoint, 'id'>[] {
  const out: Omit<OrderingPoint, 'id'>[] = [];
  const rcu = calls.filter((c) => c.name === 'rcu_read_lock' || c.name === 'rcu_read_unlock');
  rcu.forEach((c, i) => {
    if (c.name !== 'rcu_read_lock') return;
    const unlocks: Call[] = [];
    for (let j = i + 1; j < rcu.length && rcu[j]!.name === 'rcu_read_unlock'; j++) unlocks.push(rcu[j]!);
    if (unlocks.length === 0) return;
    out.push(at(c, 'rcu_read_lock', 'rcu', 'removed', [c, ...unlocks].map((x) => edit(file, source, x.node.start, x.node.end, 'void 0')), []));
  });
  return out;
}

/** The point an --ablate argument names (`file:line:primitive[#n]`), among all of the design's. */
export function findOrderingPoint(variantFile: string, id: string): OrderingPoint {
  const points = orderingPoints(variantFile, true);
  const want = id.replace(/^(.*?):(\d+):/, (_m, f: string, line: string) => `${path.relative(process.cwd(), path.resolve(f))}:${line}:`);
  const found = points.find((p) => p.id === want);
  if (found) return found;
  const rel = path.relative(process.cwd(), variantFile);
  throw new KernelLoadError(variantFile, `--ablate ${id}: no ordering point of ${rel} is called that; 'fence-lab necessity --variant ${rel} --inherited --list' lists them (file:line:primitive)`);
}

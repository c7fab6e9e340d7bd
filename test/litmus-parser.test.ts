// C litmus front end: the kernel's LKMM corpus parses with the expected results,
// the extra forms of larger corpora parse, malformed input is reported at the
// right file:line:col, and final conditions evaluate and classify as herd7 does.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CallExpr, Expr, LitmusTest, Prop, Stmt } from '../src/litmus/ast.ts';
import { classify, countWitnesses, evaluate, type FinalState } from '../src/litmus/condition.ts';
import { LitmusSyntaxError, LitmusUnsupportedError, parseLitmus } from '../src/litmus/parser.ts';
import { PRIMITIVES } from '../src/litmus/primitives.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.resolve(repoRoot, '../shared/litmus/lkmm');

// ---- helpers ----------------------------------------------------------------

function parseCorpusFile(relative: string): LitmusTest {
  return parseLitmus(readFileSync(path.join(corpusDir, relative), 'utf8'), relative);
}

function callsIn(test: LitmusTest): CallExpr[] {
  const calls: CallExpr[] = [];
  const visitExpr = (e: Expr): void => {
    if (e.kind === 'call') {
      calls.push(e);
      e.operands.forEach(visitExpr);
    } else if (e.kind === 'binary') {
      visitExpr(e.left);
      visitExpr(e.right);
    } else if (e.kind === 'not') {
      visitExpr(e.operand);
    }
  };
  const visitStmt = (s: Stmt): void => {
    switch (s.kind) {
      case 'decl':
        if (s.init) visitExpr(s.init);
        break;
      case 'assign':
      case 'plain-store':
        visitExpr(s.value);
        break;
      case 'call':
        visitExpr(s.call);
        break;
      case 'if':
        visitExpr(s.condition);
        visitStmt(s.then);
        if (s.else) visitStmt(s.else);
        break;
      case 'block':
        s.body.forEach(visitStmt);
        break;
    }
  };
  test.threads.forEach((t) => t.body.forEach(visitStmt));
  return calls;
}

/** The error a parse throws; fails the test when it does not throw. */
function parseError(text: string, file = 'bad.litmus'): Error {
  try {
    parseLitmus(text, file);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the parse to fail');
}

/** A minimal valid test around one thread body. */
function withBody(body: string, condition = 'exists (x=1)'): string {
  return `C t\n\n{}\n\nP0(int *x, int *y)\n{\n${body}\n}\n\n${condition}\n`;
}

/** Short description of a proposition: `(a /\ b)`, `~a`, `0:r0=1`, `1:r0=&x`. */
function show(prop: Prop): string {
  switch (prop.kind) {
    case 'and':
      return `(${show(prop.left)} /\\ ${show(prop.right)})`;
    case 'or':
      return `(${show(prop.left)} \\/ ${show(prop.right)})`;
    case 'not':
      return `~${show(prop.operand)}`;
    case 'atom': {
      const subject = prop.subject.kind === 'register' ? `${prop.subject.thread}:${prop.subject.register}` : prop.subject.location;
      const v = prop.value;
      const value = v.kind === 'int' ? String(v.value) : v.kind === 'register' ? `${v.thread}:${v.register}` : `&${v.location}`;
      return `${subject}=${value}`;
    }
  }
}

// ---- the kernel's corpus ----------------------------------------------------------

interface IndexRow {
  file: string;
  expected: string;
  threads: number;
  primitives: string[];
}

const index: IndexRow[] = readFileSync(path.join(corpusDir, 'INDEX.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file, expected, threads, primitives] = line.split('\t');
    return { file: file!, expected: expected!, threads: Number(threads), primitives: primitives!.split(',') };
  });

describe('LKMM corpus', () => {
  it('INDEX.tsv lists exactly the 43 .litmus files of the corpus and historical/', () => {
    const onDisk = [
      ...readdirSync(corpusDir).filter((f) => f.endsWith('.litmus')),
      ...readdirSync(path.join(corpusDir, 'historical')).map((f) => `historical/${f}`),
    ];
    expect(onDisk).toHaveLength(43);
    expect(index.map((row) => row.file).sort()).toEqual(onDisk.sort());
  });

  it.each(index)('$file parses, Result: $expected, $threads threads', (row) => {
    const test = parseCorpusFile(row.file);
    expect(test.result).toBe(row.expected);
    expect(test.threads).toHaveLength(row.threads);
    expect(new Set(callsIn(test).map((c) => c.primitive.name))).toEqual(new Set(row.primitives));
    expect(test.condition.quantifier).toBe('exists');
  });
});

describe('corpus files pinned by hand', () => {
  it('dep+plain: declarations with initialisers, plain accesses, if without braces', () => {
    const test = parseCorpusFile('dep+plain.litmus');
    const [p0, p1] = test.threads;
    expect(p0!.body.map((s) => s.kind)).toEqual(['decl', 'plain-store', 'plain-store', 'if']);
    expect(p1!.body.map((s) => s.kind)).toEqual(['decl', 'call']);
    expect(p0!.body[0]).toMatchObject({
      kind: 'decl',
      register: 'a',
      line: 18,
      col: 2,
      init: { kind: 'call', primitive: { name: 'READ_ONCE' }, address: { kind: 'location', location: 'x' } },
    });
    expect(p0!.body[2]).toMatchObject({
      kind: 'plain-store',
      address: { location: 'z2' },
      value: { kind: 'plain-load', address: { kind: 'location', location: 'z1' } },
    });
    expect(p0!.body[3]).toMatchObject({
      kind: 'if',
      line: 21,
      col: 2,
      condition: { kind: 'binary', op: '==', left: { kind: 'plain-load' }, right: { kind: 'int', value: 1 } },
      then: { kind: 'call', line: 22, col: 3, call: { primitive: { name: 'WRITE_ONCE' }, address: { location: 'y' } } },
      else: null,
    });
    // smp_store_release(x, r): pointer without '*', value from a register.
    expect(p1!.body[1]).toMatchObject({
      call: { primitive: { name: 'smp_store_release' }, address: { location: 'x' }, operands: [{ kind: 'register', name: 'r' }] },
    });
    expect(show(test.condition.prop)).toBe('(x=1 /\\ y=1)');
  });

  it('MP+onceassign+derefonce: p=y init, pointer register, address atom', () => {
    const test = parseCorpusFile('MP+onceassign+derefonce.litmus');
    expect(test.init).toEqual([{ line: 13, col: 1, location: 'p', type: null, value: { line: 13, col: 3, kind: 'address', location: 'y' } }]);
    expect(test.sharedVariables.find((v) => v.name === 'p')).toMatchObject({
      type: { base: 'int', pointers: 1 },
      initial: { kind: 'address', location: 'y' },
    });
    const [p0, p1] = test.threads;
    expect(p0!.body[1]).toMatchObject({
      call: { primitive: { name: 'rcu_assign_pointer' }, address: { location: 'p' }, operands: [{ kind: 'address', location: 'x' }] },
    });
    expect(p1!.body).toHaveLength(6);
    expect(p1!.registers.map((r) => [r.name, r.type.pointers])).toEqual([['r0', 1], ['r1', 0]]);
    expect(p1!.body[4]).toMatchObject({
      kind: 'assign',
      register: 'r1',
      value: { primitive: { name: 'READ_ONCE' }, address: { kind: 'via-register', register: 'r0' } },
    });
    expect(show(test.condition.prop)).toBe('(1:r0=&x /\\ 1:r1=0)');
  });

  it('SB+rfionceonce-poonceonces: locations clause followed by a comment', () => {
    const test = parseCorpusFile('SB+rfionceonce-poonceonces.litmus');
    expect(test.locations).toEqual([
      { line: 31, col: 12, kind: 'register', thread: 0, register: 'r1' },
      { line: 31, col: 18, kind: 'register', thread: 1, register: 'r3' },
      { line: 31, col: 24, kind: 'location', location: 'x' },
      { line: 31, col: 27, kind: 'location', location: 'y' },
    ]);
    expect(test.condition).toMatchObject({ line: 32, col: 1 });
  });

  it('IRIW+fencembonceonces+OnceOnce: four threads with their statement counts', () => {
    const test = parseCorpusFile('IRIW+fencembonceonces+OnceOnce.litmus');
    expect(test.threads.map((t) => t.body.length)).toEqual([1, 5, 1, 5]);
    expect(test.threads.map((t) => t.params.map((p) => p.name).join(','))).toEqual(['x', 'x,y', 'y', 'x,y']);
  });

  it('MP+polockmbonce+poacquiresilsil: spinlock_t parameters and spin_is_locked values', () => {
    const test = parseCorpusFile('MP+polockmbonce+poacquiresilsil.litmus');
    expect(test.sharedVariables.find((v) => v.name === 'lo')).toMatchObject({ type: { base: 'spinlock_t', pointers: 0 } });
    expect(test.threads[1]!.body[4]).toMatchObject({
      kind: 'assign',
      register: 'r2',
      value: { primitive: { name: 'spin_is_locked', kind: 'lock', op: 'is-locked' }, address: { location: 'lo' } },
    });
  });
});

// ---- the extra forms (memory-model-notes.md b.2) ------------------------------------

describe('extra forms of larger corpora', () => {
  it('typed and initialised init blocks', () => {
    const test = parseLitmus(
      `C typed\n{ int *p=y; int x; int y=0; spinlock_t mylock; atomic_t v = ATOMIC_INIT(1); int z = -3; int *q = &x; }\n` +
        `P0(int **p, int *x, spinlock_t *mylock, atomic_t *v) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n`,
      'typed.litmus',
    );
    expect(test.init.map((e) => [e.location, e.type && `${e.type.base}${'*'.repeat(e.type.pointers)}`, e.value])).toEqual([
      ['p', 'int*', { line: 2, col: 10, kind: 'address', location: 'y' }],
      ['x', 'int', null],
      ['y', 'int', { line: 2, col: 26, kind: 'int', value: 0 }],
      ['mylock', 'spinlock_t', null],
      ['v', 'atomic_t', { line: 2, col: 61, kind: 'int', value: 1 }],
      ['z', 'int', { line: 2, col: 85, kind: 'int', value: -3 }],
      ['q', 'int*', { line: 2, col: 98, kind: 'address', location: 'x' }],
    ]);
    expect(test.sharedVariables.map((v) => [v.name, v.initial])).toEqual([
      ['p', { kind: 'address', location: 'y' }],
      ['x', { kind: 'int', value: 0 }],
      ['y', { kind: 'int', value: 0 }],
      ['mylock', { kind: 'int', value: 0 }],
      ['v', { kind: 'int', value: 1 }],
      ['z', { kind: 'int', value: -3 }],
      ['q', { kind: 'address', location: 'x' }],
    ]);
  });

  it('braces on their own lines, an empty init body, exists on its own line', () => {
    const test = parseLitmus(
      'C own-lines\n\n{\n}\n\nP0(int *x)\n{\n\tint r0;\n\n\tr0 = READ_ONCE(*x);\n}\n\nexists\n(0:r0=1)  // trailing\n',
      'own-lines.litmus',
    );
    expect(test.init).toEqual([]);
    expect(test.condition).toMatchObject({ line: 13, col: 1, quantifier: 'exists', prop: { line: 14, col: 2, kind: 'atom' } });
  });

  it('\\/ binds looser than /\\, parentheses nest, ~ negates', () => {
    const condition = (text: string): string =>
      show(parseLitmus(withBody('\tint r0;\n\tr0 = READ_ONCE(*x);', text), 'c.litmus').condition.prop);
    expect(condition(String.raw`exists (0:r0=0 \/ x=1 /\ y=2)`)).toBe(String.raw`(0:r0=0 \/ (x=1 /\ y=2))`);
    expect(condition(String.raw`exists ((0:r0=0 \/ 0:r0=2) /\ (x=0 \/ x=2))`)).toBe(
      String.raw`((0:r0=0 \/ 0:r0=2) /\ (x=0 \/ x=2))`,
    );
    expect(condition(String.raw`exists (~0:r0=0 /\ ~(x=1 \/ y=1))`)).toBe(String.raw`(~0:r0=0 /\ ~(x=1 \/ y=1))`);
  });

  it('~exists and forall quantifiers', () => {
    const quantifier = (text: string) => parseLitmus(withBody('\tWRITE_ONCE(*x, 1);', text), 'q.litmus').condition.quantifier;
    expect(quantifier('~exists (x=1)')).toBe('~exists');
    expect(quantifier('~ exists (x=1)')).toBe('~exists');
    expect(quantifier('forall (x=1 \\/ y=0)')).toBe('forall');
  });

  it('locations without spaces, then filter, then exists', () => {
    const test = parseLitmus(
      String.raw`C filtered
{ int x; }
P0(int *x) { int r0; int r1; r0 = READ_ONCE(*x); r1 = READ_ONCE(*x); }
P1(int *x) { WRITE_ONCE(*x, 1); }
locations[0:r0;0:r1]
filter (0:r0=0 /\ 0:r1=1)
exists (x=1)
`,
      'filtered.litmus',
    );
    expect(test.locations?.map((l) => (l.kind === 'register' ? `${l.thread}:${l.register}` : l.location))).toEqual(['0:r0', '0:r1']);
    expect(test.filter && show(test.filter)).toBe(String.raw`(0:r0=0 /\ 0:r1=1)`);
  });

  it('typed and initialised registers in the init block', () => {
    const test = parseLitmus(
      `C typed-registers\n{\nint * 1:r1;\n1:r2=x;\nint 0:r3 = 2;\n}\n` +
        `P0(int *x) { WRITE_ONCE(*x, r3); }\nP1(int *x) { int r0; r0 = READ_ONCE(*r2); r1 = r2; }\nexists (1:r1=x /\\ 0:r3=2)\n`,
      'typed-registers.litmus',
    );
    expect(test.registerInit.map((r) => [r.thread, r.register, r.type && `${r.type.base}${'*'.repeat(r.type.pointers)}`, r.value?.kind])).toEqual([
      [1, 'r1', 'int*', undefined],
      [1, 'r2', null, 'address'],
      [0, 'r3', 'int', 'int'],
    ]);
    // Declared in the init block, so the threads know them (r2 is a pointer: *r2 goes through it).
    expect(test.threads[1]!.registers.map((r) => `${r.name}:${r.type.base}${'*'.repeat(r.type.pointers)}`)).toEqual(['r1:int*', 'r2:int*', 'r0:int']);
    expect(test.init).toEqual([]);
    expect(test.sharedVariables.map((v) => v.name)).toEqual(['x']);
  });

  it('register-to-register atoms, negated and not', () => {
    const test = parseLitmus(
      withBody('\tint r2;\n\tint r3;\n\tr2 = READ_ONCE(*x);\n\tr3 = READ_ONCE(*y);', String.raw`exists (0:r2=0:r3 /\ ~0:r3=0:r2 \/ x=1)`),
      'regs.litmus',
    );
    expect(show(test.condition.prop)).toBe(String.raw`((0:r2=0:r3 /\ ~0:r3=0:r2) \/ x=1)`);
    const state = (r2: number, r3: number): FinalState => ({ registers: { 0: { r2, r3 } }, memory: { x: 0, y: 0 } });
    const atom = (test.condition.prop as { left: { left: Prop } }).left.left;
    expect(evaluate(atom, state(1, 1))).toBe(true);
    expect(evaluate(atom, state(1, 2))).toBe(false);
    expect(evaluate(atom, { registers: { 0: { r2: { loc: 'x' }, r3: { loc: 'x' } } }, memory: {} })).toBe(true);
    expect(evaluate(atom, { registers: { 0: { r2: { loc: 'x' }, r3: 0 } }, memory: {} })).toBe(false);
  });

  it('SRCU: struct srcu_struct parameters, srcu_read_lock/unlock, synchronize_srcu', () => {
    const test = parseLitmus(
      `C srcu\n{}\nP0(struct srcu_struct *s, int *x) { int r0; int r1; r0 = srcu_read_lock(s); r1 = READ_ONCE(*x); srcu_read_unlock(s, r0); }\n` +
        `P1(struct srcu_struct *s, int *x) { WRITE_ONCE(*x, 1); synchronize_srcu(s); synchronize_srcu_expedited(s); }\nexists (0:r1=1)\n`,
      'srcu.litmus',
    );
    expect(test.threads[0]!.params[0]).toMatchObject({ name: 's', type: { base: 'struct srcu_struct', pointers: 1 } });
    expect(callsIn(test).map((c) => `${c.primitive.name}:${c.primitive.kind}:${c.address?.kind === 'location' ? c.address.location : '-'}`)).toEqual([
      'srcu_read_lock:srcu:s',
      'READ_ONCE:load:x',
      'srcu_read_unlock:srcu:s',
      'WRITE_ONCE:store:x',
      'synchronize_srcu:srcu:s',
      'synchronize_srcu_expedited:srcu:s',
    ]);
  });

  it('smp_mb__after_unlock_lock() and barrier() parse as fences', () => {
    const test = parseLitmus(withBody('\tsmp_mb__after_unlock_lock();\n\tbarrier();'), 'fences.litmus');
    expect(callsIn(test).map((c) => c.primitive.kind === 'fence' && c.primitive.fence)).toEqual(['after-unlock-lock', 'barrier']);
  });

  it('braced, nested if/else with ==, != and !', () => {
    const test = parseLitmus(
      withBody(
        [
          '\tint r0;',
          '\tint r1;',
          '\tint r4 = 1;',
          '\tr0 = smp_load_acquire(x);',
          '\tif (r0 == 0) {',
          '\t\tr1 = READ_ONCE(*y);',
          '\t\tif (r1 != 0) {',
          '\t\t\tWRITE_ONCE(*y, 1);',
          '\t\t} else',
          '\t\t\tWRITE_ONCE(*y, 2);',
          '\t} else if (!r0) {',
          '\t\tsmp_mb();',
          '\t}',
          '\tr4 = (r1 != r4) && r0 + 1 == 2;',
        ].join('\n'),
      ),
      'if.litmus',
    );
    const body = test.threads[0]!.body;
    expect(body[4]).toMatchObject({
      kind: 'if',
      line: 11,
      condition: { kind: 'binary', op: '==', left: { kind: 'register', name: 'r0' } },
      then: {
        kind: 'block',
        body: [
          { kind: 'assign', register: 'r1' },
          {
            kind: 'if',
            condition: { op: '!=' },
            then: { kind: 'block', body: [{ kind: 'call' }] },
            else: { kind: 'call', call: { operands: [{ value: 2 }] } },
          },
        ],
      },
      else: { kind: 'if', condition: { kind: 'not', operand: { kind: 'register', name: 'r0' } }, else: null },
    });
    // && binds looser than ==, which binds looser than +.
    expect(body[5]).toMatchObject({
      kind: 'assign',
      value: {
        op: '&&',
        left: { op: '!=' },
        right: { op: '==', left: { op: '+', left: { name: 'r0' }, right: { value: 1 } }, right: { value: 2 } },
      },
    });
  });

  it('intptr_t declarations, casts dropped, register initialised to an address', () => {
    const test = parseLitmus(
      `C casts
{ x5=y0; }
P0(intptr_t *x0, intptr_t **x5)
{
	intptr_t r3=x0;
	intptr_t r1 = (intptr_t)rcu_dereference(*(intptr_t **)x5);
	WRITE_ONCE(*(intptr_t *)r1, 1);
	rcu_assign_pointer(*(intptr_t **)x5, (intptr_t *)r3);
}
exists (0:r1=x0 /\\ 0:r3=y0)
`,
      'casts.litmus',
    );
    const body = test.threads[0]!.body;
    expect(body[0]).toMatchObject({ kind: 'decl', type: { base: 'intptr_t', pointers: 0 }, init: { kind: 'address', location: 'x0' } });
    expect(body[1]).toMatchObject({ init: { primitive: { name: 'rcu_dereference' }, address: { kind: 'location', location: 'x5' } } });
    expect(body[2]).toMatchObject({ call: { address: { kind: 'via-register', register: 'r1' }, operands: [{ value: 1 }] } });
    expect(body[3]).toMatchObject({ call: { address: { location: 'x5' }, operands: [{ kind: 'register', name: 'r3' }] } });
    expect(show(test.condition.prop)).toBe(String.raw`(0:r1=&x0 /\ 0:r3=&y0)`);
  });

  it('luc-style header with undeclared registers', () => {
    const test = parseLitmus(
      `C MP+fencembonceonce+poacquireonce
"FenceMbdWWOnceOnce RfeOnceAcquire PodRRAcquireOnce FreOnceOnce"
Cycle=RfeOnceAcquire PodRRAcquireOnce FreOnceOnce FenceMbdWWOnceOnce
Relax=
Safe=Rfe Fre FenceMbdWW
Prefetch=0:x=F,0:y=W,1:y=F,1:x=T
Com=Rf Fr
Orig=FenceMbdWWOnceOnce RfeOnceAcquire PodRRAcquireOnce FreOnceOnce
(* Result: Never *)
{
}

P0(volatile int* y,volatile int* x) {
  WRITE_ONCE(*x,1);
  smp_mb();
  WRITE_ONCE(*y,1);
}

P1(volatile int* y,volatile int* x) {
  r0 = smp_load_acquire(y);
  r1 = READ_ONCE(*x);
}

exists (1:r0=1 /\\ 1:r1=0)
`,
      'luc.litmus',
    );
    expect(test.result).toBe('Never');
    expect(test.docString).toBe('FenceMbdWWOnceOnce RfeOnceAcquire PodRRAcquireOnce FreOnceOnce');
    expect(test.info.map((i) => i.key)).toEqual(['Cycle', 'Relax', 'Safe', 'Prefetch', 'Com', 'Orig']);
    expect(test.info[3]).toEqual({ line: 6, col: 1, key: 'Prefetch', value: '0:x=F,0:y=W,1:y=F,1:x=T' });
    expect(test.threads[0]!.params[0]).toMatchObject({ name: 'y', type: { base: 'int', pointers: 1 } });
    expect(test.threads[1]!.registers).toEqual([
      { line: 20, col: 3, name: 'r0', type: { base: 'int', pointers: 0 }, implicit: true },
      { line: 21, col: 3, name: 'r1', type: { base: 'int', pointers: 0 }, implicit: true },
    ]);
  });

  it('Result variants and header comment text', () => {
    const test = parseLitmus('C r\n(*\n * Result: Never DATARACE\n *)\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n', 'r.litmus');
    expect(test.result).toBe('Never');
    expect(test.resultText).toBe('Never DATARACE');
    expect(test.headerComment).toBe('\n * Result: Never DATARACE\n ');
    const maybe = parseLitmus('C m\n(* Result: Maybe *)\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n', 'm.litmus');
    expect([maybe.result, maybe.resultText]).toEqual([null, 'Maybe']);
  });

  it('atomics and RMWs: (void) cast, value-first argument order, cmpxchg operands', () => {
    const test = parseLitmus(
      `C atomics
{ atomic_t v = ATOMIC_INIT(1); }
P0(atomic_t *v, int *z)
{
	int r1;
	int r2;

	(void)atomic_add_unless(v, 1, 0);
	atomic_add(2, v);
	r1 = cmpxchg(z, 1, 0);
	r2 = atomic_dec_and_test(v);
	smp_mb__after_atomic();
}
exists (v=2 /\\ 0:r1=0)
`,
      'atomics.litmus',
    );
    const calls = callsIn(test);
    expect(calls.map((c) => [c.primitive.name, c.address && c.address.kind === 'location' ? c.address.location : null, c.operands.length])).toEqual([
      ['atomic_add_unless', 'v', 2],
      ['atomic_add', 'v', 1],
      ['cmpxchg', 'z', 2],
      ['atomic_dec_and_test', 'v', 0],
      ['smp_mb__after_atomic', null, 0],
    ]);
    expect(calls[2]).toMatchObject({ primitive: { kind: 'rmw', op: 'cmpxchg', order: 'mb', result: 'old' } });
  });

  it('comments in every position: (* *) outside bodies, /* */ and // inside', () => {
    const test = parseLitmus(
      `(* leading *) C c (* after name *)
{ (* in init *) x=1; // line
}
P0(int *x) // Producer
{
	/* C comment */ int r0; // line
	r0 = READ_ONCE(*x); /* multi
	line */
}
(* between *) exists (* inside *) (0:r0=1) (* Bad outcome. *)
`,
      'comments.litmus',
    );
    expect(test.headerComment).toBe(' leading ');
    expect(test.threads[0]!.body.map((s) => s.kind)).toEqual(['decl', 'assign']);
  });
});

// ---- malformed input ----------------------------------------------------------------

describe('errors point at file:line:col', () => {
  it.each([
    {
      what: 'missing )',
      text: withBody('\tWRITE_ONCE(*x, 1;'),
      message: "bad.litmus:7:18: expected ')', found ';'",
    },
    {
      what: 'bad exists atom (no value)',
      text: withBody('\tWRITE_ONCE(*x, 1);', 'exists (x)'),
      message: "bad.litmus:10:10: expected '=', found ')'",
    },
    {
      what: 'bad exists atom (unknown register)',
      text: withBody('\tint r0;\n\tr0 = READ_ONCE(*x);', 'exists (0:r9=1)'),
      message: "bad.litmus:11:11: expected a register of P0, found 'r9'",
    },
    {
      what: 'bad exists atom (unknown thread)',
      text: withBody('\tWRITE_ONCE(*x, 1);', 'exists (x=1 /\\ 3:r0=1)'),
      message: "bad.litmus:10:16: expected a thread number from 0 to 0, found '3'",
    },
    {
      what: 'unterminated comment',
      text: 'C t\n\n(*\n * Result: Never\n\n{}\n',
      message: "bad.litmus:3:1: expected '*)' closing this comment, found end of file",
    },
    {
      what: 'unterminated C comment in a thread body',
      text: withBody('\t/* never closed'),
      message: "bad.litmus:7:2: expected '*/' closing this comment, found end of file",
    },
    {
      what: 'missing init block',
      text: 'C t\n\n(* Result: Never *)\n\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n}\n\nexists (x=1)\n',
      message: "bad.litmus:5:1: expected '{' opening the initial state, found 'P0'",
    },
    {
      what: 'garbage after the final condition',
      text: withBody('\tWRITE_ONCE(*x, 1);', 'exists (x=1) x=2'),
      message: "bad.litmus:10:14: expected end of file after the final condition, found 'x'",
    },
    {
      what: 'no final condition',
      text: 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\n',
      message: "bad.litmus:4:1: expected 'exists', '~exists' or 'forall', found end of file",
    },
    {
      what: 'not a C litmus test',
      text: 'PPC t\n{}\n',
      message: "bad.litmus:1:1: expected 'C' (only C litmus tests are supported), found 'PPC'",
    },
    {
      what: 'READ_ONCE without *',
      text: withBody('\tint r0;\n\tr0 = READ_ONCE(x);'),
      message: "bad.litmus:8:17: expected '*' (READ_ONCE takes the location as *x), found 'x'",
    },
    {
      what: 'smp_load_acquire with *',
      text: withBody('\tint r0;\n\tr0 = smp_load_acquire(*x);'),
      message: "bad.litmus:8:24: expected a pointer such as x (smp_load_acquire takes it without '*'), found '*'",
    },
    {
      what: 'value of a primitive that returns none',
      text: withBody('\tint r0;\n\tr0 = smp_mb();'),
      message: "bad.litmus:8:7: expected a primitive that returns a value, found 'smp_mb'",
    },
    {
      what: 'assignment to a parameter',
      text: withBody('\tx = 1;'),
      message: "bad.litmus:7:2: expected a register, found parameter 'x' (write through it with *x)",
    },
    {
      what: 'unknown name',
      text: withBody('\tWRITE_ONCE(*x, q);'),
      message: "bad.litmus:7:17: expected a register or parameter of P0, found 'q'",
    },
    {
      what: 'threads out of order',
      text: 'C t\n{}\nP1(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n',
      message: "bad.litmus:3:1: expected 'P0', found 'P1'",
    },
    {
      what: 'loops',
      text: withBody('\twhile (1) { }'),
      message: "bad.litmus:7:2: expected a statement, found 'while'",
    },
  ])('$what', ({ text, message }) => {
    const error = parseError(text);
    expect(error).toBeInstanceOf(LitmusSyntaxError);
    expect(error.message).toBe(message);
    const [, line, col] = /^bad\.litmus:(\d+):(\d+):/.exec(message)!;
    expect(error).toMatchObject({ file: 'bad.litmus', line: Number(line), col: Number(col) });
  });

  it('unknown primitive', () => {
    const error = parseError(withBody('\tint r0;\n\tr0 = foo_read(x);'));
    expect(error).toBeInstanceOf(LitmusUnsupportedError);
    expect(error).toMatchObject({ file: 'bad.litmus', line: 8, col: 7, primitive: 'foo_read' });
    expect(error.message).toBe("bad.litmus:8:7: unsupported primitive 'foo_read'");
  });

  it('primitive the table marks unsupported', () => {
    const error = parseError(withBody('\tsmp_mb__after_srcu_read_unlock();'));
    expect(error).toBeInstanceOf(LitmusUnsupportedError);
    expect(error.message).toBe(
      "bad.litmus:7:2: unsupported primitive 'smp_mb__after_srcu_read_unlock' (linux-kernel.cat gives After-srcu-read-unlock no ordering the lab could check it against)",
    );
  });

  it('an init-block register of a thread that does not exist', () => {
    const error = parseError('C t\n{ 3:r1=x; }\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n');
    expect(error.message).toBe("bad.litmus:2:3: expected a thread number from 0 to 0, found '3:r1'");
  });

  it('a register-to-register atom naming an unknown register', () => {
    const error = parseError(withBody('\tint r0;\n\tr0 = READ_ONCE(*x);', 'exists (0:r0=0:r9)'));
    expect(error.message).toBe("bad.litmus:11:16: expected a register of P0, found 'r9'");
  });
});

// ---- primitive table ------------------------------------------------------------------

describe('primitive table', () => {
  it('has the LKMM primitives with their pointer conventions', () => {
    expect(PRIMITIVES.get('smp_load_acquire')).toMatchObject({ kind: 'load', order: 'acquire', args: ['loc'] });
    expect(PRIMITIVES.get('READ_ONCE')).toMatchObject({ kind: 'load', order: 'once', args: ['*loc'] });
    expect(PRIMITIVES.get('rcu_assign_pointer')).toMatchObject({ kind: 'store', order: 'release', args: ['*loc', 'value'] });
    expect(PRIMITIVES.get('smp_store_mb')).toMatchObject({ kind: 'store', order: 'once', fenceAfter: 'mb' });
    expect(PRIMITIVES.get('atomic_fetch_inc_acquire')).toMatchObject({ op: 'add', result: 'old', order: 'acquire', constantOperand: 1 });
    expect(PRIMITIVES.get('atomic_sub_return_relaxed')).toMatchObject({ op: 'sub', result: 'new', order: 'once', args: ['value', 'loc'] });
    expect(PRIMITIVES.get('xchg_release')).toMatchObject({ op: 'xchg', order: 'release', def: '__xchg{release}(X,V)' });
    expect(PRIMITIVES.get('atomic_inc')).toMatchObject({ op: 'add', result: 'none', order: 'once' });
  });

  it('knows every primitive of linux-kernel.def: runnable, or named unsupported with its reason', () => {
    const flavours = (stem: string) => ['', '_relaxed', '_acquire', '_release'].map((s) => stem + s);
    // tools/memory-model/linux-kernel.def, in its order
    const def = [
      'READ_ONCE', 'WRITE_ONCE', 'smp_store_release', 'smp_load_acquire', 'rcu_assign_pointer', 'rcu_dereference',
      'smp_store_mb', 'smp_mb', 'smp_rmb', 'smp_wmb', 'smp_mb__before_atomic', 'smp_mb__after_atomic',
      'smp_mb__after_spinlock', 'smp_mb__after_unlock_lock', 'smp_mb__after_srcu_read_unlock', 'barrier',
      ...['xchg', 'cmpxchg'].flatMap(flavours),
      'spin_lock', 'spin_unlock', 'spin_trylock', 'spin_is_locked',
      'rcu_read_lock', 'rcu_read_unlock', 'synchronize_rcu', 'synchronize_rcu_expedited',
      'srcu_read_lock', 'srcu_read_unlock', 'synchronize_srcu', 'synchronize_srcu_expedited',
      'atomic_read', 'atomic_set', 'atomic_read_acquire', 'atomic_set_release',
      'atomic_add', 'atomic_sub', 'atomic_inc', 'atomic_dec',
      ...['add', 'inc', 'sub', 'dec'].flatMap((w) => [...flavours(`atomic_${w}_return`), ...flavours(`atomic_fetch_${w}`)]),
      ...['atomic_xchg', 'atomic_cmpxchg'].flatMap(flavours),
      'atomic_sub_and_test', 'atomic_dec_and_test', 'atomic_inc_and_test', 'atomic_add_negative',
    ];
    expect(def.filter((n) => !PRIMITIVES.has(n))).toEqual([]);
    expect(def.filter((n) => PRIMITIVES.get(n)!.unsupported)).toEqual(['smp_mb__after_srcu_read_unlock']);
  });

  it('covers every name the lab promises', () => {
    const flavours = (stem: string) => ['', '_relaxed', '_acquire', '_release'].map((s) => stem + s);
    const names = [
      'READ_ONCE', 'WRITE_ONCE', 'smp_load_acquire', 'smp_store_release', 'rcu_dereference', 'rcu_assign_pointer',
      'smp_store_mb', 'smp_mb', 'smp_rmb', 'smp_wmb', 'smp_mb__before_atomic', 'smp_mb__after_atomic',
      'smp_mb__after_spinlock', 'smp_mb__after_unlock_lock',
      ...['xchg', 'cmpxchg', 'atomic_xchg', 'atomic_cmpxchg'].flatMap(flavours),
      'atomic_read', 'atomic_set', 'atomic_read_acquire', 'atomic_set_release',
      'atomic_add', 'atomic_sub', 'atomic_inc', 'atomic_dec',
      ...['add', 'sub', 'inc', 'dec'].flatMap((w) => [...flavours(`atomic_${w}_return`), ...flavours(`atomic_fetch_${w}`)]),
      'atomic_inc_and_test', 'atomic_dec_and_test', 'atomic_sub_and_test', 'atomic_add_negative',
      'spin_lock', 'spin_unlock', 'spin_trylock', 'spin_is_locked',
      'rcu_read_lock', 'rcu_read_unlock', 'synchronize_rcu', 'synchronize_rcu_expedited',
      'srcu_read_lock', 'srcu_read_unlock', 'synchronize_srcu', 'synchronize_srcu_expedited', 'barrier',
    ];
    expect(names.filter((n) => !PRIMITIVES.has(n))).toEqual([]);
  });
});

// ---- final conditions -------------------------------------------------------------------

describe('condition evaluation', () => {
  const test = parseLitmus(
    String.raw`C eval
{ p=y; }
P0(int *x, int **p) { int *r0; int r1; r0 = READ_ONCE(*p); r1 = READ_ONCE(*x); }
P1(int *x) { WRITE_ONCE(*x, 2); }
filter (~0:r1=1)
exists ((0:r0=x /\ 0:r1=0) \/ ~(x=2))
`,
    'eval.litmus',
  );
  const state = (r0: string, r1: number, x: number): FinalState => ({
    registers: { 0: { r0: { loc: r0 }, r1 }, 1: {} },
    memory: { x, p: { loc: 'y' }, y: 0 },
  });

  it('/\\ with an address atom: satisfied and not', () => {
    const conjunction = test.condition.prop.kind === 'or' ? test.condition.prop.left : test.condition.prop;
    expect(evaluate(conjunction, state('x', 0, 2))).toBe(true);
    expect(evaluate(conjunction, state('y', 0, 2))).toBe(false); // r0 holds &y, not &x
    expect(evaluate(conjunction, state('x', 1, 2))).toBe(false);
  });

  it('\\/ and ~: satisfied and not', () => {
    expect(evaluate(test.condition.prop, state('y', 1, 1))).toBe(true); // ~(x=2)
    expect(evaluate(test.condition.prop, state('y', 1, 2))).toBe(false);
  });

  it('an integer never equals an address', () => {
    const pointerAtom = parseLitmus(withBody('\tWRITE_ONCE(*x, 1);', 'exists (x=0)'), 'a.litmus').condition.prop;
    expect(evaluate(pointerAtom, { registers: {}, memory: { x: { loc: 'y' } } })).toBe(false);
    expect(evaluate(pointerAtom, { registers: {}, memory: { x: 0 } })).toBe(true);
  });

  it('a state missing a value is a lab bug, not a silent false', () => {
    expect(() => evaluate(test.condition.prop, { registers: {}, memory: {} })).toThrow(
      '[lab internal bug] the final state has no value for 0:r0',
    );
  });

  it('filter drops executions before counting', () => {
    const states = [state('x', 0, 2), state('y', 1, 2), state('y', 0, 2), state('y', 1, 1)];
    expect(countWitnesses(test, states)).toEqual({ positive: 1, negative: 1, filteredOut: 2 });
  });
});

describe('herd7 classification', () => {
  it('exists: Never / Sometimes / Always by how many executions satisfy the proposition', () => {
    expect(classify(0, 3, 'exists')).toEqual({ observation: 'Never', validated: false, witnesses: { positive: 0, negative: 3 } });
    expect(classify(2, 3, 'exists')).toEqual({ observation: 'Sometimes', validated: true, witnesses: { positive: 2, negative: 3 } });
    expect(classify(5, 0, 'exists')).toEqual({ observation: 'Always', validated: true, witnesses: { positive: 5, negative: 0 } });
  });

  it('~exists: same observation word, Ok only when nothing satisfies, witnesses swapped', () => {
    expect(classify(0, 3, '~exists')).toEqual({ observation: 'Never', validated: true, witnesses: { positive: 3, negative: 0 } });
    expect(classify(1, 3, '~exists')).toEqual({ observation: 'Sometimes', validated: false, witnesses: { positive: 3, negative: 1 } });
  });

  it('forall: same observation word, Ok only when everything satisfies', () => {
    expect(classify(4, 0, 'forall')).toEqual({ observation: 'Always', validated: true, witnesses: { positive: 4, negative: 0 } });
    expect(classify(3, 1, 'forall')).toEqual({ observation: 'Sometimes', validated: false, witnesses: { positive: 3, negative: 1 } });
  });
});

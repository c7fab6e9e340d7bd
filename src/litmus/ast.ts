// The parsed form of a C litmus test (herd7's C dialect, as used by the kernel's
// tools/memory-model). Names are already resolved: every memory access says which
// shared location it touches, or which register holds the pointer it goes through.
// Every node carries the 1-based line and column of its first character.

import type { Primitive } from './primitives.ts';

export interface SourcePos {
  readonly line: number;
  readonly col: number;
}

/** herd7's three observation words, also used by `Result:` lines. */
export type Observation = 'Never' | 'Sometimes' | 'Always';

export interface LitmusTest extends SourcePos {
  readonly file: string;
  /** Test name from the `C name` line, e.g. `SB+fencembonceonces`. */
  readonly name: string;
  /** Text inside the first `(* ... *)` comment before the initial state, delimiters excluded. */
  readonly headerComment: string | null;
  /** First word after `Result:` in a header comment, when it is an observation word. */
  readonly result: Observation | null;
  /** Whole rest of the `Result:` line, e.g. `Never DATARACE`; null without a `Result:` line. */
  readonly resultText: string | null;
  /** luc-style header: the quoted line after `C name` (without quotes). */
  readonly docString: string | null;
  /** luc-style header: `Key=value` lines (`Cycle=`, `Relax=`, `Safe=`, ...). */
  readonly info: readonly HeaderInfo[];
  /** Entries of the `{ ... }` block, as written. */
  readonly init: readonly InitEntry[];
  /** Register entries of the `{ ... }` block: `int * 1:r1;`, `1:r2=x;`. */
  readonly registerInit: readonly RegisterInit[];
  /** Every shared location: init entries, thread parameters and init address targets. */
  readonly sharedVariables: readonly SharedVariable[];
  readonly threads: readonly Thread[];
  /** `locations [...]`: extra things to print; no effect on the verdict. */
  readonly locations: readonly ConditionSubject[] | null;
  /** `filter (...)`: executions whose final state fails it are not counted. */
  readonly filter: Prop | null;
  readonly condition: FinalCondition;
}

export interface HeaderInfo extends SourcePos {
  readonly key: string;
  readonly value: string;
}

// ---- Types ----------------------------------------------------------------

/** A C type: `int` is { base: 'int', pointers: 0 }, `int **p` has pointers 2. Qualifiers are dropped. */
export interface CType {
  readonly base: string;
  readonly pointers: number;
}

// ---- Values ---------------------------------------------------------------

export interface IntValue {
  readonly kind: 'int';
  readonly value: number;
}

/** The address of a shared location (`&x`, `p=y` in the init block, `1:r0=x` in a condition). */
export interface AddressValue {
  readonly kind: 'address';
  readonly location: string;
}

export type InitialValue = IntValue | AddressValue;

export interface IntLiteral extends IntValue, SourcePos {}
export interface AddressOf extends AddressValue, SourcePos {}

// ---- Initial state ----------------------------------------------------------

/** One entry of the init block: `x=1;`, `p=y;`, `int *p=y;`, `spinlock_t s;`, `atomic_t v = ATOMIC_INIT(1);`. */
export interface InitEntry extends SourcePos {
  readonly location: string;
  readonly type: CType | null;
  /** null when only declared (`int x;`): the location starts at 0. */
  readonly value: IntLiteral | AddressOf | null;
}

/** A register in the init block: its type (`int * 1:r1;`) and/or initial value (`1:r1=x;`). */
export interface RegisterInit extends SourcePos {
  readonly thread: number;
  readonly register: string;
  readonly type: CType | null;
  /** null when only declared: the register starts at 0. */
  readonly value: IntLiteral | AddressOf | null;
}

export interface SharedVariable extends SourcePos {
  readonly name: string;
  /** Type of the location itself (`int **p` parameter: location p is `int *`); null if never typed. */
  readonly type: CType | null;
  readonly initial: InitialValue;
}

// ---- Threads ----------------------------------------------------------------

export interface Thread extends SourcePos {
  /** N of `PN`. Threads are numbered 0, 1, 2, ... in file order. */
  readonly id: number;
  /** `int *x` binds the parameter x to the address of the shared location x. */
  readonly params: readonly Param[];
  readonly body: readonly Stmt[];
  /** Every register of the thread in order of first appearance; all start at 0. */
  readonly registers: readonly RegisterInfo[];
}

export interface Param extends SourcePos {
  readonly type: CType;
  readonly name: string;
}

export interface RegisterInfo extends SourcePos {
  readonly name: string;
  readonly type: CType;
  /** Used without a declaration (luc-style tests); herd treats it as `int`. */
  readonly implicit: boolean;
}

// ---- Statements -------------------------------------------------------------

export type Stmt = DeclStmt | AssignStmt | PlainStoreStmt | CallStmt | IfStmt | BlockStmt;

/** `int r0;` or `int a = READ_ONCE(*x);` (a declaration with an initialiser assigns). */
export interface DeclStmt extends SourcePos {
  readonly kind: 'decl';
  readonly type: CType;
  readonly register: string;
  readonly init: Expr | null;
}

/** `r0 = expr;` */
export interface AssignStmt extends SourcePos {
  readonly kind: 'assign';
  readonly register: string;
  readonly value: Expr;
}

/** `*z1 = a;`: an unmarked (plain C) store. */
export interface PlainStoreStmt extends SourcePos {
  readonly kind: 'plain-store';
  readonly address: Address;
  readonly value: Expr;
}

/** `WRITE_ONCE(*x, 1);`, `smp_mb();`, `(void)atomic_add_unless(v, 1, 0);` */
export interface CallStmt extends SourcePos {
  readonly kind: 'call';
  readonly call: CallExpr;
}

export interface IfStmt extends SourcePos {
  readonly kind: 'if';
  /** Non-zero means taken, as in C. */
  readonly condition: Expr;
  readonly then: Stmt;
  readonly else: Stmt | null;
}

export interface BlockStmt extends SourcePos {
  readonly kind: 'block';
  readonly body: readonly Stmt[];
}

// ---- Expressions ------------------------------------------------------------

export type Expr = IntLiteral | AddressOf | RegisterRef | PlainLoad | BinaryExpr | NotExpr | CallExpr;

export interface RegisterRef extends SourcePos {
  readonly kind: 'register';
  readonly name: string;
}

/** `*z1` outside a primitive: an unmarked (plain C) load. */
export interface PlainLoad extends SourcePos {
  readonly kind: 'plain-load';
  readonly address: Address;
}

export type BinaryOp = '==' | '!=' | '+' | '-' | '&' | '|' | '^' | '&&' | '||';

export interface BinaryExpr extends SourcePos {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

export interface NotExpr extends SourcePos {
  readonly kind: 'not';
  readonly operand: Expr;
}

/** A call of a primitive from primitives.ts, its pointer argument resolved into `address`. */
export interface CallExpr extends SourcePos {
  readonly kind: 'call';
  readonly primitive: Primitive;
  /** The memory the primitive acts on (its `*loc` or `loc` argument); null for fences and RCU. */
  readonly address: Address | null;
  /** The `value` arguments in source order (cmpxchg: expected, then new). */
  readonly operands: readonly Expr[];
}

/** Where an access goes: a shared location known statically, or the pointer held in a register. */
export type Address = LocationAddress | RegisterAddress;

export interface LocationAddress extends SourcePos {
  readonly kind: 'location';
  readonly location: string;
}

/** `*r0`: the address is the register's value (an address dependency on whatever loaded it). */
export interface RegisterAddress extends SourcePos {
  readonly kind: 'via-register';
  readonly register: string;
}

// ---- Final condition --------------------------------------------------------

export type Quantifier = 'exists' | '~exists' | 'forall';

export interface FinalCondition extends SourcePos {
  readonly quantifier: Quantifier;
  readonly prop: Prop;
}

export type Prop = AndProp | OrProp | NotProp | AtomProp;

export interface AndProp extends SourcePos {
  readonly kind: 'and';
  readonly left: Prop;
  readonly right: Prop;
}

export interface OrProp extends SourcePos {
  readonly kind: 'or';
  readonly left: Prop;
  readonly right: Prop;
}

export interface NotProp extends SourcePos {
  readonly kind: 'not';
  readonly operand: Prop;
}

/** `1:r0=1`, `x=2`, `1:r0=x` (register holds the address of x), `0:r1=1:r1` (two registers equal). */
export interface AtomProp extends SourcePos {
  readonly kind: 'atom';
  readonly subject: ConditionSubject;
  readonly value: IntLiteral | AddressOf | ThreadRegister;
}

export type ConditionSubject = ThreadRegister | SharedLocation;

export interface ThreadRegister extends SourcePos {
  readonly kind: 'register';
  readonly thread: number;
  readonly register: string;
}

export interface SharedLocation extends SourcePos {
  readonly kind: 'location';
  readonly location: string;
}

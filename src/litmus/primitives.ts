// The litmus primitives the lab accepts and what each means in LKMM.
// Source of the mappings (`def`): the kernel's tools/memory-model/linux-kernel.def;
// orderings and notes: /work/shared/memory-model-notes.md section (a).

/**
 * How an argument is written.
 * `*loc`: an lvalue naming the location, `READ_ONCE(*x)`, `rcu_assign_pointer(*p, x)`.
 * `loc`: the pointer itself, no `*`, `smp_load_acquire(x)`, `atomic_inc(v)`, `spin_lock(s)`.
 * `value`: any expression.
 */
export type ArgRole = '*loc' | 'loc' | 'value';

/** LKMM annotations of `linux-kernel.def`: {once} is relaxed, {mb} fully ordered. */
export type AccessOrder = 'once' | 'acquire' | 'release' | 'mb';

/** The `__fence{...}` tags of linux-kernel.def. */
export type FenceKind =
  | 'mb'
  | 'rmb'
  | 'wmb'
  | 'before-atomic'
  | 'after-atomic'
  | 'after-spinlock'
  | 'after-unlock-lock'
  | 'after-srcu-read-unlock'
  | 'barrier';

/**
 * What a read-modify-write does with its operands (see `Primitive`):
 * `add`/`sub` by the operand (or `constantOperand`); `xchg` writes the operand;
 * `cmpxchg` writes operands[1] when the old value equals operands[0];
 * `add-unless` adds operands[0] unless the old value equals operands[1].
 */
export type RmwOp = 'add' | 'sub' | 'xchg' | 'cmpxchg' | 'add-unless';

/** What a read-modify-write returns: nothing, the old or the new value, or a test of them. */
export type RmwResult = 'none' | 'old' | 'new' | 'new-is-zero' | 'new-is-negative' | 'did-add';

export type LockOp = 'lock' | 'unlock' | 'trylock' | 'is-locked';
export type RcuOp = 'read-lock' | 'read-unlock' | 'synchronize';
/** SRCU: the same three, per `struct srcu_struct` (the `loc` argument). */
export type SrcuOp = RcuOp;

interface PrimitiveBase {
  readonly name: string;
  readonly args: readonly ArgRole[];
  /** The linux-kernel.def line body, for people checking the table against the kernel. */
  readonly def: string;
  /** Set when the lab parses the name but cannot run it: the reason. */
  readonly unsupported?: string;
}

export type Primitive =
  | (PrimitiveBase & { readonly kind: 'load'; readonly order: 'once' | 'acquire' })
  | (PrimitiveBase & {
      readonly kind: 'store';
      readonly order: 'once' | 'release';
      /** smp_store_mb(): a full fence follows the store. */
      readonly fenceAfter: 'mb' | null;
    })
  | (PrimitiveBase & { readonly kind: 'fence'; readonly fence: FenceKind })
  | (PrimitiveBase & {
      readonly kind: 'rmw';
      /** A failed cmpxchg / add_unless is a plain read with no ordering (notes (a)). */
      readonly order: AccessOrder;
      readonly op: RmwOp;
      readonly result: RmwResult;
      /** atomic_inc/dec and friends: the operand is this constant instead of an argument. */
      readonly constantOperand: number | null;
    })
  | (PrimitiveBase & { readonly kind: 'lock'; readonly op: LockOp })
  | (PrimitiveBase & { readonly kind: 'rcu'; readonly op: RcuOp })
  | (PrimitiveBase & { readonly kind: 'srcu'; readonly op: SrcuOp });

/** Whether a call can stand where a value is needed (`r0 = ...`, `if (...)`). */
export function returnsValue(primitive: Primitive): boolean {
  switch (primitive.kind) {
    case 'load':
      return true;
    case 'rmw':
      return primitive.result !== 'none';
    case 'lock':
      return primitive.op === 'trylock' || primitive.op === 'is-locked';
    case 'srcu':
      return primitive.op === 'read-lock';
    case 'store':
    case 'fence':
    case 'rcu':
      return false;
  }
}

// The four ordering flavours of an RMW family, named as in linux-kernel.def.
const FLAVOURS: readonly { suffix: string; order: AccessOrder; tag: string }[] = [
  { suffix: '', order: 'mb', tag: 'mb' },
  { suffix: '_relaxed', order: 'once', tag: 'once' },
  { suffix: '_acquire', order: 'acquire', tag: 'acquire' },
  { suffix: '_release', order: 'release', tag: 'release' },
];

interface RmwFamily {
  readonly stem: string;
  readonly args: readonly ArgRole[];
  readonly op: RmwOp;
  readonly result: RmwResult;
  readonly constantOperand: number | null;
  /** The .def body with `{}` where the ordering tag goes. */
  readonly def: string;
}

function rmwFamily(family: RmwFamily): Primitive[] {
  return FLAVOURS.map(({ suffix, order, tag }) => ({
    kind: 'rmw',
    name: family.stem + suffix,
    args: family.args,
    op: family.op,
    result: family.result,
    constantOperand: family.constantOperand,
    order,
    def: family.def.replace('{}', `{${tag}}`),
  }));
}

/** atomic_{add,sub,inc,dec}_return and atomic_fetch_{add,sub,inc,dec}, each in four flavours. */
function arithmeticFamilies(): Primitive[] {
  const ops = [
    { word: 'add', op: 'add', sign: '+', constant: null },
    { word: 'sub', op: 'sub', sign: '-', constant: null },
    { word: 'inc', op: 'add', sign: '+', constant: 1 },
    { word: 'dec', op: 'sub', sign: '-', constant: 1 },
  ] as const;
  return ops.flatMap(({ word, op, sign, constant }) => {
    const args: ArgRole[] = constant === null ? ['value', 'loc'] : ['loc'];
    const operand = constant === null ? 'V' : String(constant);
    return [
      ...rmwFamily({
        stem: `atomic_${word}_return`,
        args,
        op,
        result: 'new',
        constantOperand: constant,
        def: `__atomic_op_return{}(X,${sign},${operand})`,
      }),
      ...rmwFamily({
        stem: `atomic_fetch_${word}`,
        args,
        op,
        result: 'old',
        constantOperand: constant,
        def: `__atomic_fetch_op{}(X,${sign},${operand})`,
      }),
    ];
  });
}

function exchangeFamilies(): Primitive[] {
  return ['', 'atomic_'].flatMap((prefix) => [
    ...rmwFamily({
      stem: `${prefix}xchg`,
      args: ['loc', 'value'],
      op: 'xchg',
      result: 'old',
      constantOperand: null,
      def: '__xchg{}(X,V)',
    }),
    ...rmwFamily({
      stem: `${prefix}cmpxchg`,
      args: ['loc', 'value', 'value'],
      op: 'cmpxchg',
      result: 'old',
      constantOperand: null,
      def: '__cmpxchg{}(X,V,W)',
    }),
  ]);
}

const TABLE: readonly Primitive[] = [
  // ONCE, release/acquire and friends
  { kind: 'load', name: 'READ_ONCE', order: 'once', args: ['*loc'], def: '__load{once}(X)' },
  { kind: 'store', name: 'WRITE_ONCE', order: 'once', fenceAfter: null, args: ['*loc', 'value'], def: '__store{once}(X,V)' },
  { kind: 'load', name: 'smp_load_acquire', order: 'acquire', args: ['loc'], def: '__load{acquire}(*X)' },
  {
    kind: 'store',
    name: 'smp_store_release',
    order: 'release',
    fenceAfter: null,
    args: ['loc', 'value'],
    def: '__store{release}(*X,V)',
  },
  // Relaxed, not acquire: it orders only accesses that depend on its value (notes (a)).
  { kind: 'load', name: 'rcu_dereference', order: 'once', args: ['*loc'], def: '__load{once}(X)' },
  {
    kind: 'store',
    name: 'rcu_assign_pointer',
    order: 'release',
    fenceAfter: null,
    args: ['*loc', 'value'],
    def: '__store{release}(X,V)',
  },
  {
    kind: 'store',
    name: 'smp_store_mb',
    order: 'once',
    fenceAfter: 'mb',
    args: ['*loc', 'value'],
    def: '__store{once}(X,V); __fence{mb}',
  },

  // Fences. before/after-atomic order only across an adjacent RMW (notes (a)).
  { kind: 'fence', name: 'smp_mb', fence: 'mb', args: [], def: '__fence{mb}' },
  { kind: 'fence', name: 'smp_rmb', fence: 'rmb', args: [], def: '__fence{rmb}' },
  { kind: 'fence', name: 'smp_wmb', fence: 'wmb', args: [], def: '__fence{wmb}' },
  { kind: 'fence', name: 'smp_mb__before_atomic', fence: 'before-atomic', args: [], def: '__fence{before-atomic}' },
  { kind: 'fence', name: 'smp_mb__after_atomic', fence: 'after-atomic', args: [], def: '__fence{after-atomic}' },
  { kind: 'fence', name: 'smp_mb__after_spinlock', fence: 'after-spinlock', args: [], def: '__fence{after-spinlock}' },
  // Turns an unlock-lock pair before it into a full fence (linux-kernel.cat's mb); only the weak
  // model's LKMM check needs it (sc and tso order unlock-lock fully already).
  { kind: 'fence', name: 'smp_mb__after_unlock_lock', fence: 'after-unlock-lock', args: [], def: '__fence{after-unlock-lock}' },
  {
    kind: 'fence',
    name: 'smp_mb__after_srcu_read_unlock',
    fence: 'after-srcu-read-unlock',
    args: [],
    def: '__fence{after-srcu-read-unlock}',
    unsupported: 'linux-kernel.cat gives After-srcu-read-unlock no ordering the lab could check it against',
  },
  // A compiler barrier: it matters only to LKMM's plain-access (data race) rules, which the lab
  // does not check, so it orders nothing here.
  { kind: 'fence', name: 'barrier', fence: 'barrier', args: [], def: '__fence{barrier}' },

  // Exchange: xchg, cmpxchg, atomic_xchg, atomic_cmpxchg in four flavours each.
  ...exchangeFamilies(),

  // Atomics: atomic_t is a plain int location in herd.
  { kind: 'load', name: 'atomic_read', order: 'once', args: ['loc'], def: 'READ_ONCE(*X)' },
  { kind: 'store', name: 'atomic_set', order: 'once', fenceAfter: null, args: ['loc', 'value'], def: 'WRITE_ONCE(*X,V)' },
  { kind: 'load', name: 'atomic_read_acquire', order: 'acquire', args: ['loc'], def: 'smp_load_acquire(X)' },
  {
    kind: 'store',
    name: 'atomic_set_release',
    order: 'release',
    fenceAfter: null,
    args: ['loc', 'value'],
    def: 'smp_store_release(X,V)',
  },
  // Non-value-returning RMWs are relaxed (their read half is "Noreturn" in the cat model).
  ...(
    [
      { name: 'atomic_add', op: 'add', constant: null, def: '__atomic_op(X,+,V)' },
      { name: 'atomic_sub', op: 'sub', constant: null, def: '__atomic_op(X,-,V)' },
      { name: 'atomic_inc', op: 'add', constant: 1, def: '__atomic_op(X,+,1)' },
      { name: 'atomic_dec', op: 'sub', constant: 1, def: '__atomic_op(X,-,1)' },
    ] as const
  ).map(
    ({ name, op, constant, def }): Primitive => ({
      kind: 'rmw',
      name,
      order: 'once',
      op,
      result: 'none',
      constantOperand: constant,
      args: constant === null ? ['value', 'loc'] : ['loc'],
      def,
    }),
  ),
  ...arithmeticFamilies(),
  {
    kind: 'rmw',
    name: 'atomic_inc_and_test',
    order: 'mb',
    op: 'add',
    result: 'new-is-zero',
    constantOperand: 1,
    args: ['loc'],
    def: '__atomic_op_return{mb}(X,+,1) == 0',
  },
  {
    kind: 'rmw',
    name: 'atomic_dec_and_test',
    order: 'mb',
    op: 'sub',
    result: 'new-is-zero',
    constantOperand: 1,
    args: ['loc'],
    def: '__atomic_op_return{mb}(X,-,1) == 0',
  },
  {
    kind: 'rmw',
    name: 'atomic_sub_and_test',
    order: 'mb',
    op: 'sub',
    result: 'new-is-zero',
    constantOperand: null,
    args: ['value', 'loc'],
    def: '__atomic_op_return{mb}(X,-,V) == 0',
  },
  {
    kind: 'rmw',
    name: 'atomic_add_negative',
    order: 'mb',
    op: 'add',
    result: 'new-is-negative',
    constantOperand: null,
    args: ['value', 'loc'],
    def: '__atomic_op_return{mb}(X,+,V) < 0',
  },
  // Added to linux-kernel.def after v6.12; used by Documentation/litmus-tests/atomic.
  {
    kind: 'rmw',
    name: 'atomic_add_unless',
    order: 'mb',
    op: 'add-unless',
    result: 'did-add',
    constantOperand: null,
    args: ['loc', 'value', 'value'],
    def: '__atomic_add_unless{mb}(X,V,W)',
  },

  // Spinlocks: lock is an acquire RMW that waits for 0; unlock a release store of 0.
  { kind: 'lock', name: 'spin_lock', op: 'lock', args: ['loc'], def: '__lock(X)' },
  { kind: 'lock', name: 'spin_unlock', op: 'unlock', args: ['loc'], def: '__unlock(X)' },
  { kind: 'lock', name: 'spin_trylock', op: 'trylock', args: ['loc'], def: '__trylock(X)' },
  { kind: 'lock', name: 'spin_is_locked', op: 'is-locked', args: ['loc'], def: '__islocked(X)' },

  // RCU: read-side markers order nothing by themselves; a grace period is a strong fence
  // that also waits for pre-existing read-side critical sections.
  { kind: 'rcu', name: 'rcu_read_lock', op: 'read-lock', args: [], def: '__fence{rcu-lock}' },
  { kind: 'rcu', name: 'rcu_read_unlock', op: 'read-unlock', args: [], def: '__fence{rcu-unlock}' },
  { kind: 'rcu', name: 'synchronize_rcu', op: 'synchronize', args: [], def: '__fence{sync-rcu}' },
  { kind: 'rcu', name: 'synchronize_rcu_expedited', op: 'synchronize', args: [], def: '__fence{sync-rcu}' },

  // SRCU: RCU per srcu_struct (linux-kernel.cat's srcu-gp, srcu-rscsi, `& loc`).
  { kind: 'srcu', name: 'srcu_read_lock', op: 'read-lock', args: ['loc'], def: '__srcu{srcu-lock}(X)' },
  { kind: 'srcu', name: 'srcu_read_unlock', op: 'read-unlock', args: ['loc', 'value'], def: '__srcu{srcu-unlock}(X,Y)' },
  { kind: 'srcu', name: 'synchronize_srcu', op: 'synchronize', args: ['loc'], def: '__srcu{sync-srcu}(X)' },
  { kind: 'srcu', name: 'synchronize_srcu_expedited', op: 'synchronize', args: ['loc'], def: '__srcu{sync-srcu}(X)' },
];

export const PRIMITIVES: ReadonlyMap<string, Primitive> = new Map(TABLE.map((p) => [p.name, p]));

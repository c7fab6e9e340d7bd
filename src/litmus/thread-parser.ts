// One thread: `PN(params) { body }`.
//
// Name resolution follows herd's C litmus convention: a parameter `int *x` holds the
// address of the shared location x, so `*x` is location x and a bare `x` is its
// address; every other name is a register of the thread. Registers may be used
// without a declaration (luc-style tests), as herd does; they are then `int`.

import type {
  Address,
  BinaryOp,
  CallExpr,
  CType,
  Expr,
  Param,
  RegisterInfo,
  RegisterInit,
  Stmt,
  Thread,
} from './ast.ts';
import { isTypeStart, parseType } from './c-types.ts';
import { LitmusUnsupportedError } from './errors.ts';
import type { Token } from './lexer.ts';
import { PRIMITIVES, returnsValue } from './primitives.ts';
import { describe, posOf, type TokenStream } from './token-stream.ts';

// Loosest first; C precedence among the operators the litmus dialect uses.
const BINARY_LEVELS: readonly (readonly BinaryOp[])[] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['+', '-']];

const NOT_SUPPORTED_KEYWORDS = new Set(['else', 'while', 'for', 'do', 'switch', 'return', 'goto', 'break', 'continue']);

const IMPLICIT_REGISTER_TYPE: CType = { base: 'int', pointers: 0 };

/** `preset`: the thread's registers declared in the init block (`int * 1:r1;`, `1:r1=x;`). */
export function parseThread(tokens: TokenStream, id: number, preset: readonly RegisterInit[] = []): Thread {
  const header = tokens.peek();
  if (header.kind !== 'ident' || header.text !== `P${id}`) tokens.fail(header, `'P${id}'`);
  tokens.next();
  return new ThreadParser(tokens, id, parseParams(tokens), preset).parse(header);
}

function parseParams(tokens: TokenStream): Param[] {
  tokens.expect('(');
  const params: Param[] = [];
  if (!tokens.at(')')) {
    do {
      const start = tokens.peek();
      const type = parseType(tokens);
      const name = tokens.expectIdent('a parameter name');
      // A parameter holds the address of the shared location of the same name.
      if (type.pointers === 0) tokens.fail(name, "a pointer parameter such as 'int *x'");
      params.push({ ...posOf(start), type, name: name.text });
    } while (tokens.accept(','));
  }
  tokens.expect(')');
  return params;
}

class ThreadParser {
  private readonly paramNames: ReadonlySet<string>;
  private readonly registers = new Map<string, RegisterInfo>();

  constructor(
    private readonly tokens: TokenStream,
    private readonly id: number,
    private readonly params: readonly Param[],
    preset: readonly RegisterInit[],
  ) {
    this.paramNames = new Set(params.map((p) => p.name));
    for (const r of preset) {
      const type = r.type ?? (r.value?.kind === 'address' ? { base: 'int', pointers: 1 } : IMPLICIT_REGISTER_TYPE);
      this.registers.set(r.register, { line: r.line, col: r.col, name: r.register, type, implicit: false });
    }
  }

  parse(header: Token): Thread {
    this.tokens.expect('{', "'{' opening the thread body");
    const body = this.statementsToClosingBrace();
    return { ...posOf(header), id: this.id, params: this.params, body, registers: [...this.registers.values()] };
  }

  // ---- statements ----

  private statement(): Stmt {
    const { tokens } = this;
    const start = tokens.peek();
    if (tokens.at('{')) return this.block();
    if (tokens.at('if')) return this.ifStatement();
    if (isTypeStart(tokens)) return this.declaration();
    if (tokens.at('*')) return this.plainStore();
    if (start.kind === 'ident' && tokens.at('=', 1)) return this.assignment();
    if (start.kind === 'ident' && !NOT_SUPPORTED_KEYWORDS.has(start.text) && tokens.at('(', 1)) {
      return this.callStatement();
    }
    if (tokens.at('(') && isTypeStart(tokens, 1)) return this.callStatement();
    return tokens.fail(start, 'a statement');
  }

  private block(): Stmt {
    const open = this.tokens.expect('{');
    return { ...posOf(open), kind: 'block', body: this.statementsToClosingBrace() };
  }

  private statementsToClosingBrace(): Stmt[] {
    const body: Stmt[] = [];
    while (!this.tokens.at('}')) body.push(this.statement());
    this.tokens.next();
    return body;
  }

  private ifStatement(): Stmt {
    const keyword = this.tokens.next();
    this.tokens.expect('(');
    const condition = this.expression();
    this.tokens.expect(')');
    const then = this.statement();
    const otherwise = this.tokens.accept('else') ? this.statement() : null;
    return { ...posOf(keyword), kind: 'if', condition, then, else: otherwise };
  }

  /** `int r0;`, `int *r0;`, `int a = READ_ONCE(*x);`, `intptr_t r3=x0;` */
  private declaration(): Stmt {
    const start = this.tokens.peek();
    const type = parseType(this.tokens);
    const nameToken = this.registerName();
    if (!this.registers.has(nameToken.text)) {
      this.registers.set(nameToken.text, { ...posOf(nameToken), name: nameToken.text, type, implicit: false });
    }
    const init = this.tokens.accept('=') ? this.expression() : null;
    this.tokens.expect(';');
    return { ...posOf(start), kind: 'decl', type, register: nameToken.text, init };
  }

  /** `r0 = expr;` */
  private assignment(): Stmt {
    const nameToken = this.registerName();
    this.useRegister(nameToken);
    this.tokens.expect('=');
    const value = this.expression();
    this.tokens.expect(';');
    return { ...posOf(nameToken), kind: 'assign', register: nameToken.text, value };
  }

  /** `*z1 = a;` */
  private plainStore(): Stmt {
    const star = this.tokens.next();
    const address = this.pointer();
    this.tokens.expect('=');
    const value = this.expression();
    this.tokens.expect(';');
    return { ...posOf(star), kind: 'plain-store', address, value };
  }

  /** `smp_mb();`, `(void)atomic_add_unless(v, 1, 0);` */
  private callStatement(): Stmt {
    const start = this.tokens.peek();
    this.skipCasts();
    const callee = this.tokens.peek();
    if (callee.kind !== 'ident' || !this.tokens.at('(', 1)) return this.tokens.fail(callee, 'a primitive call');
    const call = this.call(false);
    this.tokens.expect(';');
    return { ...posOf(start), kind: 'call', call };
  }

  private registerName(): Token {
    const token = this.tokens.expectIdent('a register name');
    if (this.paramNames.has(token.text)) {
      this.tokens.failAt(token, 'a register', `parameter '${token.text}' (write through it with *${token.text})`);
    }
    return token;
  }

  /** First use of an undeclared register declares it as `int`, as herd does. */
  private useRegister(token: Token): void {
    if (!this.registers.has(token.text)) {
      this.registers.set(token.text, { ...posOf(token), name: token.text, type: IMPLICIT_REGISTER_TYPE, implicit: true });
    }
  }

  // ---- expressions ----

  private expression(level = 0): Expr {
    if (level === BINARY_LEVELS.length) return this.unary();
    let left = this.expression(level + 1);
    for (;;) {
      const op = BINARY_LEVELS[level]!.find((o) => this.tokens.at(o));
      if (!op) return left;
      this.tokens.next();
      const right = this.expression(level + 1);
      left = { line: left.line, col: left.col, kind: 'binary', op, left, right };
    }
  }

  private unary(): Expr {
    const { tokens } = this;
    const token = tokens.peek();
    if (tokens.accept('!')) return { ...posOf(token), kind: 'not', operand: this.unary() };
    if (tokens.accept('*')) return { ...posOf(token), kind: 'plain-load', address: this.pointer() };
    if (tokens.accept('&')) return { ...posOf(token), kind: 'address', location: this.parameter().text };
    if (tokens.at('-') && tokens.peek(1).kind === 'number') {
      tokens.next();
      return { ...posOf(token), kind: 'int', value: -Number(tokens.next().text) };
    }
    if (tokens.at('(') && isTypeStart(tokens, 1)) {
      this.skipCasts();
      return this.unary();
    }
    if (tokens.accept('(')) {
      const inner = this.expression();
      tokens.expect(')');
      return inner;
    }
    if (token.kind === 'number') return { ...posOf(tokens.next()), kind: 'int', value: Number(token.text) };
    if (token.kind === 'ident' && tokens.at('(', 1)) return this.call(true);
    if (token.kind === 'ident' && this.paramNames.has(token.text)) {
      return { ...posOf(tokens.next()), kind: 'address', location: token.text };
    }
    if (token.kind === 'ident' && this.registers.has(token.text)) {
      return { ...posOf(tokens.next()), kind: 'register', name: token.text };
    }
    return tokens.fail(token, token.kind === 'ident' ? `a register or parameter of P${this.id}` : 'an expression');
  }

  /** Casts such as `(intptr_t *)` carry no meaning for the model and are dropped. */
  private skipCasts(): void {
    while (this.tokens.at('(') && isTypeStart(this.tokens, 1)) {
      this.tokens.next();
      parseType(this.tokens);
      this.tokens.expect(')');
    }
  }

  /** The pointer after `*` or in a `loc` argument: a parameter (a known location) or a register. */
  private pointer(): Address {
    this.skipCasts();
    if (this.tokens.accept('(')) {
      const inner = this.pointer();
      this.tokens.expect(')');
      return inner;
    }
    const expected = `a parameter or pointer register of P${this.id}`;
    const token = this.tokens.expectIdent(expected);
    if (this.paramNames.has(token.text)) return { ...posOf(token), kind: 'location', location: token.text };
    if (this.registers.has(token.text)) return { ...posOf(token), kind: 'via-register', register: token.text };
    return this.tokens.fail(token, expected);
  }

  private parameter(): Token {
    const expected = `a parameter of P${this.id}`;
    const token = this.tokens.expectIdent(expected);
    if (!this.paramNames.has(token.text)) this.tokens.fail(token, expected);
    return token;
  }

  /** A primitive call; `valueNeeded` when it stands where its result is used. */
  private call(valueNeeded: boolean): CallExpr {
    const { tokens } = this;
    const callee = tokens.next();
    const primitive = PRIMITIVES.get(callee.text);
    if (!primitive || primitive.unsupported) {
      throw new LitmusUnsupportedError(tokens.file, callee.line, callee.col, callee.text, primitive?.unsupported);
    }
    if (valueNeeded && !returnsValue(primitive)) {
      tokens.failAt(callee, 'a primitive that returns a value', describe(callee));
    }
    tokens.expect('(');
    let address: Address | null = null;
    const operands: Expr[] = [];
    for (const [index, role] of primitive.args.entries()) {
      if (index > 0) tokens.expect(',');
      const argument = tokens.peek();
      if (role === 'value') {
        operands.push(this.expression());
      } else if (role === '*loc') {
        // linux-kernel.def: READ_ONCE(X) is __load{once}(X), so X is the lvalue `*x`.
        if (!tokens.accept('*')) tokens.fail(argument, `'*' (${callee.text} takes the location as *x)`);
        address = this.pointer();
      } else {
        // linux-kernel.def: smp_load_acquire(X) is __load{acquire}(*X), so X is the pointer `x`.
        if (tokens.at('*')) tokens.fail(argument, `a pointer such as x (${callee.text} takes it without '*')`);
        address = this.pointer();
      }
    }
    tokens.expect(')');
    return { ...posOf(callee), kind: 'call', primitive, address, operands };
  }
}

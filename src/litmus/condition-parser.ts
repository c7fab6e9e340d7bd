// The clauses after the threads: `locations [...]`, `filter (...)` and the final
// `exists` / `~exists` / `forall` condition. Propositions use herd's syntax:
// `~` binds tightest, then `/\`, then `\/`; atoms are `N:reg=value` or `loc=value`,
// where a value is an integer or a location name meaning its address.
// Names are checked against the threads and shared locations, to catch typos that
// would otherwise make a condition silently unsatisfiable.

import type { ConditionSubject, FinalCondition, IntLiteral, AddressOf, Prop, Quantifier, Thread, ThreadRegister } from './ast.ts';
import { posOf, type TokenStream } from './token-stream.ts';

export interface NameScope {
  readonly threads: readonly Thread[];
  readonly sharedVariables: ReadonlySet<string>;
}

export function parseFinalCondition(tokens: TokenStream, scope: NameScope): FinalCondition {
  const start = tokens.peek();
  let quantifier: Quantifier;
  if (tokens.accept('exists')) quantifier = 'exists';
  else if (tokens.accept('forall')) quantifier = 'forall';
  else if (tokens.at('~') && tokens.at('exists', 1)) {
    tokens.next();
    tokens.next();
    quantifier = '~exists';
  } else {
    return tokens.fail(start, "'exists', '~exists' or 'forall'");
  }
  return { ...posOf(start), quantifier, prop: parseProp(tokens, scope) };
}

/** `locations [0:r1; 1:r3; x; y]`, the keyword already consumed. */
export function parseLocationsList(tokens: TokenStream, scope: NameScope): ConditionSubject[] {
  tokens.expect('[');
  const items: ConditionSubject[] = [];
  while (!tokens.at(']')) {
    items.push(parseSubject(tokens, scope));
    if (!tokens.accept(';')) break;
  }
  tokens.expect(']');
  return items;
}

export function parseProp(tokens: TokenStream, scope: NameScope): Prop {
  let left = parseConjunction(tokens, scope);
  while (tokens.accept('\\/')) {
    left = { line: left.line, col: left.col, kind: 'or', left, right: parseConjunction(tokens, scope) };
  }
  return left;
}

function parseConjunction(tokens: TokenStream, scope: NameScope): Prop {
  let left = parseUnary(tokens, scope);
  while (tokens.accept('/\\')) {
    left = { line: left.line, col: left.col, kind: 'and', left, right: parseUnary(tokens, scope) };
  }
  return left;
}

function parseUnary(tokens: TokenStream, scope: NameScope): Prop {
  const start = tokens.peek();
  if (tokens.accept('~')) return { ...posOf(start), kind: 'not', operand: parseUnary(tokens, scope) };
  if (tokens.accept('(')) {
    const inner = parseProp(tokens, scope);
    tokens.expect(')');
    return inner;
  }
  const subject = parseSubject(tokens, scope);
  tokens.expect('=');
  return { ...posOf(start), kind: 'atom', subject, value: parseValue(tokens, scope) };
}

/** `N:reg` or a shared location name. */
function parseSubject(tokens: TokenStream, scope: NameScope): ConditionSubject {
  const start = tokens.peek();
  if (start.kind === 'number') {
    tokens.next();
    const thread = scope.threads[Number(start.text)];
    if (!thread) tokens.fail(start, `a thread number from 0 to ${scope.threads.length - 1}`);
    tokens.expect(':');
    const register = tokens.expectIdent(`a register of P${thread.id}`);
    if (!thread.registers.some((r) => r.name === register.text)) tokens.fail(register, `a register of P${thread.id}`);
    return { ...posOf(start), kind: 'register', thread: thread.id, register: register.text };
  }
  if (start.kind === 'ident' && scope.sharedVariables.has(start.text)) {
    tokens.next();
    return { ...posOf(start), kind: 'location', location: start.text };
  }
  return tokens.fail(start, start.kind === 'ident' ? 'a shared location or N:register' : 'a condition atom such as 0:r0=1 or x=1');
}

/** An integer, a location's address, or another register (`0:r10=1:r10`: both hold the same value). */
function parseValue(tokens: TokenStream, scope: NameScope): IntLiteral | AddressOf | ThreadRegister {
  const start = tokens.peek();
  if (tokens.accept('-')) return { ...posOf(start), kind: 'int', value: -Number(tokens.expectNumber('an integer').text) };
  if (start.kind === 'number' && tokens.at(':', 1)) return parseSubject(tokens, scope) as ThreadRegister;
  if (start.kind === 'number') return { ...posOf(tokens.next()), kind: 'int', value: Number(start.text) };
  if (start.kind === 'ident' && scope.sharedVariables.has(start.text)) {
    return { ...posOf(tokens.next()), kind: 'address', location: start.text };
  }
  return tokens.fail(start, 'an integer, a shared location name or N:register');
}

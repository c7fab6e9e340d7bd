// The initial-state block `{ ... }` and the list of shared locations derived from it
// and from the thread parameters. Forms (memory-model-notes.md b.1/b.2): `{}`,
// `p=y;` (p holds the address of y), `int x;`, `int *p=y;`, `int *y = &x;`,
// `spinlock_t s;`, `atomic_t v = ATOMIC_INIT(1);`. Locations not given a value start at 0.

import type { AddressOf, CType, InitEntry, InitialValue, IntLiteral, RegisterInit, SharedVariable, Thread } from './ast.ts';
import { isTypeStart, parseType } from './c-types.ts';
import type { Token } from './lexer.ts';
import { posOf, type TokenStream } from './token-stream.ts';

export interface InitBlock {
  readonly locations: InitEntry[];
  readonly registers: RegisterInit[];
}

export function parseInitBlock(tokens: TokenStream): InitBlock {
  tokens.expect('{', "'{' opening the initial state");
  const locations: InitEntry[] = [];
  const registers: RegisterInit[] = [];
  while (!tokens.at('}')) {
    const start = tokens.peek();
    const type = isTypeStart(tokens) ? parseType(tokens) : null;
    if (tokens.peek().kind === 'number' && tokens.at(':', 1)) {
      const entry = parseRegisterInit(tokens, start, type);
      if (registers.some((r) => r.thread === entry.thread && r.register === entry.register)) {
        tokens.failAt(entry, 'each register once in the initial state', `'${entry.thread}:${entry.register}' again`);
      }
      registers.push(entry);
    } else {
      const entry = parseInitEntry(tokens, start, type);
      if (locations.some((e) => e.location === entry.location)) {
        tokens.failAt(entry, 'each location once in the initial state', `'${entry.location}' again`);
      }
      locations.push(entry);
    }
    if (!tokens.accept(';')) break;
  }
  tokens.expect('}', "';' or '}'");
  return { locations, registers };
}

/** `int * 1:r1` (a typed register, herd's way to declare a pointer register) or `1:r1=x`. */
function parseRegisterInit(tokens: TokenStream, start: Token, type: CType | null): RegisterInit {
  const thread = Number(tokens.next().text);
  tokens.expect(':');
  const register = tokens.expectIdent('a register name').text;
  const value = tokens.accept('=') ? parseInitValue(tokens) : null;
  if (type === null && value === null) tokens.fail(tokens.peek(), "'='");
  return { ...posOf(start), thread, register, type, value };
}

function parseInitEntry(tokens: TokenStream, start: Token, type: CType | null): InitEntry {
  const location = tokens.expectIdent('a location name or N:register').text;
  if (!tokens.accept('=')) {
    if (type === null) tokens.fail(tokens.peek(), "'='");
    return { ...posOf(start), location, type, value: null };
  }
  return { ...posOf(start), location, type, value: parseInitValue(tokens) };
}

function parseInitValue(tokens: TokenStream): IntLiteral | AddressOf {
  const start = tokens.peek();
  if (tokens.at('-') || start.kind === 'number') return parseInteger(tokens);
  if (tokens.accept('&')) return { ...posOf(start), kind: 'address', location: tokens.expectIdent('a location name').text };
  if (tokens.at('ATOMIC_INIT') && tokens.at('(', 1)) {
    tokens.next();
    tokens.next();
    const value = parseInteger(tokens);
    tokens.expect(')');
    return { ...value, ...posOf(start) };
  }
  if (start.kind === 'ident') return { ...posOf(tokens.next()), kind: 'address', location: start.text };
  return tokens.fail(start, 'an integer, a location name or &location');
}

function parseInteger(tokens: TokenStream): IntLiteral {
  const start = tokens.peek();
  const sign = tokens.accept('-') ? -1 : 1;
  return { ...posOf(start), kind: 'int', value: sign * Number(tokens.expectNumber('an integer').text) };
}

/**
 * Every shared location: init entries first, then locations whose address the init
 * block takes, then thread parameters (parameter `int **p` makes location p an `int *`).
 */
export function collectSharedVariables(init: readonly InitEntry[], threads: readonly Thread[]): SharedVariable[] {
  const variables = new Map<string, SharedVariable>();
  for (const entry of init) {
    const initial: InitialValue =
      entry.value === null ? { kind: 'int', value: 0 }
      : entry.value.kind === 'int' ? { kind: 'int', value: entry.value.value }
      : { kind: 'address', location: entry.value.location };
    variables.set(entry.location, { line: entry.line, col: entry.col, name: entry.location, type: entry.type, initial });
  }
  for (const entry of init) {
    if (entry.value?.kind === 'address' && !variables.has(entry.value.location)) {
      const { line, col, location } = entry.value;
      variables.set(location, { line, col, name: location, type: null, initial: { kind: 'int', value: 0 } });
    }
  }
  for (const param of threads.flatMap((t) => t.params)) {
    const known = variables.get(param.name);
    const type = pointee(param.type);
    if (!known) {
      variables.set(param.name, { line: param.line, col: param.col, name: param.name, type, initial: { kind: 'int', value: 0 } });
    } else if (known.type === null) {
      variables.set(param.name, { ...known, type });
    }
  }
  return [...variables.values()];
}

function pointee(type: CType): CType {
  return { base: type.base, pointers: type.pointers - 1 };
}

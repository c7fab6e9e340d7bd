// C type names in declarations, parameters and casts. The word list follows the
// base types of herd's C lexer (herdtools7 lib/CLexer.mll) plus the kernel's u8..s64;
// qualifiers are accepted and dropped.

import type { CType } from './ast.ts';
import type { TokenStream } from './token-stream.ts';

const QUALIFIERS = new Set(['volatile', 'const']);

const BASE_WORDS = new Set([
  'int', 'long', 'short', 'char', 'unsigned', 'signed', 'void', 'bool',
  'intptr_t', 'uintptr_t',
  'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t', 'int64_t', 'uint64_t',
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
  'spinlock_t', 'atomic_t',
]);

export function isTypeStart(tokens: TokenStream, ahead = 0): boolean {
  const token = tokens.peek(ahead);
  if (token.kind === 'ident' && token.text === 'struct') return tokens.peek(ahead + 1).kind === 'ident';
  return token.kind === 'ident' && (QUALIFIERS.has(token.text) || BASE_WORDS.has(token.text));
}

/** `volatile int *`, `intptr_t **`, `spinlock_t`, ... */
export function parseType(tokens: TokenStream): CType {
  const words: string[] = [];
  while (isTypeStart(tokens)) {
    const word = tokens.next().text;
    // `struct srcu_struct`: the tag is part of the type name.
    if (word === 'struct') words.push(`struct ${tokens.next().text}`);
    else if (!QUALIFIERS.has(word)) words.push(word);
  }
  if (words.length === 0) tokens.fail(tokens.peek(), 'a type such as int');
  let pointers = 0;
  while (tokens.accept('*')) {
    pointers++;
    while (QUALIFIERS.has(tokens.peek().text) && tokens.peek().kind === 'ident') tokens.next();
  }
  return { base: words.join(' '), pointers };
}

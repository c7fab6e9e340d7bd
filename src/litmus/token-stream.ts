// Cursor over the token list with the expect/accept helpers the parsers share.
// Every failure reads `expected X, found Y` at the offending token.

import type { SourcePos } from './ast.ts';
import { LitmusSyntaxError } from './errors.ts';
import type { Token } from './lexer.ts';

export class TokenStream {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    readonly file: string,
  ) {}

  /** The token `ahead` places on; the final `eof` token repeats forever. */
  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  /** Whether the next token is the punctuation or word `text`. */
  at(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind !== 'eof' && token.text === text;
  }

  accept(text: string): Token | null {
    return this.at(text) ? this.next() : null;
  }

  expect(text: string, expected = `'${text}'`): Token {
    if (!this.at(text)) this.fail(this.peek(), expected);
    return this.next();
  }

  expectIdent(expected: string): Token {
    if (this.peek().kind !== 'ident') this.fail(this.peek(), expected);
    return this.next();
  }

  expectNumber(expected: string): Token {
    if (this.peek().kind !== 'number') this.fail(this.peek(), expected);
    return this.next();
  }

  /** Throws `expected X, found <token>` at `token`. */
  fail(token: Token, expected: string): never {
    return this.failAt(token, expected, describe(token));
  }

  failAt(pos: SourcePos, expected: string, found: string): never {
    throw new LitmusSyntaxError(this.file, pos.line, pos.col, expected, found);
  }
}

export function describe(token: Token): string {
  return token.kind === 'eof' ? 'end of file' : `'${token.text}'`;
}

/** The position part of a token, for building AST nodes. */
export function posOf(token: Token): SourcePos {
  return { line: token.line, col: token.col };
}

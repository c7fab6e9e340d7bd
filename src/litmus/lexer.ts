// Character scanner and tokenizer for C litmus files.
//
// Comment rules follow herdtools7: `(* ... *)` comments nest (lib/lexUtils.mll,
// skip_comment) and may appear anywhere outside thread bodies; inside a thread body
// the C lexer (lib/CLexer.mll) knows only `/* */` and `//`, which is what lets
// `READ_ONCE(*x)` contain `(*`. `//` and `/* */` are accepted everywhere.

import type { SourcePos } from './ast.ts';
import { LitmusSyntaxError } from './errors.ts';

export interface Comment extends SourcePos {
  /** Text between `(*` and `*)`. */
  readonly text: string;
}

export interface Token extends SourcePos {
  readonly kind: 'ident' | 'number' | 'punct' | 'eof';
  readonly text: string;
}

export class Scanner {
  private offset = 0;
  private line = 1;
  private col = 1;

  constructor(
    private readonly text: string,
    readonly file: string,
  ) {}

  here(): SourcePos {
    return { line: this.line, col: this.col };
  }

  atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  /** The character `ahead` places on, or '' past the end. */
  peek(ahead = 0): string {
    return this.text.charAt(this.offset + ahead);
  }

  startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.offset);
  }

  advance(count = 1): void {
    for (let i = 0; i < count && !this.atEnd(); i++) {
      if (this.text[this.offset] === '\n') {
        this.line++;
        this.col = 1;
      } else {
        this.col++;
      }
      this.offset++;
    }
  }

  readWhile(accept: (c: string) => boolean): string {
    const start = this.offset;
    while (!this.atEnd() && accept(this.peek())) this.advance();
    return this.text.slice(start, this.offset);
  }

  /** Skips spaces, tabs and carriage returns, not newlines. */
  skipBlanks(): void {
    this.readWhile((c) => c === ' ' || c === '\t' || c === '\r');
  }

  /**
   * Skips whitespace and comments. `(*` opens a comment only when `herdComments` is set.
   * Returns the `(* ... *)` comments passed, for the header.
   */
  skipTrivia(herdComments: boolean): Comment[] {
    const comments: Comment[] = [];
    for (;;) {
      this.readWhile(isWhitespace);
      if (herdComments && this.startsWith('(*')) comments.push(this.herdComment());
      else if (this.startsWith('/*')) this.cComment();
      else if (this.startsWith('//')) this.readWhile((c) => c !== '\n');
      else return comments;
    }
  }

  fail(pos: SourcePos, expected: string, found: string): never {
    throw new LitmusSyntaxError(this.file, pos.line, pos.col, expected, found);
  }

  private herdComment(): Comment {
    const start = this.here();
    this.advance(2);
    const textStart = this.offset;
    let depth = 1;
    for (;;) {
      if (this.atEnd()) this.fail(start, "'*)' closing this comment", 'end of file');
      if (this.startsWith('(*')) {
        depth++;
        this.advance(2);
      } else if (this.startsWith('*)')) {
        if (--depth === 0) {
          const text = this.text.slice(textStart, this.offset);
          this.advance(2);
          return { ...start, text };
        }
        this.advance(2);
      } else {
        this.advance();
      }
    }
  }

  private cComment(): void {
    const start = this.here();
    this.advance(2);
    while (!this.startsWith('*/')) {
      if (this.atEnd()) this.fail(start, "'*/' closing this comment", 'end of file');
      this.advance();
    }
    this.advance(2);
  }
}

// Longest first, so `==` wins over `=` and `/\` is one token.
const PUNCTUATION = ['/\\', '\\/', '==', '!=', '&&', '||', '(', ')', '{', '}', '[', ']', ';', ',', ':', '=', '+', '-', '*', '&', '|', '^', '!', '~'];

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentChar = (c: string): boolean => isIdentStart(c) || isDigit(c);

/**
 * Tokenizes from the scanner's position to the end of the text, ending with an `eof` token.
 * A `{` right after `)` at the top level opens a thread body (`P0(...) {`); the body runs
 * to the matching `}` and uses the C comment rules.
 */
export function tokenize(scanner: Scanner): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let bodyDepth: number | null = null;
  for (;;) {
    scanner.skipTrivia(bodyDepth === null);
    const pos = scanner.here();
    if (scanner.atEnd()) {
      tokens.push({ kind: 'eof', text: '', ...pos });
      return tokens;
    }
    const c = scanner.peek();
    let token: Token;
    if (isIdentStart(c)) {
      token = { kind: 'ident', text: scanner.readWhile(isIdentChar), ...pos };
    } else if (isDigit(c)) {
      token = { kind: 'number', text: scanner.readWhile(isDigit), ...pos };
    } else {
      const punct = PUNCTUATION.find((p) => scanner.startsWith(p));
      if (!punct) scanner.fail(pos, 'a C litmus token', `'${c}'`);
      scanner.advance(punct.length);
      token = { kind: 'punct', text: punct, ...pos };
      if (punct === '{') {
        const previous = tokens.at(-1);
        if (bodyDepth === null && previous?.kind === 'punct' && previous.text === ')') bodyDepth = depth;
        depth++;
      } else if (punct === '}') {
        depth--;
        if (depth === bodyDepth) bodyDepth = null;
      }
    }
    tokens.push(token);
  }
}

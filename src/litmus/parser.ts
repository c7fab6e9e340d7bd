// parseLitmus: C litmus text -> LitmusTest. Hand-written recursive descent over
//   header  init-block  thread+  (locations | filter)*  final-condition  EOF
// in the dialect herd7 accepts for the kernel's tools/memory-model tests
// (grammar: memory-model-notes.md section (b)).

import type { ConditionSubject, LitmusTest, Prop, RegisterInit, Thread } from './ast.ts';
import { parseFinalCondition, parseLocationsList, parseProp, type NameScope } from './condition-parser.ts';
import { parseHeader } from './header.ts';
import { collectSharedVariables, parseInitBlock } from './init-block.ts';
import { Scanner, tokenize } from './lexer.ts';
import { parseThread } from './thread-parser.ts';
import { TokenStream } from './token-stream.ts';

export { LitmusError, LitmusSyntaxError, LitmusUnsupportedError } from './errors.ts';

/**
 * Parses one C litmus test. Throws LitmusSyntaxError (`file:line:col: expected X, found Y`)
 * or LitmusUnsupportedError (`file:line:col: unsupported primitive 'foo'`).
 */
export function parseLitmus(text: string, file: string): LitmusTest {
  const scanner = new Scanner(text, file);
  const header = parseHeader(scanner);
  const tokens = new TokenStream(tokenize(scanner), file);
  const { locations: init, registers: registerInit } = parseInitBlock(tokens);
  const threads = parseThreads(tokens, registerInit);
  for (const r of registerInit) {
    if (r.thread >= threads.length) tokens.failAt(r, `a thread number from 0 to ${threads.length - 1}`, `'${r.thread}:${r.register}'`);
  }
  const sharedVariables = collectSharedVariables(init, threads);
  const scope: NameScope = { threads, sharedVariables: new Set(sharedVariables.map((v) => v.name)) };

  let locations: ConditionSubject[] | null = null;
  let filter: Prop | null = null;
  for (;;) {
    if (locations === null && tokens.accept('locations')) locations = parseLocationsList(tokens, scope);
    else if (filter === null && tokens.accept('filter')) filter = parseProp(tokens, scope);
    else break;
  }
  const condition = parseFinalCondition(tokens, scope);
  if (tokens.peek().kind !== 'eof') tokens.fail(tokens.peek(), 'end of file after the final condition');

  const { line, col, name, headerComment, result, resultText, docString, info } = header;
  return {
    line,
    col,
    file,
    name,
    headerComment,
    result,
    resultText,
    docString,
    info,
    init,
    registerInit,
    sharedVariables,
    threads,
    locations,
    filter,
    condition,
  };
}

/** P0, P1, ... in order; at least one. Registers the init block declares belong to their thread. */
function parseThreads(tokens: TokenStream, registerInit: readonly RegisterInit[]): Thread[] {
  const preset = (id: number) => registerInit.filter((r) => r.thread === id);
  const threads: Thread[] = [parseThread(tokens, 0, preset(0))];
  while (/^P\d+$/.test(tokens.peek().text) && tokens.peek().kind === 'ident') {
    threads.push(parseThread(tokens, threads.length, preset(threads.length)));
  }
  return threads;
}

// Everything before the init block: `C name`, the header comment with its `Result:`
// line, and the luc-style extras (a quoted line, then `Key=value` lines such as
// `Cycle=...`, `Relax=...`) that generated tests carry (memory-model-notes.md b.2).

import type { HeaderInfo, Observation, SourcePos } from './ast.ts';
import type { Scanner } from './lexer.ts';

export interface Header extends SourcePos {
  readonly name: string;
  readonly headerComment: string | null;
  readonly result: Observation | null;
  readonly resultText: string | null;
  readonly docString: string | null;
  readonly info: readonly HeaderInfo[];
}

const OBSERVATIONS: readonly string[] = ['Never', 'Sometimes', 'Always'] satisfies Observation[];

const notSpace = (c: string): boolean => !/\s/.test(c);

/** Reads up to (not including) the `{` that opens the init block. */
export function parseHeader(scanner: Scanner): Header {
  const comments = scanner.skipTrivia(true);
  const start = scanner.here();
  const language = scanner.readWhile(notSpace);
  if (language !== 'C') {
    scanner.fail(start, "'C' (only C litmus tests are supported)", language ? `'${language}'` : 'end of file');
  }
  scanner.skipBlanks();
  const namePos = scanner.here();
  const name = scanner.readWhile(notSpace);
  if (!name) scanner.fail(namePos, 'a test name after C', scanner.atEnd() ? 'end of file' : 'end of line');

  let docString: string | null = null;
  const info: HeaderInfo[] = [];
  for (;;) {
    comments.push(...scanner.skipTrivia(true));
    const pos = scanner.here();
    if (scanner.peek() === '{') break;
    if (scanner.atEnd()) scanner.fail(pos, "'{' opening the initial state", 'end of file');
    if (scanner.peek() === '"') {
      docString = readQuotedLine(scanner);
      continue;
    }
    const line = scanner.readWhile((c) => c !== '\n').trim();
    const keyValue = /^(\w+)\s*=(.*)$/.exec(line);
    if (!keyValue) scanner.fail(pos, "'{' opening the initial state", `'${/^\w+|^\S/.exec(line)![0]}'`);
    info.push({ ...pos, key: keyValue[1]!, value: keyValue[2]!.trim() });
  }

  const resultText = comments.map((c) => /Result:[ \t]*([^\n]*)/.exec(c.text)?.[1]?.trim()).find((t) => t !== undefined) ?? null;
  const resultWord = resultText?.split(/\s+/)[0] ?? '';
  return {
    ...start,
    name,
    headerComment: comments[0]?.text ?? null,
    result: OBSERVATIONS.includes(resultWord) ? (resultWord as Observation) : null,
    resultText,
    docString,
    info,
  };
}

function readQuotedLine(scanner: Scanner): string {
  const open = scanner.here();
  scanner.advance();
  const text = scanner.readWhile((c) => c !== '"' && c !== '\n');
  if (scanner.peek() !== '"') scanner.fail(open, "'\"' closing this string", scanner.atEnd() ? 'end of file' : 'end of line');
  scanner.advance();
  return text;
}

// Number and line formatting shared by the text report and chart labels.

/** The mail-body width (kernel convention). */
export const TEXT_WIDTH = 72;

/** ns with precision that suits its size: 0.91, 3.12, 41.7, 212, 14200. */
export function formatNs(ns: number): string {
  if (ns < 10) return ns.toFixed(2);
  if (ns < 100) return ns.toFixed(1);
  return Math.round(ns).toString();
}

/** A rate as 950, 12.5k, 1.25M. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${trimZeros((perSecond / 1e6).toFixed(2))}M`;
  if (perSecond >= 1e3) return `${trimZeros((perSecond / 1e3).toFixed(1))}k`;
  return Math.round(perSecond).toString();
}

/** A ratio to the floor: 0.98x, 3.4x, 27x. */
export function formatMultiple(ratio: number): string {
  if (ratio < 1) return `${ratio.toFixed(2)}x`;
  if (ratio < 10) return `${ratio.toFixed(1)}x`;
  return `${Math.round(ratio)}x`;
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Word-wraps `text` to `width`, continuation lines indented by `indent` spaces. */
export function wrap(text: string, width: number, indent = 0, firstPrefix = ''): string[] {
  return wrapWords(text.split(/\s+/).filter(Boolean), width, indent, firstPrefix);
}

/** A section title of the mail text, underlined. */
export function heading(title: string): string[] {
  return ['', title, '-'.repeat(title.length)];
}

/** A paragraph of the mail text. */
export function paragraph(text: string): string[] {
  return wrap(text, TEXT_WIDTH);
}

/** An indented list entry whose continuation lines hang two columns further in. */
export function listItem(text: string): string[] {
  return wrap(text, TEXT_WIDTH, 4, '  ');
}

/** Fills lines with the given words (each kept whole unless longer than a line). */
export function wrapWords(words: string[], width: number, indent = 0, firstPrefix = ''): string[] {
  const lines: string[] = [];
  let line = firstPrefix;
  let lineHasWord = false;
  for (const word of words) {
    const candidate = lineHasWord ? `${line} ${word}` : line + word;
    if (candidate.length <= width || !lineHasWord) {
      line = candidate;
      lineHasWord = true;
    } else {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    }
  }
  if (lineHasWord || line) lines.push(line);
  return lines.flatMap((l) => hardBreak(l, width, indent));
}

/** Splits a line that is still too long (one long word) at the width. */
function hardBreak(line: string, width: number, indent: number): string[] {
  const out: string[] = [];
  while (line.length > width) {
    out.push(line.slice(0, width));
    line = ' '.repeat(indent) + line.slice(width);
  }
  out.push(line);
  return out;
}

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._\/:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Lays a shell command out in lines of at most `width` columns that paste back into a shell
 * as the same command: breaks between words with " \" and a 4-space indent, and splits a
 * word longer than a line with backslash-newline, which the shell removes even mid-word.
 * Inside single quotes that would be literal, so the quote is closed before the break and
 * reopened after it ('ab'\<newline>'cd' is the word abcd).
 */
export function wrapShellCommand(command: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of shellWords(command)) {
    const prefix = line ? `${line} ` : '';
    if ((prefix + word).length <= width - 2) {
      line = prefix + word;
      continue;
    }
    if (line) lines.push(`${line} \\`);
    line = '    ';
    let rest = word;
    while ((line + rest).length > width - 2) {
      const [head, tail] = cutWord(rest, Math.max(2, width - 2 - line.length));
      lines.push(`${line}${head}\\`);
      line = '';
      rest = tail;
    }
    line += rest;
  }
  if (line) lines.push(line);
  return lines;
}

type QuoteState = 'none' | 'single' | 'double';

/**
 * Scans a shell string: `state[i]` is the quote state between characters i-1 and i, and
 * `escaped[i]` says character i is escaped by the backslash before it (a cut there would
 * separate the two).
 */
function scanShell(text: string): { state: QuoteState[]; escaped: boolean[] } {
  const state: QuoteState[] = [];
  const escaped: boolean[] = [];
  let current: QuoteState = 'none';
  for (let i = 0; i < text.length; i++) {
    state.push(current);
    escaped.push(false);
    const ch = text[i];
    if (current === 'single') {
      if (ch === "'") current = 'none';
    } else if (ch === '\\' && i + 1 < text.length) {
      state.push(current);
      escaped.push(true);
      i++;
    } else if (ch === "'" && current === 'none') current = 'single';
    else if (ch === '"') current = current === 'double' ? 'none' : 'double';
  }
  state.push(current);
  escaped.push(false);
  return { state, escaped };
}

/** Splits a command into shell words at unquoted, unescaped spaces. */
function shellWords(command: string): string[] {
  const { state, escaped } = scanShell(command);
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < command.length; i++) {
    if (command[i] === ' ' && state[i] === 'none' && !escaped[i]) {
      if (word) words.push(word);
      word = '';
    } else word += command[i];
  }
  if (word) words.push(word);
  return words;
}

/**
 * Cuts a shell word so the first part has at most `room` characters and ends where a
 * backslash-newline may follow: not inside an escape, and outside single quotes (there
 * the quote is closed before the cut and reopened after it).
 */
function cutWord(word: string, room: number): [string, string] {
  const { state, escaped } = scanShell(word);
  for (let cut = Math.min(room, word.length - 1); cut > 1; cut--) {
    if (escaped[cut]) continue;
    if (state[cut] !== 'single') return [word.slice(0, cut), word.slice(cut)];
    if (cut <= room - 1) return [`${word.slice(0, cut)}'`, `'${word.slice(cut)}`];
  }
  return [word.slice(0, room), word.slice(room)];
}

/** Pads or left-aligns cells into fixed-width columns; the last cell is not padded. */
export function columns(cells: string[], widths: number[], alignRight: boolean[] = []): string {
  return cells
    .map((cell, i) => {
      const w = widths[i] ?? cell.length;
      const padded = alignRight[i] ? cell.padStart(w) : cell.padEnd(w);
      return i === cells.length - 1 && !alignRight[i] ? cell : padded;
    })
    .join('')
    .replace(/\s+$/, '');
}

/** A duration from ns, in the unit that suits it: 850ns, 8.64us, 99.3us, 4.39ms, 160ms. */
export function formatDuration(ns: number): string {
  const scaled = (value: number, unit: string) => `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)}${unit}`;
  if (ns < 1e3) return `${formatNs(ns)}ns`;
  if (ns < 1e6) return scaled(ns / 1e3, 'us');
  if (ns < 1e9) return scaled(ns / 1e6, 'ms');
  return scaled(ns / 1e9, 's');
}

/** formatDuration for charts, which may use the micro sign: 99.3µs. */
export function chartDuration(ns: number): string {
  return formatDuration(ns).replace(/us$/, 'µs');
}

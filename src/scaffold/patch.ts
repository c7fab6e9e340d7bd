// A unified diff as posted to dri-devel, read for `fence-lab new-variant --patch`: its hunks
// against drivers/dma-buf/dma-fence.c and include/linux/dma-fence.h, each change block tagged
// with the C function it falls in (the function whose definition line last precedes it in the
// hunk, else the one git names after the @@). Anything malformed is an error naming the line
// and what was expected there.

export const PATCHED_FILES = ['drivers/dma-buf/dma-fence.c', 'include/linux/dma-fence.h'] as const;

export class PatchError extends Error {}

/** One run of removed and added lines, with the context around it. */
export interface ChangeBlock {
  file: string;
  /** The C function it falls in; null when the hunk names none (file scope). */
  fn: string | null;
  removed: string[];
  added: string[];
  /** The context lines just before and after it (nearest first for `before`). */
  before: string[];
  after: string[];
  /** Line of the patch where the block starts (1-based). */
  line: number;
}

export interface ParsedPatch {
  blocks: ChangeBlock[];
  /** Files the patch changes that are not dma-fence.c or dma-fence.h. */
  otherFiles: string[];
}

/**
 * The function a C line defines, if it is a definition's first line: starts at column 0, has
 * an identifier then "(", and is not a declaration or macro call ending in ";".
 */
export function definedFunction(line: string): string | null {
  if (/^\s/.test(line) || line.startsWith('#') || line.trimEnd().endsWith(';')) return null;
  const m = /^(?:[A-Za-z_][\w\s*]*?[\s*])?([A-Za-z_]\w*)\s*\(/.exec(line);
  if (!m) return null;
  const name = m[1]!;
  // macros such as EXPORT_SYMBOL(...) and keywords are not definitions
  if (/^[A-Z0-9_]+$/.test(name) || ['if', 'for', 'while', 'switch', 'return', 'sizeof'].includes(name)) return null;
  return name;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

function stripPrefix(name: string): string {
  return name.replace(/^[ab]\//, '').replace(/\t.*$/, '').trim();
}

export function parsePatch(text: string, file = 'the patch'): ParsedPatch {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const blocks: ChangeBlock[] = [];
  const otherFiles: string[] = [];
  let current: string | null = null;
  let sawFile = false;
  let i = 0;
  const fail = (at: number, expected: string): never => {
    const shown = lines[at] === undefined ? 'the end of the file' : `'${lines[at]!.slice(0, 60)}'`;
    throw new PatchError(`${file}:${at + 1}: expected ${expected}, found ${shown}`);
  };
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith('--- ')) {
      if (!lines[i + 1]?.startsWith('+++ ')) fail(i + 1, "the '+++ b/FILE' line after '--- a/FILE'");
      const name = stripPrefix(lines[i + 1]!.slice(4));
      sawFile = true;
      current = (PATCHED_FILES as readonly string[]).includes(name) ? name : null;
      if (!current && !otherFiles.includes(name)) otherFiles.push(name);
      i += 2;
      continue;
    }
    const hunk = HUNK.exec(line);
    if (line.startsWith('@@')) {
      if (!hunk) fail(i, "a hunk header '@@ -LINE,COUNT +LINE,COUNT @@'");
      if (!sawFile) fail(i, "a '--- a/FILE' / '+++ b/FILE' pair before the first hunk");
      i = readHunk(lines, i, hunk!, current, blocks, fail);
      continue;
    }
    i++; // mail headers, commit message, diffstat, 'diff --git', 'index' lines
  }
  if (!sawFile) fail(0, "a unified diff ('--- a/drivers/dma-buf/dma-fence.c', '+++ b/…', '@@ … @@' hunks)");
  return { blocks, otherFiles };
}

/** Reads one hunk from its header at `at`; returns the index of the line after it. */
function readHunk(
  lines: string[],
  at: number,
  header: RegExpExecArray,
  file: string | null,
  blocks: ChangeBlock[],
  fail: (at: number, expected: string) => never,
): number {
  let oldLeft = header[2] === undefined ? 1 : Number(header[2]);
  let newLeft = header[4] === undefined ? 1 : Number(header[4]);
  let fn = definedFunction(header[5] ?? '');
  const context: string[] = [];
  let block: ChangeBlock | null = null;
  let i = at + 1;
  const close = () => {
    if (block && file) blocks.push(block);
    block = null;
  };
  while (oldLeft > 0 || newLeft > 0) {
    const line = lines[i];
    if (line === undefined) fail(i, `${oldLeft} more old and ${newLeft} more new line(s) of the hunk at line ${at + 1}`);
    const kind = line![0];
    const body = line!.slice(1);
    if (kind === '\\') {
      i++; // "\ No newline at end of file"
      continue;
    }
    if (kind === ' ' || line === '') {
      if (oldLeft === 0 || newLeft === 0) fail(i, `a '+' or '-' line (the hunk at line ${at + 1} counts no more context)`);
      oldLeft--;
      newLeft--;
      if (block) block.after.push(body);
      if (block && block.after.length >= 3) close();
      fn = definedFunction(body) ?? fn;
      context.unshift(body);
    } else if (kind === '-' || kind === '+') {
      if (kind === '-' && oldLeft-- === 0) fail(i, `no more '-' lines: the hunk at line ${at + 1} counts fewer old lines`);
      if (kind === '+' && newLeft-- === 0) fail(i, `no more '+' lines: the hunk at line ${at + 1} counts fewer new lines`);
      if (block && block.after.length > 0) close();
      block ??= { file: file ?? '', fn, removed: [], added: [], before: context.slice(0, 3), after: [], line: i + 1 };
      (kind === '-' ? block.removed : block.added).push(body);
      if (kind === '+') fn = definedFunction(body) ?? fn;
    } else {
      fail(i, `a hunk line starting with ' ', '-', '+' or '\\' (the hunk at line ${at + 1} has ${oldLeft} old and ${newLeft} new line(s) to go)`);
    }
    i++;
  }
  close();
  return i;
}

// Errors of the litmus front end. Messages start with `file:line:col:` like a
// compiler's, so editors and CI logs can jump to the spot.

export abstract class LitmusError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
  }
}

/** The text is not a well-formed (supported) C litmus test. */
export class LitmusSyntaxError extends LitmusError {
  override readonly name = 'LitmusSyntaxError';

  constructor(
    file: string,
    line: number,
    col: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(file, line, col, `expected ${expected}, found ${found}`);
  }
}

/** A call of a function that is not in the primitive table, or one marked unsupported there. */
export class LitmusUnsupportedError extends LitmusError {
  override readonly name = 'LitmusUnsupportedError';

  constructor(
    file: string,
    line: number,
    col: number,
    readonly primitive: string,
    reason?: string,
  ) {
    super(file, line, col, `unsupported primitive '${primitive}'${reason ? ` (${reason})` : ''}`);
  }
}

// The choice path: every nondeterministic decision of an execution, in order, typed. The same
// path drives search (dfs extends it), replay (the replay scheduler follows it) and shrinking.
// Printed form, versioned: "1:t1.t0*3.r2.m0"
//   tN  run thread N next          mN  let the memory model take internal action N
//   rN  a load reads the N-th write the memory model offers
//   wN  a store lands at the N-th place in coherence order the memory model offers (weak)
//   *K  the entry repeats K times
// Choices with a single alternative are not recorded, in search and replay alike.

export type ChoiceKind = 't' | 'r' | 'w';

export interface Choice {
  kind: ChoiceKind;
  value: number;
}

/** Thread-choice values at or above this are memory-model actions, not threads. */
export const ACTION_BASE = 1000;

const FORMAT = '1';

function entryText(c: Choice): string {
  if (c.kind === 't' && c.value >= ACTION_BASE) return `m${c.value - ACTION_BASE}`;
  return `${c.kind}${c.value}`;
}

/**
 * A replay: one path, or several separated by "|" when a report rests on state an earlier
 * execution built (lockdep's lock-order graph spans the executions of a check).
 */
export function encodeReplay(paths: readonly (readonly Choice[])[]): string {
  return `${FORMAT}:${paths.map(pathBody).join('|')}`;
}

export function encodePath(path: readonly Choice[]): string {
  return `${FORMAT}:${pathBody(path)}`;
}

function pathBody(path: readonly Choice[]): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; ) {
    const text = entryText(path[i]!);
    let run = 1;
    while (i + run < path.length && entryText(path[i + run]!) === text) run++;
    parts.push(run > 1 ? `${text}*${run}` : text);
    i += run;
  }
  return parts.join('.');
}

export class PathSyntaxError extends Error {}

export function decodePath(text: string): Choice[] {
  const paths = decodeReplay(text);
  if (paths.length !== 1) throw new PathSyntaxError(`expected one path, found ${paths.length}`);
  return paths[0]!;
}

/** The executions of a replay string, in order. */
export function decodeReplay(text: string): Choice[][] {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0 || trimmed.slice(0, colon) !== FORMAT) {
    throw new PathSyntaxError(`replay string must start with "${FORMAT}:" (got "${trimmed.slice(0, 12)}"); copy it whole from the report`);
  }
  return trimmed.slice(colon + 1).split('|').map(decodeBody);
}

function decodeBody(body: string): Choice[] {
  const path: Choice[] = [];
  if (body === '') return path;
  for (const [i, part] of body.split('.').entries()) {
    const m = /^([trwm])(\d+)(?:\*(\d+))?$/.exec(part);
    if (!m) throw new PathSyntaxError(`replay string entry ${i + 1} "${part}" is not of the form t<N>, r<N>, w<N> or m<N>, optionally *<count>`);
    const letter = m[1]!;
    const n = Number(m[2]);
    const choice: Choice = letter === 'm' ? { kind: 't', value: ACTION_BASE + n } : { kind: letter as ChoiceKind, value: n };
    const repeat = m[3] ? Number(m[3]) : 1;
    for (let k = 0; k < repeat; k++) path.push(choice);
  }
  return path;
}

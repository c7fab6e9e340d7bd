// The kernel-code transform: plain synchronous kernel code in, generator code out, so every
// primitive becomes a point where the scheduler may switch CPUs (DESIGN.md "Kernel code").
//
//   function f(cpu, …) {…}          ->  function* f(cpu, …) {…}
//   method(cpu, …) {…}              ->  *method(cpu, …) {…}
//   (cpu, …) => expr                ->  (function* (cpu, …) { return (expr); })
//   g(cpu, …) / cpu.m(…) / this.h(cpu, …) / super.h(cpu, …)  ->  (yield* …)
//
// Edits only insert or delete text on one line, so every line of the output is the line of the
// source: traces and error messages name the author's file:line. The rules DESIGN.md sets for
// kernel code are enforced here, each with a file:line error saying what to do instead.

import { parse } from '@babel/parser';
import MagicString from 'magic-string';

export class KernelRuleError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly rule: string,
  ) {
    super(`${file}:${line}:${column + 1}: ${rule}`);
  }
}

// Babel's AST, typed loosely: the walker only needs node types and positions.
export interface Node {
  type: string;
  start: number;
  end: number;
  loc: { start: { line: number; column: number } };
  [key: string]: unknown;
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassMethod', 'ObjectMethod', 'ClassPrivateMethod']);
const LOOP_TYPES = new Set(['WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForOfStatement', 'ForInStatement']);
const HIDDEN_STATE = new Map([
  ['Math.random', 'Math.random() is hidden nondeterminism: kernel code must be deterministic; take a value from the scenario instead'],
  ['Date.now', 'Date.now() is hidden state: use ktime_get(cpu)'],
  ['performance.now', 'performance.now() is hidden state: use ktime_get(cpu)'],
]);

export function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && typeof (x as Node).type === 'string';
}

/** A node's child nodes, in source order (comments and positions left out). */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments' || key === 'extra') continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (isNode(c)) out.push(c);
    } else if (isNode(v)) {
      out.push(v);
    }
  }
  return out;
}

function firstParamIsCpu(fn: Node): boolean {
  const params = fn.params as Node[] | undefined;
  const first = params?.[0];
  if (!first) return false;
  const id = first.type === 'AssignmentPattern' ? (first.left as Node) : first;
  return id.type === 'Identifier' && id.name === 'cpu';
}

function isCpuIdent(n: unknown): boolean {
  return isNode(n) && n.type === 'Identifier' && n.name === 'cpu';
}

function memberText(n: Node): string | null {
  if (n.type !== 'MemberExpression' || n.computed) return null;
  const obj = n.object as Node;
  const prop = n.property as Node;
  if (obj.type !== 'Identifier' || prop.type !== 'Identifier') return null;
  return `${obj.name}.${prop.name}`;
}

/** A call the transform delegates to with yield*: cpu passed first, or a method of cpu. */
function isKernelCall(call: Node): boolean {
  const args = call.arguments as Node[];
  if (isCpuIdent(args[0])) return true;
  const callee = call.callee as Node;
  return callee.type === 'MemberExpression' && isCpuIdent(callee.object);
}

export interface TransformResult {
  code: string;
  /** Number of functions turned into generators (0: the file holds no kernel code). */
  kernelFunctions: number;
}

export function transformKernelSource(source: string, file: string): TransformResult {
  let ast: Node;
  try {
    ast = parse(source, { sourceType: 'module', plugins: ['typescript'], errorRecovery: false }) as unknown as Node;
  } catch (err) {
    const e = err as Error & { loc?: { line: number; column: number } };
    throw new KernelRuleError(file, e.loc?.line ?? 1, e.loc?.column ?? 0, `does not parse: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`);
  }
  const out = new MagicString(source);
  let kernelFunctions = 0;

  const fail = (node: Node, rule: string): never => {
    throw new KernelRuleError(file, node.loc.start.line, node.loc.start.column, rule);
  };

  const visit = (node: Node, fn: Node | null, topLevel: boolean): void => {
    switch (node.type) {
      case 'VariableDeclaration':
        if (topLevel && node.kind !== 'const') {
          fail(node, `module-level '${String(node.kind)}' is hidden mutable state: kernel code keeps its state in the heap (kmalloc, module data); use const for constants`);
        }
        break;
      case 'AwaitExpression':
        fail(node, 'await in kernel code: kernel code is synchronous; use schedule_timeout(cpu, …) / wait primitives');
        break;
      case 'YieldExpression':
        fail(node, 'yield in kernel code: the lab inserts the scheduling points itself; write plain synchronous code');
        break;
      case 'NewExpression':
        if (isNode(node.callee) && node.callee.type === 'Identifier' && node.callee.name === 'Date') fail(node, 'new Date() is hidden state: use ktime_get(cpu)');
        if ((node.arguments as Node[]).some(isCpuIdent)) fail(node, 'a constructor cannot run kernel code (it cannot be a generator): pass cpu to a method instead');
        break;
      case 'MemberExpression': {
        const text = memberText(node);
        if (text && HIDDEN_STATE.has(text)) fail(node, HIDDEN_STATE.get(text)!);
        break;
      }
      case 'Identifier':
        break;
    }

    if (FUNCTION_TYPES.has(node.type)) {
      visitFunction(node);
      return;
    }
    if (fn && LOOP_TYPES.has(node.type)) guardLoop(node);
    if (node.type === 'CallExpression' || node.type === 'OptionalCallExpression') {
      visitCall(node, fn);
      return;
    }
    for (const c of children(node)) {
      if (isCpuIdent(c) && !allowedCpuUse(node, c)) {
        fail(c, '`cpu` used as a value: pass it only as the first argument of a kernel call or call its methods, so every kernel call is visible to the lab');
      }
      visit(c, fn, topLevel && (node.type === 'Program' || node.type === 'ExportNamedDeclaration'));
    }
  };

  const visitFunction = (node: Node): void => {
    const kernel = firstParamIsCpu(node);
    if (node.async) fail(node, 'async function in kernel code: kernel code is synchronous');
    if (node.generator) fail(node, 'generator function in kernel code: the lab makes kernel functions generators itself; write a plain function');
    if (kernel) {
      kernelFunctions++;
      const kind = node.kind as string | undefined;
      if (node.type === 'ClassMethod' && (kind === 'constructor' || kind === 'get' || kind === 'set')) {
        fail(node, `a ${kind === 'constructor' ? 'constructor' : `${kind}ter`} cannot take cpu (it cannot be a generator): make it a method`);
      }
      makeGenerator(node);
    }
    const body = node.body as Node;
    for (const p of (node.params as Node[]) ?? []) visit(p, node, false);
    visit(body, kernel ? node : null, false);
  };

  const makeGenerator = (node: Node): void => {
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression': {
        const at = source.indexOf('function', node.start);
        out.appendLeft(at + 'function'.length, '*');
        break;
      }
      case 'ClassMethod':
      case 'ObjectMethod':
      case 'ClassPrivateMethod': {
        const key = node.key as Node;
        if (node.computed) fail(node, 'computed method names cannot be kernel functions: give the method a plain name');
        out.appendLeft(key.start, '*');
        break;
      }
      case 'ArrowFunctionExpression': {
        if (usesThis(node.body as Node)) fail(node, 'an arrow function taking cpu must not use `this` (it becomes a function*): make it a method');
        const params = node.params as Node[];
        const body = node.body as Node;
        const extra = body.extra as { parenthesized?: boolean; parenStart?: number } | undefined;
        const bodyStart = extra?.parenthesized ? extra.parenStart! : body.start;
        const bodyEnd = extra?.parenthesized ? source.indexOf(')', body.end) + 1 : body.end;
        const arrowAt = source.lastIndexOf('=>', bodyStart);
        const parenthesised = source[node.start] === '(';
        out.appendLeft(node.start, parenthesised ? '(function* ' : '(function* (');
        if (!parenthesised) out.appendLeft(params[0]!.end, ')');
        out.remove(arrowAt, arrowAt + 2);
        if (body.type === 'BlockStatement') {
          out.prependLeft(body.end, ')');
        } else {
          out.appendLeft(bodyStart, '{ return (');
          out.prependLeft(bodyEnd, '); })');
        }
        break;
      }
    }
  };

  // A loop in kernel code counts its iterations, so one that spins without touching shared
  // memory ends in a step-bound violation instead of hanging the lab.
  const guardLoop = (loop: Node): void => {
    const body = loop.body as Node;
    out.appendLeft(body.start, '{ cpu.loopTick(); ');
    out.prependLeft(body.end, ' }');
  };

  const visitCall = (node: Node, fn: Node | null): void => {
    const kernelCall = isKernelCall(node);
    if (kernelCall) {
      if (!fn) {
        fail(node, 'kernel call inside a function that does not take cpu first: make cpu its first parameter (use for…of loops, not forEach/map callbacks)');
      }
      out.appendLeft(node.start, '(yield* ');
      out.prependLeft(node.end, ')');
    }
    const callee = node.callee as Node;
    const text = memberText(callee);
    if (text && HIDDEN_STATE.has(text)) fail(callee, HIDDEN_STATE.get(text)!);
    if (callee.type !== 'MemberExpression' || !isCpuIdent(callee.object)) visit(callee, fn, false);
    else if (callee.computed) visit(callee.property as Node, fn, false);
    for (const a of node.arguments as Node[]) {
      if (!isCpuIdent(a)) visit(a, fn, false);
    }
    const args = node.arguments as Node[];
    for (let i = 1; i < args.length; i++) {
      if (isCpuIdent(args[i])) fail(args[i]!, '`cpu` passed in a position other than first: kernel functions take cpu as their first parameter');
    }
  };

  visit(ast.program as Node, null, true);
  return { code: out.toString(), kernelFunctions };
}

/** `cpu` may appear as a parameter name, a member object (cpu.x), or a type annotation. */
function allowedCpuUse(parent: Node, child: Node): boolean {
  if (FUNCTION_TYPES.has(parent.type)) return true;
  if (parent.type === 'MemberExpression' && parent.object === child) return true;
  if (parent.type === 'AssignmentPattern' && parent.left === child) return true;
  if (parent.type.startsWith('TS')) return true;
  if ((parent.type === 'ObjectProperty' || parent.type === 'ClassProperty') && parent.key === child && !parent.computed) return true;
  return false;
}

function usesThis(node: Node): boolean {
  if (node.type === 'ThisExpression' || node.type === 'Super') return true;
  if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ClassMethod' || node.type === 'ObjectMethod') return false;
  return children(node).some(usesThis);
}

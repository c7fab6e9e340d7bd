// The kernel-code transform: the rewrite, and each rule with the file:line:col of a
// rejected construct.

import { describe, expect, it } from 'vitest';
import { KernelRuleError, transformKernelSource } from '../src/sim/transform.ts';

const t = (src: string) => transformKernelSource(src, 'k.ts').code;

describe('the rewrite', () => {
  it('makes functions taking cpu first generators and delegates kernel calls with yield*', () => {
    expect(t('function f(cpu: Cpu, a: number) { return g(cpu, a) + cpu.load(a); }')).toBe(
      'function* f(cpu: Cpu, a: number) { return (yield* g(cpu, a)) + (yield* cpu.load(a)); }',
    );
  });

  it('handles methods, super and this calls', () => {
    expect(t('class A extends B { m(cpu: Cpu) { super.m(cpu); this.n(cpu, 1); } }')).toBe(
      'class A extends B { *m(cpu: Cpu) { (yield* super.m(cpu)); (yield* this.n(cpu, 1)); } }',
    );
  });

  it('turns arrows taking cpu into function* expressions, object literals included', () => {
    expect(t('const o = { a: (cpu: Cpu) => ({ x: g(cpu) }), b: cpu => g(cpu) };')).toBe(
      'const o = { a: (function* (cpu: Cpu)  { return (({ x: (yield* g(cpu)) })); }), b: (function* (cpu)  { return ((yield* g(cpu))); }) };',
    );
  });

  it('nests delegations in evaluation order', () => {
    expect(t('function f(cpu) { return h(cpu, g(cpu, 1)); }')).toBe('function* f(cpu) { return (yield* h(cpu, (yield* g(cpu, 1)))); }');
  });

  it('keeps every line on its line', () => {
    const src = 'function f(cpu) {\n  const x = g(cpu);\n  return (cpu2: number) =>\n    x + cpu2;\n}\n';
    expect(t(src).split('\n').length).toBe(src.split('\n').length);
  });

  it('guards loops in kernel functions', () => {
    expect(t('function f(cpu) { while (g(cpu)) h(cpu); }')).toBe('function* f(cpu) { while ((yield* g(cpu))) { cpu.loopTick(); (yield* h(cpu)); } }');
  });

  it('leaves non-kernel code alone', () => {
    const src = 'export const x = 1;\nfunction pure(a: number) { return a + 1; }\n';
    expect(transformKernelSource(src, 'k.ts')).toEqual({ code: src, kernelFunctions: 0 });
  });
});

describe('the rules', () => {
  const cases: [string, string, string][] = [
    ['module-level let', 'const a = 1;\nlet counter = 0;', 'k.ts:2:1: module-level \'let\''],
    ['module-level var', 'var x = 0;', 'k.ts:1:1: module-level \'var\''],
    ['forEach callback', 'function f(cpu) {\n  [1].forEach((x) => g(cpu, x));\n}', 'k.ts:2:22: kernel call inside a function that does not take cpu first'],
    ['cpu as a value', 'function f(cpu) {\n  const c = cpu;\n}', 'k.ts:2:13: `cpu` used as a value'],
    ['cpu not first', 'function f(cpu) { g(1, cpu); }', 'k.ts:1:24: `cpu` passed in a position other than first'],
    ['Math.random', 'function f(cpu) { return Math.random(); }', 'k.ts:1:26: Math.random() is hidden nondeterminism'],
    ['Date.now', 'function f(cpu) { return Date.now(); }', 'k.ts:1:26: Date.now() is hidden state'],
    ['new Date', 'function f(cpu) { return new Date(); }', 'k.ts:1:26: new Date() is hidden state'],
    ['async', 'async function f(cpu) {}', 'k.ts:1:1: async function in kernel code'],
    ['await', 'async function g() { await 1; }', 'k.ts:1:1: async function in kernel code'],
    ['generator', 'function* f(cpu) {}', 'k.ts:1:1: generator function in kernel code'],
    ['constructor', 'class A {\n  constructor(cpu) {}\n}', 'k.ts:2:3: a constructor cannot take cpu'],
    ['setter', 'class A { set x(cpu) { g(cpu); } }', 'k.ts:1:11: a setter cannot take cpu'],
    ['new with cpu', 'function f(cpu) { return new X(cpu); }', 'k.ts:1:26: a constructor cannot run kernel code'],
    ['arrow using this', 'class A { m() { return (cpu) => this.n(cpu); } }', 'k.ts:1:24: an arrow function taking cpu must not use `this`'],
    ['syntax error', 'function f(cpu) {', 'k.ts:1:18: does not parse'],
  ];
  it.each(cases)('rejects %s with file:line:col', (_name, src, message) => {
    expect(() => transformKernelSource(src, 'k.ts')).toThrow(KernelRuleError);
    expect(() => transformKernelSource(src, 'k.ts')).toThrow(message);
  });
});

// The source text of a design's methods, read from the files of its class chain (the method's
// own class first, as JavaScript looks it up), with the imports and module-level helpers that
// text uses, so `fence-lab new-variant` can copy a base's method into a new file that compiles.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@babel/parser';
import { LAB_ROOT } from '../sim/loader.ts';
import { VARIANTS_DIR, type VariantClass } from '../sim/registry.ts';
import { kebabOf } from '../cli/variants.ts';

/** One import binding: `import { name as local } from module` (or default / type-only). */
export interface ImportBinding {
  module: string;
  /** 'default' for a default import. */
  imported: string;
  local: string;
  typeOnly: boolean;
}

export interface SourceFile {
  file: string;
  text: string;
  methods: Map<string, string>;
  imports: ImportBinding[];
  /** Module-level const and function declarations, by name, with their text. */
  helpers: Map<string, string>;
}

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** An import as a plug-in writes it: the lab's files through the package name. */
function packageSpecifier(fromFile: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const target = path.resolve(path.dirname(fromFile), specifier);
  const rel = path.relative(LAB_ROOT, target);
  return rel.startsWith('..') ? target : `dma-fence-lab/${rel.split(path.sep).join('/')}`;
}

export function readSource(file: string): SourceFile {
  const text = readFileSync(file, 'utf8');
  const ast = parse(text, { sourceType: 'module', plugins: ['typescript'] }) as unknown as { program: { body: Node[] } };
  const out: SourceFile = { file, text, methods: new Map(), imports: [], helpers: new Map() };
  for (const statement of ast.program.body) {
    if (statement.type === 'ImportDeclaration') {
      const module = packageSpecifier(file, (statement['source'] as { value: string }).value);
      const typeOnly = statement['importKind'] === 'type';
      for (const spec of statement['specifiers'] as Node[]) {
        const local = (spec['local'] as { name: string }).name;
        const imported = spec.type === 'ImportDefaultSpecifier' ? 'default' : ((spec['imported'] as { name?: string; value?: string }).name ?? '');
        out.imports.push({ module, imported, local, typeOnly: typeOnly || spec['importKind'] === 'type' });
      }
    } else if (statement.type === 'VariableDeclaration' || statement.type === 'FunctionDeclaration') {
      const names = statement.type === 'FunctionDeclaration'
        ? [(statement['id'] as { name: string }).name]
        : (statement['declarations'] as Node[]).map((d) => (d['id'] as { name?: string }).name).filter((n): n is string => !!n);
      for (const name of names) out.helpers.set(name, text.slice(statement.start, statement.end));
    } else if (statement.type === 'ExportDefaultDeclaration') {
      const cls = statement['declaration'] as Node;
      for (const member of (cls['body'] as { body: Node[] }).body) {
        if (member.type !== 'ClassMethod' || member['static'] || member['kind'] !== 'method') continue;
        const name = (member['key'] as { name?: string }).name;
        if (name) out.methods.set(name, text.slice(member.start, member.end));
      }
    }
  }
  return out;
}

/** The file of each class in a variant's chain: its own, then the built-ins it extends. */
export function chainFiles(cls: VariantClass, file: string): { cls: VariantClass; file: string }[] {
  const chain = [{ cls, file }];
  for (let c = Object.getPrototypeOf(cls) as VariantClass; c && c !== (Function.prototype as unknown); c = Object.getPrototypeOf(c) as VariantClass) {
    chain.push({ cls: c, file: path.join(VARIANTS_DIR, `${kebabOf(c.name)}.ts`) });
  }
  return chain;
}

/** The text of `method` as the base has it, and the file it comes from; null when none has it. */
export function methodSource(chain: { cls: VariantClass; file: string }[], method: string, read: (file: string) => SourceFile): { text: string; source: SourceFile } | null {
  for (const { cls, file } of chain) {
    if (!Object.hasOwn(cls.prototype as object, method)) continue;
    const source = read(file);
    const text = source.methods.get(method);
    return text ? { text, source } : null;
  }
  return null;
}

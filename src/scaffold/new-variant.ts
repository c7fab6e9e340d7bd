// `fence-lab new-variant`: the file a proposal starts from. A class extending the base that
// loads at once and behaves as the base until edited: a header with the fields to fill, the
// statics, the imports. Given the patch as posted, one override per C function its hunks
// touch, holding the base's method and the hunk's removed and added C lines as comments where
// they belong (variants/README.md, "Turning a patch from the list into a variant").
import path from 'node:path';
import { loadVariant, VARIANTS_DIR } from '../sim/registry.ts';
import { chainFiles, methodSource, readSource, type ImportBinding, type SourceFile } from './method-source.ts';
import { parsePatch, type ChangeBlock } from './patch.ts';

export class NewVariantError extends Error {}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export interface NewVariantOptions {
  name: string;
  base: string;
  /** The patch text and its file name, for --patch. */
  patch?: { text: string; file: string };
  /** Where the file will be written (imports of a plug-in base are relative to it). */
  outFile: string;
}

export interface NewVariant {
  text: string;
  /** The C functions given an override, in patch order. */
  overrides: string[];
  /** Functions the patch touches that the base has no method for. */
  unmatched: string[];
  /** Files of the patch other than dma-fence.c and dma-fence.h. */
  otherFiles: string[];
}

function pascalOf(kebab: string): string {
  return kebab.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}

// Words too common in dma-fence code to tie a C line to a line of the method.
const COMMON = new Set(
  'fence cpu struct dma_fence if else return const let this unsigned long int bool void flags true false NULL unlikely likely static inline ops'.split(' '),
);

function tokens(line: string): Set<string> {
  return new Set((line.match(/[A-Za-z_]\w*/g) ?? []).filter((t) => !COMMON.has(t)));
}

/** The body line (index into `lines`) that best matches a C line, or -1. */
function matchLine(cLine: string, lines: string[]): number {
  const want = tokens(cLine);
  if (want.size === 0) return -1;
  let best = -1;
  let bestScore = 0;
  for (let i = 1; i < lines.length - 1; i++) {
    const have = tokens(lines[i]!);
    let score = 0;
    for (const t of want) if (have.has(t)) score += t.includes('_') && t.length > 6 ? 2 : 1;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return bestScore >= 2 ? best : -1;
}

function hunkComment(block: ChangeBlock, indent: string): string[] {
  const c = (sign: string, line: string) => `${indent}// ${sign} ${line.replace(/\t/g, '    ').trimEnd()}`.trimEnd();
  return [
    `${indent}// patch (${block.file}, patch line ${block.line}): apply in TypeScript below`,
    ...block.removed.map((l) => c('-', l)),
    ...block.added.map((l) => c('+', l)),
  ];
}

/** The method text with each block's C lines placed as comments where they belong. */
function placeHunks(methodText: string, blocks: ChangeBlock[]): string {
  const lines = ('  ' + methodText).split('\n');
  const inserts: { at: number; lines: string[] }[] = [];
  for (const block of blocks) {
    const removed = block.removed[0] !== undefined ? matchLine(block.removed[0], lines) : -1;
    const before = block.before[0] !== undefined ? matchLine(block.before[0], lines) : -1;
    const after = block.after[0] !== undefined ? matchLine(block.after[0], lines) : -1;
    const at = removed >= 0 ? removed : before >= 0 ? before + 1 : after >= 0 ? after : 1;
    const indent = /^\s*/.exec(lines[Math.min(at, lines.length - 2)] ?? '')![0] || '    ';
    const note = at === 1 && removed < 0 && before < 0 && after < 0 ? [`${indent}// (no line of the base's method matches this hunk's context: place it by hand)`] : [];
    inserts.push({ at, lines: [...hunkComment(block, indent), ...note] });
  }
  // bottom up, so earlier positions stay valid; blocks at one place keep patch order
  inserts.sort((a, b) => b.at - a.at);
  for (const insert of inserts) lines.splice(insert.at, 0, ...insert.lines);
  if (!/^\s*override\b/.test(lines[0]!)) lines[0] = lines[0]!.replace(/^(\s*)/, '$1override ');
  return lines.join('\n');
}

const uses = (text: string, name: string) => new RegExp(`(?<![\\w.])${name.replace(/\$/g, '\\$')}\\b`).test(text);

/** Import lines for the bindings the text uses, one per module (types apart), lab modules first. */
function importLines(bindings: ImportBinding[], text: string): string[] {
  const byModule = new Map<string, { names: Set<string>; types: Set<string>; default?: string }>();
  for (const b of bindings) {
    if (!uses(text, b.local)) continue;
    const entry = byModule.get(b.module) ?? { names: new Set<string>(), types: new Set<string>() };
    if (b.imported === 'default') entry.default = b.local;
    else (b.typeOnly ? entry.types : entry.names).add(b.imported === b.local ? b.local : `${b.imported} as ${b.local}`);
    byModule.set(b.module, entry);
  }
  const out: string[] = [];
  for (const [module, e] of byModule) {
    if (e.types.size) out.push(`import type { ${[...e.types].sort().join(', ')} } from '${module}';`);
    if (e.names.size || e.default) {
      const named = e.names.size ? `{ ${[...e.names].sort().join(', ')} }` : '';
      out.push(`import ${[e.default, named].filter(Boolean).join(', ')} from '${module}';`);
    }
  }
  return out;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export async function newVariant(options: NewVariantOptions): Promise<NewVariant> {
  if (!KEBAB.test(options.name)) throw new NewVariantError(`name '${options.name}': use kebab-case, e.g. my-proposal (it names the file and the report's column)`);
  const base = await loadVariant(options.base);
  const cls = base.cls as unknown as Record<string, unknown> & { name: string };
  const baseIsBuiltin = path.dirname(base.file) === VARIANTS_DIR;
  const relative = path.relative(path.dirname(path.resolve(options.outFile)), base.file).split(path.sep).join('/');
  const baseModule = baseIsBuiltin ? `dma-fence-lab/variants/${base.name}.ts` : relative.startsWith('.') ? relative : `./${relative}`;
  const className = pascalOf(options.name);
  if (className === cls.name) throw new NewVariantError(`name '${options.name}' gives the class name ${className}, which is the base's: choose another name`);

  const sources = new Map<string, SourceFile>();
  const read = (file: string) => sources.get(file) ?? sources.set(file, readSource(file)).get(file)!;
  const chain = chainFiles(base.cls, base.file);
  const parsed = options.patch ? parsePatch(options.patch.text, options.patch.file) : { blocks: [], otherFiles: [] };
  const byFunction = new Map<string, ChangeBlock[]>();
  const unmatched: string[] = [];
  for (const block of parsed.blocks) {
    if (block.fn === null) {
      if (!unmatched.includes('(file scope)')) unmatched.push('(file scope)');
      continue;
    }
    byFunction.set(block.fn, [...(byFunction.get(block.fn) ?? []), block]);
  }
  const methods: string[] = [];
  const used: SourceFile[] = [];
  for (const [fn, blocks] of byFunction) {
    const found = methodSource(chain, fn, read);
    if (!found) {
      unmatched.push(fn);
      continue;
    }
    methods.push(placeHunks(found.text, blocks));
    if (!used.includes(found.source)) used.push(found.source);
  }

  // module-level helpers the copied methods use (and the helpers those use), first file wins
  const helpers = new Map<string, string>();
  const body = methods.join('\n\n');
  for (let grew = true; grew; ) {
    grew = false;
    for (const source of used) {
      for (const [name, text] of source.helpers) {
        if (helpers.has(name) || !uses(body + [...helpers.values()].join('\n'), name)) continue;
        helpers.set(name, text);
        grew = true;
      }
    }
  }
  const code = [...helpers.values(), body].join('\n');
  const bindings = used.flatMap((s) => s.imports).filter((b) => b.module !== baseModule || b.imported !== 'default');
  const imports = [...importLines(bindings, code), `import ${cls.name} from '${baseModule}';`];

  const stat = (name: string) => JSON.stringify(cls[name]);
  const patchNote = options.patch
    ? [
        `//`,
        `// From ${options.patch.file}: ${parsed.blocks.length} change block(s) in ${byFunction.size} function(s); each override`,
        `// below is ${base.name}'s method with the hunk's C lines as comments: apply them, then delete`,
        `// the comments.`,
        ...(unmatched.length
          ? [
              `// Touched by the patch, no method in ${base.name}: ${unmatched.join(', ')}. If a hunk changes part`,
              `// of a function the base inlines into a bigger method, split that part into a method of its`,
              `// own in the base first (variants/README.md, step 2).`,
            ]
          : []),
        ...(parsed.otherFiles.length ? [`// Not modelled here (other files of the patch): ${parsed.otherFiles.join(', ')}.`] : []),
      ]
    : [];
  const text = [
    `// ${options.name}: TODO one line: what the patch changes.`,
    `//`,
    `// Mail:       TODO subject, author, date, list`,
    `// Message-ID: TODO <...>`,
    `// Changes:    TODO what the patch changes and why, quoting the mail`,
    `//`,
    `// Extends ${base.name}: override only the functions the patch touches (variants/README.md).`,
    ...patchNote,
    `// Check it: npx fence-lab variants --variant ${path.basename(options.outFile)}`,
    `//           npx fence-lab report --variant ${path.basename(options.outFile)} --quick`,
    ...imports,
    '',
    ...(helpers.size ? [...helpers.values(), ''] : []),
    `export default class ${className} extends ${cls.name} {`,
    `  static override title = ${quote(`TODO: what ${options.name} is, in one line`)};`,
    `  static override summary = ${quote('TODO: one paragraph: what the patch changes and what it should buy')};`,
    `  static override source = ${quote('TODO: author, subject, date; Message-ID')};`,
    `  // Inherited from ${base.name}; uncomment and change only what the patch changes:`,
    `  // static override lockModel: 'extern' | 'inline' = ${stat('lockModel')?.replace(/"/g, "'")};`,
    `  // static override detachesOps = ${stat('detachesOps')};`,
    `  // static override enableSignalingContract: 'locked-bool' | 'unlocked-void' = ${stat('enableSignalingContract')?.replace(/"/g, "'")};`,
    ...(methods.length ? ['', methods.join('\n\n')] : []),
    `}`,
    '',
  ].join('\n');
  return { text, overrides: [...byFunction.keys()].filter((fn) => !unmatched.includes(fn)), unmatched, otherFiles: parsed.otherFiles };
}

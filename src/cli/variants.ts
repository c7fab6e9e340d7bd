// fence-lab variants: the designs the lab knows and what each one patches. Every variant is a
// class extending the design it patches; the lab reads its base and its overridden methods off
// the class itself (nothing is registered), and its title, summary and source from its statics.
// Built-ins are every .ts file in variants/; --variant adds or picks files from anywhere. A
// variant that cannot be loaded gets an error entry and exit status 2; the others are listed.

import { parseArgs } from 'node:util';
import { KernelLoadError } from '../sim/loader.ts';
import { builtinVariantFiles, loadVariant, nameOf, type LoadedVariant, type VariantClass } from '../sim/registry.ts';

const HELP = `usage: fence-lab variants [options]

Lists the designs: name, title, the design each one extends (base), the mail or patch it
models (source), and the methods it overrides -- read off the class, so the list is the patch.

  --variant NAME|PATH     only this built-in variant, or a plug-in .ts file (repeatable)
  --json                  print { "variants": [ { "name", "title", "base", "source", "overrides" } ] }
`;

export interface VariantInfo {
  name: string;
  title: string;
  /** the variant it extends, by name; null for the root design */
  base: string | null;
  source: string;
  /** its own methods that replace one of an ancestor's, in source order */
  overrides: string[];
}

export interface VariantDescription extends VariantInfo {
  summary: string;
  /** its own methods no ancestor has (new helpers; a misspelt override shows up here) */
  adds: string[];
  /** statics the variant should declare itself but inherits or lacks */
  missing: string[];
}

const METADATA = ['title', 'summary', 'source'] as const;

/** "InlineLockOpsCheck" -> "inline-lock-ops-check": the file name a built-in's class carries. */
export function kebabOf(className: string): string {
  return className.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

function ownMethods(proto: object): string[] {
  return Object.getOwnPropertyNames(proto).filter((name) => {
    if (name === 'constructor') return false;
    const d = Object.getOwnPropertyDescriptor(proto, name);
    return d !== undefined && typeof d.value === 'function';
  });
}

/** The base a class extends: a built-in variant's name when it is one, else the class name. */
export function baseOf(cls: VariantClass): string | null {
  const parent = Object.getPrototypeOf(cls) as VariantClass | null;
  if (!parent || parent === (Function.prototype as unknown)) return null;
  const builtin = kebabOf(parent.name);
  return builtinVariantFiles().some((f) => nameOf(f) === builtin) ? builtin : parent.name;
}

/** What a loaded variant declares and overrides, read off its class. */
export function describeVariant(v: LoadedVariant): VariantDescription {
  const cls = v.cls;
  const proto = cls.prototype as object;
  const parentProto = Object.getPrototypeOf(proto) as object | null;
  const own = ownMethods(proto);
  const inherited = (name: string) => parentProto !== null && parentProto !== Object.prototype && name in parentProto;
  const base = baseOf(cls);
  const stat = cls as unknown as Record<string, unknown>;
  // The root design declares everything itself; a subclass must not lean on its base's text.
  const missing = METADATA.filter((m) => !Object.hasOwn(cls, m) || typeof stat[m] !== 'string' || (stat[m] as string).trim() === '');
  return {
    name: v.name,
    title: typeof stat['title'] === 'string' && Object.hasOwn(cls, 'title') ? (stat['title'] as string) : '',
    summary: typeof stat['summary'] === 'string' && Object.hasOwn(cls, 'summary') ? (stat['summary'] as string) : '',
    base,
    source: typeof stat['source'] === 'string' && Object.hasOwn(cls, 'source') ? (stat['source'] as string) : '',
    overrides: own.filter(inherited),
    adds: own.filter((m) => !inherited(m)),
    missing: [...missing],
  };
}

interface Entry {
  name: string;
  info?: VariantDescription;
  error?: string;
}

async function describe(nameOrPath: string): Promise<Entry> {
  const name = nameOf(nameOrPath.replace(/^.*\//, ''));
  try {
    const info = describeVariant(await loadVariant(nameOrPath));
    if (info.missing.length > 0) {
      return {
        name: info.name,
        info,
        error: `${info.name}: declares no static ${info.missing.join(', ')} of its own${info.base ? ` (it would inherit ${info.base}'s)` : ''}; add them: static title = '…'; static summary = '…'; static source = 'the mail or patch it models';`,
      };
    }
    return { name: info.name, info };
  } catch (err) {
    if (!(err instanceof KernelLoadError)) throw err;
    return { name, error: err.message };
  }
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

function printText(entries: Entry[]): void {
  for (const e of entries) {
    if (!e.info) {
      console.log(`${e.name}\n  error:     ${e.error}\n`);
      continue;
    }
    const v = e.info;
    console.log(`${v.name} -- ${v.title || '(no title)'}`);
    console.log(`  base:      ${v.base ?? '(none: the root design)'}`);
    console.log(`  source:    ${v.source || '(none)'}`);
    console.log(`  overrides: ${v.overrides.length > 0 ? v.overrides.join(', ') : v.base ? '(nothing)' : '(all of it: every design extends this one)'}`);
    if (v.adds.length > 0 && v.base) console.log(`  adds:      ${v.adds.join(', ')}`);
    if (e.error) console.log(`  error:     ${e.error}`);
    if (v.summary) console.log(wrap(v.summary, 72, '  '));
    console.log('');
  }
}

export async function run(args: string[]): Promise<number> {
  let values: { variant?: string[]; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        variant: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`fence-lab variants: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const wanted = values.variant ?? builtinVariantFiles();
  const entries: Entry[] = [];
  for (const v of wanted) entries.push(await describe(v));
  if (values.json) {
    const variants = entries.map((e) =>
      e.info && !e.error
        ? { name: e.info.name, title: e.info.title, base: e.info.base, source: e.info.source, overrides: e.info.overrides }
        : { name: e.name, error: e.error! },
    );
    console.log(JSON.stringify({ variants }, null, 2));
  } else {
    printText(entries);
  }
  return entries.some((e) => e.error) ? 2 : 0;
}

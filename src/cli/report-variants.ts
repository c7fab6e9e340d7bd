// `fence-lab report --variant NAME|PATH ... [--against NAME]`: which designs the report covers
// (the built-ins plus the plug-ins given) and, for each design given, the one it is compared
// with: the class it extends, or the design --against names.
import path from 'node:path';
import { KernelLoadError } from '../sim/loader.ts';
import { builtinVariantFiles, loadVariant, nameOf } from '../sim/registry.ts';
import type { DesignChange, DesignInfo } from '../report/inputs.ts';
import { describeVariant } from './variants.ts';

export class ReportVariantError extends Error {}

export interface ReportDesigns {
  /** Variant files to check and bench: every built-in, then each plug-in. */
  files: string[];
  changes: DesignChange[];
  /** What each design says of itself, for the HTML page. */
  info: DesignInfo[];
}

export async function reportDesigns(given: string[], against: string | undefined): Promise<ReportDesigns> {
  const builtins = builtinVariantFiles();
  const files = [...builtins];
  const changes: DesignChange[] = [];
  const loaded = [];
  for (const nameOrPath of given) {
    let variant;
    try {
      variant = await loadVariant(nameOrPath);
    } catch (err) {
      if (err instanceof KernelLoadError) throw new ReportVariantError(`--variant ${nameOrPath}: ${err.message}`);
      throw err;
    }
    const isBuiltin = builtins.includes(variant.file);
    if (!isBuiltin && builtins.some((f) => nameOf(f) === variant.name)) {
      throw new ReportVariantError(
        `--variant ${nameOrPath}: a built-in design is called ${variant.name} too, and the report names designs by file name; rename the file`,
      );
    }
    if (!isBuiltin && !files.includes(variant.file)) files.push(variant.file);
    loaded.push(variant);
  }
  const names = files.map(nameOf);
  if (against !== undefined && !names.includes(against)) {
    throw new ReportVariantError(`--against ${against}: not a design of this report; designs: ${names.join(', ')}`);
  }
  for (const variant of loaded) {
    const info = describeVariant(variant);
    const base = against ?? info.base;
    if (base === variant.name) continue;
    if (base === null) {
      process.stderr.write(`fence-lab report: ${variant.name} extends no design; name one with --against to get what it changes\n`);
      continue;
    }
    if (!names.includes(base)) {
      throw new ReportVariantError(
        `--variant ${path.relative(process.cwd(), variant.file)}: it extends ${base}, which is not a design of this report; give its file with --variant too and name it with --against`,
      );
    }
    changes.push({
      variant: variant.name,
      base,
      baseIs: against === undefined ? 'extends' : 'against',
      ...(info.title ? { title: info.title } : {}),
      ...(against === undefined ? { overrides: info.overrides } : {}),
    });
  }
  const info: DesignInfo[] = [];
  for (const file of files) {
    const { name, title, summary, source, base, overrides } = describeVariant(await loadVariant(file));
    info.push({ name, title, summary, source, base, overrides });
  }
  return { files, changes, info };
}

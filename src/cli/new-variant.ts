// fence-lab new-variant: writes the plug-in a proposal starts from (src/scaffold/new-variant.ts).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NewVariantError, newVariant } from '../scaffold/new-variant.ts';
import { PatchError } from '../scaffold/patch.ts';
import { KernelLoadError } from '../sim/loader.ts';

const HELP = `usage: fence-lab new-variant NAME --base NAME|PATH [--patch FILE] [--out FILE]

Writes NAME.ts: a design extending the base, which loads at once and behaves as the base
until edited. Its header has the fields to fill (mail, Message-ID, what it changes), then
the statics and the imports.

  --base NAME|PATH   the design the patch applies to: a built-in or a plug-in file
  --patch FILE       the patch as posted (a unified diff against
                     drivers/dma-buf/dma-fence.c and/or include/linux/dma-fence.h): one
                     override per C function its hunks touch, holding the base's method
                     and the hunk's C lines as comments where they belong
  --out FILE         where to write (default NAME.ts here); an existing file is kept
`;

export async function run(args: string[]): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        base: { type: 'string' },
        patch: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    console.error(`fence-lab new-variant: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (!name || extra.length || !values.base) {
    console.error(`fence-lab new-variant: give one NAME and --base${extra.length ? ` (unexpected: ${extra.join(' ')})` : ''}\n\n${HELP}`);
    return 2;
  }
  const out = values.out ?? `${name}.ts`;
  if (existsSync(out)) {
    console.error(`fence-lab new-variant: ${out} exists; not overwritten (remove it or give --out)`);
    return 2;
  }
  try {
    const patch = values.patch ? { text: readFileSync(values.patch, 'utf8'), file: values.patch } : undefined;
    const made = await newVariant({ name, base: values.base, outFile: out, ...(patch ? { patch } : {}) });
    writeFileSync(out, made.text);
    console.log(`wrote ${out}: ${name} extends ${values.base}` + (made.overrides.length ? `, overrides ${made.overrides.join(', ')}` : ''));
    if (made.unmatched.length) console.log(`touched by the patch, no method in ${values.base}: ${made.unmatched.join(', ')}`);
    if (made.otherFiles.length) console.log(`other files of the patch, not modelled: ${made.otherFiles.join(', ')}`);
    console.log(`next: fill the header and statics, apply the hunks, then: npx fence-lab variants --variant ${path.relative(process.cwd(), out)}`);
    return 0;
  } catch (err) {
    const known = err instanceof NewVariantError || err instanceof PatchError || err instanceof KernelLoadError || (err as NodeJS.ErrnoException).code === 'ENOENT';
    if (!known) throw err;
    console.error(`fence-lab new-variant: ${(err as Error).message}`);
    return 2;
  }
}

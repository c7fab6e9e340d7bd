// fence-lab: one sub-command per module in this directory. Each exports
// `run(args: string[]): Promise<number>` and returns the process exit code
// (0 ok, 1 a finding such as a verdict that differs from its expectation, 2 bad input).

const COMMANDS: Record<string, { module: string; summary: string }> = {
  check: { module: './check.ts', summary: 'model-check variants against scenarios' },
  necessity: { module: './necessity.ts', summary: 'why each barrier is there: ablate each ordering point' },
  variants: { module: './variants.ts', summary: 'list the designs and what each overrides' },
  'new-variant': { module: './new-variant.ts', summary: 'start a design file from a base (and a patch)' },
  litmus: { module: './litmus.ts', summary: 'run C litmus tests under a memory model' },
  bench: { module: './bench.ts', summary: 'benchmark the designs on real threads' },
  report: { module: './report.ts', summary: 'write the text, chart and HTML report' },
  compare: { module: './compare.ts', summary: 'compare two results files for regressions' },
  history: { module: './history.ts', summary: 'trend charts over stored results' },
  merge: { module: './merge.ts', summary: 'merge sharded check results' },
};

function usage(): string {
  const lines = ['usage: fence-lab <command> [options]', '', 'commands:'];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(11)} ${summary}`);
  lines.push('', "Run 'fence-lab <command> --help' for a command's options.");
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`fence-lab: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  let mod: { run(args: string[]): Promise<number> };
  try {
    mod = await import(command.module);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes(command.module.slice(2))) {
      console.error(`fence-lab: '${name}' is not built yet in this checkout`);
      return 2;
    }
    throw err;
  }
  return mod.run(rest);
}

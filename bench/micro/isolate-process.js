// Entry of one micro-benchmark isolate's process (bench/micro/run.ts starts it with the
// isolate's spec as JSON in argv[2]): registers tsx, measures, prints the result as JSON on
// stdout. Progress lines go to stderr. Plain JavaScript so it can start before TypeScript loads.
import { register } from 'tsx/esm/api';

register();
const { measureIsolate } = await import('./isolate.ts');
const result = await measureIsolate(JSON.parse(process.argv[2]), (line) => process.stderr.write(`${line}\n`));
process.stdout.write(JSON.stringify(result));

// Entry of one micro-benchmark isolate's process (bench/micro/run.ts starts it with the
// isolate's spec as JSON in argv[2]): registers tsx, measures, prints the result as JSON on
// stdout. Progress lines go to stderr. Plain JavaScript so it can start before TypeScript loads.
// FENCE_LAB_MICRO_ISOLATE tells the process's threads which isolate they are (0-based).
import { register } from 'tsx/esm/api';

register();
const spec = JSON.parse(process.argv[2]);
process.env.FENCE_LAB_MICRO_ISOLATE = String(spec.index);
const { measureIsolate } = await import('./isolate.ts');
const result = await measureIsolate(spec, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(JSON.stringify(result));

// fence-lab bench: the designs on real threads over shared memory (src/native): mitata micro
// benchmarks next to bare-Atomics floors, and interrupt-load runs on worker threads. Text on
// stdout (or the results JSON with --json), progress and the peak RSS on stderr.
// Exit 0 when every row has a value, 1 when a row carries an error (a thread threw, a figure fell
// below its floor), 2 on bad input.

import { parseArgs } from 'node:util';
import { saveRun, writeFileAtomic } from '../history/store.ts';
import { benchResultsSchema } from '../results/schema.ts';
import { formatResults, planWorkloads, runBench } from '../native/bench.ts';
import { builtinVariants, resolveVariant, type VariantRef } from '../native/variants.ts';
import { MICRO_OPS } from '../../bench/micro/ops.ts';
import { scaleProfiles } from '../timing/run.ts';

const HELP = `usage: fence-lab bench [--quick] [--variant NAME|PATH ...] [--workload W ...] [--profile P ...] [--json] [--out FILE] [--save]

Runs the designs natively: the same variant code, unchanged, on worker threads over one
SharedArrayBuffer heap (Atomics for every marked access, real RCU, futex sleeps).

  --variant NAME|PATH  a built-in design or a .ts file (repeatable; default: every variants/*.ts)
  --workload W         what to run (repeatable; default: everything):
                         micro      the micro benchmarks (mitata, one thread, ns per call)
                         floor      only the floors (empty call, Atomics.load, compareExchange)
                         irq-load   the interrupt-load sweeps (IRQ rate, pollers, fences/context)
                         scale      the timing model: every design on 1..64 simulated CPUs of
                                    each machine profile (deterministic, host-independent)
                         ${MICRO_OPS.map((o) => o.name).join(', ')}
                         irq-load/KEY=V,...  one interrupt-load config; keys irq (per second,
                                    k/M suffix, or max), ctx, fpc, pollers, waiters, cbs
  --profile P          a machine profile for scale: a name from src/timing/profiles/ or a
                       .json path (repeatable; default: every built-in profile)
  --jobs N             scale cells at once, on worker threads (default: the cores)
  --quick              short runs (all designs in under a minute on 2 cores)
  --json               print the results JSON instead of text
  --out FILE           also write the results JSON to FILE
  --save               also store the run under results/<machine>/ for 'fence-lab history'
  --quiet              no progress on stderr
`;

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        quick: { type: 'boolean', default: false },
        variant: { type: 'string', multiple: true },
        workload: { type: 'string', multiple: true },
        profile: { type: 'string', multiple: true },
        jobs: { type: 'string' },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        save: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`fence-lab bench: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let variants: VariantRef[];
  const workloads = values.workload ?? [];
  try {
    variants = values.variant && values.variant.length > 0 ? values.variant.map(resolveVariant) : builtinVariants();
    planWorkloads(workloads, values.quick);
    scaleProfiles(values.profile ?? []);
    if (values.jobs !== undefined && !(Number.isInteger(Number(values.jobs)) && Number(values.jobs) >= 1)) throw new Error(`--jobs takes a whole number of at least 1, got '${values.jobs}'`);
  } catch (err) {
    console.error(`fence-lab bench: ${(err as Error).message}`);
    return 2;
  }
  const log = values.quiet ? undefined : (line: string) => console.error(`bench: ${line}`);
  const started = performance.now();
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  const { results, text, isolatePeakRssMiB } = await runBench({ variants, workloads, quick: values.quick, profiles: values.profile ?? [], ...(jobs ? { jobs } : {}), log });
  const checked = benchResultsSchema.safeParse(results);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    console.error(`fence-lab bench: [lab internal bug] results fail the schema at ${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  const json = formatResults(results);
  if (values.out) await writeFileAtomic(values.out, json);
  if (values.save) {
    const file = await saveRun({ schema: 1, context: results.context, bench: results });
    if (!values.quiet) console.error(`bench: saved ${file}`);
  }
  if (values.json) process.stdout.write(json);
  else {
    const c = results.context;
    console.log(`fence-lab bench${values.quick ? ' --quick' : ''}: ${c.cpu}, ${c.cores} cores, node ${c.node} (V8 ${c.v8}), ${c.os}, commit ${c.commit}, ${c.date}`);
    console.log('');
    for (const line of text) console.log(line);
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  const isolates = isolatePeakRssMiB > 0 ? ` (this process; the micro isolates' processes, one at a time, at most ${isolatePeakRssMiB.toFixed(0)} MiB)` : '';
  if (!values.quiet) console.error(`bench: ${results.results.length} rows in ${((performance.now() - started) / 1000).toFixed(1)} s, peak RSS ${rss.toFixed(0)} MiB${isolates}`);
  return results.results.some((r) => r.error) ? 1 : 0;
}

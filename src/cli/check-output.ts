// Text output of fence-lab check: one line per cell as it finishes, each violation's report
// (headline, trace, replay command), then the verdict matrix: scenarios down, variants
// across, one block per memory model.

import type { CheckResult } from '../results/types.ts';

export function cellGlyph(r: CheckResult): string {
  if (r.error) return '! error';
  return r.verdict === 'pass' ? '✓' : `✗ ${r.violation?.kind ?? ''}`.trimEnd();
}

function agreement(r: CheckResult): string {
  if (r.error) return 'could not run';
  if (r.expected === undefined) return 'no expectation stated';
  return r.expected === r.verdict ? 'as expected' : `EXPECTED ${r.expected.toUpperCase()}`;
}

export function printResult(r: CheckResult): void {
  const how = `${r.strategy}, ${r.executions} execution${r.executions === 1 ? '' : 's'}${r.complete ? ' (complete)' : ''}, ${r.ms} ms`;
  const variant = r.ablate ? `${r.variant} without ${r.ablate}` : r.variant;
  console.log(`${cellGlyph(r).padEnd(18)} ${variant} x ${r.scenario} [${r.model}]: ${agreement(r)}; ${how}`);
  if (r.error) {
    console.log(indent(r.error));
    console.log('');
  } else if (r.violation) {
    console.log('');
    console.log(indent(r.violation.trace));
    console.log('');
    console.log(indent(`Replay: ${r.violation.command ?? r.violation.replay}`));
    console.log('');
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export function printMatrix(results: CheckResult[]): void {
  const models = [...new Set(results.map((r) => r.model))];
  const variants = [...new Set(results.map((r) => r.variant))];
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  const first = Math.max(8, ...scenarios.map((s) => s.length));
  for (const model of models) {
    const cells = (s: string, v: string) => {
      const r = results.find((x) => x.model === model && x.scenario === s && x.variant === v);
      if (!r) return '';
      const mismatch = r.expected !== undefined && r.expected !== r.verdict && !r.error;
      return `${cellGlyph(r)}${mismatch ? ' !!' : ''}`;
    };
    const widths = variants.map((v) => Math.max(v.length, ...scenarios.map((s) => cells(s, v).length)));
    console.log(`\nmemory model: ${model}`);
    console.log(['scenario'.padEnd(first), ...variants.map((v, i) => v.padEnd(widths[i]!))].join('  ').trimEnd());
    for (const s of scenarios) console.log([s.padEnd(first), ...variants.map((v, i) => cells(s, v).padEnd(widths[i]!))].join('  ').trimEnd());
  }
  const differ = results.filter((r) => r.expected !== undefined && r.expected !== r.verdict && !r.error).length;
  const errors = results.filter((r) => r.error).length;
  console.log(`\n${results.length} cells: ${results.length - differ - errors} as expected or unstated, ${differ} differ from the expected verdict (!!), ${errors} could not run`);
  console.log('legend: ✓ pass  ✗ violation (kind)  ! error  !! verdict differs from the scenario\'s expectation');
}

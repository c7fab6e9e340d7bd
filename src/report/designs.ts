// The designs a report covers, in one order, each with a one-letter column code for the
// 72-column tables (a legend maps codes to names).
import type { ReportInputs } from './inputs.ts';

export interface Design {
  name: string;
  code: string;
}

/** Name of the bench rows that measure a bare-Atomics loop rather than a design. */
export const FLOOR = 'floor';

function columnCode(index: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return index < letters.length ? letters[index]! : `Z${index - letters.length + 1}`;
}

/**
 * Every design named in the check or bench results, in order of first appearance; the bench's
 * `floor` rows (the micro loops and the irq-load floor design) are a reference, not a design.
 */
export function listDesigns(inputs: ReportInputs): Design[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (name !== FLOOR && !names.includes(name)) names.push(name);
  };
  for (const result of inputs.check?.results ?? []) add(result.variant);
  for (const row of inputs.bench?.results ?? []) add(row.variant);
  return names.map((name, i) => ({ name, code: columnCode(i) }));
}

// Shared by the semantics group (scenarios/semantics/): the kernel's own dma-fence selftests and
// the design-independent checks of kernel-notes 6.3. Every design must pass every one of them,
// under every memory model, so each scenario's verdict table is this one. A new built-in design
// adds its name here (test/semantics.test.ts fails on a built-in variant with no expectation).

import type { Cpu } from '../../src/kernel/cpu.ts';
import { lab_assert, lab_warn_count } from '../../src/kernel/primitives.ts';
import { scenario, type Expectation, type Fences, type ScenarioDef } from '../../src/scenario.ts';
import { mock_driver_load, type MockDriver, type MockDriverOptions } from './mock-driver.ts';

export const EVERY_DESIGN_PASSES: Record<string, Expectation> = {
  'current-shared-lock': 'pass',
  'inline-lock': 'pass',
  'inline-lock-ops-check': 'pass',
  'locked-reads': 'pass',
  'barrier-lockless': 'pass',
  'barrier-lockless-bit-at-end': 'pass',
  'unlocked-enable-signaling': 'pass',
};

/** jiffies per second in the scenarios' time (time passes only when every thread sleeps). */
export const HZ = 100;

/**
 * Runs `body` and checks that it WARNed exactly once, as the kernel does on the path it guards:
 * for scenarios of dma-fence.c's WARN sites (they set allowWarnings, so a WARN is counted, not
 * fatal). A design that drops the WARN, or WARNs elsewhere as well, fails here.
 */
export function expect_one_warn<T>(cpu: Cpu, what: string, body: (cpu: Cpu) => T): T {
  const before = lab_warn_count(cpu);
  const ret = body(cpu);
  const warned = lab_warn_count(cpu) - before;
  lab_assert(cpu, warned === 1, `${what}: expected one WARNING, got ${warned}`);
  return ret;
}

/** With allowWarnings set, no other WARN may pass unnoticed: pins the total so far. */
export function expect_warnings_total(cpu: Cpu, total: number): void {
  const seen = lab_warn_count(cpu);
  lab_assert(cpu, seen === total, `expected ${total} WARNING(s) in all, got ${seen}`);
}

/** What a one-thread selftest on the mock driver states; mock_selftest() builds the rest. */
export interface MockSelftest {
  name: string;
  title: string;
  source: string;
  allowWarnings?: boolean;
  stepBound?: number;
  /** the mock driver's options (default: the selftests' mock, two name callbacks only) */
  driver?: MockDriverOptions;
  run(cpu: Cpu, fences: Fences, drv: MockDriver): void;
}

/**
 * The shape of most st-dma-fence.c subtests: the mock driver loaded in set-up, one process
 * thread on CPU0 running the test body, and every design expected to pass.
 */
export function mock_selftest(def: MockSelftest): ScenarioDef<{ drv: MockDriver }> {
  return scenario<{ drv: MockDriver }>({
    name: def.name,
    title: def.title,
    source: def.source,
    group: 'semantics',
    allowWarnings: def.allowWarnings,
    stepBound: def.stepBound,
    setup: (cpu, fences) => ({ drv: mock_driver_load(cpu, fences, def.driver) }),
    threads: [{ name: 'selftest', cpu: 0, context: 'process', run: (cpu, fences, { drv }) => def.run(cpu, fences, drv) }],
    expect: EVERY_DESIGN_PASSES,
  });
}

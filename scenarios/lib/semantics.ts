// Shared by the semantics group (scenarios/semantics/): the kernel's own dma-fence selftests and
// the design-independent checks of kernel-notes 6.3. Every design must pass every one of them,
// under every memory model, so each scenario's verdict table is this one. A new built-in design
// adds its name here (test/semantics.test.ts fails on a built-in variant with no expectation).

import type { Expectation } from '../../src/scenario.ts';

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

// The semantics group, both ways. Every built-in design passes every scenario of
// scenarios/semantics/ -- the kernel's st-dma-fence.c tests and the checks of kernel-notes 6.3 --
// under SC with dfs at preemption bound 2, and the search completes, so "pass" means no schedule
// within the bound breaks it. And the group can fail: deliberately broken designs in
// test/fixtures/variants/ each fail the scenario written to catch them.
//
// Cost: the whole matrix (32 scenarios x 7 designs) is about 60,000 executions; race-signal-
// callback and enable-signaling-once are most of it, the error-path scenarios of dma-fence.c add
// about 330 (bench/semantics.ts prints the figures). TSO and weak are not run here (but for one
// weak cell that pins the sleeper's barrier): each scenario states 'pass' for them, and
// `fence-lab check --group semantics` verifies that (minutes, not seconds).

import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckOptions } from '../src/sim/check.ts';
import { MODEL_NAMES } from '../src/sim/memory/index.ts';
import { expectedVerdict } from '../src/scenario.ts';
import { builtinScenarioFiles, builtinVariantFiles, loadScenario, loadVariant, nameOf, type LoadedScenario, type LoadedVariant } from '../src/sim/registry.ts';
import { FIXTURES } from './helpers.ts';

const DFS2: CheckOptions = { model: 'sc', strategy: 'dfs', seed: 1, executions: 1_000_000, preemptions: 2 };

const VARIANTS = builtinVariantFiles().map(nameOf);
const SCENARIOS = builtinScenarioFiles('semantics').map(nameOf);

/** st-dma-fence.c's subtests (kernel-notes 6.1), by the lab's kebab-case names. */
const SELFTESTS = [
  'sanitycheck', 'signaling', 'add-callback', 'late-add-callback', 'rm-callback', 'late-rm-callback',
  'status', 'error', 'wait', 'wait-timeout', 'stub', 'race-signal-callback',
];

const variants: Record<string, LoadedVariant> = {};
const scenarios: Record<string, LoadedScenario> = {};

beforeAll(async () => {
  for (const v of VARIANTS) variants[v] = await loadVariant(v);
  for (const s of SCENARIOS) scenarios[s] = await loadScenario(s);
});

describe('the semantics group', () => {
  it('holds every st-dma-fence.c subtest, and only semantics scenarios', () => {
    for (const t of SELFTESTS) expect(SCENARIOS).toContain(t);
    for (const s of SCENARIOS) expect(scenarios[s]!.def.group).toBe('semantics');
  });

  it.each(SCENARIOS)('%s expects "pass" for every built-in design under every model', (s) => {
    for (const v of VARIANTS) for (const m of MODEL_NAMES) expect(expectedVerdict(scenarios[s]!.def, v, m), `${v} ${m}`).toBe('pass');
  });
});

describe.each(SCENARIOS)('%s', (s) => {
  it.each(VARIANTS)('passes on %s, dfs at preemption bound 2 complete', (v) => {
    const r = check(variants[v]!, scenarios[s]!, DFS2);
    expect(r.violation?.headline).toBeUndefined();
    expect(r.verdict).toBe('pass');
    expect(r.complete).toBe(true);
    expect(r.executions).toBeGreaterThan(0);
  });
});

describe('the worked example of variants/README.md (the v1 NULL-deref fix)', () => {
  it('passes every semantics scenario, dfs at preemption bound 2 complete', async () => {
    const example = await loadVariant(path.join(FIXTURES, 'variants', 'name-getters-rmb.ts'));
    for (const s of SCENARIOS) {
      const r = check(example, scenarios[s]!, DFS2);
      expect({ s, verdict: r.verdict, complete: r.complete }).toEqual({ s, verdict: 'pass', complete: true });
    }
  });
});

describe('the group can fail: broken designs are caught', () => {
  const broken = (name: string) => loadVariant(path.join(FIXTURES, 'variants', `${name}.ts`));

  it('add_callback linking without re-checking SIGNALED under the lock fails race-signal-callback', async () => {
    // The callback goes onto the list the signaler already stashed (on its stack in the kernel,
    // a kmalloc'ed list_head freed after the callbacks ran in the lab): the write into it is
    // the first thing the checker sees, before the "Callback not seen" the selftest would print.
    const r = check(await broken('add-callback-no-recheck'), scenarios['race-signal-callback']!, DFS2);
    expect(r.verdict).toBe('violation');
    expect(r.violation!.kind).toBe('use-after-free');
    expect(r.violation!.headline).toBe('BUG: KASAN: slab-use-after-free in dma_fence_add_callback');
    expect(r.violation!.trace).toMatch(/struct list_head/);
  });

  it('add_callback returning 0 for a fence it found signaled fails race-signal-callback with "Callback not seen"', async () => {
    const r = check(await broken('add-callback-forgets-signaled'), scenarios['race-signal-callback']!, DFS2);
    expect(r.verdict).toBe('violation');
    expect(r.violation!.kind).toBe('assertion');
    expect(r.violation!.headline).toMatch(/^assertion failed: Callback not seen on thread \d, signaling (before|after) add_callback/);
  });

  it('the timeline-name copy/paste bug (R23) fails name-getters', async () => {
    const r = check(await broken('timeline-name-copy-paste'), scenarios['name-getters']!, DFS2);
    expect(r.violation?.headline).toMatch(/timeline name of a pending fence is not the driver's timeline name \(R23\)/);
  });

  it('a design claiming to detach that does not fails signaling (design (a) skips that one assertion by declaration)', async () => {
    const r = check(await broken('detach-claimed'), scenarios['signaling']!, DFS2);
    expect(r.violation?.headline).toMatch(/Fence ops not cleared on signal \(the design declares detachesOps\)/);
  });

  it('enable_signaling called before the SIGNALED re-check fails enable-signaling-once', async () => {
    const r = check(await broken('enable-before-check'), scenarios['enable-signaling-once']!, DFS2);
    expect(r.violation?.kind).toBe('assertion');
    // the kernel's __warn() line: where the WARN is, then the WARN's own text
    expect(r.violation?.headline).toMatch(/^WARNING: CPU: \d PID: \d at scenarios\/lib\/mock-driver\.ts:\d+ enable_signaling_locked$/);
    expect(r.violation?.trace.split('\n')[1]).toBe('  enable_signaling called for a signaled fence');
  });
});

/**
 * dma-fence.c's error paths (README "Error paths"): each scenario with the broken design that
 * drops the behaviour, the violation that design must produce, and a pattern for its headline.
 */
const ERROR_PATHS: { scenario: string; fixture: string; kind: string; headline: RegExp }[] = [
  { scenario: 'release-pending-callbacks', fixture: 'release-no-force-signal', kind: 'assertion', headline: /the release left the queued callback dangling/ },
  { scenario: 'wait-timeout-unlinks', fixture: 'wait-timeout-keeps-callback', kind: 'use-after-free', headline: /^BUG: KASAN: slab-use-after-free in dma_fence_add_callback$/ },
  { scenario: 'wait-interrupted-unlinks', fixture: 'wait-interrupted-keeps-callback', kind: 'use-after-free', headline: /^BUG: KASAN: slab-use-after-free in dma_fence_add_callback$/ },
  { scenario: 'wait-any-timeout-unlinks', fixture: 'wait-any-keeps-callbacks', kind: 'use-after-free', headline: /^BUG: KASAN: slab-use-after-free in dma_fence_add_callback$/ },
  { scenario: 'set-error-after-signal', fixture: 'set-error-after-signal-unchecked', kind: 'assertion', headline: /dma_fence_set_error\(\) on a signaled fence: expected one WARNING, got 0/ },
  { scenario: 'set-error-invalid', fixture: 'set-error-any-value', kind: 'assertion', headline: /dma_fence_set_error\(f, 0\): expected one WARNING, got 0/ },
  { scenario: 'timestamp-unsignaled', fixture: 'timestamp-unchecked', kind: 'step-bound', headline: /^step bound of \d+ exceeded/ },
  { scenario: 'signal-timestamp', fixture: 'signal-restamps', kind: 'assertion', headline: /A second dma_fence_signal_timestamp\(\) changed the timestamp/ },
  { scenario: 'wait-invalid-timeout', fixture: 'wait-timeout-unchecked', kind: 'assertion', headline: /dma_fence_wait_timeout\(f, false, -1\): expected one WARNING, got 0/ },
  { scenario: 'wait-any-invalid', fixture: 'wait-any-unchecked', kind: 'assertion', headline: /dma_fence_wait_any_timeout\(no fences, 1\): expected one WARNING, got 0/ },
  { scenario: 'add-callback-einval', fixture: 'add-callback-unchecked', kind: 'assertion', headline: /dma_fence_add_callback\(f, cb, NULL\): expected one WARNING, got 0/ },
  { scenario: 'signal-null', fixture: 'signal-unchecked', kind: 'null-deref', headline: /^BUG: kernel NULL pointer dereference, address: 0x0+ in dma_fence_spinlock$/ },
  { scenario: 'context-alloc', fixture: 'context-alloc-racy-counter', kind: 'assertion', headline: /context ranges overlap/ },
  { scenario: 'context-alloc', fixture: 'context-alloc-unchecked', kind: 'assertion', headline: /dma_fence_context_alloc\(0\): expected one WARNING, got 0/ },
  { scenario: 'is-later', fixture: 'is-later-any-context', kind: 'assertion', headline: /dma_fence_is_later\(\) across contexts returned true/ },
];

describe('the BUG_ON of __dma_fence_init (a test scenario, not a semantics one: it oopses on every design)', () => {
  it('every design BUG()s at init on ops without get_timeline_name; one without the BUG_ON calls through NULL later', async () => {
    const nameless = await loadScenario(path.join(FIXTURES, 'error-paths', 'init-without-timeline-name.ts'));
    for (const v of VARIANTS) {
      const r = check(variants[v]!, nameless, DFS2);
      expect({ v, kind: r.violation?.kind, headline: r.violation?.headline }).toEqual({ v, kind: 'assertion', headline: 'kernel BUG: !ops in __dma_fence_init' });
    }
    const broken = await loadVariant(path.join(FIXTURES, 'variants', 'error-paths', 'init-unchecked.ts'));
    const r = check(broken, nameless, DFS2);
    expect(r.violation?.kind).toBe('null-deref');
    expect(r.violation?.headline).toMatch(/^BUG: kernel NULL pointer dereference, address: 0x0+ in dma_fence_timeline_name$/);
  });
});

describe('the error paths of dma-fence.c: each scenario fails on a design that drops the behaviour', () => {
  it('an interrupted wait needs the sleeper\'s barrier of __schedule() under weak: wait-interrupted-unlinks passes there, complete', () => {
    // The waiter's __set_current_state() is a plain store and the sender reads the state after
    // its own full barrier: without the barrier the simulated schedule_timeout() takes before
    // an interruptible sleep, the sender can miss the sleep state and the waiter sleeps forever.
    const r = check(variants['current-shared-lock']!, scenarios['wait-interrupted-unlinks']!, { ...DFS2, model: 'weak' });
    expect(r.violation?.headline).toBeUndefined();
    expect(r.complete).toBe(true);
  });

  it('covers every error-path scenario of the group', () => {
    for (const { scenario } of ERROR_PATHS) expect(SCENARIOS).toContain(scenario);
  });

  it.each(ERROR_PATHS)('$fixture fails $scenario with $kind, and the printed replay reproduces it', async ({ scenario, fixture, kind, headline }) => {
    const broken = await loadVariant(path.join(FIXTURES, 'variants', 'error-paths', `${fixture}.ts`));
    const r = check(broken, scenarios[scenario]!, DFS2);
    expect(r.verdict).toBe('violation');
    expect(r.violation!.kind).toBe(kind);
    expect(r.violation!.headline).toMatch(headline);
    expect(r.violation!.command).toContain(`--replay '${r.violation!.replay}'`);
    const again = check(broken, scenarios[scenario]!, { ...DFS2, strategy: 'replay', replay: r.violation!.replay });
    expect({ kind: again.violation?.kind, headline: again.violation?.headline }).toEqual({ kind, headline: r.violation!.headline });
  });
});

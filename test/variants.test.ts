// The designs as patches: each built-in variant overrides exactly what its patch changes (the
// lists are pinned here, so a stray override is a reviewed diff), declares its own title,
// summary and source, and extends the design its patch applies to. fence-lab variants reads all
// of it off the classes: a file in variants/ is listed with no registration, a plug-in from any
// directory resolves the lab's imports, and a broken one gets an error while the rest are
// listed.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeVariant, kebabOf } from '../src/cli/variants.ts';
import { LAB_ROOT } from '../src/sim/loader.ts';
import { builtinVariantFiles, loadVariant, nameOf, VARIANTS_DIR, type LoadedVariant } from '../src/sim/registry.ts';

const run = promisify(execFile);
const BIN = path.join(LAB_ROOT, 'bin/fence-lab.js');

async function fenceLab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { cwd: LAB_ROOT, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Each design's patch, as the methods it replaces, in source (C line) order. */
const PATCHES: Record<string, { base: string | null; overrides: string[] }> = {
  'current-shared-lock': { base: null, overrides: [] },
  'inline-lock': {
    base: 'current-shared-lock',
    overrides: [
      'dma_fence_stub_init', // stub fence on its inline lock
      'dma_fence_spinlock', // abstract fence locking: inline or external
      '__dma_fence_init', // RCU_INIT_POINTER(ops); lock NULL -> inline lock
      'dma_fence_release', // ops under RCU, may be NULL
      'dma_fence_signal_timestamp_locked', // detach: RCU_INIT_POINTER(ops, NULL)
      'dma_fence_is_signaled',
      'dma_fence_is_signaled_locked',
      'dma_fence_driver_name',
      'dma_fence_timeline_name',
      '__dma_fence_enable_signaling',
      'dma_fence_wait_timeout',
      'dma_fence_set_deadline',
      'dma_fence_allocate_private_stub',
    ],
  },
  'inline-lock-ops-check': { base: 'inline-lock', overrides: ['dma_fence_driver_name', 'dma_fence_timeline_name'] },
  'locked-reads': {
    base: 'inline-lock',
    overrides: [
      'dma_fence_test_signaled_flag', // takes the lock
      'dma_fence_is_signaled', // locked, no early-out
      'dma_fence_is_signaled_locked', // test_bit under the lock held
      'dma_fence_check_and_signal_locked',
      'dma_fence_timestamp',
      'dma_fence_driver_name',
      'dma_fence_timeline_name',
      '__dma_fence_enable_signaling',
      'dma_fence_add_callback', // no lockless fast path
      'dma_fence_default_wait',
      'dma_fence_set_deadline',
    ],
  },
  'barrier-lockless': {
    base: 'inline-lock',
    overrides: ['dma_fence_test_signaled_flag', 'dma_fence_signal_timestamp_locked', 'dma_fence_timestamp', 'dma_fence_driver_name', 'dma_fence_timeline_name'],
  },
  'barrier-lockless-bit-at-end': { base: 'barrier-lockless', overrides: ['dma_fence_signal_timestamp_locked'] },
  'unlocked-enable-signaling': { base: 'inline-lock', overrides: ['__dma_fence_enable_signaling', 'dma_fence_enable_sw_signaling', 'dma_fence_add_callback'] },
};

const BUILTINS = builtinVariantFiles().map(nameOf);
const loaded: Record<string, LoadedVariant> = {};

beforeAll(async () => {
  for (const name of BUILTINS) loaded[name] = await loadVariant(name);
});

describe('the built-in variants', () => {
  it('are exactly the .ts files in variants/ (no registration), and each has its patch pinned here', () => {
    const files = readdirSync(VARIANTS_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
    expect([...BUILTINS].sort()).toEqual(files);
    expect([...BUILTINS].sort()).toEqual(Object.keys(PATCHES).sort());
  });

  it.each(Object.entries(PATCHES))('%s overrides exactly its patch and extends %o', (name, patch) => {
    const d = describeVariant(loaded[name]!);
    expect(d.overrides).toEqual(patch.overrides);
    expect(d.base).toEqual(patch.base);
    // Overrides only: no built-in design adds helpers of its own beyond the root.
    if (patch.base) expect(d.adds).toEqual([]);
  });

  it.each(BUILTINS)('%s declares its own title, one-paragraph summary and source, and its class is named after its file', (name) => {
    const d = describeVariant(loaded[name]!);
    expect(d.missing).toEqual([]);
    expect(d.title.length).toBeGreaterThan(10);
    expect(d.summary.length).toBeGreaterThan(40);
    expect(d.summary).not.toMatch(/\n\s*\n/);
    expect(d.source.length).toBeGreaterThan(10);
    expect(kebabOf(loaded[name]!.cls.name)).toBe(name);
  });

  it('derive what scenarios need from their base, declared where the patch changes it', () => {
    const facts = (n: string) => {
      const c = loaded[n]!.cls as unknown as { lockModel: string; detachesOps: boolean; enableSignalingContract: string };
      return [c.lockModel, c.detachesOps, c.enableSignalingContract];
    };
    expect(facts('current-shared-lock')).toEqual(['extern', false, 'locked-bool']);
    for (const n of ['inline-lock', 'inline-lock-ops-check', 'locked-reads', 'barrier-lockless', 'barrier-lockless-bit-at-end']) {
      expect(facts(n)).toEqual(['inline', true, 'locked-bool']);
    }
    expect(facts('unlocked-enable-signaling')).toEqual(['inline', true, 'unlocked-void']);
  });
});

describe('variants/README.md', () => {
  it('has a worked example that loads, extends inline-lock and overrides exactly its three hunks, as printed there', async () => {
    const example = await loadVariant(path.join(LAB_ROOT, 'test/fixtures/variants/name-getters-rmb.ts'));
    const d = describeVariant(example);
    expect(d.base).toBe('inline-lock');
    expect(d.overrides).toEqual(['dma_fence_signal_timestamp_locked', 'dma_fence_driver_name', 'dma_fence_timeline_name']);
    expect(d.missing).toEqual([]);
    const readme = readFileSync(path.join(VARIANTS_DIR, 'README.md'), 'utf8');
    expect(readme).toContain(`  overrides: ${d.overrides.join(', ')}`);
    expect(readme).toContain(`  source:    ${d.source}`);
    for (const name of BUILTINS) expect(readme).toContain(`\`${name}.ts\``);
  });
});

describe('fence-lab variants', () => {
  let tmp: string;

  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'fence-lab-variants-'));
    writeFileSync(
      path.join(tmp, 'my-proposal.ts'),
      `import type { Cpu, Ptr } from 'dma-fence-lab/src/kernel/cpu.ts';
import { test_bit_acquire } from 'dma-fence-lab/src/kernel/primitives.ts';
import { DMA_FENCE_FLAG_SIGNALED_BIT, dma_fence } from 'dma-fence-lab/src/kernel/dma-fence.ts';
import Base from 'dma-fence-lab/variants/inline-lock.ts';

export default class MyProposal extends Base {
  static override title = 'inline-lock whose flag test is an acquire';
  static override summary = 'A plug-in written outside the lab.';
  static override source = 'test/variants.test.ts';

  override dma_fence_test_signaled_flag(cpu: Cpu, fence: Ptr): boolean {
    return test_bit_acquire(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, fence + dma_fence.flags);
  }

  dma_fence_is_signalled(cpu: Cpu, fence: Ptr): boolean {
    return this.dma_fence_is_signaled(cpu, fence);
  }
}
`,
    );
    writeFileSync(
      path.join(tmp, 'no-metadata.ts'),
      `import Base from 'dma-fence-lab/variants/locked-reads.ts';
export default class NoMetadata extends Base {}
`,
    );
  });

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--json prints { variants: [ { name, title, base, source, overrides } ] } for every built-in', async () => {
    const { code, stdout, stderr } = await fenceLab(['variants', '--json']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const { variants } = JSON.parse(stdout) as { variants: Record<string, unknown>[] };
    expect(Object.keys(JSON.parse(stdout))).toEqual(['variants']);
    expect(variants.map((v) => v['name'])).toEqual(BUILTINS);
    for (const v of variants) {
      expect(Object.keys(v)).toEqual(['name', 'title', 'base', 'source', 'overrides']);
      expect(v['overrides']).toEqual(PATCHES[v['name'] as string]!.overrides);
      expect(v['base']).toEqual(PATCHES[v['name'] as string]!.base);
    }
  });

  it('prints each design with its base, source, overrides and summary as text', async () => {
    const { code, stdout } = await fenceLab(['variants', '--variant', 'unlocked-enable-signaling']);
    expect(code).toBe(0);
    expect(stdout).toContain('unlocked-enable-signaling -- ops->enable_signaling called without the fence lock');
    expect(stdout).toContain('  base:      inline-lock');
    expect(stdout).toContain('  overrides: __dma_fence_enable_signaling, dma_fence_enable_sw_signaling, dma_fence_add_callback');
  });

  it('loads a plug-in from a directory outside the lab, resolving dma-fence-lab/ imports, and shows a misspelt override as an addition', async () => {
    const { code, stdout } = await fenceLab(['variants', '--variant', path.join(tmp, 'my-proposal.ts'), '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).variants).toEqual([
      { name: 'my-proposal', title: 'inline-lock whose flag test is an acquire', base: 'inline-lock', source: 'test/variants.test.ts', overrides: ['dma_fence_test_signaled_flag'] },
    ]);
    const text = await fenceLab(['variants', '--variant', path.join(tmp, 'my-proposal.ts')]);
    expect(text.stdout).toContain('  adds:      dma_fence_is_signalled');
  });

  it('gives broken plug-ins a clear error each and still lists the others (exit 2)', async () => {
    const fixture = (n: string) => path.join('test/fixtures/variants', `${n}.ts`);
    const { code, stdout, stderr } = await fenceLab([
      'variants', '--json', '--variant', 'inline-lock',
      '--variant', fixture('rule-break'), '--variant', fixture('throws-at-load'), '--variant', fixture('not-a-variant'),
      '--variant', fixture('syntax-error'), '--variant', path.join(tmp, 'no-metadata.ts'), '--variant', path.join(tmp, 'missing.ts'),
    ]);
    expect(code).toBe(2);
    expect(stderr).toBe('');
    const byName = Object.fromEntries((JSON.parse(stdout).variants as { name: string; error?: string; overrides?: string[] }[]).map((v) => [v.name, v]));
    expect(byName['inline-lock']!.overrides).toEqual(PATCHES['inline-lock']!.overrides);
    expect(byName['rule-break']!.error).toMatch(/rule-break\.ts:6:12: Math\.random\(\) is hidden nondeterminism/);
    expect(byName['throws-at-load']!.error).toMatch(/throws while loading: this plug-in is broken at load time/);
    expect(byName['not-a-variant']!.error).toMatch(/does not extend a lab variant \(missing dma_buf_init, .*\); extend one: import Base from 'dma-fence-lab\/variants\/inline-lock\.ts'/);
    expect(byName['syntax-error']!.error).toMatch(/syntax-error\.ts:6:\d+: /);
    expect(byName['no-metadata']!.error).toMatch(/declares no static title, summary, source of its own \(it would inherit locked-reads's\)/);
    expect(byName['missing']!.error).toMatch(/missing\.ts: no such file/);
  });
});

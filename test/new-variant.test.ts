// fence-lab new-variant: the file loads at once and behaves as its base (the semantics group
// passes); with --patch, one override per C function the hunks touch, the hunk's C lines placed
// where they belong; the functions the base has no method for listed; a malformed patch named
// by line. The patches and the C excerpt they apply to (test/fixtures/patches) are the lab's own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeVariant } from '../src/cli/variants.ts';
import { newVariant } from '../src/scaffold/new-variant.ts';
import { definedFunction, parsePatch, PatchError } from '../src/scaffold/patch.ts';
import { runCell } from '../src/sim/cells.ts';
import { DEFAULT_CHECK } from '../src/sim/check.ts';
import { builtinScenarioFiles, loadVariant } from '../src/sim/registry.ts';
import { FIXTURES, fenceLab } from './helpers.ts';

const PATCHES = path.join(FIXTURES, 'patches');
const dir = mkdtempSync(path.join(tmpdir(), 'fence-new-variant-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const patch = (name: string) => ({ text: readFileSync(path.join(PATCHES, name), 'utf8'), file: name });

async function written(name: string, base: string, patchName?: string): Promise<{ file: string; text: string }> {
  const file = path.join(dir, `${name}.ts`);
  const made = await newVariant({ name, base, outFile: file, ...(patchName ? { patch: patch(patchName) } : {}) });
  writeFileSync(file, made.text);
  return { file, text: made.text };
}

describe('new-variant without a patch', () => {
  it('loads at once as its base with nothing overridden, with the fields to fill', async () => {
    for (const base of ['current-shared-lock', 'locked-reads', 'unlocked-enable-signaling']) {
      const { file, text } = await written(`plain-${base}`, base);
      const info = describeVariant(await loadVariant(file));
      expect(info).toMatchObject({ base, overrides: [], adds: [], missing: [] });
      for (const field of ['// Mail:', '// Message-ID:', '// Changes:', 'static override title', 'static override summary', 'static override source']) {
        expect(text).toContain(field);
      }
    }
    const { text } = await written('plain-unlocked', 'unlocked-enable-signaling');
    expect(text).toContain("// static override enableSignalingContract: 'locked-bool' | 'unlocked-void' = 'unlocked-void';");
  });
});

describe('new-variant --patch', () => {
  it('gives one override per function the hunks touch, with the C lines where they belong', async () => {
    const { file, text } = await written('two-functions', 'inline-lock', 'two-functions.patch');
    expect(describeVariant(await loadVariant(file))).toMatchObject({ base: 'inline-lock', overrides: ['dma_fence_signal_timestamp_locked', 'dma_fence_is_signaled'], adds: [] });
    const lines = text.split('\n');
    // the added smp_wmb() goes just before the set_bit(TIMESTAMP) it precedes in C
    const wmb = lines.findIndex((l) => l.includes('// +     smp_wmb();'));
    expect(lines[wmb + 1]).toMatch(/^\s+set_bit\(cpu, DMA_FENCE_FLAG_TIMESTAMP_BIT/);
    expect(lines[wmb - 1]).toContain('patch (drivers/dma-buf/dma-fence.c, patch line 16)');
    // the replaced test sits above the line it replaces
    const removed = lines.findIndex((l) => l.includes('// -     if (dma_fence_test_signaled_flag(fence))'));
    expect(lines[removed + 1]).toContain('// +     if (test_bit_acquire(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))');
    expect(lines[removed + 2]).toMatch(/^\s+if \(this\.dma_fence_test_signaled_flag\(cpu, fence\)\) return true;/);
  });

  it('behaves as its base until edited: the semantics group passes under sc', { timeout: 600_000 }, async () => {
    const { file } = await written('semantics-check', 'inline-lock', 'two-functions.patch');
    const failures: string[] = [];
    for (const scenario of builtinScenarioFiles('semantics')) {
      const result = await runCell({ variant: file, scenario, model: 'sc' }, { ...DEFAULT_CHECK, executions: 500 });
      if (result.verdict !== 'pass' || result.error) failures.push(`${result.scenario}: ${result.error ?? result.violation?.headline}`);
    }
    expect(failures).toEqual([]);
  });

  it('lists the touched functions the base has no method for', async () => {
    const made = await newVariant({ name: 'no-method', base: 'inline-lock', outFile: path.join(dir, 'no-method.ts'), patch: patch('function-without-method.patch') });
    expect(made.overrides).toEqual([]);
    expect(made.unmatched).toEqual(['dma_fence_lab_trace']);
    expect(made.text).toContain('Touched by the patch, no method in inline-lock: dma_fence_lab_trace.');
  });

  it('names the line and what was expected in a malformed patch', () => {
    const good = patch('two-functions.patch').text;
    const at = (needle: string) => good.split('\n').findIndex((l) => l.startsWith(needle)) + 1;
    const cases: [string, RegExp][] = [
      [good.replace('@@ -21,6 +21,7 @@', '@@ -21,6 +21 7 @@'), new RegExp(`p:${at('@@ -21,6')}: expected a hunk header '@@ -LINE,COUNT \\+LINE,COUNT @@'`)],
      [good.replace('+\tsmp_wmb();\n', '*\tsmp_wmb();\n'), new RegExp(`p:${at('+\tsmp_wmb')}: expected a hunk line starting with ' ', '-', '\\+' or`)],
      [good.replace('@@ -21,6 +21,7 @@', '@@ -21,6 +21,6 @@'), /p:\d+: expected a '\+' or '-' line \(the hunk at line \d+ counts no more context\), found ' }'/],
      [good.replace('+++ b/drivers/dma-buf/dma-fence.c', 'xxx'), /p:\d+: expected the '\+\+\+ b\/FILE' line after '--- a\/FILE'/],
      ['Subject: no diff here\n', /p:1: expected a unified diff/],
    ];
    for (const [text, message] of cases) {
      expect(() => parsePatch(text, 'p')).toThrow(PatchError);
      expect(() => parsePatch(text, 'p')).toThrow(message);
    }
  });

  it('tells a C function definition from a declaration, a macro call and a statement', () => {
    expect(definedFunction('static inline bool dma_fence_is_signaled(struct dma_fence *fence)')).toBe('dma_fence_is_signaled');
    expect(definedFunction('void dma_fence_signal_timestamp_locked(struct dma_fence *fence,')).toBe('dma_fence_signal_timestamp_locked');
    expect(definedFunction('const char __rcu *dma_fence_driver_name(struct dma_fence *fence)')).toBe('dma_fence_driver_name');
    expect(definedFunction('EXPORT_SYMBOL(dma_fence_signal);')).toBeNull();
    expect(definedFunction('static void fence_run_list(struct dma_fence *fence, struct list_head *list);')).toBeNull();
    expect(definedFunction('\tif (dma_fence_test_signaled_flag(fence))')).toBeNull();
  });
});

describe('fence-lab new-variant', () => {
  it('writes the file, keeps an existing one, and refuses a bad name or base', async () => {
    const out = path.join(dir, 'cli-made.ts');
    const made = await fenceLab(['new-variant', 'cli-made', '--base', 'inline-lock', '--patch', path.join(PATCHES, 'two-functions.patch'), '--out', out]);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('overrides dma_fence_signal_timestamp_locked, dma_fence_is_signaled');
    const again = await fenceLab(['new-variant', 'cli-made', '--base', 'inline-lock', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; not overwritten');
    expect((await fenceLab(['new-variant', 'Bad_Name', '--base', 'inline-lock', '--out', path.join(dir, 'x.ts')])).stderr).toContain('use kebab-case');
    expect((await fenceLab(['new-variant', 'x', '--base', 'no-such', '--out', path.join(dir, 'x.ts')])).stderr).toContain("unknown variant 'no-such'");
  });
});

// fence-lab check as a user runs it: exit codes, JSON contract, and bad input that names the
// file and line while the other cells still run.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CheckResults } from '../src/results/types.ts';
import { FIXTURES } from './helpers.ts';

const run = promisify(execFile);
const BIN = path.resolve(FIXTURES, '../../bin/fence-lab.js');

async function fenceLab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { cwd: path.resolve(FIXTURES, '../..'), maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const fixture = (name: string) => path.join('test/fixtures/variants', `${name}.ts`);

describe('fence-lab check', () => {
  it('exits 0 when every verdict is the expected one, and prints the JSON contract', async () => {
    const { code, stdout } = await fenceLab(['check', '--variant', 'current-shared-lock', '--scenario', 'is-signaled-put-uaf', '--model', 'sc', '--json']);
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout) as CheckResults;
    expect(results).toHaveLength(1);
    const r = results[0]!;
    expect(Object.keys(r).sort()).toEqual(['complete', 'executions', 'expected', 'group', 'model', 'ms', 'scenario', 'strategy', 'variant', 'verdict', 'violation']);
    expect(r).toMatchObject({ variant: 'current-shared-lock', scenario: 'is-signaled-put-uaf', group: 'races', model: 'sc', strategy: 'auto', verdict: 'violation', complete: false });
    expect(Object.keys(r.violation!).sort()).toEqual(['command', 'headline', 'kind', 'preemptions', 'replay', 'trace']);
  });

  it('replays what it printed', async () => {
    const first = await fenceLab(['check', '--variant', 'current-shared-lock', '--scenario', 'is-signaled-put-uaf', '--json']);
    const printed = (JSON.parse(first.stdout) as CheckResults).results[0]!.violation!;
    const args = printed.command!.replace(/^npx fence-lab /, '').match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'|'$/g, ''));
    const again = await fenceLab([...args, '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as CheckResults).results[0]!.violation!.trace).toBe(printed.trace);
  });

  it('exits 1 when a verdict differs from the expectation', async () => {
    const { code, stdout } = await fenceLab(['check', '--variant', 'current-shared-lock', '--scenario', 'is-signaled-put-uaf', '--executions', '0']);
    expect(code).toBe(1);
    expect(stdout).toContain('EXPECTED VIOLATION');
  });

  it('reports broken plug-ins with file and line, and still runs the good cells', async () => {
    const { code, stdout, stderr } = await fenceLab([
      'check', '--scenario', 'is-signaled-put-uaf', '--variant', 'current-shared-lock',
      '--variant', fixture('syntax-error'), '--variant', fixture('rule-break'), '--variant', fixture('throws-at-load'),
      '--variant', fixture('not-a-variant'), '--variant', fixture('loops-forever'), '--json',
    ]);
    expect(code).toBe(2);
    const cells = Object.fromEntries((JSON.parse(stdout) as CheckResults).results.map((r) => [r.variant, r]));
    expect(cells['current-shared-lock']!.verdict).toBe('violation');
    expect(cells['current-shared-lock']!.violation!.kind).toBe('use-after-free');
    expect(cells['syntax-error']!.error).toMatch(/syntax-error\.ts:6:\d+: /);
    expect(cells['rule-break']!.error).toMatch(/rule-break\.ts:6:12: Math\.random\(\) is hidden nondeterminism/);
    expect(cells['throws-at-load']!.error).toMatch(/throws-at-load\.ts: throws while loading: this plug-in is broken at load time/);
    expect(cells['not-a-variant']!.error).toMatch(/does not extend a lab variant/);
    expect(cells['loops-forever']!.violation!.kind).toBe('step-bound');
    expect(stderr).toBe('');
  });

  it('runs a plug-in from a directory outside the lab that imports dma-fence-lab/variants/inline-lock.ts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fence-lab-plugin-'));
    const plugin = path.join(dir, 'locked-is-signaled.ts');
    writeFileSync(
      plugin,
      `import type { Cpu, Ptr } from 'dma-fence-lab/src/kernel/cpu.ts';
import Base from 'dma-fence-lab/variants/inline-lock.ts';

export default class LockedIsSignaled extends Base {
  static override title = 'inline-lock whose dma_fence_is_signaled takes the fence lock';
  static override summary = 'A proposal written outside the lab.';
  static override source = 'test/cli-check.test.ts';

  override dma_fence_is_signaled(cpu: Cpu, fence: Ptr): boolean {
    const flags = this.dma_fence_lock_irqsave(cpu, fence);
    const signaled = this.dma_fence_is_signaled_locked(cpu, fence);
    this.dma_fence_unlock_irqrestore(cpu, fence, flags);
    return signaled;
  }
}
`,
    );
    try {
      const { code, stdout, stderr } = await fenceLab([
        'check', '--scenario', 'is-signaled-put-uaf', '--model', 'sc', '--strategy', 'dfs', '--variant', 'inline-lock', '--variant', plugin, '--json',
      ]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const cells = Object.fromEntries((JSON.parse(stdout) as CheckResults).results.map((r) => [r.variant, r]));
      expect(cells['inline-lock']!.violation!.kind).toBe('use-after-free');
      expect(cells['locked-is-signaled']).toMatchObject({ verdict: 'pass', complete: true });
      expect(cells['locked-is-signaled']!.error).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options with exit 2 and the usage', async () => {
    const { code, stderr } = await fenceLab(['check', '--strategy', 'bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown --strategy 'bogus'");
  });
});

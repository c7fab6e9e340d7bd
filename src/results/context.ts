// The environment stamp every result carries (DESIGN.md "Every result carries its context",
// after mitata's `context`): enough to refuse or warn when two runs are not comparable.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { BenchContext } from './types.ts';

/** `git rev-parse --short HEAD` in `cwd`, or "unknown" outside a git checkout. */
export function gitCommit(cwd: string = process.cwd()): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function environmentContext(options: { cwd?: string; now?: Date } = {}): BenchContext {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model.trim() || 'unknown',
    cores: cpus.length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: gitCommit(options.cwd),
    date: (options.now ?? new Date()).toISOString(),
  };
}

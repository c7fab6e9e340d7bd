// Where the LKMM litmus corpus comes from: the user's kernel tree (--kernel DIR, or KERNEL_SRC),
// whose tools/memory-model/litmus-tests/ is the corpus LKMM's own README runs (and
// Documentation/litmus-tests/ when the tree has it), else the lab's own copy next to its
// checkout (../shared/litmus/lkmm), else none: the report then says how to get one.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** Below a kernel tree's top: LKMM's tests, then the documentation's (atomic/, locking/, rcu/). */
export const KERNEL_LITMUS_DIRS = ['tools/memory-model/litmus-tests', 'Documentation/litmus-tests'] as const;

export interface LitmusCorpus {
  /** The kernel tree, or the lab's copy. */
  root: string;
  /** The directories to run: `root` or below it. */
  dirs: string[];
  /** What a reader is told: "kernel tree DIR" or "the lab's copy DIR". */
  origin: string;
  /** The tree's `git describe`, when it is a git tree. */
  describe?: string;
}

export class CorpusError extends Error {}

export const HOW_TO_GET_CORPUS =
  'give a kernel tree: --kernel DIR or KERNEL_SRC=DIR (the top of a Linux checkout, with tools/memory-model/litmus-tests/)';

function isDirectory(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** `git describe` of a tree (tags, else the commit), or undefined when it is not a git tree. */
export function gitDescribe(dir: string): string | undefined {
  try {
    const top = execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // a kernel tree copied inside another git checkout is not that checkout's commit
    if (path.resolve(top) !== path.resolve(dir)) return undefined;
    return execFileSync('git', ['-C', dir, 'describe', '--tags', '--always', '--dirty'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The corpus of a kernel tree; a directory that is not one is an error saying what is missing. */
export function kernelCorpus(tree: string, given: string): LitmusCorpus {
  if (!isDirectory(tree)) throw new CorpusError(`${given}: no such directory; ${HOW_TO_GET_CORPUS}`);
  const dirs = KERNEL_LITMUS_DIRS.map((d) => path.join(tree, d)).filter(isDirectory);
  if (!isDirectory(path.join(tree, KERNEL_LITMUS_DIRS[0]))) {
    throw new CorpusError(`${given}: no ${KERNEL_LITMUS_DIRS[0]}/ below it; ${HOW_TO_GET_CORPUS}`);
  }
  const describe = gitDescribe(tree);
  return { root: tree, dirs, origin: `kernel tree ${tree}`, ...(describe ? { describe } : {}) };
}

/**
 * The corpus to run: --kernel, else KERNEL_SRC, else the lab's own copy when it exists, else
 * null. `labCopy` is that copy's directory.
 */
export function findCorpus(kernel: string | undefined, env: NodeJS.ProcessEnv, labCopy: string): LitmusCorpus | null {
  if (kernel) return kernelCorpus(kernel, `--kernel ${kernel}`);
  if (env['KERNEL_SRC']) return kernelCorpus(env['KERNEL_SRC'], `KERNEL_SRC=${env['KERNEL_SRC']}`);
  if (isDirectory(labCopy)) return { root: labCopy, dirs: [labCopy], origin: `the lab's copy ${labCopy}` };
  return null;
}

/** Where the corpus came from, in words: the tree, its `git describe`, the directories run. */
export function corpusLine(corpus: LitmusCorpus): string {
  const below = corpus.dirs.map((d) => path.relative(corpus.root, d)).filter(Boolean);
  return (
    corpus.origin +
    (corpus.describe ? ` (git describe: ${corpus.describe})` : '') +
    (below.length ? `: ${below.map((d) => `${d}/`).join(', ')}` : '')
  );
}

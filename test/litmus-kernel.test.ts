// The user's kernel tree as the LKMM corpus: --kernel DIR and KERNEL_SRC on `litmus` and
// `report`, the lab's own copy as the fallback, a report that names where the corpus came from
// (with the tree's git describe) or says how to get it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLitmusCorpus } from '../src/cli/report.ts';
import { CorpusError, corpusLine, findCorpus, HOW_TO_GET_CORPUS } from '../src/litmus/corpus.ts';
import { renderText } from '../src/report/index.ts';
import { FIXTURES, fenceLab } from './helpers.ts';

const TREE = path.join(FIXTURES, 'kernel-tree');
const NO_COPY = path.join(FIXTURES, 'no-such-copy');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The fixture tree as a git tree of its own, tagged as a kernel release would be. */
function gitTree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fence-kernel-'));
  dirs.push(dir);
  cpSync(TREE, dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=lab', '-c', 'user.email=lab@example.org', ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'tree');
  git('tag', 'v6.99-rc1');
  return dir;
}

describe('finding the corpus', () => {
  it('takes --kernel first, then KERNEL_SRC, then the lab copy, else none', () => {
    const labCopy = path.join(TREE, 'tools/memory-model/litmus-tests');
    expect(findCorpus(TREE, { KERNEL_SRC: '/nowhere' }, labCopy)?.dirs).toEqual([
      path.join(TREE, 'tools/memory-model/litmus-tests'),
      path.join(TREE, 'Documentation/litmus-tests'),
    ]);
    expect(findCorpus(undefined, { KERNEL_SRC: TREE }, NO_COPY)?.origin).toBe(`kernel tree ${TREE}`);
    expect(findCorpus(undefined, {}, labCopy)).toMatchObject({ dirs: [labCopy], origin: `the lab's copy ${labCopy}` });
    expect(findCorpus(undefined, {}, NO_COPY)).toBeNull();
  });

  it('says what is missing from a directory that is not a kernel tree', () => {
    expect(() => findCorpus(FIXTURES, {}, NO_COPY)).toThrow(CorpusError);
    expect(() => findCorpus(FIXTURES, {}, NO_COPY)).toThrow(`--kernel ${FIXTURES}: no tools/memory-model/litmus-tests/ below it`);
    expect(() => findCorpus(undefined, { KERNEL_SRC: NO_COPY }, NO_COPY)).toThrow(`KERNEL_SRC=${NO_COPY}: no such directory`);
  });

  it("names a git tree by its git describe, and not a tree inside the lab's own checkout", () => {
    const tree = gitTree();
    const corpus = findCorpus(tree, {}, NO_COPY)!;
    expect(corpus.describe).toBe('v6.99-rc1');
    expect(corpusLine(corpus)).toBe(`kernel tree ${tree} (git describe: v6.99-rc1): tools/memory-model/litmus-tests/, Documentation/litmus-tests/`);
    expect(findCorpus(TREE, {}, NO_COPY)!.describe).toBeUndefined();
  });
});

describe('the report', () => {
  it('runs the corpus, names it, and lists the files the parser does not take', () => {
    const corpus = findCorpus(gitTree(), {}, NO_COPY)!;
    const { litmus, unparsed } = runLitmusCorpus(corpus);
    expect(new Set(litmus.results.map((r) => r.name))).toEqual(new Set(['MP+lab-onces', 'MP+lab-release-acquire']));
    expect(litmus.results.filter((r) => r.model === 'weak').every((r) => r.agrees)).toBe(true);
    expect(unparsed).toHaveLength(1);
    expect(unparsed[0]).toMatch(/Lab-unknown-primitive\.litmus:\d+:\d+: unsupported primitive 'lab_made_up_primitive'/);
    const text = renderText({ litmus, litmusSource: { corpus: corpusLine(corpus), unparsed } }).replace(/\s+/g, ' ');
    expect(text).toContain('Corpus: kernel tree');
    expect(text).toContain('(git describe: v6.99-rc1)');
    expect(text).toContain("Not run: 1 file(s) of the corpus the lab's litmus parser does not take:");
  });

  it('says the conformance section was not run, and how to get it', () => {
    const text = renderText({ check: { results: [] }, litmusSource: { notRun: `no litmus corpus; ${HOW_TO_GET_CORPUS}` } }).replace(/\s+/g, ' ');
    expect(text).toContain('Missing: litmus results (the conformance section was not run: no litmus corpus; give a kernel tree: --kernel DIR or KERNEL_SRC=DIR');
  });

  it('refuses a --kernel that is not a kernel tree before running anything', async () => {
    const { code, stderr } = await fenceLab(['report', '--kernel', FIXTURES, '--no-bench', '--quiet']);
    expect(code).toBe(2);
    expect(stderr).toContain('no tools/memory-model/litmus-tests/ below it');
  });
});

describe('fence-lab litmus --kernel', () => {
  it('runs the tree, and KERNEL_SRC does the same with no file named', async () => {
    const flag = await fenceLab(['litmus', '--kernel', TREE, '--json']);
    const env = await fenceLab(['litmus', '--json'], { env: { ...process.env, KERNEL_SRC: TREE } });
    for (const run of [flag, env]) {
      // the unparsable documentation test makes it bad input; the others still run
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`corpus from kernel tree ${TREE}`);
      expect(run.stderr).toContain("unsupported primitive 'lab_made_up_primitive'");
      expect((JSON.parse(run.stdout) as { results: { name: string }[] }).results.map((r) => r.name)).toEqual(['MP+lab-onces', 'MP+lab-release-acquire']);
    }
    const none = await fenceLab(['litmus'], { env: { ...process.env, KERNEL_SRC: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('or a kernel tree with --kernel DIR');
  });
});

// report.html in headless Chromium or Chrome (test/browser.ts finds it): every chart renders,
// nothing is fetched, nothing logs an error, injected markup stays text. With no browser the
// tests are skipped with one line saying what to install, unless CI is set: then the run fails.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults, CheckResults, LitmusResults } from '../src/results/types.ts';
import { buildCharts, writeReport } from '../src/report/index.ts';
import { browserRequired, findBrowser } from './browser.ts';

const browserLookup = findBrowser();
if (!browserLookup.found && !browserRequired()) {
  console.warn(`report-browser.test.ts: SKIPPED: ${browserLookup.problem} (set CI=true to make this a failure)`);
}

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/report/${name}.json`, import.meta.url), 'utf8')) as T;
const inputs = { check: fixture<CheckResults>('check'), litmus: fixture<LitmusResults>('litmus'), bench: fixture<BenchResults>('bench') };
const HOSTILE = '<script>alert(1)</script>';
const SCREENSHOT = 'test-artifacts/report.png';

interface PageProblems {
  consoleErrors: string[];
  requests: string[];
  dialogs: string[];
}

/** Opens a file and records every console error, page error, dialog and request it makes. */
async function openReport(browser: Browser, file: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const url = pathToFileURL(file).href;
  const problems: PageProblems = { consoleErrors: [], requests: [], dialogs: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => problems.consoleErrors.push(String(err)));
  page.on('request', (req) => {
    if (req.url() !== url) problems.requests.push(req.url());
  });
  page.on('dialog', async (dialog) => {
    problems.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

describe.runIf(!browserLookup.found && browserRequired())('report.html in a browser, under CI', () => {
  it('has a browser to run in', () => {
    expect.fail(`CI is set and the browser tests cannot run: ${browserLookup.found ? '' : browserLookup.problem}`);
  });
});

describe.runIf(browserLookup.found)('report.html in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fence-report-browser-'));
    browser = await chromium.launch({
      executablePath: browserLookup.found ? browserLookup.path : undefined,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders every chart with no console error and no request beyond the file', async () => {
    const out = join(dir, 'full');
    await writeReport(inputs, out);
    const { page, problems } = await openReport(browser, join(out, 'report.html'));
    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          name: figure.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          texts: svg ? [...svg.querySelectorAll('text')].filter((t) => (t.textContent ?? '').trim() && t.getBBox().width > 0).length : 0,
          marks: svg ? svg.querySelectorAll('path, rect, line').length : 0,
        };
      }),
    );
    expect(charts.map((c) => c.name)).toEqual(buildCharts(inputs).map((c) => c.name));
    for (const chart of charts) {
      expect(chart.width, `${chart.name} width`).toBeGreaterThan(300);
      expect(chart.height, `${chart.name} height`).toBeGreaterThan(200);
      expect(chart.texts, `${chart.name} visible text`).toBeGreaterThan(5);
      expect(chart.marks, `${chart.name} marks`).toBeGreaterThan(10);
    }
    expect(await page.locator('details.violation pre.trace').count()).toBeGreaterThan(10);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual({ consoleErrors: [], requests: [], dialogs: [] });
    await page.close();
  });

  it('opens the trace of a violation cell clicked in the matrix', async () => {
    const out = join(dir, 'click');
    await writeReport(inputs, out);
    const { page, problems } = await openReport(browser, join(out, 'report.html'));
    const cell = page.locator('table.matrix[data-model="weak"] td.violation a').first();
    const href = (await cell.getAttribute('href'))!;
    const trace = page.locator(`pre.trace${href}`);
    expect(await trace.isVisible()).toBe(false); // collapsed until asked for
    await cell.click();
    expect(new URL(page.url()).hash).toBe(href);
    expect(await trace.isVisible()).toBe(true);
    expect(await trace.innerText()).toMatch(/CPU\d/);
    // the replay command sits next to it
    const entry = page.locator('details.violation', { has: trace });
    expect(await entry.locator('pre.replay').innerText()).toMatch(/fence-lab check --variant \S+ --scenario \S+ --model weak --replay/);
    expect(problems).toEqual({ consoleErrors: [], requests: [], dialogs: [] });
    await page.close();
  });

  it('shows a design named <script>alert(1)</script> as text and runs nothing', async () => {
    const template = inputs.check.results.find((r) => r.verdict === 'violation')!;
    const hostile = { ...template, variant: HOSTILE, violation: { ...template.violation!, trace: HOSTILE } };
    const out = join(dir, 'hostile');
    await writeReport({ check: { results: [...inputs.check.results, hostile] } }, out);
    const { page, problems } = await openReport(browser, join(out, 'report.html'));
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('body').innerText()).toContain(HOSTILE);
    expect(problems).toEqual({ consoleErrors: [], requests: [], dialogs: [] });
    await page.close();
  });
});

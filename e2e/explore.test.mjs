// End-to-end: the Explore tab on the embedded sample — class distribution, column statistics,
// data quality, histograms, correlations, leakage warnings, and the downloads (data CSV, table
// CSV/JSON, chart PNG). Expected numbers: tests/explore.rs
// (`the_embedded_sample_as_the_explore_tab_shows_it`, checked natively against Python over the
// raw file). Writes e2e/screenshots/explore.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  ARGS,
  CHROMIUM,
  canvasDrawn,
  dist,
  downloadText,
  freePort,
  SAMPLE_ROWS,
  screenshots,
  startPage,
  TIMEOUT,
  waitForHttp,
} from './harness.mjs';

const CHARTS = [
  'explore-class-bars',
  'explore-class-pie',
  'explore-histogram',
  'explore-correlation-heatmap',
];

/** Text of the stats-table cell `field` in the row of `column`. */
function cell(page, column, field) {
  return page.textContent(`[data-testid="explore-stats-table"] tr[data-column="${column}"] [data-field="${field}"]`);
}

describe('explore tab', () => {
  let h;
  before(async () => {
    h = await startPage();
    await h.page.click('[data-testid="tab-explore"]');
    await h.page.waitForSelector('[data-testid="explore-stats-table"]', { timeout: TIMEOUT });
  });
  after(async () => h?.close());

  it('shows the rows and the classes of the sample', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    assert.equal(await page.textContent('[data-testid="explore-rows"]'), SAMPLE_ROWS.toLocaleString('en-US'));
    // Raw labels of the sample (see page.test.mjs): 8 classes.
    assert.equal(await page.textContent('[data-testid="explore-classes"]'), '8');
    const aria = await page.getAttribute('[data-testid="explore-class-pie-canvas"]', 'aria-label');
    assert.match(aria, /PartOfAHorizontalPortScan: 12\.7 %/); // 437 / 3437
    assert.match(await page.getAttribute('[data-testid="explore-class-bars-canvas"]', 'aria-label'), /Okiru: 600/);
  });

  it('draws every chart', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    for (const id of CHARTS) {
      const selector = `[data-testid="${id}-canvas"]`;
      await page.waitForSelector(selector);
      const { width, height } = await page.$eval(selector, (c) => ({ width: c.width, height: c.height }));
      assert.ok(width >= 200 && height >= 150, `${id}: ${width}x${height}`);
      assert.ok(await canvasDrawn(page, selector), `${id} is blank`);
      // Several colours, not just a frame: at least 3 distinct opaque colours among the pixels.
      const colours = await page.$eval(selector, (c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        const seen = new Set();
        for (let i = 0; i < data.length; i += 4 * 11) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
        return seen.size;
      });
      assert.ok(colours >= 3, `${id}: ${colours} colours`);
    }
    assert.equal(await page.locator('.chart-error').count(), 0);
  });

  it('lists every column with its statistics, sortable', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    const rows = page.locator('[data-testid="explore-stats-table"] tbody tr');
    assert.equal(await rows.count(), 23);
    assert.equal(await cell(page, 'duration', 'missing'), '2,373 (69.0 %)');
    assert.equal(await cell(page, 'duration', 'max'), '322.371');
    assert.equal(await cell(page, 'duration', 'unique'), '1,044');
    assert.equal(await cell(page, 'duration', 'mean'), '4.70179');
    assert.equal(await cell(page, 'orig_bytes', 'max'), '2945024');
    assert.match(await page.textContent('tr[data-column="service"] .top-values'), /^ssh \(583\)/);
    // Sort by missing (numbers sort largest first): an all-missing column leads.
    await page.click('[data-testid="explore-stats-table"] th:has-text("Missing") button');
    assert.equal(await page.getAttribute('[data-testid="explore-stats-table"] th:has-text("Missing")', 'aria-sort'), 'descending');
    assert.match(await rows.first().locator('[data-field="missing"]').textContent(), /^3,437 \(100\.0 %\)/);
  });

  it('downloads the statistics as CSV and JSON', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    const csv = await downloadText(page, () => page.click('[data-testid="explore-stats-csv"]'));
    assert.equal(csv.name, 'column-statistics.csv');
    const lines = csv.text.trim().split('\n');
    assert.equal(lines[0], 'column,kind,role,present,missing,unique,min,max,mean,std,top values');
    assert.equal(lines.length, 24);
    assert.ok(lines.some((l) => l.startsWith('duration,numeric,feature,1064,2373,1044,')), lines.join('\n'));
    const json = await downloadText(page, () => page.click('[data-testid="explore-stats-json"]'));
    const stats = JSON.parse(json.text);
    assert.equal(stats.length, 23);
    const duration = stats.find((c) => c.name === 'duration');
    assert.equal(duration.max, 322.370929);
    assert.equal(duration.missing, 2373);
  });

  it('shows the data-quality panel', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    assert.equal(await page.textContent('[data-testid="explore-duplicates"]'), '0');
    assert.match(await page.textContent('[data-testid="explore-constant"]'), /local_orig empty/);
    assert.match(await page.textContent('[data-testid="explore-missing"]'), /duration/);
  });

  it('redraws the histogram for another feature and in share mode', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    const canvas = '[data-testid="explore-histogram-canvas"]';
    const before = await page.$eval(canvas, (c) => c.toDataURL());
    const options = await page.$$eval('[data-testid="explore-histogram-feature"] option', (o) => o.map((x) => x.textContent));
    assert.ok(options.length >= 5, options.join('|'));
    assert.ok(options.some((o) => o.startsWith('duration (')), options.join('|'));
    await page.selectOption('[data-testid="explore-histogram-feature"]', '1');
    await page.waitForFunction(([sel, old]) => document.querySelector(sel).toDataURL() !== old, [canvas, before]);
    const mid = await page.$eval(canvas, (c) => c.toDataURL());
    await page.click('[data-testid="explore-histogram-share"]');
    await page.waitForFunction(([sel, old]) => document.querySelector(sel).toDataURL() !== old, [canvas, mid]);
    assert.ok(await canvasDrawn(page, canvas));
  });

  it('shows the leakage warnings with their numbers', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    const table = '[data-testid="explore-leakage-table"]';
    const flagged = await page.$$eval(`${table} tbody tr`, (rows) => rows.map((r) => r.dataset.column));
    assert.ok(flagged.includes('uid'), flagged.join(','));
    const uid = await page.textContent(`${table} tr[data-column="uid"]`);
    assert.match(uid, /identifier-like/);
    assert.match(await page.textContent('[data-testid="explore-leakage"]'), /stratified 25 % hold-out \(seed 42\)/);
    await page.check('[data-testid="explore-leakage-all"]');
    assert.ok((await page.locator(`${table} tbody tr`).count()) > flagged.length);
  });

  it('downloads the loaded data as CSV', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    const { name, text } = await downloadText(page, () => page.click('[data-testid="explore-download-data"]'));
    assert.equal(name, 'flowlab-data.csv');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, SAMPLE_ROWS + 1);
    const header = lines[0].split(',');
    assert.equal(header.length, 23);
    assert.deepEqual(header.slice(0, 3), ['ts', 'uid', 'id.orig_h']);
    assert.ok(header.includes('duration') && header.includes('detailed-label'));
  });

  it('follows a taxonomy change and keeps the page clean', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await page.screenshot({ path: join(screenshots, 'explore.png'), fullPage: true });
    await page.selectOption('[data-testid="explore-taxonomy"]', 'binary');
    await page.waitForSelector('[data-testid="explore-classes"]:text-is("2")', { timeout: TIMEOUT });
    assert.ok(await canvasDrawn(page, '[data-testid="explore-class-pie-canvas"]'));
    assert.deepEqual(h.problems, []);
  });
});

describe('explore tab without data', () => {
  it('shows an empty state that leads to the Data tab', { timeout: TIMEOUT }, async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '-d', dist], { stdio: 'ignore' });
    const profile = mkdtempSync(join(tmpdir(), 'flowlab-e2e-explore-'));
    let context;
    try {
      await waitForHttp(`${origin}/index.html`, 15_000);
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
      // No sample: the page opens with nothing loaded.
      await context.route('**/sample/**', (route) => route.abort());
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${origin}/index.html`);
      await page.click('[data-testid="tab-explore"]');
      await page.waitForSelector('[data-testid="explore-empty"]', { timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="explore-stats-table"]').count(), 0);
      await page.click('[data-testid="explore-empty"] button');
      await page.waitForSelector('[data-testid="data-tab"]');
    } finally {
      await context?.close().catch(() => {});
      try {
        process.kill(server.pid);
      } catch {
        // already gone
      }
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

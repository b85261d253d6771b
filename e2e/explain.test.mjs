// End-to-end: explanations in the page.
//
//   node --test e2e/explain.test.mjs      (after `trunk build --release`)
//
// On the embedded sample: train a decision tree and a naive Bayes in the pool → predict the
// sample with the tree → "Explain" a row: the waterfall is drawn, its numbers (expected value +
// each step) add up to the output it shows and to the probability the table shows, to the
// displayed precision, and a column that natively tops the tree's explanations of the sample
// appears; another class can be explained → the Results tab's mean-|SHAP| panel shows numbers
// (the tree's from the data worker, the forest's from the pool's workers, each on a share of
// the trees) →
// predicting with the naive Bayes, "Explain" shows the typed "not explained" message.
// Screenshot: e2e/screenshots/explain.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_ROWS, TIMEOUT, canvasDrawn, root, screenshots, startPage } from './harness.mjs';

const TRAIN_TIMEOUT = 600_000;
// The embedded sample's files (one per recording period), predicted together.
const SAMPLE_DIR = join(root, 'public', 'sample');
const SAMPLE = readdirSync(SAMPLE_DIR).filter((f) => f.endsWith('.labeled')).sort().map((f) => join(SAMPLE_DIR, f));
// `flowlab train --model dt --out dt.flowlab public/sample/*.labeled; flowlab explain dt.flowlab
// public/sample/*.labeled --rows 30 --json`: resp_bytes is among the three largest contributions
// of all 30 rows.
const TOP_COLUMNS = ['orig_ip_bytes', 'conn_state', 'resp_bytes'];

/** Shows tab `id`. */
async function tab(page, id) {
  await page.click(`[data-testid="tab-${id}"]`);
  await page.waitForSelector(`[data-testid="${id}-tab"]`, { timeout: TIMEOUT });
}

/** Predicts the sample with the model whose option text contains `title`. */
async function predictWith(page, title) {
  await tab(page, 'predict');
  const value = await page.$$eval(
    '[data-testid="predict-model"] option',
    (os, t) => os.find((o) => o.textContent.includes(t))?.value,
    title,
  );
  assert.ok(value, `a ${title} model to predict with`);
  await page.selectOption('[data-testid="predict-model"]', value);
  await page.setInputFiles('[data-testid="predict-file"]', SAMPLE);
  await page.waitForSelector(`[data-testid="predict-summary"][data-rows="${SAMPLE_ROWS}"]`, { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="predict-progress"]', { state: 'detached', timeout: TIMEOUT });
}

/** The explanation's numbers as shown: expected value, steps, output (4 decimals each). */
function shown(page) {
  return page.$eval('[data-testid="explain-steps"]', (t) => ({
    base: Number(t.querySelector('[data-testid="explain-base"]').dataset.value),
    steps: [...t.querySelectorAll('[data-testid="explain-step"]')].map((r) => [r.dataset.column, Number(r.dataset.value)]),
    output: Number(t.querySelector('[data-testid="explain-output"]').dataset.value),
  }));
}

/** Expected value + steps = output, each rounded to 4 decimals: within half a unit per term. */
function assertAddsUp(e) {
  const sum = e.base + e.steps.reduce((s, [, v]) => s + v, 0);
  const tol = 0.00005 * (e.steps.length + 2) + 1e-9;
  assert.ok(Math.abs(sum - e.output) <= tol, `${e.base} + steps = ${sum}, shown output ${e.output}`);
}

describe('Explanations', { timeout: TRAIN_TIMEOUT + 300_000 }, () => {
  let h;
  before(async () => {
    h = await startPage();
  });
  after(async () => {
    await h?.close();
  });

  it('trains a decision tree, a random forest and a naive Bayes', { timeout: TRAIN_TIMEOUT }, async () => {
    const { page } = h;
    await tab(page, 'train');
    for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm']) {
      await page.locator(`[data-testid="train-model-${kind}"]`).setChecked(kind === 'dt' || kind === 'rf' || kind === 'nb');
    }
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-2"]', { timeout: TIMEOUT });
    const deadline = Date.now() + TRAIN_TIMEOUT - 30_000;
    for (;;) {
      const statuses = await page.$$eval('[data-testid^="train-status-"]', (els) => els.map((e) => e.textContent.trim()));
      assert.equal(statuses.find((s) => s.startsWith('failed')), undefined, statuses.join(', '));
      if (statuses.length === 3 && statuses.every((s) => s === 'done')) break;
      assert.ok(Date.now() < deadline, `training did not finish: ${statuses.join(', ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  it('explains a predicted row: the waterfall adds up to the probability shown', async () => {
    const { page } = h;
    await predictWith(page, 'decision tree');
    const first = page.locator('[data-testid="predict-rows"] tbody tr').first();
    const row = await first.getAttribute('data-row');
    const predicted = await first.getAttribute('data-predicted');
    const confidence = Number(await first.getAttribute('data-confidence'));
    await first.locator('[data-testid="predict-explain"]').click();
    await page.waitForSelector(`[data-testid="explain-panel"][data-state="done"][data-row="${row}"]`, { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="explain-waterfall-canvas"]', { timeout: TIMEOUT });
    assert.ok(await canvasDrawn(page, '[data-testid="explain-waterfall-canvas"]'), 'waterfall drawn');
    const label = await page.getAttribute('[data-testid="explain-waterfall-canvas"]', 'aria-label');
    assert.match(label, /^Waterfall chart\. expected value /);
    // The predicted class is explained first, on the probability the table shows.
    assert.match(await page.$eval('[data-testid="explain-class"]', (s) => s.selectedOptions[0].textContent), new RegExp(`^${predicted.replace(/[.*+?^${}()|[\]\\&]/g, '\\$&')} \\(predicted\\)`));
    const e = await shown(page);
    assertAddsUp(e);
    assert.ok(Math.abs(e.output - confidence) <= 0.00005 + 1e-6, `output ${e.output} vs confidence ${confidence}`);
    const tableP = Number(await first.locator('td.proba.best').first().textContent());
    assert.ok(Math.abs(e.output - tableP) <= 0.0005 + 0.00005, `output ${e.output} vs table ${tableP}`);
    assert.ok(e.steps.length >= 3 && e.steps.length <= 11, `${e.steps.length} steps`);
    const top3 = e.steps.slice(0, 3).map(([c]) => c);
    assert.ok(top3.some((c) => TOP_COLUMNS.includes(c)), `top columns ${top3}`);
    // Largest |contribution| first (the folded "other columns" step may come last).
    const named = e.steps.filter(([c]) => !/ other columns?$/.test(c)).map(([, v]) => Math.abs(v));
    for (let i = 1; i < named.length; i++) assert.ok(named[i - 1] >= named[i], `order ${named}`);
    await page.screenshot({ path: join(screenshots, 'explain.png'), fullPage: true });

    // Another class: its own walk, which adds up to that class's probability.
    const other = await page.$$eval(
      '[data-testid="explain-class"] option',
      (os, p) => os.map((o) => o.value).find((v) => v !== p),
      predicted,
    );
    await page.selectOption('[data-testid="explain-class"]', other);
    await page.waitForFunction(
      (c) => document.querySelector('[data-testid="explain-output"]')?.parentElement.textContent.includes(`output (${c})`),
      other,
      { timeout: TIMEOUT },
    );
    const o = await shown(page);
    assertAddsUp(o);
    assert.ok(o.output < e.output + 1e-9, `another class's probability ${o.output} ≤ the predicted ${e.output}`);
  });

  it("explains a random forest's row: the waterfall adds up to the forest's probability", async () => {
    const { page } = h;
    await predictWith(page, 'random forest');
    const first = page.locator('[data-testid="predict-rows"] tbody tr').first();
    const row = await first.getAttribute('data-row');
    const confidence = Number(await first.getAttribute('data-confidence'));
    await first.locator('[data-testid="predict-explain"]').click();
    await page.waitForSelector(`[data-testid="explain-panel"][data-state="done"][data-row="${row}"]`, { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="explain-waterfall-canvas"]', { timeout: TIMEOUT });
    assert.ok(await canvasDrawn(page, '[data-testid="explain-waterfall-canvas"]'), 'waterfall drawn');
    const e = await shown(page);
    assertAddsUp(e);
    // The output is the forest's probability of the predicted class, as the table shows it.
    assert.ok(Math.abs(e.output - confidence) <= 0.00005 + 1e-6, `output ${e.output} vs confidence ${confidence}`);
  });

  it('shows the mean |SHAP| per column in Results', async () => {
    const { page } = h;
    await tab(page, 'results');
    const value = await page.$$eval('[data-testid="results-model-select"] option', (os) => os.find((o) => o.textContent.includes('decision tree'))?.value);
    await page.selectOption('[data-testid="results-model-select"]', value);
    await page.waitForSelector('[data-testid="results-shap"][data-state="done"]', { timeout: TIMEOUT });
    const top = await page.getAttribute('[data-testid="results-shap"]', 'data-top');
    assert.ok(TOP_COLUMNS.includes(top), `top column ${top}`);
    assert.ok(await canvasDrawn(page, '[data-testid="results-shap-chart-canvas"]'), 'mean |SHAP| chart drawn');
    const label = await page.getAttribute('[data-testid="results-shap-chart-canvas"]', 'aria-label');
    const numbers = [...label.matchAll(/: (\d+(?:\.\d+)?(?:e-?\d+)?)/g)].map((m) => Number(m[1]));
    assert.ok(numbers.length >= 3 && numbers[0] > 0, label);
    const text = await page.textContent('[data-testid="results-shap"]');
    assert.match(text, /averaged over a seeded sample of (\d+) test rows/);
    const n = Number(text.match(/sample of (\d+) test rows/)[1]);
    assert.ok(n > 0 && n <= 10000, `${n} rows`);
    assert.equal(Number(await page.getAttribute('[data-testid="results-shap"]', 'data-rows')), n);
    assert.ok(Number(await page.getAttribute('[data-testid="results-shap"]', 'data-ms')) >= 0);
    const classes = await page.$$('[data-testid="results-shap-classes"] tbody tr');
    assert.ok(classes.length >= 2, `${classes.length} classes in the per-class summary`);
    // One tree: the data worker explains it alone.
    assert.equal(await page.getAttribute('[data-testid="results-shap"]', 'data-workers'), '0');
  });

  it('spreads the forest\'s mean |SHAP| over the pool, a share of the trees per worker', async () => {
    const { page } = h;
    const value = await page.$$eval('[data-testid="results-model-select"] option', (os) => os.find((o) => o.textContent.includes('random forest'))?.value);
    assert.ok(value, 'a random forest in Results');
    await page.selectOption('[data-testid="results-model-select"]', value);
    await page.waitForSelector('[data-testid="results-shap"][data-state="done"]', { timeout: TIMEOUT });
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const workers = Number(await page.getAttribute('[data-testid="results-shap"]', 'data-workers'));
    const pool = Math.min(Math.max(cores, 1), 8);
    assert.equal(workers, pool >= 2 ? pool : 0, `explained in ${workers} pool workers on ${cores} cores`);
    const text = await page.textContent('[data-testid="results-shap"]');
    if (workers >= 2) assert.match(text, new RegExp(`in ${workers} pool workers, each on a share of the trees`));
    const label = await page.getAttribute('[data-testid="results-shap-chart-canvas"]', 'aria-label');
    const numbers = [...label.matchAll(/: (\d+(?:\.\d+)?(?:e-?\d+)?)/g)].map((m) => Number(m[1]));
    assert.ok(numbers.length >= 3 && numbers[0] > 0 && numbers[0] < 1, label);
    const rows = Number(await page.getAttribute('[data-testid="results-shap"]', 'data-rows'));
    assert.ok(rows > 0 && rows <= 10000, `${rows} rows`);
  });

  it('says plainly that a naive Bayes is not explained', async () => {
    const { page } = h;
    await predictWith(page, 'naive Bayes');
    await page.locator('[data-testid="predict-rows"] tbody tr').first().locator('[data-testid="predict-explain"]').click();
    const error = await page.waitForSelector('[data-testid="explain-error"]', { timeout: TIMEOUT });
    assert.match(await error.textContent(), /Gaussian naive Bayes predictions are not explained/);
    assert.deepEqual(h.problems, []);
  });
});

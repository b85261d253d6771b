// End-to-end: the Results tab, after training the models ticked by default (a decision tree, a
// random forest, gradient boosting and an MLP) on the embedded sample in the page's worker pool.
// The sample is 12 files, one per recording period, so the first training is also scored by
// capture (issue 15 part 4): the table, the gap warning and the downloads show that score.
//
//   FLOWLAB_DIST=/tmp/dist-x node --test e2e/results.test.mjs
//
// Checks: the empty state; the page stays responsive while training (real mouse clicks are
// handled within 100 ms of the input event); the comparison table has one row per model with
// macro-F1 above floors measured on the sample; charts are drawn; the CSV and JSON downloads hold
// the table's numbers; per-model panels (confusion matrix normalisation, ROC/PR, importance,
// learning and loss curves, tree). Writes e2e/screenshots/train.png (during training) and
// e2e/screenshots/results.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { canvasDrawn, downloadText, screenshots, startPage } from './harness.mjs';

// Training three models on a loaded 2-core machine can take minutes.
const TRAIN_TIMEOUT = 600_000;
const MODELS = ['dt', 'rf', 'gbdt', 'mlp'];
const TITLES = { dt: 'decision tree', rf: 'random forest', gbdt: 'gradient boosting', mlp: 'MLP' };

// Macro-F1 floors on the sample (raw taxonomy, stratified 25 % hold-out, seed 42, defaults),
// a little below what the page measured (see the report: rf 0.66, mlp 0.60 natively with
// `flowlab train`; the page reproduces them).
const FLOOR = { dt: 0.5, rf: 0.6, gbdt: 0.5, mlp: 0.5 };
// A click must be handled this soon after the input event while training.
const CLICK_MS = 100;

describe('Results tab', { timeout: TRAIN_TIMEOUT + 180_000 }, () => {
  let h;
  before(async () => {
    h = await startPage();
  });
  after(async () => {
    await h?.close();
  });

  it('shows an empty state before any training', async () => {
    const { page } = h;
    await page.click('[data-testid="tab-results"]');
    await page.waitForSelector('[data-testid="results-empty"]');
    assert.match(await page.textContent('[data-testid="results-empty"]'), /Train models in the Train tab/);
    assert.equal(await page.$('[data-testid="results-table"]'), null);
  });

  it('trains the default models while clicks are handled within 100 ms', { timeout: TRAIN_TIMEOUT }, async () => {
    const { page } = h;
    await page.click('[data-testid="tab-train"]');
    await page.waitForSelector('[data-testid="train-start"]');
    // As a new user finds it: the default models ticked, nothing else touched.
    for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm']) {
      const on = await page.locator(`[data-testid="train-model-${kind}"]`).isChecked();
      assert.equal(on, MODELS.includes(kind), `${kind} ticked by default: ${on}`);
    }
    // Latency of real clicks: the browser stamps the input event when it is created
    // (`event.timeStamp`); a listener records when the main thread got to it.
    await page.evaluate(() => {
      window.__clicks = [];
      const el = document.querySelector('[data-testid="train-workers"]') ?? document.body;
      el.addEventListener('click', (e) => window.__clicks.push(performance.now() - e.timeStamp));
    });
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]');
    // Clicks spread over the run, on a passive element (nothing to re-render).
    const target = page.locator('[data-testid="train-workers"]');
    let clicks = 0;
    let shot = false;
    const deadline = Date.now() + TRAIN_TIMEOUT - 30_000;
    for (;;) {
      const statuses = await page.$$eval('[data-testid^="train-status-"]', (els) => els.map((e) => e.textContent.trim()));
      const failed = statuses.find((s) => s.startsWith('failed'));
      assert.equal(failed, undefined, `a model failed: ${failed}`);
      if (statuses.length === MODELS.length && statuses.every((s) => s === 'done')) break;
      assert.ok(Date.now() < deadline, `training did not finish: ${statuses.join(', ')}`);
      if (statuses.some((s) => s === 'fitting' || s === 'scoring')) {
        if (!shot) {
          await page.screenshot({ path: join(screenshots, 'train.png'), fullPage: true });
          shot = true;
        }
        await target.click();
        clicks += 1;
      }
      await page.waitForTimeout(250);
    }
    const latencies = await page.evaluate(() => window.__clicks);
    console.log(`# ${clicks} clicks during training, handled after ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`);
    assert.ok(clicks >= 1, 'training ended before any click could be made');
    assert.equal(latencies.length, clicks, 'every click reached its handler');
    const worst = Math.max(...latencies);
    assert.ok(worst < CLICK_MS, `a click waited ${worst.toFixed(1)} ms (limit ${CLICK_MS} ms)`);
  });

  it('compares the models on the split and by capture, with macro-F1 above the measured floors', async () => {
    const { page } = h;
    await page.click('[data-testid="tab-results"]');
    await page.waitForSelector('[data-testid="results-table"]');
    const rows = await page.$$('[data-testid^="results-row-"]');
    assert.equal(rows.length, MODELS.length);
    const byKind = {};
    for (let i = 0; i < MODELS.length; i++) {
      const name = await page.textContent(`[data-testid="results-row-${i}"] th`);
      const kind = Object.keys(TITLES).find((k) => name.includes(TITLES[k]));
      assert.ok(kind, `row ${i} names a trained model: ${name}`);
      const f1 = Number(await page.getAttribute(`[data-testid="results-macro-f1-${i}"]`, 'data-value'));
      console.log(`# ${kind}: macro-F1 ${f1.toFixed(4)}`);
      // The sample's 12 recording periods: a by-capture score beside the split's, lower.
      const capture = Number(await page.getAttribute(`[data-testid="results-capture-f1-${i}"]`, 'data-value'));
      console.log(`# ${kind}: by capture ${capture.toFixed(4)}`);
      assert.ok(capture >= 0 && capture < f1, `${kind}: by capture ${capture} below the split's ${f1}`);
      byKind[kind] = { i, f1, capture };
      h.byKind = byKind; // the panel test needs the rows even when a floor fails
    }
    assert.deepEqual(Object.keys(byKind).sort(), [...MODELS].sort());
    assert.equal(await page.$('[data-testid="results-no-capture"]'), null);
    // The gap is large on this sample: the warning names each model and says what to expect.
    const warning = await page.textContent('[data-testid="results-gap-warning"]');
    assert.match(warning, /captures it never saw/);
    assert.match(warning, /new traffic/);
    // The recommendation: the best by capture (or within 0.01 of it and faster to fit), with the
    // numbers behind it.
    const rec = page.locator('[data-testid="results-recommendation"]');
    const chosen = Number(await rec.getAttribute('data-model'));
    const best = Math.max(...Object.values(byKind).map((m) => m.capture));
    const pick = Object.entries(byKind).find(([, m]) => m.i === chosen);
    assert.ok(pick && pick[1].capture >= best - 0.01 - 1e-9, `recommended row ${chosen}: ${JSON.stringify(byKind)}`);
    const why = await rec.textContent();
    console.log(`# ${why}`);
    assert.match(why, new RegExp(`^Recommended: ${chosen + 1}\\. ${TITLES[pick[0]]}: macro-F1 ${pick[1].capture.toFixed(3)} on captures it never saw \\(${pick[1].f1.toFixed(3)} on the split, a gap of `));
    assert.match(why, /It fits in [\d.]+ s, predicts [\d,]+ rows\/s and its model file is [\d.]+ (B|KiB|MiB)\.$/);
    await page.waitForSelector('[data-testid="results-compare-canvas"]');
    assert.ok(await canvasDrawn(page, '[data-testid="results-compare-canvas"]'), 'comparison chart drawn');

    // CSV: the table's numbers, one line per model.
    const csv = await downloadText(page, () => page.click('[data-testid="results-csv"]'));
    assert.equal(csv.name, 'flowlab-results.csv');
    const lines = csv.text.trim().split('\n');
    assert.equal(lines.length, MODELS.length + 1);
    const header = lines[0].split(',');
    assert.deepEqual(header.slice(0, 4), ['model', 'kind', 'accuracy', 'balanced_accuracy']);
    const kindAt = header.indexOf('kind');
    const f1At = header.indexOf('macro_f1');
    const capAt = header.indexOf('capture_macro_f1');
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      const kind = cells[kindAt];
      assert.ok(byKind[kind], `CSV kind ${kind}`);
      assert.ok(Math.abs(Number(cells[f1At]) - byKind[kind].f1) < 1e-9, `CSV macro-F1 of ${kind}`);
      assert.ok(Math.abs(Number(cells[capAt]) - byKind[kind].capture) < 1e-9, `CSV capture macro-F1 of ${kind}`);
    }
    // JSON: the same rows.
    const json = await downloadText(page, () => page.click('[data-testid="results-json"]'));
    const table = JSON.parse(json.text);
    assert.equal(table.length, MODELS.length);
    for (const row of table) {
      assert.ok(Math.abs(row.macro_f1 - byKind[row.kind].f1) < 1e-9);
      assert.ok(Math.abs(row.capture_macro_f1 - byKind[row.kind].capture) < 1e-9, `JSON capture macro-F1 of ${row.kind}`);
      assert.ok(row.test_rows > 0 && row.train_rows > row.test_rows);
    }
    for (const kind of MODELS) {
      const { f1 } = byKind[kind];
      assert.ok(f1 > FLOOR[kind] && f1 <= 1, `${kind} macro-F1 ${f1} above ${FLOOR[kind]}`);
    }
  });

  it('draws every panel of each model', async () => {
    const { page } = h;
    const drawn = async (id) => {
      await page.waitForSelector(`[data-testid="${id}-canvas"]`);
      assert.ok(await canvasDrawn(page, `[data-testid="${id}-canvas"]`), `${id} drawn`);
    };
    for (const kind of MODELS) {
      const { i } = h.byKind[kind];
      await page.selectOption('[data-testid="results-model-select"]', String(i));
      await page.waitForFunction(
        (t) => document.querySelector('[data-testid="results-detail"] h2')?.textContent.includes(t),
        TITLES[kind],
      );
      for (const id of ['results-confusion', 'results-per-class', 'results-roc', 'results-pr', 'results-permutation', 'results-learning']) {
        await drawn(id);
      }
      // ROC legend: one line per class with its AUC.
      const roc = await page.getAttribute('[data-testid="results-roc-canvas"]', 'aria-label');
      assert.match(roc, /AUC 0\.\d{3}|AUC 1\.000/);
      if (kind === 'mlp') {
        await page.waitForSelector('[data-testid="results-importance-missing"]');
      } else {
        await drawn('results-importance');
      }
      // Only a single decision tree is drawn (see the last test).
      if (kind !== 'dt') await page.waitForSelector('[data-testid="results-tree-missing"]');
      if (kind === 'rf' || kind === 'dt') {
        await page.waitForSelector('[data-testid="results-loss-missing"]');
      } else {
        await drawn('results-loss');
      }
      if (kind === 'rf') {
        await page.screenshot({ path: join(screenshots, 'results.png'), fullPage: true });
      }
    }

    // Confusion matrix: counts sum to the test rows; row-normalised rows sum to 1.
    const { i } = h.byKind.rf;
    await page.selectOption('[data-testid="results-model-select"]', String(i));
    await page.waitForSelector('[data-testid="results-confusion-canvas"]');
    const counts = await downloadText(page, () => page.click('[data-testid="results-confusion-csv"]'));
    const matrix = counts.text.trim().split('\n').slice(1).map((l) => l.split(',').slice(1).map(Number));
    const total = matrix.flat().reduce((a, b) => a + b, 0);
    const testRows = Number((await page.textContent(`[data-testid="results-test-rows-${i}"]`)).trim());
    assert.equal(total, testRows, 'confusion counts add up to the test rows');
    await page.check('[data-testid="results-confusion-normalise"]');
    const shares = await downloadText(page, () => page.click('[data-testid="results-confusion-csv"]'));
    assert.match(shares.name, /normalised/);
    const rowsOfShares = shares.text.trim().split('\n').slice(1).map((l) => l.split(',').slice(1).map(Number));
    rowsOfShares.forEach((r, k) => {
      const sum = r.reduce((a, b) => a + b, 0);
      const expected = matrix[k].some((n) => n > 0) ? 1 : 0;
      assert.ok(Math.abs(sum - expected) < 1e-9, `row ${k} sums to ${sum}`);
    });
    assert.ok(await canvasDrawn(page, '[data-testid="results-confusion-canvas"]'));
  });

  it('adds a decision tree from a second run and draws it, expandable', { timeout: TRAIN_TIMEOUT }, async () => {
    const { page } = h;
    await page.click('[data-testid="tab-train"]');
    await page.waitForSelector('[data-testid="train-start"]');
    for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm']) {
      await page.locator(`[data-testid="train-model-${kind}"]`).setChecked(kind === 'dt');
    }
    await page.click('[data-testid="train-start"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-status-0"]')?.textContent.trim() === 'done',
      null,
      { timeout: TRAIN_TIMEOUT },
    );
    await page.click('[data-testid="tab-results"]');
    await page.waitForSelector('[data-testid="results-row-4"]');
    assert.match(await page.textContent('[data-testid="results-row-4"] th'), /decision tree/);
    // The newest model is shown by default.
    await page.waitForSelector('[data-testid="results-tree-node-0"]');
    const info = await page.textContent('[data-testid="results-tree-info"]');
    assert.match(info, /Depth \d+, \d+ leaves; the first \d+ levels are drawn/);
    // Root and its children start open; a node below them starts closed and opens on click.
    assert.equal(await page.$eval('[data-testid="results-tree-node-0"]', (d) => d.open), true);
    const closed = await page.$$eval('details[data-testid^="results-tree-node-"]', (ds) =>
      ds.filter((d) => !d.open).map((d) => d.dataset.testid),
    );
    assert.ok(closed.length > 0, 'deeper nodes start closed');
    await page.click(`[data-testid="${closed[0]}"] > summary`);
    assert.equal(await page.$eval(`[data-testid="${closed[0]}"]`, (d) => d.open), true);
    const f1 = Number(await page.getAttribute('[data-testid="results-macro-f1-4"]', 'data-value'));
    console.log(`# dt: macro-F1 ${f1.toFixed(4)}`);
    await page.screenshot({ path: join(screenshots, 'results-tree.png'), fullPage: true });
  });
});

// End-to-end: a sequence model (GRU over windows of flows per host) trained in the page's worker
// pool on the embedded sample (12 IoT-23 recording periods), with its loss shown per epoch while
// it trains, then scored by capture and drawn with its loss curve in Results.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canvasDrawn, startPage, TIMEOUT } from './harness.mjs';

describe('sequence models', () => {
  let h;
  before(async () => {
    h = await startPage();
    await h.page.click('[data-testid="tab-train"]');
    await h.page.waitForSelector('[data-testid="train-tab"]');
  });
  after(async () => h?.close());

  it('trains a GRU in the pool with its loss per epoch and scores it by capture', { timeout: 4 * TIMEOUT }, async () => {
    const { page } = h;
    for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm', 'gru']) {
      await page.setChecked(`[data-testid="train-model-${kind}"]`, kind === 'gru');
    }
    // Small and quick: the test checks the plumbing, the bench (bench/sequence.sh) the scores.
    for (const [name, value] of [['hidden', '8'], ['window', '8'], ['max_epochs', '4'], ['batch_size', '128'], ['learning_rate', '0.01']]) {
      await page.fill(`[data-testid="train-gru-${name}"]`, value);
      await page.press(`[data-testid="train-gru-${name}"]`, 'Tab');
    }
    assert.equal(await page.locator('[data-testid="train-gru-error"]').count(), 0);
    await page.setChecked('[data-testid="train-permutation"]', false);
    await page.setChecked('[data-testid="train-learning-curve"]', false);
    await page.click('[data-testid="train-start"]');
    // Progress per epoch, with the epoch's loss, while fitting.
    await page.waitForFunction(
      () => /loss \d+\.\d{4}/.test(document.querySelector('[data-testid="train-progress-0"]')?.textContent ?? ''),
      null,
      { timeout: 3 * TIMEOUT },
    );
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: 3 * TIMEOUT });
    await page.click('[data-testid="tab-results"]');
    await page.waitForSelector('[data-testid="results-table"]');
    const f1 = Number(await page.getAttribute('[data-testid="results-macro-f1-0"]', 'data-value'));
    const capture = Number(await page.getAttribute('[data-testid="results-capture-f1-0"]', 'data-value'));
    console.log(`# gru: split macro-F1 ${f1.toFixed(4)}, by capture ${capture.toFixed(4)}`);
    // Floors a little below what the page measured (split 0.45, by capture 0.35: 4 epochs of a
    // tiny GRU on the 12-period sample; the bench compares it with the trees at full size).
    assert.ok(f1 > 0.35 && f1 <= 1, `split macro-F1 ${f1}`);
    assert.ok(capture > 0.25 && capture <= 1, `by-capture macro-F1 ${capture}`);
    await page.selectOption('[data-testid="results-model-select"]', '0');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="results-detail"] h2')?.textContent.includes('GRU'),
    );
    await page.waitForSelector('[data-testid="results-loss-canvas"]');
    assert.ok(await canvasDrawn(page, '[data-testid="results-loss-canvas"]'), 'loss curve drawn');
    assert.deepEqual(h.problems, []);
  });
});

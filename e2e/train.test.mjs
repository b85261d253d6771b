// End-to-end: the Train tab — hyper-parameters validated as they are typed, training in the worker
// pool with progress, Cancel, and a model that comes back scored.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { foreignRequests, screenshots, startPage, TIMEOUT } from './harness.mjs';

/** Ticks exactly the models in `kinds`. */
async function chooseModels(page, kinds) {
  for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm']) {
    await page.setChecked(`[data-testid="train-model-${kind}"]`, kinds.includes(kind));
  }
}

describe('train tab', () => {
  let h;
  before(async () => {
    h = await startPage();
    await h.page.click('[data-testid="tab-train"]');
    await h.page.waitForSelector('[data-testid="train-tab"]');
  });
  after(async () => h?.close());

  it('refuses a bad hyper-parameter with its name and range, and says why Train is off', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await chooseModels(page, ['rf']);
    await page.fill('[data-testid="train-rf-n_trees"]', '0');
    await page.press('[data-testid="train-rf-n_trees"]', 'Tab');
    const error = await page.textContent('[data-testid="train-rf-error"]');
    assert.match(error, /n_trees = 0/);
    assert.ok(await page.isDisabled('[data-testid="train-start"]'));
    assert.match(await page.textContent('[data-testid="train-errors"]'), /rf: hyper-parameter n_trees = 0/);
    await page.fill('[data-testid="train-rf-n_trees"]', '40');
    await page.press('[data-testid="train-rf-n_trees"]', 'Tab');
    assert.equal(await page.locator('[data-testid="train-rf-error"]').count(), 0);
    assert.ok(await page.isEnabled('[data-testid="train-start"]'));
  });

  it('starts the worker pool once the sample is in and warms the models\' code up', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await page.waitForFunction(
      () => /warmed up in \d+ ms|failed/.test(document.querySelector('[data-testid="train-warm-up"]')?.textContent ?? ''),
      null,
      { timeout: TIMEOUT },
    );
    const text = await page.textContent('[data-testid="train-warm-up"]');
    assert.match(text, /models' code warmed up in \d+ ms/);
    assert.ok(Number(text.match(/(\d+) ms/)[1]) > 0, text);
  });

  it('ports start switched off and flagged', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    assert.equal(await page.isChecked('[data-testid="train-col-id.resp_p"]'), false);
    assert.equal(await page.isChecked('[data-testid="train-col-duration"]'), true);
    assert.match(await page.textContent('[data-testid="train-columns"]'), /may leak/);
  });

  it('trains a forest and a tree in the pool and scores them', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await chooseModels(page, ['dt', 'rf']);
    const workers = Number((await page.textContent('[data-testid="train-workers"]')).match(/\d+/)[0]);
    assert.ok(workers >= 1 && workers <= 8, `${workers}`);
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="train-status-1"]:text("done")', { timeout: TIMEOUT });
    assert.match(await page.textContent('[data-testid="train-stage"]'), /Finished: 2 of 2 model\(s\) trained/);
    await page.screenshot({ path: join(screenshots, 'train.png'), fullPage: true });
    assert.deepEqual(h.problems, []);
  });

  it('cancels a run and keeps the page usable', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await chooseModels(page, ['mlp']);
    await page.fill('[data-testid="train-mlp-max_epochs"]', '5000');
    await page.fill('[data-testid="train-mlp-early_stopping"]', 'false');
    await page.press('[data-testid="train-mlp-early_stopping"]', 'Tab');
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("fitting")', { timeout: TIMEOUT });
    await page.click('[data-testid="train-cancel"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("cancelled")', { timeout: 10_000 });
    assert.match(await page.textContent('[data-testid="train-stage"]'), /Cancelled/);
    assert.ok(await page.isEnabled('[data-testid="train-start"]'));
  });

  it('skips permutation importance and the learning curve when they are switched off', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await chooseModels(page, ['dt']);
    assert.equal(await page.isChecked('[data-testid="train-permutation"]'), true);
    assert.equal(await page.isChecked('[data-testid="train-learning-curve"]'), true);
    await page.setChecked('[data-testid="train-permutation"]', false);
    await page.setChecked('[data-testid="train-learning-curve"]', false);
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: TIMEOUT });
    await page.click('[data-testid="tab-results"]');
    const options = await page.locator('[data-testid="results-model-select"] option').count();
    await page.selectOption('[data-testid="results-model-select"]', String(options - 1));
    await page.waitForSelector('[data-testid="results-permutation-missing"]', { timeout: TIMEOUT });
    assert.match(await page.textContent('[data-testid="results-permutation-missing"]'), /switched off/);
    assert.match(await page.textContent('[data-testid="results-learning-missing"]'), /switched off/);
    // What does not depend on the switches is still there: the tree's own gain importance.
    assert.equal(await page.locator('[data-testid="results-importance"]').count(), 1);
    assert.deepEqual(h.problems, []);
  });

  it('sent no request to any other origin while training in the pool', () => {
    assert.ok(h.requests.some((u) => u.endsWith('.wasm')), 'the workers loaded their wasm');
    assert.deepEqual(foreignRequests(h.requests, h.origin), []);
  });
});

// End-to-end: workers that die or stop answering, on the embedded sample (short).
//
//   node --test e2e/recover.test.mjs      (after `trunk build --release`)
//
// The page is opened with `?test-crash&crash-pool-fit&hang-timeout=3`: test mode (the workers
// honour the test-only `Crash` and `Hang` messages), the first fit sent to a pool worker is
// preceded by a `Crash` to that worker (it dies mid-training), and the watchdog gives up on a
// silent data worker after 3 s instead of 60. Checks: the pool crash fails that job in words,
// the page stays usable and a second training succeeds; a hung data worker is detected, said
// so in words, and replaced, with the data set and the trained model back.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SAMPLE_ROWS, TIMEOUT, fixtures, screenshots, startPage } from './harness.mjs';

/** Shows tab `id`. */
async function tab(page, id) {
  await page.click(`[data-testid="tab-${id}"]`);
  await page.waitForSelector(`[data-testid="${id}-tab"]`, { timeout: TIMEOUT });
}

/** The number shown as the data set's rows. */
async function rowsShown(page) {
  return Number(await page.getAttribute('[data-testid="rows"]', 'data-value'));
}

/** Trains a decision tree alone. */
async function trainDt(page) {
  await tab(page, 'train');
  for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm']) {
    await page.setChecked(`[data-testid="train-model-${kind}"]`, kind === 'dt');
  }
  await page.click('[data-testid="train-start"]');
}

describe('workers that die or hang', () => {
  let h;
  before(async () => {
    h = await startPage({ query: '?test-crash&crash-pool-fit&hang-timeout=3' });
  });
  after(async () => {
    await h?.close();
  });

  it('a pool worker crash mid-training fails that job in words; the next training succeeds', { timeout: 2 * TIMEOUT }, async () => {
    const { page } = h;
    await trainDt(page);
    await page.waitForSelector('[data-testid="train-error"]', { timeout: TIMEOUT });
    const text = await page.textContent('[data-testid="train-error"]');
    assert.match(
      text,
      /^decision tree: pool worker \d+ crashed \(.*crash requested by the page.*\); the job was stopped and the pool will be restarted/,
    );
    await tab(page, 'models');
    assert.equal(await page.locator('[data-testid="models-row"]').count(), 0);
    // The page is still usable: the data is there and a second training (new pool) succeeds.
    await tab(page, 'data');
    assert.equal(await rowsShown(page), SAMPLE_ROWS);
    await trainDt(page);
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: TIMEOUT });
    await tab(page, 'models');
    assert.equal(await page.locator('[data-testid="models-row"]').count(), 1);
  });

  it('a data worker that stops answering is terminated, said so, and replaced with data and model back', { timeout: 2 * TIMEOUT }, async () => {
    const { page } = h;
    await tab(page, 'data');
    await page.click('[data-testid="test-hang"]');
    const banner = '[data-testid="notice"]:has-text("your data reloaded")';
    await page.waitForSelector(banner, { timeout: TIMEOUT });
    const text = await page.textContent('[data-testid="notice"] .banner-text');
    assert.match(
      text,
      /^The data worker stopped answering \(no message for \d+ s while it had work; it was terminated\) while running a test hang; it was restarted and your data reloaded \(3,437 rows\)\.$/,
    );
    assert.equal(await rowsShown(page), SAMPLE_ROWS);
    await tab(page, 'models');
    const kinds = await page.$$eval('[data-testid="models-row"]', (rows) => rows.map((r) => r.dataset.kind));
    assert.deepEqual(kinds, ['dt']);
    // The restored model predicts in the new worker.
    await tab(page, 'predict');
    await page.setInputFiles('[data-testid="predict-file"]', join(fixtures, 'iot23-34-1.conn.log.labeled'));
    await page.waitForSelector('[data-testid="predict-summary"][data-rows="400"]', { timeout: TIMEOUT });
    await page.screenshot({ path: join(screenshots, 'recover-hang.png'), fullPage: true });
    const problems = h.problems.filter((p) => !/crash requested|unreachable|panicked/.test(p));
    assert.deepEqual(problems, []);
  });
});

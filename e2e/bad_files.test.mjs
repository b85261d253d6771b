// End-to-end: every trap file of tests/fixtures/bad/expected.json (the same list tests/errors.rs
// checks on the loader) dropped where a user could drop it — the Data tab, the Predict tab and
// Models → import. Each gives its specific message in place; what was loaded and trained before
// is still there; the page keeps working and then loads a good file.
//
//   node --test e2e/bad_files.test.mjs      (after `trunk build --release`)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SAMPLE_ROWS, TIMEOUT, fixtures, startPage, waitForRows } from './harness.mjs';

const { files } = JSON.parse(readFileSync(join(fixtures, 'bad', 'expected.json'), 'utf8'));
const refused = Object.entries(files).filter(([, t]) => t.outcome === 'refused');
const loads = Object.entries(files).filter(([, t]) => t.outcome === 'loads');
const MODEL = join(fixtures, 'models', 'iot23-dt.flowlab');
const GOOD = { path: join(fixtures, 'iot23-34-1.conn.log.labeled'), rows: 400 };

/** Shows tab `id`. */
async function tab(page, id) {
  await page.click(`[data-testid="tab-${id}"]`);
  await page.waitForSelector(`[data-testid="${id}-tab"]`, { timeout: TIMEOUT });
}

/** Waits until the element `testid` shows a text containing `text`; returns that text. */
async function waitForText(page, testid, text) {
  await page.waitForFunction(
    ([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.textContent.includes(want),
    [testid, text],
    { timeout: TIMEOUT },
  );
  return page.textContent(`[data-testid="${testid}"]`);
}

/** Rows the Data tab shows. */
async function shownRows(page) {
  return Number(await page.getAttribute('[data-testid="rows"]', 'data-value'));
}

describe('every trap file, in the page', () => {
  let h;
  before(async () => {
    h = await startPage();
    await tab(h.page, 'models');
    await h.page.setInputFiles('[data-testid="models-import"]', MODEL);
    await h.page.waitForSelector('[data-testid="models-row"][data-name="iot23-dt"]', { timeout: TIMEOUT });
    await tab(h.page, 'data');
  });
  after(async () => h?.close());

  it('has a corpus to try', () => {
    assert.ok(refused.length >= 9 && loads.length >= 10, `${refused.length} refused, ${loads.length} loaded`);
  });

  it('Data tab: a refused file says why, in place, and the loaded data stays', { timeout: 10 * TIMEOUT }, async () => {
    const { page } = h;
    for (const [path, trap] of refused) {
      await page.setInputFiles('[data-testid="file-input"]', join(fixtures, path));
      const text = await waitForText(page, 'error', trap.message);
      assert.ok(text.includes(basename(path)), `${path}: ${text}`);
      await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: TIMEOUT });
      assert.equal(await shownRows(page), SAMPLE_ROWS, `${path}: the sample is still loaded`);
    }
  });

  it('Data tab: a file with traps loads its rows and shows its warning', { timeout: 10 * TIMEOUT }, async () => {
    const { page } = h;
    for (const [path, trap] of loads) {
      await page.setInputFiles('[data-testid="file-input"]', join(fixtures, path));
      await waitForRows(page, trap.rows);
      assert.equal(await page.locator('[data-testid="error"]').count(), 0, `${path}: no error banner`);
      if (trap.warning) {
        await waitForText(page, 'warnings', trap.warning);
      } else {
        assert.equal(await page.locator('[data-testid="warnings"]').count(), 0, `${path}: no warnings`);
      }
    }
    // And a good file loads as if nothing had happened.
    await page.setInputFiles('[data-testid="file-input"]', GOOD.path);
    await waitForRows(page, GOOD.rows);
  });

  it('Predict: a refused file says why, and the model still predicts', { timeout: 10 * TIMEOUT }, async () => {
    const { page } = h;
    await tab(page, 'predict');
    for (const [path, trap] of refused) {
      await page.setInputFiles('[data-testid="predict-file"]', join(fixtures, path));
      await waitForText(page, 'predict-error', trap.message);
      await page.waitForSelector('[data-testid="predict-progress"]', { state: 'detached', timeout: TIMEOUT });
    }
    await page.setInputFiles('[data-testid="predict-file"]', GOOD.path);
    await page.waitForSelector(`[data-testid="predict-summary"][data-rows="${GOOD.rows}"]`, { timeout: TIMEOUT });
    assert.equal(await page.locator('[data-testid="predict-error"]').count(), 0);
  });

  it('Models → import: no trap file is taken for a model, and the imported model stays', { timeout: 10 * TIMEOUT }, async () => {
    const { page } = h;
    await tab(page, 'models');
    for (const [path] of [...refused, ...loads]) {
      await page.setInputFiles('[data-testid="models-import"]', join(fixtures, path));
      const text = await waitForText(page, 'models-error', basename(path));
      assert.match(text, /flowlab model file/, `${path}: ${text}`);
    }
    assert.deepEqual(await page.$$eval('[data-testid="models-row"]', (r) => r.map((x) => x.dataset.name)), ['iot23-dt']);
  });

  it('logged no page error', () => {
    assert.deepEqual(h.problems, []);
  });
});

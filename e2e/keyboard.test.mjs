// End-to-end: the whole path by keyboard alone — load the sample → Train (one model, Train) →
// Results → Predict (a fixture, through the drop zone's file chooser) → Download the predictions
// — with only `page.keyboard` (Tab, Shift+Tab, Enter, Space), and every element the keyboard
// lands on shows where focus is (an outline or a box shadow; a visually hidden file input shows
// it on its label).
//
//   node --test e2e/keyboard.test.mjs      (after `trunk build --release`)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SAMPLE_ROWS, TIMEOUT, downloadText, fixtures, startPage, waitForRows } from './harness.mjs';

const FILE = join(fixtures, 'iot23-34-1.conn.log.labeled');
const KINDS = ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb'];

/**
 * The focused element, described (`tag data-testid`), and whether its focus is visible: it (or,
 * for a visually hidden input, its label) has an outline or a box shadow.
 */
function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return { name: 'body', visible: true, testid: null };
    const shown = e.classList.contains('visually-hidden') ? (e.labels?.[0] ?? e) : e;
    const s = getComputedStyle(shown);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const visible = outline || s.boxShadow !== 'none';
    const testid = e.getAttribute('data-testid');
    return { name: `${e.tagName.toLowerCase()}${testid ? `[${testid}]` : ''} ${e.textContent.trim().slice(0, 30)}`, visible, testid };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the element matching `selector` has focus, checking at every
 * stop that focus is visible; fails after `max` presses.
 */
async function tabTo(page, selector, { back = false, max = 400 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    assert.ok(f.visible, `focus is not visible on ${f.name}`);
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return i + 1;
  }
  throw new Error(`${selector} not reached in ${max} key presses`);
}

/**
 * Shows tab `id` the way the tab row is meant to be used: Shift+Tab back to the row's one tab stop
 * (the selected tab), → until `id` has focus (visible at each step), Enter.
 */
async function showTab(page, id) {
  await tabTo(page, '[role="tab"][aria-selected="true"]', { back: true });
  for (let i = 0; i < 6 && !(await page.evaluate((t) => document.activeElement?.dataset.testid === t, `tab-${id}`)); i++) {
    await page.keyboard.press('ArrowRight');
    const f = await focused(page);
    assert.ok(f.visible, `focus is not visible on ${f.name}`);
  }
  assert.equal((await focused(page)).testid, `tab-${id}`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`[data-testid="${id}-tab"]`, { timeout: TIMEOUT });
  // One tab stop in the row: the selected tab.
  const stops = await page.$$eval('[role="tab"]', (tabs) => tabs.filter((t) => t.tabIndex === 0).map((t) => t.dataset.testid));
  assert.deepEqual(stops, [`tab-${id}`]);
}

describe('keyboard only', () => {
  let h;
  before(async () => {
    h = await startPage();
  });
  after(async () => h?.close());

  it('loads, trains, shows results, predicts and downloads without the mouse', { timeout: 4 * TIMEOUT }, async () => {
    const { page } = h;
    // Waiting for the file chooser turns on Playwright's interception of it, asynchronously; a
    // waiter made only as Enter is pressed can miss the chooser (it failed 1 run in 3), so the
    // waiter is made here, long before the drop zone opens it.
    const chooserOpened = page.waitForEvent('filechooser', { timeout: 4 * TIMEOUT });
    // Data: (re)load the sample.
    await tabTo(page, '[data-testid="load-sample"]');
    await page.keyboard.press('Enter');
    await waitForRows(page, SAMPLE_ROWS);

    // Train: only the decision tree ticked (Space toggles a check box), then Train.
    await showTab(page, 'train');
    for (const kind of KINDS) {
      await tabTo(page, `[data-testid="train-model-${kind}"]`);
      const checked = await page.isChecked(`[data-testid="train-model-${kind}"]`);
      if (checked !== (kind === 'dt')) await page.keyboard.press('Space');
      assert.equal(await page.isChecked(`[data-testid="train-model-${kind}"]`), kind === 'dt', kind);
    }
    await tabTo(page, '[data-testid="train-start"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: TIMEOUT });

    // Results: the trained model is in the comparison table, which the keyboard can scroll.
    await showTab(page, 'results');
    await page.waitForSelector('[data-testid="results-table"] tbody tr', { timeout: TIMEOUT });
    await tabTo(page, '.scroll:has([data-testid="results-table"])');

    // Predict: the drop zone opens the file chooser on Enter.
    await showTab(page, 'predict');
    await tabTo(page, '[data-testid="predict-drop"]');
    await page.keyboard.press('Enter');
    const chooser = await chooserOpened;
    await chooser.setFiles([FILE]);
    await page.waitForSelector('[data-testid="predict-summary"][data-rows="400"]', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="predict-progress"]', { state: 'detached', timeout: TIMEOUT });

    // Download the predictions as CSV.
    await tabTo(page, '[data-testid="predict-download-csv"]');
    const { name, text } = await downloadText(page, () => page.keyboard.press('Enter'));
    assert.match(name, /\.csv$/);
    const lines = text.trim().split(/\r?\n/);
    assert.equal(lines.length, 401, `${lines.length} lines: a header and 400 rows`);
    assert.deepEqual(h.problems, []);
  });
});

// End-to-end: accessibility. axe-core (npm, pinned in package.json) checks every tab of the page
// with content in it — the sample loaded, a model trained, a fixture predicted — in the light and
// the dark colour scheme, at desktop width and at 390 px (a phone); no serious or critical
// violation is allowed. One trained page serves all 24 checks.
//
//   node --test e2e/a11y.test.mjs      (after `trunk build --release`)
//
// axe is evaluated through the DevTools protocol (`page.evaluate` of its source), which the page's
// Content-Security-Policy does not govern: the policy stays in force (no `bypassCSP`), and the
// harness's CSP-violation listener still reports anything the page itself does wrong.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { TIMEOUT, fixtures, startPage } from './harness.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TABS = ['data', 'explore', 'train', 'results', 'predict', 'models'];
const SCHEMES = ['light', 'dark'];
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
const FILE = join(fixtures, 'iot23-34-1.conn.log.labeled');

/** Shows tab `id` and waits for its content. */
async function tab(page, id) {
  await page.click(`[data-testid="tab-${id}"]`);
  await page.waitForSelector(`[data-testid="${id}-tab"]`, { timeout: TIMEOUT });
}

/** axe-core's serious and critical violations on the page as shown: `id: target (summary)` lines. */
async function violations(page) {
  const found = await page.evaluate(async () => {
    // Animations and transitions finished, so colours are measured as they settle.
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) =>
        v.nodes.map((n) => `${v.id} [${v.impact}]: ${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 200)}`),
      );
  });
  return found;
}

describe('accessibility (axe-core)', () => {
  let h;
  before(async () => {
    h = await startPage();
    const { page } = h;
    // A decision tree (fast) trained, so Results, Predict and Models have content.
    await tab(page, 'train');
    for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb']) {
      await page.setChecked(`[data-testid="train-model-${kind}"]`, kind === 'dt');
    }
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: TIMEOUT });
    await tab(page, 'predict');
    await page.setInputFiles('[data-testid="predict-file"]', [FILE]);
    await page.waitForSelector('[data-testid="predict-summary"][data-rows="400"]', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="predict-progress"]', { state: 'detached', timeout: TIMEOUT });
    await page.evaluate(AXE);
  });
  after(async () => h?.close());

  for (const [width, viewport] of Object.entries(WIDTHS)) {
    for (const scheme of SCHEMES) {
      it(`no serious or critical violation on any tab, ${scheme} scheme, ${width}`, { timeout: TIMEOUT }, async () => {
        const { page } = h;
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        const found = [];
        for (const id of TABS) {
          await tab(page, id);
          for (const v of await violations(page)) found.push(`${id}: ${v}`);
        }
        assert.deepEqual(found, [], `axe-core found ${found.length}:\n${found.join('\n')}`);
        assert.deepEqual(h.problems, []);
      });
    }
  }
});

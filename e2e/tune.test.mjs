// End-to-end: the Train tab's Tune panel — a search of a few trials of a fast model run in the
// worker pool on the embedded sample (12 captures: scored by capture), its trials table filled,
// the best-so-far curve drawn, and "use these settings" writing the best values into the form.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { foreignRequests, screenshots, startPage, TIMEOUT } from './harness.mjs';

describe('tune panel', () => {
  let h;
  before(async () => {
    h = await startPage();
    await h.page.click('[data-testid="tab-train"]');
    await h.page.waitForSelector('[data-testid="tune-panel"]');
  });
  after(async () => h?.close());

  it('runs a search of a few decision trees in the pool and applies the best settings', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await page.selectOption('[data-testid="tune-model"]', 'dt');
    await page.fill('[data-testid="tune-trials"]', '4');
    await page.click('[data-testid="tune-start"]');
    // 4 trials, η = 3: 4 fits on a third of the rows, then the best 2 on all of them.
    await page.waitForFunction(
      () => /6 of 6 fits/.test(document.querySelector('[data-testid="tune-progress"]')?.textContent ?? ''),
      null,
      { timeout: TIMEOUT },
    );
    assert.match(await page.textContent('[data-testid="tune-progress"]'), /objective by-capture macro-f1/);
    assert.ok(await page.isEnabled('[data-testid="tune-start"]'));
    const rows = page.locator('[data-testid="tune-trial-row"]');
    assert.equal(await rows.count(), 4);
    // Best first: it ran both rungs and has a score in [0, 1].
    const first = await rows.nth(0).locator('td').allTextContents();
    assert.match(first[1], /^1\/3 \d\.\d{4} → all \d\.\d{4}$/);
    const score = Number(first[2]);
    assert.ok(score >= 0 && score <= 1, first[2]);
    assert.match(await page.textContent('[data-testid="tune-best"]'), new RegExp(`score ${first[2]}`));
    assert.equal(await page.locator('[data-testid="tune-curve-canvas"]').count(), 1);
    // "use these settings" writes the drawn values into the decision tree's fields.
    const settings = (await page.textContent('[data-testid="tune-best-settings"]')).trim().split(' ');
    await page.click('[data-testid="tune-apply"]');
    await page.waitForSelector('[data-testid="tune-applied"]');
    for (const s of settings) {
      const [name, value] = [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)];
      assert.equal(await page.inputValue(`[data-testid="train-dt-${name}"]`), value, name);
    }
    assert.equal(await page.isChecked('[data-testid="train-model-dt"]'), true);
    await page.screenshot({ path: join(screenshots, 'tune.png'), fullPage: true });
    assert.deepEqual(h.problems, []);
    assert.deepEqual(foreignRequests(h.requests, h.origin), []);
  });

  it('refuses a bad trial count with the reason', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await page.fill('[data-testid="tune-trials"]', '0');
    await page.click('[data-testid="tune-start"]');
    assert.match(await page.textContent('[data-testid="tune-error"]'), /trials 0: expected at least 1/);
  });
});

// End-to-end: the Data tab's label mapping on the embedded sample. Merging two pairs of classes
// and dropping one changes the class count and the label distribution without re-reading the
// file (the data worker relabels the data set it holds), the Explore tab sees the same classes,
// a model trained with the mapping shows it in the Models tab, and Reset brings the file's
// classes back. The `family` taxonomy is offered beside the others.
// Expected counts: the sample's raw labels (page.test.mjs, `flowlab inspect --json`).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE_ROWS, startPage, TIMEOUT } from './harness.mjs';

/** Waits until the Data tab shows `n` classes. */
async function waitForClasses(page, n) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid="class-count"]')?.textContent === String(want),
    n,
    { timeout: TIMEOUT },
  );
}

/** label → rows, as the Data tab's label distribution shows them. */
function labelCounts(page) {
  return page.$$eval('[data-testid="label-counts"] tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.label, Number(r.dataset.count)])),
  );
}

describe('label mapping', () => {
  let h;
  before(async () => {
    h = await startPage();
  });
  after(async () => h?.close());

  it('merges and drops classes of the loaded data without re-reading it', { timeout: TIMEOUT }, async () => {
    const { page, requests } = h;
    await waitForClasses(page, 8);
    const row = (cls) => `[data-testid="label-map"] tr[data-class="${cls}"]`;
    assert.equal(await page.textContent(`${row('C&C-FileDownload')} td.num`), '3');
    const fetched = requests.length;

    // Merge `benign` into `Benign` and `C&C-FileDownload` into `C&C`.
    await page.fill(`${row('benign')} [data-testid="map-name"]`, 'Benign');
    await page.fill(`${row('C&C-FileDownload')} [data-testid="map-name"]`, 'C&C');
    await page.click('[data-testid="label-map-apply"]');
    await waitForClasses(page, 6);
    const merged = await labelCounts(page);
    assert.equal(merged.Benign, 589 + 11);
    assert.equal(merged['C&C'], 597 + 3);
    assert.equal(merged.benign, undefined);
    assert.equal(await page.getAttribute('[data-testid="rows"]', 'data-value'), String(SAMPLE_ROWS));
    assert.equal(await page.textContent('[data-testid="label-map-rules"]'), '2 rules in use');
    // The table still lists the file's classes, with the names they now have.
    assert.equal(await page.inputValue(`${row('benign')} [data-testid="map-name"]`), 'Benign');

    // Drop `Attack`: its rows count as unlabelled.
    await page.check(`${row('Attack')} [data-testid="map-drop"]`);
    await page.click('[data-testid="label-map-apply"]');
    await waitForClasses(page, 5);
    assert.equal((await labelCounts(page)).Attack, undefined);
    assert.equal(requests.length, fetched, 'relabelling fetches nothing (no re-read of the sample)');

    // Exploring uses the mapping too.
    await page.click('[data-testid="tab-explore"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="explore-classes"]')?.textContent === '5',
      null,
      { timeout: TIMEOUT },
    );

    // A model trained now carries the mapping; the Models tab says so.
    await page.click('[data-testid="tab-train"]');
    for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb']) {
      await page.locator(`[data-testid="train-model-${kind}"]`).setChecked(kind === 'dt');
    }
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: TIMEOUT });
    await page.click('[data-testid="tab-models"]');
    const labels = page.locator('[data-testid="models-row"] [data-testid="models-labels"]').first();
    assert.match(await labels.textContent(), /^raw, mapped: .+ \(\+1 more\)$/);
    const rules = (await labels.getAttribute('title')).split('\n').slice(1).sort();
    assert.deepEqual(rules, ['Attack → drop', 'C&C-FileDownload → C&C', 'benign → Benign']);
    await page.click('[data-testid="tab-data"]');

    await page.click('[data-testid="label-map-reset"]');
    await waitForClasses(page, 8);
    assert.equal(await page.textContent('[data-testid="label-map-rules"]'), '0 rules in use');
  });

  it('offers the malware-family taxonomy', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    const options = await page.$$eval('[data-testid="taxonomy"] option', (o) => o.map((x) => x.value));
    assert.deepEqual(options, ['raw', 'attack', 'binary', 'family']);
    await page.selectOption('[data-testid="taxonomy"]', 'family');
    // The sample is named after no capture: Okiru names its family, other malicious rows are
    // of an unknown family.
    await waitForClasses(page, 3);
    const family = await labelCounts(page);
    assert.deepEqual(family, { Benign: 600, Okiru: 600, Unknown: 3437 - 600 - 600 });
    assert.equal(await page.textContent('[data-testid="label-map"] tr[data-class="Unknown"] td.num'), '2,237');
  });
});

// End-to-end: the page reads a Zeek conn.log written as JSON lines (issue 11) as it reads the same
// capture written as Zeek TSV: same rows and labels, format `zeek-json`, `ts` a numeric
// timestamp, `id.orig_h` an identifier, no warning and no error.
//
//   trunk build --release --offline && node --test e2e/formats.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixtures, startPage, TIMEOUT, waitForRows } from './harness.mjs';

// `flowlab inspect --json tests/fixtures/formats/iot23-34-1.conn.json` (and the TSV it was made from).
const JSON_LOG = {
  file: 'iot23-34-1.conn.json',
  rows: 400,
  labels: { Benign: 120, 'C&C': 120, DDoS: 120, PartOfAHorizontalPortScan: 40 },
};

describe('a Zeek JSON conn.log in the page', () => {
  let h;
  before(async () => {
    h = await startPage();
  });
  after(async () => {
    await h?.close();
  });

  it('loads with the rows, labels, format and roles of the TSV log', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await page.setInputFiles('[data-testid="file-input"]', join(fixtures, 'formats', JSON_LOG.file));
    await waitForRows(page, JSON_LOG.rows);
    const labels = await page.$$eval('[data-testid="label-counts"] tbody tr', (rows) =>
      Object.fromEntries(rows.map((r) => [r.dataset.label, Number(r.dataset.count)])),
    );
    assert.deepEqual(labels, JSON_LOG.labels);
    const files = await page.$$eval('[data-testid="files"] tbody tr', (rows) =>
      rows.map((r) => [r.dataset.path, r.querySelector('td').textContent]),
    );
    assert.deepEqual(files, [[JSON_LOG.file, 'zeek-json']]);
    const column = (name) =>
      page.$eval(`[data-testid="columns"] tr[data-column="${name}"]`, (r) =>
        [...r.querySelectorAll('.chip')].map((c) => c.textContent),
      );
    assert.deepEqual(await column('ts'), ['numeric', 'timestamp']);
    assert.deepEqual(await column('id.orig_h'), ['text', 'identifier']);
    assert.deepEqual(await column('duration'), ['numeric', 'feature']);
    assert.equal(await page.locator('[data-testid="error"]').count(), 0);
    assert.deepEqual(h.problems, []);
  });
});

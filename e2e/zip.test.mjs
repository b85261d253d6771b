// End-to-end: zip archives in the page, read by slices from the `File` (directory first, then each
// member streamed through `FileReaderSync` in the data worker; issue 10 §2).
//
//   node --test e2e/zip.test.mjs      (after `trunk build --release`)
//
// 1. tests/fixtures/two-captures.zip loads as its two members, each a file of its own;
// 2. when `bash bench/zip.sh` has made its multi-GB archive (bench/.data/zip/captures-*.zip),
//    the Data tab's "Zip members" field set to 1 reads only the first member of it, and the time
//    is printed (skipped when the archive is absent).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixtures, root, startPage, TIMEOUT, waitForRows } from './harness.mjs';

const BENCH = join(root, 'bench', '.data', 'zip');
const big = existsSync(BENCH) ? readdirSync(BENCH).find((f) => /^captures-.*\.zip$/.test(f)) : undefined;

describe('zip archives in the page', () => {
  let h;
  before(async () => {
    h = await startPage();
  });
  after(async () => {
    await h?.close();
  });

  it('reads each member of a zip as a file of its own', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    await page.setInputFiles('[data-testid="file-input"]', join(fixtures, 'two-captures.zip'));
    await waitForRows(page, 401);
    const files = await page.$$eval('[data-testid="files"] tbody tr', (trs) => trs.map((tr) => tr.dataset.path));
    assert.deepEqual(files, [
      'two-captures.zip/captures/iot23-reduced.csv',
      'two-captures.zip/captures/stratosphere-008.conn.log.labeled',
    ]);
    assert.deepEqual(h.problems, []);
  });

  it('reads only the first member of a multi-GB archive when told to', { skip: big ? false : 'SKIP: run `bash bench/zip.sh` first', timeout: 600_000 }, async () => {
    const { page } = h;
    const path = join(BENCH, big);
    const rows = Number(big.match(/-x-(\d+)\.zip$/)[1]);
    await page.fill('[data-testid="max-files"]', '1');
    await page.press('[data-testid="max-files"]', 'Tab');
    const started = Date.now();
    await page.setInputFiles('[data-testid="file-input"]', path);
    await page.waitForSelector(`[data-testid="rows"][data-value="${rows}"]`, { timeout: 600_000 });
    const secs = (Date.now() - started) / 1000;
    const files = await page.$$eval('[data-testid="files"] tbody tr', (trs) => trs.map((tr) => tr.dataset.path));
    assert.deepEqual(files, [`${big}/iot23/CTU-IoT-Capture-01/bro/conn.log.labeled`]);
    console.log(`page: first member (${rows} rows) of a ${(statSync(path).size / 1e9).toFixed(2)} GB zip in ${secs.toFixed(1)} s`);
    assert.deepEqual(h.problems, []);
  });
});

// End-to-end: a big file predicts completely in the page, batch by batch (issue 10 §3).
//
//   node --test e2e/predict_scale.test.mjs      (after `trunk build --release`)
//
// Generates a ~150 MB Zeek conn.log.labeled at test time from ../shared/data with
// `python3 bench/make_data.py --rows N` (skipped, with a message, when the shared data is absent;
// E2E_SCALE_ROWS sets N, 1,150,000 by default), trains a decision tree on the page's sample,
// cancels a first run (nothing shown), predicts the big file on the Predict tab, and checks: the
// summary counts every row of the file;
// the rows table says it keeps a bounded selection; the CSV download (built in the page from the
// worker's parts) has one line per row plus the header.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, startPage, TIMEOUT } from './harness.mjs';

const ROWS = Number(process.env.E2E_SCALE_ROWS ?? 1_150_000);
const SHARED = join(root, '..', 'shared', 'data', 'iot23');
const SOURCES = ['iot23_mix_shared.conn.log.labeled', 'CTU-IoT-Malware-Capture-34-1.conn.log.labeled'].map((f) =>
  join(SHARED, f),
);
const missing = SOURCES.filter((f) => !existsSync(f));
const LONG = 300_000;

/** Lines in a file (streamed: the file is bigger than a string may be). */
function countLines(path) {
  return new Promise((resolve, reject) => {
    let n = 0;
    createReadStream(path)
      .on('data', (chunk) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
      })
      .on('end', () => resolve(n))
      .on('error', reject);
  });
}

describe('predicting a big file', { skip: missing.length ? `SKIP: ${missing.join(', ')} not found (needs ../shared/data)` : false }, () => {
  let h;
  let tmp;
  let file;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'flowlab-e2e-scale-'));
    file = join(tmp, 'big.conn.log.labeled');
    const made = spawnSync('python3', [join(root, 'bench', 'make_data.py'), '--rows', String(ROWS), '--out', file, ...SOURCES], {
      encoding: 'utf8',
    });
    assert.equal(made.status, 0, made.stderr);
    h = await startPage();
  });
  after(async () => {
    await h?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('predicts every row and downloads them all', { timeout: LONG }, async () => {
    const { page } = h;
    const mb = statSync(file).size / 1e6;
    // A small model on the sample the page opens with.
    await page.click('[data-testid="tab-train"]');
    await page.waitForSelector('[data-testid="train-tab"]');
    for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm']) {
      await page.setChecked(`[data-testid="train-model-${kind}"]`, kind === 'dt');
    }
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: TIMEOUT });

    await page.click('[data-testid="tab-predict"]');
    await page.waitForSelector('[data-testid="predict-tab"]', { timeout: TIMEOUT });
    // Cancel stops a run between two slices; nothing is shown for it.
    await page.setInputFiles('[data-testid="predict-file"]', file);
    await page.waitForSelector('[data-testid="predict-progress"]', { timeout: TIMEOUT });
    await page.click('[data-testid="predict-cancel"]');
    await page.waitForSelector('[data-testid="predict-info"]:has-text("Prediction cancelled")', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="predict-progress"]', { state: 'detached', timeout: TIMEOUT });
    assert.equal(await page.locator('[data-testid="predict-summary"]').count(), 0);
    const started = Date.now();
    await page.setInputFiles('[data-testid="predict-file"]', file);
    await page.waitForSelector('[data-testid="predict-progress"]', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="predict-summary"]', { timeout: LONG });
    const secs = (Date.now() - started) / 1000;
    const rows = Number(await page.getAttribute('[data-testid="predict-summary"]', 'data-rows'));
    const fileLines = await countLines(file);
    const headerLines = 7; // #separator, #set_separator, #empty_field, #unset_field, #path, #fields, #types
    assert.equal(rows, ROWS, `summary rows ${rows}; the file has ${fileLines} lines`);
    assert.equal(fileLines - headerLines, ROWS);
    const split = await page.textContent('[data-testid="predict-summary"] .stats');
    console.log(`predicted ${rows} rows (${mb.toFixed(0)} MB) in ${secs.toFixed(1)} s in the page: ${(mb / secs).toFixed(1)} MB/s (${split})`);
    const note = await page.textContent('[data-testid="predict-table-note"]');
    assert.match(note, new RegExp(`of the ${ROWS} rows \\(memory budget\\)`));

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="predict-download-csv"]'),
    ]);
    const csv = await download.path();
    const lines = await countLines(csv);
    assert.equal(lines, ROWS + 1, 'one line per row and the header');
    assert.deepEqual(h.problems, []);
  });
});

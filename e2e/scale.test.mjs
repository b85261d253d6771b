// End-to-end: the page at real size — sampling announced, training, and nothing lost when the
// data worker dies.
//
//   node --test e2e/scale.test.mjs      (after `trunk build --release`)
//
// Generates a ~110 MB Zeek conn.log.labeled (800,000 rows) at test time from the IoT-23 files in
// ../shared/data with `bench/make_data.py` (into a temporary folder, deleted after; skipped with a
// message when ../shared/data is absent). The page is opened with `?memory-budget=96` (the data
// worker then has 96 MiB instead of 3 GiB, so this file is over budget the way a multi-GB
// capture is over the real one) and `?test-crash` (the Data tab offers a button that makes the
// data worker panic). Checks: the load is sampled by class automatically and says so ("Kept … of
// 800,000 rows: … per class"), the row count is what that sentence says; rf and gbdt train; a
// forced crash is explained in words, the data comes back with the same rows, the two models are
// still listed and predict; rows per class asked on the Data tab re-read the file (Apply). A larger version (1 GB) is the benchmark's, not CI's.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TIMEOUT, fixtures, root, screenshots, startPage } from './harness.mjs';

const SHARED = join(root, '..', 'shared', 'data', 'iot23');
const INPUTS = ['CTU-IoT-Malware-Capture-34-1.conn.log.labeled', 'iot23_mix_shared.conn.log.labeled'].map((f) =>
  join(SHARED, f),
);
const ROWS = 800_000;
const BUDGET_MIB = 96;
const present = INPUTS.every((f) => existsSync(f));
if (!present) console.log(`# scale.test.mjs skipped: ${SHARED} is absent (the shared IoT-23 files)`);

/** Shows tab `id`. */
async function tab(page, id) {
  await page.click(`[data-testid="tab-${id}"]`);
  await page.waitForSelector(`[data-testid="${id}-tab"]`, { timeout: TIMEOUT });
}

/** The number shown as the data set's rows. */
async function rowsShown(page) {
  return Number(await page.getAttribute('[data-testid="rows"]', 'data-value'));
}

describe('the page at real size', { skip: !present && 'no ../shared/data' }, () => {
  let h;
  let dir;
  let file;
  let kept;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowlab-scale-'));
    file = join(dir, 'iot23-800k.conn.log.labeled');
    execFileSync('python3', [join(root, 'bench', 'make_data.py'), '--rows', String(ROWS), '--out', file, ...INPUTS], {
      stdio: 'ignore',
    });
    h = await startPage({ query: `?test-crash&memory-budget=${BUDGET_MIB}` });
  });
  after(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('samples a load over the memory budget by class and says how many rows it kept', { timeout: TIMEOUT }, async () => {
    const { page } = h;
    const mb = statSync(file).size / 1e6;
    assert.ok(mb > 90 && mb < 220, `generated ${mb} MB`);
    await page.setInputFiles('[data-testid="file-input"]', file);
    await page.waitForSelector('[data-testid="sampling-kept"]:text("of 800,000 rows")', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: TIMEOUT });
    const text = await page.textContent('[data-testid="sampling-kept"]');
    assert.match(text, /^Sampled to fit in memory: these files hold .*rows.* the page's memory \(96 MiB/);
    const m = text.match(/Kept ([\d,]+) of 800,000 rows: ([\d,]+) per class \(seed 42\)\./);
    assert.ok(m, text);
    kept = Number(m[1].replaceAll(',', ''));
    const perClass = Number(m[2].replaceAll(',', ''));
    assert.equal(await rowsShown(page), kept);
    assert.ok(kept < ROWS && kept >= perClass * 2, `${kept} rows, ${perClass} per class`);
    // No class holds more than the cap.
    const counts = await page.$$eval('[data-testid="label-counts"] tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.count)));
    assert.ok(counts.length >= 2, `${counts}`);
    assert.ok(Math.max(...counts) <= perClass, `${counts} over ${perClass}`);
    // The fields show nothing asked: the budget chose.
    assert.equal(await page.inputValue('[data-testid="rows-per-class"]'), '');
    await page.screenshot({ path: join(screenshots, 'scale-sampled.png'), fullPage: true });
  });

  it('trains rf and gbdt on the sample', { timeout: 2 * TIMEOUT }, async () => {
    const { page } = h;
    await tab(page, 'train');
    for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm']) {
      await page.setChecked(`[data-testid="train-model-${kind}"]`, kind === 'rf' || kind === 'gbdt');
    }
    await page.fill('[data-testid="train-rf-n_trees"]', '20');
    await page.press('[data-testid="train-rf-n_trees"]', 'Tab');
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: 2 * TIMEOUT });
    await page.waitForSelector('[data-testid="train-status-1"]:text("done")', { timeout: 2 * TIMEOUT });
    await tab(page, 'models');
    assert.equal(await page.locator('[data-testid="models-row"]').count(), 2);
  });

  it('restarts a crashed data worker, says why, reloads the data and keeps the models', { timeout: 2 * TIMEOUT }, async () => {
    const { page } = h;
    await tab(page, 'data');
    await page.click('[data-testid="test-crash"]');
    const banner = '[data-testid="notice"]:has-text("your data reloaded")';
    await page.waitForSelector(banner, { timeout: 2 * TIMEOUT });
    const text = await page.textContent('[data-testid="notice"] .banner-text');
    assert.match(
      text,
      /^The data worker crashed \(.*crash requested by the page.*\) while running a test crash; it was restarted and your data reloaded \([\d,]+ rows\)\.$/,
    );
    assert.equal(await rowsShown(page), kept);
    assert.match(await page.textContent('[data-testid="sampling-kept"]'), new RegExp(`Kept ${kept.toLocaleString('en-US')} of 800,000 rows`));
    // The models are still listed, under the same ids, and predict.
    await tab(page, 'models');
    const ids = await page.$$eval('[data-testid="models-row"]', (rows) => rows.map((r) => r.dataset.kind));
    assert.deepEqual(ids.sort(), ['gbdt', 'rf']);
    await tab(page, 'predict');
    await page.setInputFiles('[data-testid="predict-file"]', join(fixtures, 'iot23-34-1.conn.log.labeled'));
    await page.waitForSelector('[data-testid="predict-summary"][data-rows="400"]', { timeout: TIMEOUT });
    // Training again works in the new worker.
    await tab(page, 'train');
    await page.setChecked('[data-testid="train-model-gbdt"]', false);
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-status-0"]:text("done")', { timeout: 2 * TIMEOUT });
    await page.screenshot({ path: join(screenshots, 'scale-restored.png'), fullPage: true });
    // Sampling asked on the Data tab re-reads the kept file (Apply).
    await tab(page, 'data');
    await page.fill('[data-testid="rows-per-class"]', '2,000');
    await page.press('[data-testid="rows-per-class"]', 'Tab');
    await page.fill('[data-testid="sample-seed"]', '7');
    await page.press('[data-testid="sample-seed"]', 'Tab');
    await page.click('[data-testid="apply-sampling"]');
    await page.waitForSelector('[data-testid="sampling-kept"]:text("2,000 per class (seed 7)")', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: TIMEOUT });
    const asked = await page.textContent('[data-testid="sampling-kept"]');
    const n = Number(asked.match(/^Kept ([\d,]+) of 800,000 rows: 2,000 per class \(seed 7\)\.$/)[1].replaceAll(',', ''));
    assert.equal(await rowsShown(page), n);
    const counts = await page.$$eval('[data-testid="label-counts"] tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.count)));
    assert.ok(Math.max(...counts) === 2000 && n <= 2000 * counts.length, `${n}: ${counts}`);
    const problems = h.problems.filter((p) => !/crash requested|unreachable|panicked/.test(p));
    assert.deepEqual(problems, []);
  });
});

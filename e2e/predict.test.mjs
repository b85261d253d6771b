// End-to-end: Predict and Models tabs, and the page offline (service worker).
//
//   node --test e2e/predict.test.mjs      (after `trunk build --release`)
//
// One browser profile for the whole run (models saved in IndexedDB and the service worker must
// survive reloads): import the CLI-trained model fixture → a non-model file is refused clearly →
// predict tests/fixtures/iot23-34-1.conn.log.labeled → row count and metrics equal
// `flowlab eval` on the same model and file → sort, filter, page → CSV download (header, 400
// rows, formula-safe cells) → save the model in the browser → reload: still listed, predicts →
// network gone (server stopped + context offline): the page still loads and predicts.
// Screenshots: e2e/screenshots/predict.png, models.png, offline.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SAMPLE_ROWS,
  TIMEOUT,
  canvasDrawn,
  downloadText,
  fixtures,
  foreignRequests,
  screenshots,
  startPage,
  waitForRows,
} from './harness.mjs';

const MODEL = join(fixtures, 'models', 'iot23-dt.flowlab');
// The same model as `flowlab export --format onnx` writes it.
const ONNX = join(fixtures, 'models', 'iot23-dt.onnx');
const FILE = join(fixtures, 'iot23-34-1.conn.log.labeled');
const JUNK = join(fixtures, 'bad', 'bad-binary.bin');

// `flowlab eval --json tests/fixtures/models/iot23-dt.flowlab tests/fixtures/iot23-34-1.conn.log.labeled`
// (see tests/fixtures/README.md for how the model was made).
const EVAL = {
  rows: 400,
  accuracy: 0.9025,
  macro_f1: 0.6186545729402871,
  weighted_f1: 0.913578231292517,
  mcc: 0.8672504490664794,
  // class → [f1, support], the classes with support
  per_class: {
    Benign: [0.8408163265306122, 120],
    'C&C': [0.8711111111111111, 120],
    DDoS: [1, 120],
    PartOfAHorizontalPortScan: [1, 40],
  },
};
const CLASSES = 8;

/** Shows tab `id`. */
async function tab(page, id) {
  await page.click(`[data-testid="tab-${id}"]`);
  await page.waitForSelector(`[data-testid="${id}-tab"]`, { timeout: TIMEOUT });
}

/** Predicts `files` on the Predict tab and waits for `rows` rows. */
async function predict(page, files, rows) {
  await tab(page, 'predict');
  await page.setInputFiles('[data-testid="predict-file"]', files);
  await page.waitForSelector(`[data-testid="predict-summary"][data-rows="${rows}"]`, { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="predict-progress"]', { state: 'detached', timeout: TIMEOUT });
}

/** Rows shown in the predictions table. */
function shownRows(page) {
  return page.$$eval('[data-testid="predict-rows"] tbody tr', (trs) =>
    trs.map((tr) => ({
      row: Number(tr.dataset.row),
      predicted: tr.dataset.predicted,
      confidence: Number(tr.dataset.confidence),
      truth: tr.dataset.truth,
    })),
  );
}

/** The number of rows matching the filters, once it equals `expected` (or a timeout). */
async function waitMatching(page, expected) {
  await page.waitForSelector(`[data-testid="predict-matching"][data-value="${expected}"]`, { timeout: TIMEOUT });
}

async function checkMetrics(page) {
  const m = await page.$eval('[data-testid="predict-metrics"]', (e) => ({ ...e.dataset }));
  assert.ok(Math.abs(Number(m.accuracy) - EVAL.accuracy) < 1e-9, `accuracy ${m.accuracy}`);
  assert.ok(Math.abs(Number(m.macroF1) - EVAL.macro_f1) < 1e-9, `macro-F1 ${m.macroF1}`);
  assert.ok(Math.abs(Number(m.weightedF1) - EVAL.weighted_f1) < 1e-9, `weighted-F1 ${m.weightedF1}`);
  assert.ok(Math.abs(Number(m.mcc) - EVAL.mcc) < 1e-9, `MCC ${m.mcc}`);
  const perClass = await page.$$eval('[data-testid="predict-per-class"] tbody tr', (trs) =>
    trs.map((tr) => [tr.dataset.class, Number(tr.dataset.f1), Number(tr.dataset.support)]),
  );
  assert.equal(perClass.length, CLASSES);
  for (const [cls, [f1, support]] of Object.entries(EVAL.per_class)) {
    const row = perClass.find((r) => r[0] === cls);
    assert.ok(row, `per-class row ${cls}`);
    assert.ok(Math.abs(row[1] - f1) < 1e-9, `${cls} F1 ${row[1]} vs ${f1}`);
    assert.equal(row[2], support);
  }
}

describe('Predict, Models and offline', () => {
  let h;
  let tmp;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'flowlab-e2e-predict-'));
    h = await startPage();
  });
  after(async () => {
    await h?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('shows an empty state before any model exists', async () => {
    await tab(h.page, 'predict');
    await h.page.waitForSelector('[data-testid="predict-empty"]', { timeout: TIMEOUT });
  });

  it('refuses a file that is not a model, with a clear message', async () => {
    await tab(h.page, 'models');
    await h.page.setInputFiles('[data-testid="models-import"]', JUNK);
    const error = await h.page.waitForSelector('[data-testid="models-error"]', { timeout: TIMEOUT });
    assert.match(await error.textContent(), /bad-binary\.bin.*not a flowlab model file/);
    assert.equal(await h.page.$$eval('[data-testid="models-row"]', (r) => r.length), 0);
  });

  it('imports the CLI-trained model', async () => {
    await h.page.setInputFiles('[data-testid="models-import"]', MODEL);
    const row = await h.page.waitForSelector('[data-testid="models-row"][data-name="iot23-dt"]', { timeout: TIMEOUT });
    assert.equal(await row.getAttribute('data-kind'), 'dt');
    // Exported again, it is the file the CLI wrote, byte for byte but for the format version:
    // the fixture is format 2 and the page writes format 3 (gbdt's class_weight; a decision tree
    // is written the same), as `the_fixture_model_file_round_trips_byte_identically` checks
    // natively.
    const { name, path } = await downloadText(h.page, () => h.page.click('[data-testid="models-row"] [data-testid="models-export"]'));
    assert.equal(name, 'iot23-dt.flowlab');
    const [got, want] = [readFileSync(path), readFileSync(MODEL)];
    assert.equal(want.readUInt32LE(8), 2, 'the fixture is format 2');
    assert.equal(got.readUInt32LE(8), 3, 'the page writes format 3');
    assert.ok(got.subarray(0, 8).equals(want.subarray(0, 8)) && got.subarray(12).equals(want.subarray(12)), 'exported bytes equal the CLI model file but for the version');
  });

  it('exports the model as ONNX: the bytes `flowlab export --format onnx` writes', async () => {
    const { name, path } = await downloadText(h.page, () => h.page.click('[data-testid="models-row"] [data-testid="models-export-onnx"]'));
    assert.equal(name, 'iot23-dt.onnx');
    assert.ok(readFileSync(path).equals(readFileSync(ONNX)), 'exported bytes equal tests/fixtures/models/iot23-dt.onnx');
  });

  it('predicts a labelled file: rows and metrics equal flowlab eval', async () => {
    const { page } = h;
    await predict(page, FILE, EVAL.rows);
    assert.equal(await page.textContent('[data-testid="predict-rows-count"]'), String(EVAL.rows));
    await checkMetrics(page);
    assert.ok(await canvasDrawn(page, '[data-testid="predict-distribution-canvas"]'), 'distribution drawn');
    assert.ok(await canvasDrawn(page, '[data-testid="predict-confusion-canvas"]'), 'confusion drawn');
    // First page: 50 rows in file order.
    const first = await shownRows(page);
    assert.equal(first.length, 50);
    assert.deepEqual(
      first.map((r) => r.row),
      [...Array(50).keys()],
    );
    await waitMatching(page, EVAL.rows);
    await page.screenshot({ path: join(screenshots, 'predict.png'), fullPage: true });
  });

  it('sorts, filters and pages the rows in the worker', async () => {
    const { page } = h;
    // Confidence ascending, then descending.
    await page.click('[data-testid="predict-sort-confidence"]');
    await page.waitForSelector('th[aria-sort="ascending"] [data-testid="predict-sort-confidence"]');
    await page.waitForFunction(() => {
      const c = [...document.querySelectorAll('[data-testid="predict-rows"] tbody tr')].map((t) => Number(t.dataset.confidence));
      return c.length === 50 && c.every((v, i) => i === 0 || c[i - 1] <= v);
    }, null, { timeout: TIMEOUT });
    await page.click('[data-testid="predict-sort-confidence"]');
    await page.waitForFunction(() => {
      const c = [...document.querySelectorAll('[data-testid="predict-rows"] tbody tr')].map((t) => Number(t.dataset.confidence));
      return c.length === 50 && c.every((v, i) => i === 0 || c[i - 1] >= v);
    }, null, { timeout: TIMEOUT });
    // Errors only: exactly the misclassified rows (accuracy × rows correct).
    const errors = Math.round(EVAL.rows * (1 - EVAL.accuracy));
    await page.check('[data-testid="predict-filter-errors"]');
    await waitMatching(page, errors);
    for (const r of await shownRows(page)) assert.notEqual(r.predicted, r.truth);
    await page.uncheck('[data-testid="predict-filter-errors"]');
    await waitMatching(page, EVAL.rows);
    // One predicted class: as many rows as the distribution says; all predicted so.
    await page.selectOption('[data-testid="predict-filter-class"]', 'DDoS');
    await page.waitForFunction(() => {
      // (the rows shown before may all be DDoS already: wait for the count to change too)
      const n = Number(document.querySelector('[data-testid="predict-matching"]').dataset.value);
      const rows = [...document.querySelectorAll('[data-testid="predict-rows"] tbody tr')];
      return n < 400 && rows.length > 0 && rows.every((t) => t.dataset.predicted === 'DDoS');
    }, null, { timeout: TIMEOUT });
    const ddos = Number(await page.getAttribute('[data-testid="predict-matching"]', 'data-value'));
    assert.ok(ddos >= 100 && ddos <= 140, `DDoS rows ${ddos}`);
    await page.selectOption('[data-testid="predict-filter-class"]', '');
    await waitMatching(page, EVAL.rows);
    // Low confidence: every shown row below the threshold.
    await page.check('[data-testid="predict-filter-low"]');
    await page.waitForFunction(() => {
      const n = Number(document.querySelector('[data-testid="predict-matching"]').dataset.value);
      return n < 400;
    }, null, { timeout: TIMEOUT });
    for (const r of await shownRows(page)) assert.ok(r.confidence < 0.6, `confidence ${r.confidence}`);
    await page.uncheck('[data-testid="predict-filter-low"]');
    await waitMatching(page, EVAL.rows);
    // Paging in file order.
    await page.click('[data-testid="predict-sort-row"]');
    await page.waitForSelector('th[aria-sort="ascending"] [data-testid="predict-sort-row"]');
    await page.click('[data-testid="predict-next"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="predict-rows"] tbody tr')?.dataset.row === '50', null, {
      timeout: TIMEOUT,
    });
  });

  it('downloads the predictions as a CSV', async () => {
    const { page } = h;
    const { name, text } = await downloadText(page, () => page.click('[data-testid="predict-download-csv"]'));
    assert.equal(name, 'flowlab-predictions.csv');
    const lines = text.trimEnd().split(/\r?\n/);
    const header = lines[0].split(',');
    assert.deepEqual(header.slice(0, 4), ['file', 'line', 'predicted', 'confidence']);
    assert.equal(header.at(-1), 'true_label');
    assert.equal(header.filter((c) => c.startsWith('p_')).length, CLASSES);
    assert.equal(lines.length, 1 + EVAL.rows);
    const first = lines[1].split(',');
    assert.equal(first[0], 'iot23-34-1.conn.log.labeled');
    const correct = lines.slice(1).filter((l) => {
      const c = l.split(',');
      return c[2] === c.at(-1);
    }).length;
    assert.equal(correct, Math.round(EVAL.rows * EVAL.accuracy));
  });

  it('writes formula-like cells of a predicted file safely', async () => {
    const { page } = h;
    // iot23-mix.csv with three labels a spreadsheet would run as formulas.
    const lines = readFileSync(join(fixtures, 'iot23-mix.csv'), 'utf8').trimEnd().split('\n');
    const evil = ['=1+2', '+SUM(A1)', '@cmd'];
    for (let i = 0; i < evil.length; i++) {
      const cells = lines[1 + i].split(',');
      cells[cells.length - 1] = evil[i];
      cells[cells.length - 2] = evil[i];
      lines[1 + i] = cells.join(',');
    }
    const path = join(tmp, 'formulas.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    await predict(page, path, lines.length - 1);
    const { text } = await downloadText(page, () => page.click('[data-testid="predict-download-csv"]'));
    const rows = text.trimEnd().split(/\r?\n/);
    for (const row of rows) {
      for (const cell of row.split(',')) {
        const raw = cell.replace(/^"|"$/g, '');
        if (/^[=+@\t\r-]/.test(raw)) assert.ok(!Number.isNaN(Number(raw)) || raw === '-', `unsafe cell ${raw}`);
      }
    }
    for (const e of evil) assert.ok(text.includes(`'${e}`), `${e} escaped`);
  });

  it('predicts files dropped on the page while the Predict tab is shown (training data stays)', async () => {
    const { page } = h;
    await tab(page, 'predict');
    const bytes = readFileSync(`${FILE}.gz`).toString('base64');
    const transfer = await page.evaluateHandle(
      ({ name, base64 }) => {
        const raw = atob(base64);
        const data = new Uint8Array(raw.length);
        for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
        const dt = new DataTransfer();
        dt.items.add(new File([data], name));
        return dt;
      },
      { name: 'iot23-34-1.conn.log.labeled.gz', base64: bytes },
    );
    await page.dispatchEvent('main', 'dragenter', { dataTransfer: transfer });
    await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
    await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
    await page.waitForSelector(`[data-testid="predict-summary"][data-rows="${EVAL.rows}"]`, { timeout: TIMEOUT });
    await checkMetrics(page);
    await tab(page, 'data');
    await waitForRows(page, SAMPLE_ROWS);
  });

  it('saves the model in the browser; after a reload it is listed and predicts', async () => {
    const { page } = h;
    await tab(page, 'models');
    await page.fill('[data-testid="models-row"] [data-testid="models-name"]', 'e2e saved dt');
    await page.click('[data-testid="models-row"] [data-testid="models-save"]');
    await page.waitForSelector('[data-testid="models-saved-row"][data-name="e2e saved dt"]', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="models-row"][data-saved="e2e saved dt"]', { timeout: TIMEOUT });
    await page.screenshot({ path: join(screenshots, 'models.png'), fullPage: true });

    await page.reload();
    await waitForRows(page, SAMPLE_ROWS);
    await tab(page, 'models');
    await page.waitForSelector('[data-testid="models-row"][data-name="e2e saved dt"]', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="models-saved-row"][data-name="e2e saved dt"] [data-testid="models-saved-loaded"][data-value="true"]', {
      timeout: TIMEOUT,
    });
    await predict(page, FILE, EVAL.rows);
    await checkMetrics(page);
  });

  it('loads and predicts with the network gone (service worker)', async () => {
    const { page, context } = h;
    const active = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return reg.active?.state;
    });
    assert.equal(active, 'activated');
    // The page that reloaded above is controlled by the worker (clients.claim).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: TIMEOUT });
    // No network at all: the server is stopped and the context is offline.
    process.kill(h.server.pid);
    await context.setOffline(true);
    try {
      await page.reload();
      await waitForRows(page, SAMPLE_ROWS);
      await tab(page, 'models');
      await page.waitForSelector('[data-testid="models-row"][data-name="e2e saved dt"]', { timeout: TIMEOUT });
      await predict(page, FILE, EVAL.rows);
      await checkMetrics(page);
      await page.screenshot({ path: join(screenshots, 'offline.png'), fullPage: true });
    } finally {
      await context.setOffline(false);
    }
    assert.deepEqual(h.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), []);
  });

  it('sent no request to any other origin on the whole path (import, predict, export, save, reload, offline)', () => {
    assert.ok(h.requests.length > 20, `${h.requests.length} requests recorded`);
    assert.deepEqual(foreignRequests(h.requests, h.origin), []);
    assert.deepEqual(h.problems.filter((p) => /CSP violation|Content Security Policy/.test(p)), []);
  });
});

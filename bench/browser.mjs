// flowlab in Chromium: the built page, driven through its Train tab by Playwright, one model per
// run, timed by the page itself.
//
//   node bench/browser.mjs --dist DIR --dataset NAME [--seed 1] [--mlp-epochs 20] [--mlp-seed 0]
//        [--gru-epochs 3]
//        [--models dt,rf,gbdt,mlp] [--test-size 0.25] [--shap 1] FILE...
//
// Serves DIR (a `trunk build --release` output) on 127.0.0.1, opens it in /usr/bin/chromium
// (headless, playwright-core), loads FILE... through the Data tab's file input, then for each model
// sets the Train tab as `flowlab train --split random` runs (attack families, stratified hold-out,
// seed, no by-capture score, engineered features, ports off), ticks only that model and trains.
// `--seed` is the split's seed (the Train tab's seed field); `--mlp-seed` the MLP's own model seed
// (its `seed` hyper-parameter field), as `flowlab features --fit mlp --set seed=K`.
// The page's data worker answers with a `trained` message carrying `wall_ms` (first task sent to a
// pool worker → last task back: the fit, spread over the pool) and `cpu_ms` (the pool workers'
// task time summed); an init script listens to the page's workers to read it.
// Before training it waits until the page's pool has warmed up (Train tab: "models' code warmed
// up in N ms"; the pool starts and warms up once the page has data, and stays up between runs).
// Prints one JSON line per model: {"kind":"browser","dataset","model","fit_seconds" (wall),
// "cpu_seconds","assemble_seconds" (after the fit, in the data worker: scoring, permutation
// importance, learning curve),"macro_f1","train_rows","test_rows","features","workers","warm_up_ms"; the
// MLP's also "model_seed"}.
// With `--shap 1` each line also has "shap_ms", "shap_rows" and "shap_workers": the Results
// tab's mean-|SHAP| card of that model (TreeSHAP of up to 10,000 of its test rows, in the pool
// when it is free, each worker on a share of the trees).
// A model that fails prints a line with "fit_seconds": null and the reason in "note".

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, CHROMIUM, freePort, waitForHttp } from '../e2e/harness.mjs';

const TIMEOUT = Number(process.env.BENCH_BROWSER_TIMEOUT_MS ?? 30 * 60_000);
const STEP = 60_000; // any single UI step (not a load or a fit)
const argv = process.argv.slice(2);
const opts = { seed: '1', 'gru-epochs': '3', 'mlp-epochs': '20', 'mlp-seed': '0', models: 'dt,rf,gbdt,mlp', 'test-size': '0.25' };
const files = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i].startsWith('--')) opts[argv[i].slice(2)] = argv[++i];
  else files.push(resolve(argv[i]));
}
if (!opts.dist || !opts.dataset || files.length === 0) {
  console.error('usage: node bench/browser.mjs --dist DIR --dataset NAME [--seed S] [--mlp-epochs N] [--mlp-seed K] [--models LIST] FILE...');
  process.exit(2);
}
const dist = resolve(opts.dist);
const log = (...a) => console.error('browser.mjs:', ...a);
const printed = new Set();
const out = (v) => {
  printed.add(v.model);
  console.log(JSON.stringify({ kind: 'browser', dataset: opts.dataset, ...v }));
};

// Runs in the page before its scripts: every Worker it creates also reports `trained` replies.
function recordTrained() {
  window.__benchTrained = [];
  const Original = window.Worker;
  window.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const json = e.data && e.data.json;
        if (typeof json === 'string' && json.startsWith('{"type":"trained"')) {
          window.__benchTrained.push(json);
        }
      });
    }
  };
}

async function setField(page, testid, value) {
  await page.fill(`[data-testid="${testid}"]`, String(value));
  await page.press(`[data-testid="${testid}"]`, 'Tab');
}

// With --shap: the Results tab's mean-|SHAP| card of the model just trained (the last in the
// model list), as the page computed it: {"shap_ms", "shap_rows", "shap_workers"} (pool workers
// that explained it; 0: the data worker alone), then back to Train.
async function meanShap(page) {
  await page.click('[data-testid="tab-results"]');
  const last = await page.$$eval('[data-testid="results-model-select"] option', (os) => os[os.length - 1]?.value);
  if (last !== undefined) await page.selectOption('[data-testid="results-model-select"]', last);
  await page.waitForSelector('[data-testid="results-shap"]:not([data-state="waiting"])', { timeout: TIMEOUT });
  const state = await page.getAttribute('[data-testid="results-shap"]', 'data-state');
  const found = state === 'done'
    ? { shap_ms: Number(await page.getAttribute('[data-testid="results-shap"]', 'data-ms')),
        shap_rows: Number(await page.getAttribute('[data-testid="results-shap"]', 'data-rows')),
        shap_workers: Number(await page.getAttribute('[data-testid="results-shap"]', 'data-workers')) }
    : { shap_ms: null, shap_note: await page.textContent('[data-testid="results-shap"]') };
  await page.click('[data-testid="tab-train"]');
  await page.waitForSelector('[data-testid="train-tab"]');
  return found;
}

async function main() {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: build the page first`);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '-d', dist], { stdio: 'ignore' });
  const profile = mkdtempSync(join(tmpdir(), 'flowlab-bench-profile-'));
  let context;
  try {
    await waitForHttp(`${origin}/index.html`, 15_000);
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    if (!process.env.BENCH_NO_PATCH) await context.addInitScript(recordTrained);
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(STEP);
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    page.on('crash', () => log('the page crashed'));
    page.on('worker', (w) => {
      w.on('close', () => log(`a worker closed: ${w.url()}`));
    });
    context.on('weberror', (e) => log(`web error: ${e.error().message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log(`console ${m.type()}: ${m.text()}`);
    });
    await page.goto(`${origin}/index.html`);
    // The embedded sample loads first; then our files replace it.
    await page.waitForSelector('[data-testid="rows"]');
    await page.waitForSelector('[data-testid="progress"]', { state: 'detached' });
    const sampleRows = await page.getAttribute('[data-testid="rows"]', 'data-value');
    const t0 = Date.now();
    await page.setInputFiles('[data-testid="file-input"]', files);
    await page.waitForFunction(
      (before) => {
        const rows = document.querySelector('[data-testid="rows"]');
        return rows && rows.dataset.value !== before && !document.querySelector('[data-testid="progress"]');
      },
      sampleRows,
      { timeout: TIMEOUT },
    );
    const rows = await page.getAttribute('[data-testid="rows"]', 'data-value');
    log(`${opts.dataset}: ${rows} rows loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    await page.click('[data-testid="tab-train"]');
    await page.waitForSelector('[data-testid="train-tab"]');
    await page.selectOption('[data-testid="train-taxonomy"]', 'attack');
    await page.selectOption('[data-testid="train-split"]', 'random');
    await setField(page, 'train-test-size', opts['test-size']);
    await setField(page, 'train-seed', opts.seed);
    await page.setChecked('[data-testid="train-by-capture"]', false);
    await page.setChecked('[data-testid="train-engineered"]', true);
    const workers = Number(((await page.textContent('[data-testid="train-workers"]')) ?? '').match(/\d+/)?.[0] ?? NaN);
    // The page starts its pool of workers once it has data, and each warms up (fits every model
    // briefly) so the browser optimises the code; a user looking at their data gives it that
    // moment, and so does the benchmark.
    await page.waitForFunction(
      () => /warmed up|failed/.test(document.querySelector('[data-testid="train-warm-up"]')?.textContent ?? ''),
      null,
      { timeout: STEP },
    );
    const warmUp = (await page.textContent('[data-testid="train-warm-up"]')) ?? '';
    const warmUpMs = Number(warmUp.match(/in (\d+) ms/)?.[1] ?? NaN);
    log(`${opts.dataset}: ${warmUp}`);

    for (const model of opts.models.split(',')) {
      for (const kind of ['dt', 'rf', 'gbdt', 'mlp', 'logreg', 'nb', 'svm', 'gru']) {
        await page.setChecked(`[data-testid="train-model-${kind}"]`, kind === model);
      }
      if (model === 'gru') {
        // A fixed number of epochs over every training window (no validation split), so the
        // pool's CPU time over (epochs × batches) is a step time.
        await setField(page, 'train-gru-max_epochs', opts['gru-epochs']);
        await setField(page, 'train-gru-validation_fraction', '0');
        await setField(page, 'train-gru-patience', '0');
      }
      if (model === 'mlp') {
        await setField(page, 'train-mlp-max_epochs', opts['mlp-epochs']);
        await setField(page, 'train-mlp-early_stopping', 'false');
        await setField(page, 'train-mlp-patience', '0');
        await setField(page, 'train-mlp-seed', opts['mlp-seed']);
      }
      const errors = await page.locator('[data-testid="train-errors"]').count();
      if (errors > 0 || (await page.isDisabled('[data-testid="train-start"]'))) {
        const why = errors > 0 ? await page.textContent('[data-testid="train-errors"]') : 'Train is disabled';
        out({ model, fit_seconds: null, note: `not started: ${why}` });
        continue;
      }
      log(`${opts.dataset} ${model}: training`);
      await page.evaluate(() => { window.__benchTrained = []; });
      const started = Date.now();
      await page.click('[data-testid="train-start"]');
      const status = page.locator('[data-testid="train-status-0"]');
      try {
        await page.waitForFunction(
          () => /done|failed|cancelled/.test(document.querySelector('[data-testid="train-status-0"]')?.textContent ?? ''),
          null,
          { timeout: TIMEOUT },
        );
      } catch (e) {
        const stage = await page.textContent('[data-testid="train-stage"]').catch(() => '?');
        const st = await status.textContent().catch(() => '?');
        await page.screenshot({ path: join(tmpdir(), `flowlab-bench-${model}.png`), fullPage: true }).catch(() => {});
        throw new Error(`${model}: no result after ${TIMEOUT / 1000} s (stage: ${stage}; status: ${st})`);
      }
      const text = (await status.textContent()) ?? '';
      if (process.env.BENCH_BROWSER_DEBUG) {
        await page.screenshot({ path: join(tmpdir(), `flowlab-bench-${model}.png`), fullPage: true });
      }
      const trained = await page.evaluate(() => window.__benchTrained.slice());
      if (!/done/.test(text) || trained.length === 0) {
        const error = (await page.locator('[data-testid="train-error"]').count()) > 0
          ? await page.textContent('[data-testid="train-error"]') : text;
        out({ model, fit_seconds: null, note: `failed: ${error}` });
        continue;
      }
      const { result } = JSON.parse(trained[trained.length - 1]);
      const meta = result.info.meta;
      const line = {
        model,
        fit_seconds: result.wall_ms / 1000,
        cpu_seconds: result.cpu_ms / 1000,
        assemble_seconds: result.assemble_ms / 1000,
        run_seconds: (Date.now() - started) / 1000,
        macro_f1: meta.metrics.macro_f1,
        accuracy: meta.metrics.accuracy,
        train_rows: meta.train_rows,
        test_rows: meta.test_rows,
        features: result.info.features.length,
        workers,
        rows: Number(rows),
        warm_up_ms: warmUpMs,
      };
      if (model === 'mlp') line.model_seed = Number(opts['mlp-seed']);
      if (opts.shap) Object.assign(line, await meanShap(page));
      out(line);
      log(`${opts.dataset} ${model}: fit ${line.fit_seconds.toFixed(3)} s wall, ${line.cpu_seconds.toFixed(3)} s in workers, macro-F1 ${line.macro_f1.toFixed(4)} (whole run ${line.run_seconds.toFixed(1)} s)`);
    }
  } finally {
    await context?.close().catch(() => {});
    try {
      process.kill(server.pid);
    } catch {
      // already gone
    }
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log(e.stack ?? String(e));
  for (const model of opts.models.split(',').filter((m) => !printed.has(m))) out({ model, fit_seconds: null, note: `browser run failed: ${String(e.message ?? e).split('\n')[0]}` });
  process.exit(1);
});

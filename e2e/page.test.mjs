// End-to-end: the built page (dist/, from `trunk build --release`) in headless Chromium.
//
//   node --test e2e/
//
// Serves dist/ with `python3 -m http.server` on 127.0.0.1 and a free port, drives /usr/bin/chromium
// with playwright-core, and checks the Data tab against the numbers `flowlab inspect --json` gives
// for the same files. Writes e2e/screenshots/data.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import {
  ARGS,
  CHROMIUM,
  builtPolicy,
  dist,
  fixtures,
  foreignRequests,
  freePort,
  reportCspViolations,
  root,
  screenshots,
  waitForHttp,
} from './harness.mjs';

const TIMEOUT = 60_000;

// Expected values: `cargo run --bin flowlab -- inspect --json FILE` on the same files.
const SAMPLE = {
  // One file per recording period (public/sample/README.md), in the page's order.
  files: readdirSync(join(root, 'public', 'sample')).filter((f) => f.endsWith('.labeled')).sort(),
  rows: 3437,
  labels: {
    Attack: 600,
    Benign: 589,
    'C&C': 597,
    'C&C-FileDownload': 3,
    DDoS: 600,
    Okiru: 600,
    PartOfAHorizontalPortScan: 437,
    benign: 11,
  },
};
const DROPPED = {
  file: 'iot23-34-1.conn.log.labeled',
  rows: 400,
  labels: { Benign: 120, 'C&C': 120, DDoS: 120, PartOfAHorizontalPortScan: 40 },
};
const JUNK = 'bad-binary.bin';
const PICKED = {
  file: 'nsl-kdd.txt',
  rows: 300,
  labels: {
    ipsweep: 9,
    neptune: 101,
    nmap: 4,
    normal: 160,
    pod: 1,
    portsweep: 8,
    satan: 4,
    smurf: 3,
    teardrop: 5,
    warezclient: 5,
  },
  // --taxonomy binary
  binary: { Benign: 160, Malicious: 140 },
};

/** label → rows, as the Data tab shows them. */
function labelCounts(page) {
  return page.$$eval('[data-testid="label-counts"] tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.label, Number(r.dataset.count)])),
  );
}

/** Paths in the files table. */
function filePaths(page) {
  return page.$$eval('[data-testid="files"] tbody tr', (rows) => rows.map((r) => r.dataset.path));
}

/** Waits until the summary shows `rows` rows and no load is in flight. */
async function waitForRows(page, rows) {
  await page.waitForSelector(`[data-testid="rows"][data-value="${rows}"]`, { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: TIMEOUT });
}

describe('flowlab page', () => {
  let server;
  let context;
  let page;
  let origin;
  let profile;
  const requests = [];
  const problems = [];

  before(async () => {
    assert.ok(existsSync(join(dist, 'index.html')), 'dist/index.html is missing: run `trunk build --release` first');
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '-d', dist], {
      stdio: 'ignore',
    });
    await waitForHttp(`${origin}/index.html`, 15_000);
    profile = mkdtempSync(join(tmpdir(), 'flowlab-e2e-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.on('request', (r) => requests.push(r.url()));
    await reportCspViolations(context);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
  });

  after(async () => {
    await context?.close();
    if (server?.pid) {
      try {
        process.kill(server.pid);
      } catch {
        // already gone
      }
    }
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('has a Content-Security-Policy that runs only its own inline scripts and opens no websocket', () => {
    const { html, policy } = builtPolicy();
    assert.deepEqual(policy['default-src'], ["'self'"]);
    assert.deepEqual(policy['connect-src'], ["'self'"]);
    assert.deepEqual(policy['object-src'], ["'none'"]);
    const scripts = policy['script-src'];
    assert.ok(!scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"), scripts.join(' '));
    assert.ok(!/ws:|wss:/.test(html.match(/Content-Security-Policy[^>]*/)[0]), 'no websocket source');
    // Exactly the build's inline scripts are allowed, each by the sha256 of its bytes.
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)].filter(([, a]) => !/\bsrc\s*=/i.test(a));
    assert.ok(inline.length >= 2, `${inline.length} inline scripts (trunk's loader and the SIMD check)`);
    const hashes = inline.map(([, , body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
    assert.deepEqual(scripts.filter((s) => s.startsWith("'sha256-")).sort(), hashes.sort());
  });

  it('opens and shows the embedded sample', { timeout: TIMEOUT }, async () => {
    await page.goto(`${origin}/index.html`);
    await waitForRows(page, SAMPLE.rows);
    assert.deepEqual(await labelCounts(page), SAMPLE.labels);
    assert.deepEqual(await filePaths(page), SAMPLE.files);
    assert.equal(SAMPLE.files.length, 12);
    assert.equal(await page.locator('[data-testid="error"]').count(), 0);
    assert.equal(await page.textContent('h1'), 'flowlab');
  });

  it('replaces the data with a file dropped on the page', { timeout: TIMEOUT }, async () => {
    const bytes = readFileSync(join(fixtures, DROPPED.file)).toString('base64');
    const transfer = await page.evaluateHandle(
      ({ name, base64 }) => {
        const raw = atob(base64);
        const data = new Uint8Array(raw.length);
        for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
        const dt = new DataTransfer();
        dt.items.add(new File([data], name));
        return dt;
      },
      { name: DROPPED.file, base64: bytes },
    );
    await page.dispatchEvent('main', 'dragenter', { dataTransfer: transfer });
    await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
    await page.waitForSelector('[data-testid="drop-overlay"].visible', { timeout: TIMEOUT });
    await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
    await waitForRows(page, DROPPED.rows);
    assert.deepEqual(await labelCounts(page), DROPPED.labels);
    assert.deepEqual(await filePaths(page), [DROPPED.file]);
    assert.equal(await page.locator('[data-testid="drop-overlay"].visible').count(), 0);
  });

  it('reports an unreadable file by name and keeps the data loaded before', { timeout: TIMEOUT }, async () => {
    await page.setInputFiles('[data-testid="file-input"]', join(fixtures, 'bad', JUNK));
    const error = await page.waitForSelector('[data-testid="error"]', { timeout: TIMEOUT });
    assert.ok((await error.textContent()).includes(JUNK), await error.textContent());
    await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: TIMEOUT });
    assert.equal(await page.getAttribute('[data-testid="rows"]', 'data-value'), String(DROPPED.rows));
    assert.deepEqual(await labelCounts(page), DROPPED.labels);
    assert.deepEqual(await filePaths(page), [DROPPED.file]);
  });

  it('still loads a valid file after the failure', { timeout: TIMEOUT }, async () => {
    await page.setInputFiles('[data-testid="file-input"]', join(fixtures, PICKED.file));
    await waitForRows(page, PICKED.rows);
    assert.deepEqual(await labelCounts(page), PICKED.labels);
    assert.deepEqual(await filePaths(page), [PICKED.file]);
    assert.equal(await page.locator('[data-testid="error"]').count(), 0);
  });

  it('regroups the labels when the taxonomy changes', { timeout: TIMEOUT }, async () => {
    await page.selectOption('[data-testid="taxonomy"]', 'binary');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="class-count"]')?.closest('.stat')?.textContent.includes('binary'),
      null,
      { timeout: TIMEOUT },
    );
    assert.deepEqual(await labelCounts(page), PICKED.binary);
    assert.equal(await page.getAttribute('[data-testid="rows"]', 'data-value'), String(PICKED.rows));
    await page.selectOption('[data-testid="taxonomy"]', 'raw');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="class-count"]')?.closest('.stat')?.textContent.includes('raw'),
      null,
      { timeout: TIMEOUT },
    );
    assert.deepEqual(await labelCounts(page), PICKED.labels);
  });

  it('writes a screenshot of the Data tab', { timeout: TIMEOUT }, async () => {
    mkdirSync(screenshots, { recursive: true });
    const file = join(screenshots, 'data.png');
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(readFileSync(file).length > 10_000, `${basename(file)} looks empty`);
  });

  it('sent no request to any other origin, and logged no errors', () => {
    assert.ok(requests.length > 0, 'no requests were recorded');
    assert.deepEqual(foreignRequests(requests, origin), []);
    assert.deepEqual(problems, []);
  });
});

// Shared by the end-to-end tests: serve dist/ on 127.0.0.1, launch Debian's Chromium headless
// with playwright-core, open the page and wait for the embedded sample to load.
//
//   const h = await startPage();        // { origin, context, page, requests, problems, close() }
//   await waitForRows(h.page, 3437);
//   await h.close();

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const dist = process.env.FLOWLAB_DIST ?? join(root, 'dist');
export const fixtures = join(root, 'tests', 'fixtures');
export const screenshots = join(root, 'e2e', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const TIMEOUT = 120_000;
/** The embedded sample's row count over its 12 files (`flowlab inspect --json public/sample/*.labeled`). */
export const SAMPLE_ROWS = 3437;
// Same flags as webdriver.json: quiet on a closed network.
export const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers, or rejects after `ms`. */
export async function waitForHttp(url, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the Data tab shows `rows` rows and no load is in flight. */
export async function waitForRows(page, rows) {
  await page.waitForSelector(`[data-testid="rows"][data-value="${rows}"]`, { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: TIMEOUT });
}

/**
 * Serves dist/, launches Chromium with a fresh profile and opens the page (the sample loaded).
 * `problems` collects page errors and console errors; `requests` every URL requested. `query`
 * (e.g. `?test-crash`) is appended to the page's URL.
 */
export async function startPage({ viewport = { width: 1280, height: 900 }, waitForSample = true, query = '' } = {}) {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: run \`trunk build --release\` first`);
  }
  mkdirSync(screenshots, { recursive: true });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '-d', dist], {
    stdio: 'ignore',
  });
  await waitForHttp(`${origin}/index.html`, 15_000);
  const profile = mkdtempSync(join(tmpdir(), 'flowlab-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    acceptDownloads: true,
  });
  const requests = [];
  const problems = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await reportCspViolations(context);
  await page.goto(`${origin}/index.html${query}`);
  if (waitForSample) await waitForRows(page, SAMPLE_ROWS);
  const close = async () => {
    await context.close().catch(() => {});
    try {
      process.kill(server.pid);
    } catch {
      // already gone
    }
    rmSync(profile, { recursive: true, force: true });
  };
  return { origin, server, context, page, requests, problems, profile, close };
}

/**
 * Makes every Content-Security-Policy violation in `context`'s pages (a blocked inline script, a
 * request the policy forbids) a console error, so the tests' `problems` list catches it.
 */
export async function reportCspViolations(context) {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`),
    );
  });
}

/** The content of the built page's `<meta http-equiv="Content-Security-Policy">`, by directive. */
export function builtPolicy() {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const meta = html.match(/<meta\b[^>]*http-equiv=["']?Content-Security-Policy["']?[^>]*>/i);
  if (!meta) throw new Error('dist/index.html has no Content-Security-Policy meta tag');
  const content = meta[0].match(/content=(?:"([^"]*)"|'([^']*)')/i);
  const policy = {};
  for (const part of (content[1] ?? content[2]).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) policy[name] = values;
  }
  return { html, policy };
}

/** The requested URLs that are neither this origin's nor `data:`/`blob:` (must be none). */
export function foreignRequests(requests, origin) {
  return requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
}

/** Text of a download triggered by `click()` (a Playwright download event). */
export async function downloadText(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), click()]);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8'), path };
}

/** Whether a canvas has drawn anything but one flat colour. */
export function canvasDrawn(page, selector) {
  return page.$eval(selector, (c) => {
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const first = data.slice(0, 4).join(',');
    for (let i = 4; i < data.length; i += 4 * 7) {
      if (`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}` !== first) return true;
    }
    return false;
  });
}

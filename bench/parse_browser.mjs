// The page's parsing worker in Chromium, timed by the worker itself.
//
//   node bench/parse_browser.mjs --dist DIR [--repeats 3] FILE
//
// Serves DIR (a `trunk build --release` output) on 127.0.0.1, opens it in /usr/bin/chromium
// (headless, playwright-core), waits for the embedded sample, then loads FILE through the Data
// tab's file input `--repeats` times, each in a freshly loaded page. Each load is timed by the data worker: its `loaded` reply
// carries `parse_ms` (first slice read → data set built: reading the `File` by slices, ingest,
// columns), which an init script reads from the page's workers. While it runs, the resident
// memory of every Chromium process is summed every 100 ms (from /proc) and the peak kept.
// Prints one JSON line: {"kind":"browser","parse_ms":[…],"rows","bytes","peak_rss_kb"}.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, CHROMIUM, freePort, waitForHttp } from '../e2e/harness.mjs';

const TIMEOUT = Number(process.env.BENCH_BROWSER_TIMEOUT_MS ?? 10 * 60_000);
const argv = process.argv.slice(2);
const opts = { repeats: '3' };
const files = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i].startsWith('--')) opts[argv[i].slice(2)] = argv[++i];
  else files.push(resolve(argv[i]));
}
if (!opts.dist || files.length !== 1) {
  console.error('usage: node bench/parse_browser.mjs --dist DIR [--repeats N] FILE');
  process.exit(2);
}
const dist = resolve(opts.dist);
const log = (...a) => console.error('parse_browser.mjs:', ...a);

// Runs in the page before its scripts: every Worker it creates also reports `loaded` replies.
function recordLoaded() {
  window.__benchLoaded = [];
  const Original = window.Worker;
  window.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const json = e.data && e.data.json;
        if (typeof json === 'string' && json.startsWith('{"type":"loaded"')) {
          const m = JSON.parse(json);
          window.__benchLoaded.push({ parse_ms: m.parse_ms, rows: m.summary.rows });
        }
      });
    }
  };
}

/** The pid of the Chromium whose command line names `profile`, from /proc. */
function browserPid(profile) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(profile) && !cmd.includes('--type=')) return Number(d);
    } catch {
      // gone
    }
  }
  return null;
}

/** Resident memory (KiB) of `pid` and all its descendants, from /proc. */
function treeRssKb(pid) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const m = readFileSync(`/proc/${p}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
      if (m) total += Number(m[1]);
    } catch {
      // gone
    }
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

async function main() {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: build the page first`);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '-d', dist], { stdio: 'ignore' });
  const profile = mkdtempSync(join(tmpdir(), 'flowlab-parse-profile-'));
  let context;
  let timer;
  try {
    await waitForHttp(`${origin}/index.html`, 15_000);
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    const pid = browserPid(profile);
    if (!pid) log('the browser process was not found: no peak RSS');
    let peak = 0;
    if (pid) timer = setInterval(() => { peak = Math.max(peak, treeRssKb(pid)); }, 100);
    await context.addInitScript(recordLoaded);
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    page.on('crash', () => log('the page crashed'));
    const times = [];
    let rows = null;
    for (let r = 0; r < Number(opts.repeats); r++) {
      // A fresh page each time: the data worker starts empty, as for a user opening the page.
      await page.goto(`${origin}/index.html`);
      await page.waitForSelector('[data-testid="rows"]', { timeout: 120_000 });
      await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: 120_000 });
      const before = await page.evaluate(() => window.__benchLoaded.length);
      await page.setInputFiles('[data-testid="file-input"]', files);
      await page.waitForFunction((n) => window.__benchLoaded.length > n, before, { timeout: TIMEOUT, polling: 200 });
      const last = await page.evaluate(() => window.__benchLoaded[window.__benchLoaded.length - 1]);
      times.push(last.parse_ms);
      rows = last.rows;
      log(`load ${r + 1}: ${rows} rows parsed in ${last.parse_ms.toFixed(0)} ms`);
    }
    console.log(JSON.stringify({ kind: 'browser', parse_ms: times, rows, bytes: statSync(files[0]).size, peak_rss_kb: peak }));
  } finally {
    if (timer) clearInterval(timer);
    if (context) await context.close().catch(() => {});
    server.kill();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log(e.stack ?? String(e));
  process.exit(1);
});

// flowlab's service worker: keeps the app shell so that, after the first visit, the page loads and
// works with no network at all.
//
// - On install it fetches the page (./), reads the asset URLs trunk wrote into it (hashed .js,
//   .wasm and .css files, the worker loader) and the ones the worker loader names, and caches them
//   together with the manifest, the icons and the embedded sample. Every URL is relative to this
//   file, so the site works from any sub-path (GitHub Pages serves it under /<repo>/).
// - Files whose names carry trunk's content hash never change: cache first.
// - Everything else (index.html, worker_loader.js, the sample, the manifest): network first, so a
//   new deployment is picked up at once, falling back to the cache when the network fails.
// - Only same-origin GET requests are handled; nothing here ever talks to another origin.
//
// A new deployment installs a new worker (this file's bytes change only when CACHE changes, but
// the browser also re-checks it on each navigation); `activate` deletes caches of older versions.

const CACHE = 'flowlab-shell-v2';

// Always cached, besides what the page itself references.
const EXTRA = [
  './',
  './manifest.webmanifest',
  './icons/icon-32.png',
  './icons/icon-192.png',
  './icons/icon-512.png',
  './icons/icon-maskable-512.png',
  './sample/iot23-2018-05-09.conn.log.labeled',
  './sample/iot23-2018-05-11.conn.log.labeled',
  './sample/iot23-2018-05-19.conn.log.labeled',
  './sample/iot23-2018-07-20.conn.log.labeled',
  './sample/iot23-2018-07-31.conn.log.labeled',
  './sample/iot23-2018-10-25.conn.log.labeled',
  './sample/iot23-2018-12-20.conn.log.labeled',
  './sample/iot23-2019-01-10.conn.log.labeled',
  './sample/iot23-2019-02-28.conn.log.labeled',
  './sample/iot23-2019-03-08.conn.log.labeled',
  './sample/iot23-2019-07-03.conn.log.labeled',
  './sample/iot23-2019-09-20.conn.log.labeled',
  './worker_loader.js',
];

// trunk names its outputs `<name>-<hex hash>.<ext>` (or `<name>-<hash>_bg.wasm`).
const HASHED = /-[0-9a-f]{8,}(_bg)?\.(js|wasm|css)$/;

/** Relative asset URLs (`./…` or bare file names) found in a piece of HTML or JS. */
function assetUrls(text) {
  const urls = new Set();
  const re = /["'`](\.\/[^"'`\s?#]+|[A-Za-z0-9_.-]+\.(?:js|wasm|css|webmanifest|png))["'`]/g;
  for (const m of text.matchAll(re)) urls.add(m[1].startsWith('./') ? m[1] : `./${m[1]}`);
  return [...urls];
}

async function precache() {
  const cache = await caches.open(CACHE);
  const page = await fetch('./', { cache: 'no-cache' });
  if (!page.ok) throw new Error(`cannot fetch the page: HTTP ${page.status}`);
  const html = await page.clone().text();
  await cache.put('./', page);
  const urls = new Set([...EXTRA, ...assetUrls(html)]);
  // The worker loader names the worker's own .js and .wasm.
  try {
    const loader = await fetch('./worker_loader.js', { cache: 'no-cache' });
    if (loader.ok) for (const u of assetUrls(await loader.clone().text())) urls.add(u);
  } catch {
    // no loader: nothing more to add
  }
  urls.delete('./');
  // One missing optional file (an icon, the sample) must not stop the rest from being cached.
  await Promise.all(
    [...urls].map(async (u) => {
      try {
        const response = await fetch(u, { cache: 'no-cache' });
        if (response.ok) await cache.put(u, response);
      } catch {
        // skipped; it is cached later if the page fetches it
      }
    }),
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('flowlab-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request, fallback) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallback ?? request, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(fallback ?? request, { ignoreSearch: true });
    if (hit) return hit;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Range requests (media) are left to the network.
  if (request.headers.has('range')) return;
  if (request.mode === 'navigate') {
    // Every navigation inside the scope is the single page: cache it under './'.
    const scope = new URL('./', self.location.href).href;
    const here = url.origin + url.pathname;
    const isPage = here === scope || here === `${scope}index.html`;
    event.respondWith(networkFirst(request, isPage ? './' : undefined));
    return;
  }
  event.respondWith(HASHED.test(url.pathname) ? cacheFirst(request) : networkFirst(request));
});

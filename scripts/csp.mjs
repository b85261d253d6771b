// trunk post-build hook (see Trunk.toml): writes the page's Content-Security-Policy with a
// sha256 hash for every inline <script>, so `script-src` needs no 'unsafe-inline'.
//
// Why a hook: trunk writes its own inline module script (the one that loads the app's wasm) and,
// in a release build, minifies every inline script. The hashes must be of the final bytes, which
// exist only once trunk has written `index.html` to its staging directory — exactly when
// post-build hooks run (trunk 0.21: after `fs::write(staging/index.html)`, before the move to
// dist/).
//
// The policy (one definition, here):
//   default-src 'self'            nothing from any other origin, by default
//   script-src  'self' 'wasm-unsafe-eval' 'sha256-…'…
//                                 this origin's files, WebAssembly compilation, and exactly the
//                                 inline scripts of this build (no 'unsafe-inline', no 'unsafe-eval')
//   style-src   'self' 'unsafe-inline'   Leptos sets `style=` attributes (bar widths, colours)
//   img-src     'self' data: blob:       charts and downloads are data:/blob: URLs made here
//   worker-src  'self' blob:
//   connect-src 'self'            no websocket: `scripts/serve.sh` runs `trunk serve --no-autoreload`.
//                                 (trunk's live-reload script is rewritten per request by the dev
//                                 server, so no build-time hash can allow it: a plain `trunk serve`
//                                 works, but logs one CSP error for that script and does not reload.)
//   object-src 'none'; base-uri 'self'; form-action 'none'
//
// Run by hand: TRUNK_STAGING_DIR=dist node scripts/csp.mjs (idempotent: it replaces the policy).

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run as a trunk post_build hook)');
  process.exit(2);
}
const file = join(dir, 'index.html');
const html = readFileSync(file, 'utf8');

// Every <script> without a src attribute; its text is hashed byte for byte as the browser will.
const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)].filter(
  ([, attrs]) => !/\bsrc\s*=/i.test(attrs),
);
const hashes = inline.map(([, , body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
// trunk's live-reload script (plain `trunk serve`) is templated per request: see above.
const liveReload = inline.some(([, , body]) => body.includes('.well-known/trunk/ws'));
if (liveReload) {
  console.warn('csp.mjs: trunk live reload is on; the policy blocks it (use `trunk serve --no-autoreload`)');
}

const policy = [
  "default-src 'self'",
  ["script-src 'self' 'wasm-unsafe-eval'", ...hashes].join(' '),
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

// The <meta http-equiv="Content-Security-Policy" content=…> tag, quoted either way (the release
// build's minifier may change the quotes).
const meta = /<meta\b[^>]*http-equiv=["']?Content-Security-Policy["']?[^>]*>/i;
if (!meta.test(html)) {
  console.error(`csp.mjs: ${file} has no <meta http-equiv="Content-Security-Policy"> to fill in`);
  process.exit(1);
}
const out = html.replace(meta, `<meta http-equiv="Content-Security-Policy" content="${policy}">`);
writeFileSync(file, out);
console.log(`csp.mjs: ${inline.length} inline script(s) hashed into the Content-Security-Policy`);

#!/usr/bin/env bash
# Builds flowlab and serves it on http://127.0.0.1:8080 (rebuilds on change).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# wasm-opt from npm (binaryen 132) must come before any system one (Debian's 108 breaks the module).
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
printf '\n==> Serving on http://127.0.0.1:8080 (Ctrl-C stops)\n'
exec trunk serve --release --offline --no-autoreload --address 127.0.0.1 --port 8080

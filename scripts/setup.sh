#!/usr/bin/env bash
# Installs what building and testing flowlab needs; safe to run again (each step is skipped when
# its tool is already there in the right version). Works without network access except the package
# registries (crates.io, Debian, npm).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14          # 0.22.x needs a newer rustc
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate in Cargo.lock

section() { printf '\n==> %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
export PATH="$HOME/.cargo/bin:$PATH"

section "Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "installed"
else
  rustup target add wasm32-unknown-unknown
fi

section "trunk $TRUNK_VERSION"
if have trunk && [ "$(trunk --version | awk '{print $2}')" = "$TRUNK_VERSION" ]; then
  echo "installed: $(trunk --version)"
else
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

section "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if have wasm-bindgen && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$WASM_BINDGEN_VERSION" ]; then
  echo "installed: $(wasm-bindgen --version)"
else
  # No --locked: its lockfile pins a crate version the registry does not have.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

section "Chromium and chromedriver"
if have chromium && have chromedriver; then
  echo "installed: $(chromium --version 2>/dev/null); $(chromedriver --version)"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
fi

section "npm devDependencies (playwright-core, binaryen's wasm-opt, axe-core)"
if [ -f node_modules/.package-lock.json ] && [ -x node_modules/.bin/wasm-opt ] && [ -f node_modules/axe-core/axe.min.js ] \
  && [ ! package-lock.json -nt node_modules/.package-lock.json ] \
  && [ ! package.json -nt node_modules/.package-lock.json ]; then
  echo "up to date: $(node_modules/.bin/wasm-opt --version)"
elif [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi

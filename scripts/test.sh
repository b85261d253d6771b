#!/usr/bin/env bash
# Everything CI checks, in order; stops at the first failure with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# wasm-opt from npm (binaryen 132) must come before any system one (Debian's 108 breaks the module).
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"

section() { printf '\n==> %s\n' "$*"; }

section "Format (cargo fmt --check)"
cargo fmt --all -- --check

section "Lint, native (clippy)"
cargo clippy --all-targets -- -D warnings

section "Lint, wasm32 (clippy)"
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

section "Tests, native"
cargo test

section "ONNX export checked against onnxruntime (tests/onnx/check.sh)"
bash tests/onnx/check.sh

section "Spark recipe, local[2]: ONNX in mapInPandas and the CLI through RDD.pipe (spark/check.sh)"
bash spark/check.sh

section "Tests, wasm32 in headless Chromium (wasm-bindgen-test)"
cargo test --target wasm32-unknown-unknown

section "Page build (trunk build --release)"
trunk build --release --offline

section "End-to-end tests in headless Chromium (Playwright)"
node --test e2e/

printf '\n==> All checks passed\n'

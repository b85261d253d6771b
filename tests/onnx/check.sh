#!/usr/bin/env bash
# The ONNX export checked against onnxruntime (issue 14): creates tests/onnx/.venv with the
# pinned onnx, onnxruntime and numpy (tests/onnx/requirements.txt) when they are missing, builds
# the `flowlab` CLI (debug), then runs tests/onnx/check.py on the fixtures (dt, rf, gbdt, logreg,
# mlp, svm linear and rbf). Idempotent; generated models go to a temporary directory removed on
# exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=tests/onnx/.venv
if ! "$venv/bin/python" bench/check_venv.py tests/onnx/requirements.txt 2>/dev/null; then
  echo "== creating $venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/onnx/requirements.txt
  "$venv/bin/python" bench/check_venv.py tests/onnx/requirements.txt
fi
cargo build --quiet --bin flowlab
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" tests/onnx/check.py "$target/debug/flowlab" "$work"

#!/usr/bin/env bash
# Defaults chosen by by-capture score (issue 15): group k-fold over the captures we have — the
# IoT-23 34-1 capture, the captures inside the IoT-23 mix (cut by date: runs of days with rows),
# the Stratosphere 001 scenario — for flowlab's old defaults (time of day on), its new defaults,
# and the peer (scikit-learn HistGradientBoosting, default settings, on the issue's simple
# feature set). Prints the by-capture macro-F1 and per-class F1 table (markdown).
# Usage: bash bench/capture.sh [FOLDS]   (default 5; needs ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED_DATA:-../shared/data}
[ -f "$shared/iot23/iot23_mix_shared.conn.log.labeled" ] || { echo "SKIP: $shared/iot23 not found (needs ../shared/data)"; exit 0; }
venv=bench/.venv
if ! "$venv/bin/python" -c "import sklearn" 2>/dev/null; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  grep -E '^(numpy|scipy|scikit-learn)==' bench/requirements.txt | xargs nice -n 10 "$venv/bin/pip" install --quiet --disable-pip-version-check
fi
cargo build --release --quiet --bin flowlab
mkdir -p bench/.data
OMP_WAIT_POLICY=PASSIVE "$venv/bin/python" bench/capture.py "${CARGO_TARGET_DIR:-target}/release/flowlab" bench/.data "$shared" "${1:-5}"

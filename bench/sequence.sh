#!/usr/bin/env bash
# Sequence models against the trees, by capture: a GRU, an LSTM and a 1D-CNN over windows of
# flows per host (W = 16, defaults otherwise), the random forest and the gradient boosting, each scored by group 3-fold over three captures
# (every fold tests on a capture the model never saw): the two Stratosphere captures in
# ../shared/data (008: a Windows host exposed to the Internet, a full day; 001: a malware
# capture) and the IoT-23 capture 34-1 (Mirai). Binary taxonomy (Benign / Malicious /
# Background), the same split and features for every model.
# Usage: bash bench/sequence.sh [EPOCHS] [MODEL...]   (most epochs of the sequence models,
# default 30; the models, default gru lstm cnn1d rf gbdt; needs ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-30}"
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(gru lstm cnn1d rf gbdt)
data=../shared/data
files=("$data/stratosphere-zeek/008-zeek-mixed.conn.log.labeled"
       "$data/stratosphere-zeek/001-zeek-scenario-malicious.labeled-conn.log"
       "$data/iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (needs ../shared/data)"; exit 0; }
done
cargo build --release --quiet --bin flowlab
bin=${CARGO_TARGET_DIR:-target}/release/flowlab
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-22s %9s %9s %9s %9s\n' model split accuracy macro_f1 mcc fit_s
for model in "${models[@]}"; do
  extra=()
  case "$model" in gru|lstm|cnn1d) extra=(--set "max_epochs=$epochs") ;; esac
  "$bin" train --model "$model" --taxonomy binary --split group --folds 3 --seed 1 --json "${extra[@]}" "${files[@]}" \
    | python3 -c 'import json,sys; v=json.load(sys.stdin); m=v["metrics"]; print("%-6s %-22s %9.4f %9.4f %9.4f %9.1f" % (v["model"], "by capture (3 files)", m["accuracy"], m["macro_f1"], m["mcc"], v.get("fit_seconds", float("nan"))))'
done
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

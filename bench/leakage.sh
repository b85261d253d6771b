#!/usr/bin/env bash
# Where the "~100 % accuracy" on IoT-23 comes from: the same random forest, with and without the
# port columns, scored on a random split and on a split by capture (source file).
# Usage: bash bench/leakage.sh [MODEL]   (default rf; needs ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-rf}"
data=../shared/data/iot23
files=("$data/iot23_mix_shared.conn.log.labeled" "$data/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (needs ../shared/data)"; exit 0; }
done
cargo build --release --quiet --bin flowlab
bin=${CARGO_TARGET_DIR:-target}/release/flowlab
printf '%-8s %-14s %-6s %9s %9s %9s %10s %8s\n' model split ports accuracy macro_f1 mcc test_rows dup_rm
for split in random group; do
  for ports in no yes; do
    extra=()
    [ "$ports" = yes ] && extra=(--include-ports)
    "$bin" train --model "$model" --taxonomy attack --split "$split" --folds 2 --seed 1 --json "${extra[@]}" "${files[@]}" \
      | python3 -c 'import json,sys; v=json.load(sys.stdin); m=v["metrics"]; print("%-8s %-14s %-6s %9.4f %9.4f %9.4f %10d %8d" % (v["model"], sys.argv[1], sys.argv[2], m["accuracy"], m["macro_f1"], m["mcc"], v["test_rows"], v["duplicates_removed"]))' "$split" "$ports"
  done
done

#!/usr/bin/env bash
# The explanation benchmark of issue 13, in one command:
#
#   bash bench/explain.sh
#
# How fast TreeSHAP explains a 100-tree random forest's predictions (`flowlab explain`):
# 1. trains two forests (`flowlab train --model rf`, 100 trees, unrestricted depth): one on the
#    page's embedded sample (public/sample/, 3,437 rows: shallow trees) and one on
#    iot23_mix_shared.csv from ../shared/data (56,615 rows: deep trees);
# 2. explains the first 10,000 rows of iot23_mix_shared.csv (real traffic, repetitive as real
#    traffic is) and of a copy whose numbers carry ±5 % jitter (bench/make_data.py: nearly every
#    row distinct, the hard case), on one thread (RAYON_NUM_THREADS=1) and on all cores;
# 3. with BENCH_EXPLAIN_PAGE=1 (needs the page built in dist/: `trunk build --release`), the
#    page: bench/browser.mjs loads iot23_mix_shared.conn.log.labeled, trains rf, and reads the
#    Results tab's mean-|SHAP| card (TreeSHAP of up to 10,000 test rows in the data worker).
# Prints a Markdown table and writes it to bench/explain.md. Skips with a message when
# ../shared/data is absent. Settings: SHARED_DATA, BENCH_EXPLAIN_ROWS (10000).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared=${SHARED_DATA:-$root/../shared/data}
rows=${BENCH_EXPLAIN_ROWS:-10000}
work=$root/bench/.data
nice=(nice -n 10)
csv=$shared/iot23/iot23_mix_shared.csv
zeek=$shared/iot23/iot23_mix_shared.conn.log.labeled
for f in "$csv" "$zeek"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (the benchmark needs ../shared/data, see its SOURCES.md)"; exit 0; }
done
mkdir -p "$work"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rev="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes in src/')"
echo "== building flowlab (release)"
"${nice[@]}" cargo build --release --quiet --bin flowlab
bin=${CARGO_TARGET_DIR:-$root/target}/release/flowlab

# make_data.py keeps every input row once, then adds jittered copies: keep only the copies.
jitter_only=$work/explain-jitter-only-${rows}.conn.log.labeled
if [ ! -f "$jitter_only" ]; then
  skip=$(grep -vc '^#' "$zeek")
  python3 bench/make_data.py --rows "$((skip + rows))" --seed 1 --out "$work/explain-tmp.log" "$zeek" >/dev/null
  { grep '^#' "$work/explain-tmp.log" | grep -v '^#close'; grep -v '^#' "$work/explain-tmp.log" | tail -n "$rows"; } > "$jitter_only"
  rm -f "$work/explain-tmp.log"
fi

"${nice[@]}" "$bin" train --model rf --out "$work/explain-rf-sample.flowlab" public/sample/*.labeled >/dev/null 2>&1
"${nice[@]}" "$bin" train --model rf --out "$work/explain-rf-mix.flowlab" "$csv" >/dev/null 2>&1

table="| forest (100 trees) | rows explained | threads | seconds (wall) | CPU seconds | rows/s (wall) |
|---|---|---:|---:|---:|---:|"
run() { # model-name model-file data-name data-file threads
  local t0 t1 cpu
  t0=$(date +%s.%N)
  RAYON_NUM_THREADS=$5 /usr/bin/time -o "$work/explain.time" -f '%U %S' "${nice[@]}" "$bin" explain "$2" "$4" --rows "$rows" --json >/dev/null 2>&1
  cpu=$(awk '{print $1 + $2}' "$work/explain.time")
  t1=$(date +%s.%N)
  local wall; wall=$(echo "$t1 - $t0" | bc)
  table+=$'\n'"$(printf '| %s | %s | %s | %.2f | %.2f | %.0f |' "$1" "$3" "$5" "$wall" "$cpu" "$(echo "$rows / $wall" | bc -l)")"
  echo "$1 / $3 / $5 thread(s): ${wall}s wall, ${cpu}s CPU"
}
threads=$(nproc)
for m in "sample:trained on the sample (3,437 rows)" "mix:trained on iot23_mix_shared (56,615 rows)"; do
  file=$work/explain-rf-${m%%:*}.flowlab
  run "${m#*:}" "$file" "first $rows of iot23_mix_shared.csv" "$csv" 1
  run "${m#*:}" "$file" "first $rows of iot23_mix_shared.csv" "$csv" "$threads"
  run "${m#*:}" "$file" "$rows jittered copies (±5 %)" "$jitter_only" 1
done

page=""
if [ "${BENCH_EXPLAIN_PAGE:-0}" = 1 ]; then
  [ -f dist/index.html ] || { echo "BENCH_EXPLAIN_PAGE=1 needs dist/ (trunk build --release)"; exit 1; }
  line=$(node bench/browser.mjs --dist dist --dataset iot23_mix_shared --models rf --shap 1 "$zeek" | tail -1)
  page=$(python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print(f"The page (Chromium, data worker, wasm): rf trained on {v[\"train_rows\"]:,} rows of iot23_mix_shared.conn.log.labeled; its Results card explained {v[\"shap_rows\"]:,} test rows in {v[\"shap_ms\"]/1000:.2f} s.")' "$line")
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
report="# Explanations: TreeSHAP speed

Made by \`bash bench/explain.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC, flowlab $rev, $(nproc) cores.
\`flowlab explain MODEL FILE --rows $rows --json\` (read, features, predict, TreeSHAP, JSON),
one process each; load average $load_before before, $load_after after.

$table

$page"
echo "$report" | tee bench/explain.md

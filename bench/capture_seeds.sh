#!/usr/bin/env bash
# The by-capture comparison of bench/capture.sh over several seeded samples, in one command:
#
#   bash bench/capture_seeds.sh [SEEDS...]     (default 1 2 3 4 5; ~2 min per seed on 2 loaded cores)
#
# Each seed draws another sample of at most CAPTURE_ROWS rows per recording period (8000), and
# flowlab's default rf and gbdt and the peer (scikit-learn HistGradientBoosting on the simple
# feature set) are scored by group 5-fold over the same 14 periods. One sample moves macro-F1 by
# ±0.01–0.02, so the defaults are compared with the peer over the mean of several. Prints one
# markdown row per seed and the mean; each seed's full table is kept in bench/.data/capture-seed-N.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${*:-1 2 3 4 5}
mkdir -p bench/.data
echo "| seed | rows | flowlab rf | flowlab gbdt | peer: HistGradientBoosting |"
echo "|---:|---:|---:|---:|---:|"
for s in $seeds; do
  log=bench/.data/capture-seed-$s.md
  CAPTURE_BEFORE= CAPTURE_SETTINGS=defaults CAPTURE_SEED=$s bash bench/capture.sh > "$log" 2> /dev/null
  awk -v seed="$s" -F'|' '
    /^captures:/ { rows = $0; sub(/^captures: [0-9]+ recording periods, /, "", rows); sub(/ rows.*/, "", rows) }
    $2 ~ /flowlab rf/ && $3 ~ /defaults/ { rf = $4 }
    $2 ~ /flowlab gbdt/ && $3 ~ /defaults/ { gb = $4 }
    $2 ~ /peer/ && $3 ~ /default, simple features/ { peer = $4 }
    END { gsub(/ /, "", rf); gsub(/ /, "", gb); gsub(/ /, "", peer)
          if (rf == "" || gb == "" || peer == "") { print "seed " seed ": no result, see the log" > "/dev/stderr"; exit 1 }
          printf "| %s | %s | %s | %s | %s |\n", seed, rows, rf, gb, peer }' "$log"
done | tee bench/.data/capture-seeds.md
awk -F'|' '$2 ~ /[0-9]/ { n++; rf += $4; gb += $5; peer += $6 }
  END { printf "| **mean of %d** | | **%.3f** | **%.3f** | **%.3f** |\n", n, rf / n, gb / n, peer / n }' bench/.data/capture-seeds.md

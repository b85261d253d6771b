#!/usr/bin/env bash
# The by-capture comparison of bench/capture.sh over several seeded samples, in one command:
#
#   bash bench/capture_seeds.sh [SEEDS...]     (default 1 2 3 4 5; ~2 min per seed and setting
#                                               on 2 loaded cores)
#
# Each seed draws another sample of at most CAPTURE_ROWS rows per recording period (8000), and
# flowlab's rf and gbdt and the peer (scikit-learn HistGradientBoosting on the simple feature
# set) are scored by group 5-fold over the same 14 periods. One sample moves macro-F1 by
# ±0.01–0.02, so settings are compared with the peer over several. CAPTURE_SETTINGS (default
# "defaults") and CAPTURE_EXTRA pick the settings, as in bench/capture.py. Prints one markdown
# row per seed (the defaults and the peer) and the mean, then every setting's mean, min, max,
# difference from the peer and per-class F1 (bench/capture_summary.py); each seed's full table
# is kept in bench/.data/capture-seed-N.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${*:-1 2 3 4 5}
mkdir -p bench/.data
logs=()
for s in $seeds; do
  log=bench/.data/capture-seed-$s.md
  CAPTURE_BEFORE= CAPTURE_SETTINGS=${CAPTURE_SETTINGS:-defaults} CAPTURE_SEED=$s \
    bash bench/capture.sh > "$log" 2> /dev/null || echo "seed $s: failed, see $log" >&2
  logs+=("$log")
done
bench/.venv/bin/python bench/capture_summary.py "${logs[@]}" | tee bench/.data/capture-seeds.md

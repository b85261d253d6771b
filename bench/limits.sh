#!/usr/bin/env bash
# The measured rows of the README's "Limits" table, with the release CLI:
#
#   bash bench/limits.sh            (BENCH_LIMIT_ROWS=1000000 rows for the big file by default)
#
#   1. features: a CSV of 4,096 columns is read, one of 4,097 refused (`formats::too_wide`), and a
#      tree trains on 4,095 numeric features;
#   2. classes: a tree and a 20-tree forest train on 1,000 classes (20,000 rows);
#   3. rows: `bench/make_data.py` makes a Zeek conn.log of BENCH_LIMIT_ROWS rows from the IoT-23
#      files in ../shared/data; a decision tree trains on all of it; peak RSS per row;
#   4. model size: a 100-tree forest on the two IoT-23 files (attack families), written with --out.
# Each step runs under `/usr/bin/time -v` (wall seconds, peak RSS). Files go to a temporary folder,
# deleted after. Derived limits (from the memory budget): `cargo run --release --example limits`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${BENCH_LIMIT_ROWS:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin flowlab
FLOWLAB="$CARGO_TARGET_DIR/release/flowlab"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)"

# Runs "$@" under /usr/bin/time -v; prints `label: wall time, peak RSS MiB, exit code` and the
# command's last stderr line.
measure() {
  local label="$1"
  shift
  local rc=0
  /usr/bin/time -v -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$TMP/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$TMP/time")
  echo "$label: wall $wall, peak RSS $rss MiB, exit $rc"
  grep -v '^Command exited' "$TMP/err" | tail -n 1 | sed 's/^/    stderr: /' || true
}

# 1. Features.
python3 - "$TMP" <<'EOF'
import random, sys
random.seed(1)
for cols in (4096, 4097):
    with open(f"{sys.argv[1]}/wide-{cols}.csv", "w") as f:
        f.write(",".join([f"f{i}" for i in range(cols - 1)] + ["label"]) + "\n")
        for r in range(1000):
            label = "a" if r % 2 else "b"
            # feature 0 carries the class, the rest is noise
            vals = [str(r % 2 + random.random())] + [f"{random.random():.3f}" for _ in range(cols - 2)]
            f.write(",".join(vals + [label]) + "\n")
# 2. Classes: 1,000 classes of 20 rows, 10 numeric features, each class centred on its own point.
with open(f"{sys.argv[1]}/classes-1000.csv", "w") as f:
    f.write(",".join([f"f{i}" for i in range(10)] + ["label"]) + "\n")
    for c in range(1000):
        for _ in range(20):
            f.write(",".join(f"{c * (i + 1) % 997 + random.random():.3f}" for i in range(10)) + f",class{c}\n")
EOF
measure "inspect 4,096 columns" "$FLOWLAB" inspect "$TMP/wide-4096.csv"
grep -m1 '^rows:' "$TMP/out" | sed 's/^/    /'
measure "inspect 4,097 columns" "$FLOWLAB" inspect "$TMP/wide-4097.csv"
measure "train dt, 1,000 rows x 4,095 features" "$FLOWLAB" train --model dt "$TMP/wide-4096.csv"
grep -m1 -i 'macro' "$TMP/out" | sed 's/^/    /' || true

# 2. Classes.
measure "train dt, 20,000 rows, 1,000 classes" "$FLOWLAB" train --model dt "$TMP/classes-1000.csv"
grep -m1 -i 'macro' "$TMP/out" | sed 's/^/    /' || true
measure "train rf (20 trees), 20,000 rows, 1,000 classes" "$FLOWLAB" train --model rf --set n_trees=20 \
  --out "$TMP/classes.flowlab" "$TMP/classes-1000.csv"
echo "    model file: $(stat -c%s "$TMP/classes.flowlab") bytes"

# 3. Rows.
SHARED=../shared/data/iot23
INPUTS=("$SHARED/CTU-IoT-Malware-Capture-34-1.conn.log.labeled" "$SHARED/iot23_mix_shared.conn.log.labeled")
if [ -f "${INPUTS[0]}" ] && [ -f "${INPUTS[1]}" ]; then
  python3 bench/make_data.py --rows "$ROWS" --seed 1 --out "$TMP/big.conn.log.labeled" "${INPUTS[@]}"
  echo "big file: $ROWS rows, $(stat -c%s "$TMP/big.conn.log.labeled") bytes"
  measure "inspect $ROWS rows" "$FLOWLAB" inspect "$TMP/big.conn.log.labeled"
  measure "train dt on $ROWS rows (attack families)" "$FLOWLAB" train --model dt --taxonomy attack "$TMP/big.conn.log.labeled"
  grep -m1 -i 'rows' "$TMP/out" | sed 's/^/    /' || true

  # 4. Model size.
  measure "train rf (100 trees) on the IoT-23 files" "$FLOWLAB" train --model rf --set n_trees=100 --taxonomy attack \
    --out "$TMP/rf100.flowlab" "${INPUTS[@]}"
  echo "    model file: $(stat -c%s "$TMP/rf100.flowlab") bytes"
else
  echo "rows and model size skipped: $SHARED is absent"
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

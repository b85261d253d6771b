#!/usr/bin/env bash
# The predict benchmark of issue 10, in one command:
#
#   bash bench/predict.sh
#
# 1. builds a big conn.log from ../shared/data (skips with a message when it is absent): the IoT-23
#    iot23_mix_shared + CTU-IoT-Malware-Capture-34-1 rows replicated with ±5 % jitter to
#    BENCH_PREDICT_ROWS rows (7,900,000: ~1 GB; bench/make_data.py, seeded) in bench/.data/;
# 2. trains a 100-tree random forest on the original 79,760 rows (`flowlab train --set
#    n_trees=100 --out`), and the same forest in scikit-learn on the same training rows and
#    features (`flowlab features --out`, bench/predict_peer.py fit; not timed);
# 3. times `flowlab predict` on the big file as one process (/usr/bin/time -v: wall seconds, CPU,
#    peak RSS), then the peer — pandas read_csv of the same engineered features (`flowlab features
#    --apply MODEL`, the features flowlab's model computes), RandomForest predict_proba on 2 cores,
#    pandas to_csv — on the first BENCH_PEER_ROWS rows (1,000,000: the peer needs minutes for
#    the whole file; flowlab is timed on those same rows too, for a like-for-like row);
# 4. prints a Markdown table and writes it to bench/predict.md.
#
# Settings (environment): BENCH_PREDICT_ROWS (7900000), BENCH_PEER_ROWS (1000000; set it to
# BENCH_PREDICT_ROWS for the peer on every row), BENCH_SEED (1), SHARED_DATA (../shared/data).
# Everything runs under `nice -n 10`; generated files go to bench/.data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rows=${BENCH_PREDICT_ROWS:-7900000}
peer_rows=${BENCH_PEER_ROWS:-1000000}
seed=${BENCH_SEED:-1}
shared=${SHARED_DATA:-$root/../shared/data}
work=$root/bench/.data
venv=$root/bench/.venv
nice=(nice -n 10)

src=("$shared/iot23/iot23_mix_shared.conn.log.labeled" "$shared/iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")
for f in "${src[@]}"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (the benchmark needs ../shared/data, see its SOURCES.md)"; exit 0; }
done
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time (GNU time) is needed to measure peak memory"; exit 0; }
mkdir -p "$work"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

# --- the peer's venv (bench/compare.sh's, plus pandas) ------------------------------------------
if ! "$venv/bin/python" bench/check_venv.py bench/requirements.txt 2>/dev/null \
    || ! "$venv/bin/python" -c 'import pandas' 2>/dev/null; then
  echo "== creating $venv with bench/requirements.txt and pandas"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "${nice[@]}" "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt pandas
fi
py=$venv/bin/python
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

# --- flowlab ------------------------------------------------------------------------------------
rev="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ' + uncommitted changes in src/')"
echo "== building flowlab (release)"
"${nice[@]}" cargo build --release --quiet --bin flowlab
bin=${CARGO_TARGET_DIR:-$root/target}/release/flowlab

# --- data and models ----------------------------------------------------------------------------
big=$work/predict-${rows}-s${seed}.conn.log.labeled
if [ ! -f "$big" ]; then
  echo "== generating $big ($rows rows)"
  "${nice[@]}" python3 bench/make_data.py --rows "$rows" --seed "$seed" --out "$big.tmp" "${src[@]}"
  mv "$big.tmp" "$big"
fi
model=$work/predict-rf100-s${seed}.flowlab
echo "== training flowlab's 100-tree forest → $model"
"${nice[@]}" "$bin" train --model rf --set n_trees=100 --taxonomy attack --seed "$seed" --out "$model" "${src[@]}" > "$work/predict-train.txt"
echo "== training scikit-learn's 100-tree forest on the same rows and features"
"${nice[@]}" "$bin" features --taxonomy attack --seed "$seed" --out "$work/predict-train" "${src[@]}" > /dev/null
"${nice[@]}" "$py" bench/predict_peer.py fit --train "$work/predict-train/train.csv" --model "$work/predict-rf100-s${seed}.pickle" --seed "$seed"

if [ "$peer_rows" -lt "$rows" ]; then
  head_lines=$(head -n 50 "$big" | grep -c '^#' || true)
  subset=$work/predict-${peer_rows}-s${seed}.conn.log.labeled
  head -n $((head_lines + peer_rows)) "$big" > "$subset"
else
  subset=$big
fi
echo "== the peer's input: features of $(basename "$subset") by flowlab's model pipeline"
"${nice[@]}" "$bin" features --apply "$model" --out "$work/predict-peer-rows" "$subset"

# --- timed runs ---------------------------------------------------------------------------------
results=$work/predict-results.jsonl
: > "$results"
timed() { # name rows input-bytes command...
  local name=$1 n=$2 bytes=$3; shift 3
  echo "== timing $name"
  /usr/bin/time -v -o "$work/time.txt" "${nice[@]}" "$@" > "$work/stdout.txt"
  python3 - "$work/time.txt" "$name" "$n" "$bytes" >> "$results" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
def field(label):
    return re.search(re.escape(label) + r": (.*)", t).group(1).strip()
parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
print(json.dumps({"name": sys.argv[2], "rows": int(sys.argv[3]), "bytes": int(sys.argv[4]),
                  "seconds": wall, "cpu_seconds": cpu, "peak_rss_kib": int(field("Maximum resident set size (kbytes)"))}))
PY
}
size() { stat -c %s "$1"; }
timed "flowlab predict (all rows)" "$rows" "$(size "$big")" "$bin" predict "$model" "$big" --out "$work/predict-flowlab.csv"
timed "flowlab predict (peer's rows)" "$peer_rows" "$(size "$subset")" "$bin" predict "$model" "$subset" --out "$work/predict-flowlab-subset.csv"
timed "pandas + scikit-learn (peer's rows)" "$peer_rows" "$(size "$work/predict-peer-rows/rows.csv")" \
  "$py" bench/predict_peer.py predict --model "$work/predict-rf100-s${seed}.pickle" --rows "$work/predict-peer-rows/rows.csv" --out "$work/predict-peer.csv"

# --- report -------------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$results" "$rows" "$peer_rows" <<EOF2 | tee bench/predict.md
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows, peer_rows = int(sys.argv[2]), int(sys.argv[3])
print("# Predict: flowlab vs pandas + scikit-learn\n")
print("Generated by \`bash bench/predict.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). A 100-tree random forest (attack families)")
print("trained on the 79,760 IoT-23 rows predicts a conn.log of %s rows made from them (bench/make_data.py," % format(rows, ","))
print("±5 % jitter, seed $seed). Each run is one process timed by \`/usr/bin/time -v\`: wall seconds, CPU seconds, peak RSS.")
print("flowlab reads the conn.log itself (parse, features, forest, CSV); the peer reads the same rows' features")
print("(\`flowlab features --apply\`), so its time leaves out parsing the conn.log and computing features.\n")
print("| run | rows | input | seconds | rows/s | CPU s | peak RSS |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in runs:
    print("| %s | %s | %.0f MB | %.1f | %s | %.1f | %.0f MB |" % (r["name"], format(r["rows"], ","), r["bytes"] / 1e6,
          r["seconds"], format(int(r["rows"] / r["seconds"]), ","), r["cpu_seconds"], r["peak_rss_kib"] / 1024))
same = {r["name"]: r for r in runs}
f, p = same.get("flowlab predict (peer's rows)"), same.get("pandas + scikit-learn (peer's rows)")
if f and p:
    print("\nOn the same %s rows flowlab predicts %.1f× as many rows per second as pandas + scikit-learn, in %.2f× its peak memory." %
          (format(peer_rows, ","), p["seconds"] / f["seconds"], f["peak_rss_kib"] / p["peak_rss_kib"]))
if peer_rows < rows:
    print("\nThe peer ran on the first %s rows only (BENCH_PEER_ROWS; it needs minutes for all %s)." % (format(peer_rows, ","), format(rows, ",")))
print("\nMachine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;")
print("flowlab $rev; $("$py" -c 'import sklearn, pandas, numpy, sys; print("Python %d.%d.%d, scikit-learn %s, pandas %s, NumPy %s" % (sys.version_info[:3] + (sklearn.__version__, pandas.__version__, numpy.__version__)))').")
print("Load average (1/5/15 min): $load_before before, $load_after after (on $(nproc) cores a load above $(nproc) means other work")
print("shared the machine and slowed every run); everything ran under nice -n 10; whole run $(( $(date +%s) - started )) s.")
EOF2

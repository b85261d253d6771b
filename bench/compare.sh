#!/usr/bin/env bash
# The benchmark of issue 3 §5, in one command:
#
#   bash bench/compare.sh
#
# 1. builds the datasets from ../shared/data (skips with a message when it is absent):
#    "iot23" = IoT-23 iot23_mix_shared + CTU-IoT-Malware-Capture-34-1 conn.log.labeled as they are,
#    "iot23-300k" = the same rows replicated to 300,000 with ±5 % jitter (bench/make_data.py, seeded);
# 2. creates bench/.venv with the pinned peers (bench/requirements.txt) if they are missing;
# 3. builds `flowlab` (release) and exports each dataset's features and split (`flowlab features`),
#    so flowlab and the peers fit and score identical rows and columns;
# 4. times flowlab natively (`flowlab features --fit`: the fit alone; `flowlab train --json`:
#    its `fit_seconds`), in Chromium (the built page's workers, bench/browser.mjs), and the peers
#    (bench/peers.py: scikit-learn, LightGBM, XGBoost); every model with flowlab's defaults (no
#    `--set` overrides, except the MLP's fixed epochs and model seed), the peers matched to them;
#    the MLP is fitted with BENCH_MLP_SEEDS model seeds 0..N-1 on both sides (its macro-F1 swings
#    with the seed; the report shows the median and range), the other models once;
# 5. prints one table and writes it to bench/results.md.
#
# Settings (environment): BENCH_SEED (1: the split's seed), BENCH_ROWS (300000), BENCH_MLP_EPOCHS (20),
# BENCH_MLP_SEEDS (5: MLP model seeds 0..N-1, flowlab `--set seed=K`, scikit-learn random_state=K;
# `flowlab train` and the browser fit the MLP once, with model seed 0),
# BENCH_REPEATS (1: best of N for the peers), BENCH_MODELS ("dt rf gbdt mlp"),
# BENCH_DATASETS ("iot23 iot23-300k"), BENCH_BROWSER (1; 0 skips the browser column),
# SHARED_DATA (../shared/data), BENCH_REV (unset: build the working tree; a commit: build that
# commit, exported with `git archive` into bench/.data/). Everything runs under `nice -n 10`; generated files go to
# bench/.data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seed=${BENCH_SEED:-1}
rows=${BENCH_ROWS:-300000}
epochs=${BENCH_MLP_EPOCHS:-20}
mlp_seeds=${BENCH_MLP_SEEDS:-5}
[[ "$mlp_seeds" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_MLP_SEEDS must be a whole number >= 1, not '$mlp_seeds'"; exit 2; }
repeats=${BENCH_REPEATS:-1}
models=${BENCH_MODELS:-dt rf gbdt mlp}
datasets=${BENCH_DATASETS:-iot23 iot23-300k}
browser=${BENCH_BROWSER:-1}
shared=${SHARED_DATA:-$root/../shared/data}
work=$root/bench/.data
venv=$root/bench/.venv
nice=(nice -n 10)

src=("$shared/iot23/iot23_mix_shared.conn.log.labeled" "$shared/iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")
for f in "${src[@]}"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (the benchmark needs ../shared/data, see its SOURCES.md)"; exit 0; }
done
mkdir -p "$work"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

# --- peers' venv (idempotent) --------------------------------------------------------------
want=$(grep -v '^#' bench/requirements.txt | tr '\n' ' ')
if ! "$venv/bin/python" bench/check_venv.py bench/requirements.txt 2>/dev/null; then
  echo "== creating $venv with: $want"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "${nice[@]}" "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
  "$venv/bin/python" bench/check_venv.py bench/requirements.txt
fi
py=$venv/bin/python
# OpenMP threads (HistGradientBoosting, LightGBM, XGBoost) that spin while waiting burn the
# shared cores and slow every process down many times over; passive waiting is kinder here.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
# scikit-learn's MLP runs one thread like flowlab's; OpenBLAS threads spinning on busy cores made
# it 30× slower here for the same model.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

# --- flowlab ------------------------------------------------------------------------------
rev_fact="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ' + uncommitted changes in src/')"
if [ -n "${BENCH_REV:-}" ]; then
  # A committed revision, exported by `git archive` (the working tree may hold others' edits).
  rev=$(git rev-parse --short "$BENCH_REV")
  srcdir=$work/src-$rev
  if [ ! -d "$srcdir" ]; then
    rm -rf "$srcdir.tmp" && mkdir -p "$srcdir.tmp"
    git archive "$rev" | tar -x -C "$srcdir.tmp" && mv "$srcdir.tmp" "$srcdir"
  fi
  rev_fact="$rev (git archive)"
  # A target directory of its own: `git archive` gives every file the commit's time, older than
  # the outputs in a shared target directory, so cargo would take the current build for this
  # revision's and build nothing.
  targetdir=$work/target-$rev
else
  srcdir=$root
  targetdir=${CARGO_TARGET_DIR:-$srcdir/target}
fi
echo "== building flowlab (release) in $srcdir"
(cd "$srcdir" && CARGO_TARGET_DIR=$targetdir "${nice[@]}" cargo build --release --quiet --bin flowlab)
bin=$targetdir/release/flowlab

# --- the page, for the browser column ----------------------------------------------------------
dist=""
if [ "$browser" = 1 ]; then
  export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
  if ! command -v trunk >/dev/null || [ ! -x /usr/bin/chromium ] || [ ! -d node_modules/playwright-core ] \
      || [ ! -x node_modules/.bin/wasm-opt ]; then
    echo "== installing the page's toolchain (scripts/setup.sh)"
    bash scripts/setup.sh
  fi
  dist=$work/dist-${rev:-worktree}
  if [ -n "${rev:-}" ] && [ -f "$dist/index.html" ]; then
    echo "== the page of $rev is built: $dist"
  else
    echo "== building the page (trunk build --release) → $dist"
    (cd "$srcdir" && "${nice[@]}" trunk build --release --offline --dist "$dist") > "$work/trunk.log" 2>&1 \
      || { echo "page build failed (see $work/trunk.log); the browser column will say so"; dist=""; }
  fi
fi

# --- datasets -----------------------------------------------------------------------------
big=$work/iot23-${rows}-s${seed}.conn.log.labeled
files_of() {
  case "$1" in
    iot23) printf '%s\n' "${src[@]}" ;;
    iot23-300k)
      [ -f "$big" ] || "${nice[@]}" python3 bench/make_data.py --rows "$rows" --seed "$seed" --out "$big.tmp" "${src[@]}" >&2
      [ -f "$big" ] || mv "$big.tmp" "$big"
      printf '%s\n' "$big" ;;
    *) echo "unknown dataset $1" >&2; return 1 ;;
  esac
}

mlp_sets=(--set "max_epochs=$epochs" --set early_stopping=false --set patience=0)
common=(--taxonomy attack --seed "$seed")
results=$work/results.jsonl
: > "$results"
tag() { python3 -c 'import json,sys; v=json.load(sys.stdin); v.update(json.loads(sys.argv[1])); print(json.dumps(v))' "$1"; }

for ds in $datasets; do
  mapfile -t files < <(files_of "$ds")
  out=$work/$ds
  echo "== $ds: exporting features and split → $out"
  "${nice[@]}" "$bin" features "${common[@]}" --out "$out" "${files[@]}"
  for m in $models; do
    # flowlab's own defaults (dt, rf, gbdt: no overrides; bench/peers.py matches the peers to
    # them). The MLP: fixed epochs, and one fit per model seed.
    sets=()
    model_seeds=(none)
    if [ "$m" = mlp ]; then
      sets=("${mlp_sets[@]}")
      model_seeds=($(seq 0 $((mlp_seeds - 1))))
    fi
    for k in "${model_seeds[@]}"; do
      if [ "$k" = none ]; then
        echo "== $ds: flowlab $m (native)"
        "${nice[@]}" "$bin" features "${common[@]}" --fit "$m" "${sets[@]}" "${files[@]}" \
          | tag "{\"kind\":\"flowlab\",\"dataset\":\"$ds\",\"epochs\":$epochs}" >> "$results"
      else
        echo "== $ds: flowlab $m (native), model seed $k"
        "${nice[@]}" "$bin" features "${common[@]}" --fit "$m" "${sets[@]}" --set "seed=$k" "${files[@]}" \
          | tag "{\"kind\":\"flowlab\",\"dataset\":\"$ds\",\"epochs\":$epochs,\"model_seed\":$k}" >> "$results"
      fi
    done
    # The whole `train()` once (MLP: model seed 0).
    [ "$m" = mlp ] && sets+=(--set seed=0)
    "${nice[@]}" "$bin" train --model "$m" "${sets[@]}" "${common[@]}" --split random --json "${files[@]}" \
      | python3 -c 'import json,sys; v=json.load(sys.stdin); print(json.dumps({"kind":"flowlab-train","dataset":sys.argv[1],"model":sys.argv[2],"fit_seconds":v["fit_seconds"],"macro_f1":v["metrics"]["macro_f1"],"train_rows":v["train_rows"],"test_rows":v["test_rows"]}))' "$ds" "$m" >> "$results"
  done
  echo "== $ds: peers"
  "${nice[@]}" "$py" bench/peers.py --data "$out" --dataset "$ds" --models "$(echo $models | tr ' ' ',')" \
    --mlp-epochs "$epochs" --mlp-seeds "$mlp_seeds" --repeats "$repeats" --seed "$seed" >> "$results"
  if [ "$browser" = 1 ]; then
    echo "== $ds: flowlab in Chromium"
    if [ -n "$dist" ]; then
      "${nice[@]}" node bench/browser.mjs --dist "$dist" --dataset "$ds" --seed "$seed" --mlp-epochs "$epochs" --mlp-seed 0 \
        --models "$(echo $models | tr ' ' ',')" "${files[@]}" >> "$results" || echo "browser run failed (see above)"
    else
      for m in $models; do
        echo "{\"kind\":\"browser\",\"dataset\":\"$ds\",\"model\":\"$m\",\"fit_seconds\":null,\"note\":\"page build failed\"}" >> "$results"
      done
    fi
  fi
done

# --- report -------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
rows_of() { python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; r=[x for x in r if x["kind"]=="flowlab" and x["dataset"]==sys.argv[2]][:1]; print("%d train / %d test rows, %d features, %d classes (%s), %d test rows dropped as duplicates of training rows" % (r[0]["train_rows"], r[0]["test_rows"], r[0]["features"], len(r[0]["classes"]), ", ".join(r[0]["classes"]), r[0]["duplicates_removed"]) if r else "")' "$results" "$1"; }
python3 - "$work/meta.json" <<EOF
import json, sys
meta = {
  "command": "bash bench/compare.sh",
  "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
  "facts": [
    "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; $(uname -sr)",
    "flowlab $rev_fact, rustc $(rustc --version | cut -d' ' -f2); peers: $($py -c 'import sklearn, lightgbm, xgboost, numpy, sys; print("Python %d.%d.%d, scikit-learn %s, LightGBM %s, XGBoost %s, NumPy %s" % (sys.version_info[:3] + (sklearn.__version__, lightgbm.__version__, xgboost.__version__, numpy.__version__)))'); Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}' || echo n/a)",
    "load average (1/5/15 min) $load_before before, $load_after after (on 2 cores, a load above ~2 means other work shared the machine and inflated the times); everything ran under nice -n 10",
    "OMP_WAIT_POLICY=$OMP_WAIT_POLICY for the OpenMP peers, OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS; seed $seed, attack-family labels (--taxonomy attack), 25 % stratified hold-out, ports excluded (flowlab's default); MLP $epochs epochs, model seeds 0..$((mlp_seeds - 1)) natively and for scikit-learn (median and range reported), seed 0 in the browser; other models one fit each; peers best of $repeats run(s); whole run $(( $(date +%s) - started )) s",
  ],
  "datasets": [
    "iot23: IoT-23 iot23_mix_shared.conn.log.labeled + CTU-IoT-Malware-Capture-34-1.conn.log.labeled (79,760 rows) as they are — $(rows_of iot23)",
    "iot23-300k: the same rows replicated to $rows with ±5 % jitter on duration and byte/packet counts (bench/make_data.py, seed $seed) — $(rows_of iot23-300k)",
  ],
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF
echo
python3 bench/report.py "$results" --meta "$work/meta.json" --out bench/results.md

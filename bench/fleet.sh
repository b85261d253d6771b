#!/usr/bin/env bash
# The fleet-scale figures of issue 14 (part 4), in one command (not part of scripts/test.sh):
#
#   bash bench/fleet.sh
#
# 1. the ~1 GB IoT-23 conn.log of bench/predict.sh (bench/make_data.py: the 79,760 rows of
#    ../shared/data's iot23_mix_shared + CTU-IoT-Malware-Capture-34-1 replicated with ±5 % jitter
#    to BENCH_PREDICT_ROWS rows, seed 1; shared with bench/predict.sh) and the same 100-tree random
#    forest (attack families), exported to ONNX;
# 2. times, one after the other, on that same file (wall seconds of the whole process):
#    - `flowlab predict` (release, all cores), predictions written to /dev/null;
#    - onnxruntime on the exported model in Python (bench/fleet_ort.py: pandas read_csv of the
#      model's raw input columns in 1 M-row chunks + session.run, all cores; no output written);
#    - the Spark recipe spark/score.py, `--master local[2]`, each variant (onnx in mapInPandas;
#      pipe through `flowlab predict -`), on the file cut into BENCH_FLEET_FILES files (16) with
#      the Zeek header each (one Spark task per file, as Zeek's hourly rotation gives), CSV written
#      to bench/.data/; the spark-submit wall time (JVM start included) and the job's own time;
# 3. extrapolates the time to score the full IoT-23 (325 M flows, as issue 14 counts it) from each rate, and for
#    Spark per added 2-core executor assuming linear scaling of the measured per-core rate;
# 4. prints a Markdown table and writes it to bench/fleet.md.
#
# Settings (environment): BENCH_PREDICT_ROWS (7900000), BENCH_FLEET_FILES (16), BENCH_SEED (1),
# SHARED_DATA (../shared/data), BENCH_FLEET_REPORT_ONLY (1: print the last run's table again).
# Everything runs under `nice -n 10`; generated files go to bench/.data/ (git-ignored). Needs
# Java 17+ and spark/.venv (made by spark/check.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rows=${BENCH_PREDICT_ROWS:-7900000}
nfiles=${BENCH_FLEET_FILES:-16}
seed=${BENCH_SEED:-1}
shared=${SHARED_DATA:-$root/../shared/data}
work=$root/bench/.data
nice=(nice -n 10)
iot23_flows=325000000  # "325 M flows" (issue 14)

src=("$shared/iot23/iot23_mix_shared.conn.log.labeled" "$shared/iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")
for f in "${src[@]}"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (the benchmark needs ../shared/data, see its SOURCES.md)"; exit 0; }
done
venv=$root/spark/.venv
if ! "$venv/bin/python" bench/check_venv.py spark/requirements.txt 2>/dev/null || ! command -v java > /dev/null; then
  echo "SKIP: run bash spark/check.sh first (it installs Java 17 and spark/.venv)"; exit 0
fi
export PATH="$venv/bin:$PATH" PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"
mkdir -p "$work"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

rev="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock spark || echo ' + uncommitted changes')"
echo "== building flowlab (release)"
"${nice[@]}" cargo build --release --quiet --bin flowlab
bin=$(realpath "${CARGO_TARGET_DIR:-$root/target}/release/flowlab")

big=$work/predict-${rows}-s${seed}.conn.log.labeled
if [ ! -f "$big" ]; then
  echo "== generating $big ($rows rows)"
  "${nice[@]}" python3 bench/make_data.py --rows "$rows" --seed "$seed" --out "$big.tmp" "${src[@]}"
  mv "$big.tmp" "$big"
fi
model=$work/fleet-rf100-s${seed}.flowlab
if [ ! -f "$model.onnx" ]; then
  echo "== training flowlab's 100-tree forest (attack families) → $model, exporting it to ONNX"
  "${nice[@]}" "$bin" train --model rf --set n_trees=100 --taxonomy attack --seed "$seed" --out "$model" "${src[@]}" > /dev/null
  "$bin" export --format onnx "$model" --out "$model.onnx.tmp"
  mv "$model.onnx.tmp" "$model.onnx"
fi
parts=$work/fleet-${rows}-s${seed}-${nfiles}files
if [ ! -d "$parts" ]; then
  echo "== cutting $big into $nfiles files, each with the Zeek header → $parts/"
  mkdir -p "$parts.tmp"
  header=$(head -n 50 "$big" | grep -c '^#' || true)
  per=$(( (rows + nfiles - 1) / nfiles ))
  awk -v h="$header" -v per="$per" -v dir="$parts.tmp" '
    NR <= h { hdr = hdr $0 "\n"; next }
    { i = int((NR - h - 1) / per)
      if (i != cur || f == "") { if (f != "") close(f); cur = i; f = sprintf("%s/part-%03d.conn.log.labeled", dir, i); printf "%s", hdr > f }
      print > f }' "$big"
  mv "$parts.tmp" "$parts"
fi

# --- timed runs (BENCH_FLEET_REPORT_ONLY=1: none, the last run's table again) --------------------
results=$work/fleet-results.jsonl
if [ "${BENCH_FLEET_REPORT_ONLY:-0}" = 1 ]; then
  # shellcheck disable=SC1091
  . "$work/fleet-run.env"
else
printf 'load_before="%s"\nstarted=%s\n' "$load_before" "$started" > "$work/fleet-run.env"
: > "$results"
record() { # name seconds [job-seconds]
  printf '{"name": "%s", "seconds": %s, "job_seconds": %s}\n' "$1" "$2" "${3:-null}" >> "$results"
}
now() { date +%s.%N; }
echo "== timing flowlab predict (all cores)"
t0=$(now); "${nice[@]}" "$bin" predict "$model" "$big" --out /dev/null; t1=$(now)
record "flowlab predict, all cores" "$(echo "$t1 - $t0" | bc)"
echo "== timing onnxruntime (Python, pandas read_csv + session.run, all cores)"
t0=$(now); ort_json=$("${nice[@]}" "$venv/bin/python" bench/fleet_ort.py "$model.onnx" "$big"); t1=$(now)
echo "   $ort_json"
record "onnxruntime on the exported model (Python + pandas), all cores" "$(echo "$t1 - $t0" | bc)"
for variant in onnx pipe; do
  echo "== timing spark-submit --master local[2] spark/score.py --variant $variant ($nfiles files)"
  rm -rf "$work/fleet-out"
  t0=$(now)
  "${nice[@]}" spark-submit --master 'local[2]' spark/score.py --variant "$variant" --onnx "$model.onnx" \
    --model "$model" --flowlab "$bin" --out "$work/fleet-out" "$parts" > "$work/fleet-spark.log" 2>&1 \
    || { tail -n 40 "$work/fleet-spark.log"; echo "FAIL: spark-submit"; exit 1; }
  t1=$(now)
  job=$(sed -n 's/^score.py: .* in \([0-9.]*\) s$/\1/p' "$work/fleet-spark.log")
  grep '^score.py:' "$work/fleet-spark.log"
  out_rows=$(cat "$work/fleet-out/$variant"/part-* | grep -vc '^file,line,' || true)
  [ "$out_rows" -eq "$rows" ] || { echo "FAIL: Spark $variant wrote $out_rows rows, not $rows"; exit 1; }
  record "Spark local[2], $variant variant" "$(echo "$t1 - $t0" | bc)" "$job"
done
rm -rf "$work/fleet-out"
printf 'load_after="%s"\nfinished=%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date +%s)" >> "$work/fleet-run.env"
fi

# --- report -------------------------------------------------------------------------------------
python3 - "$results" "$rows" "$(stat -c %s "$big")" "$iot23_flows" <<EOF2 | tee bench/fleet.md
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows, size, full = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def dur(s):
    return "%.1f h" % (s / 3600) if s >= 5400 else "%.0f min" % (s / 60) if s >= 90 else "%.0f s" % s
print("# Fleet scale: flowlab predict, onnxruntime and Spark on the same file\n")
print("Generated by \`bash bench/fleet.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), flowlab $rev. One IoT-23 conn.log of")
print("%s rows (%.0f MB; bench/make_data.py, seed $seed), a 100-tree random forest (attack families, trained on" % (format(rows, ","), size / 1e6))
print("79,760 rows). Seconds are each process's wall time (Spark: spark-submit, JVM start included; in brackets the")
print("job alone). Spark read the same rows cut into $nfiles files (one task per file).\n")
print("| run | seconds | rows/s | full IoT-23 (%s flows) at this rate |" % format(full, ","))
print("|---|---:|---:|---:|")
rate = {}
for r in runs:
    s = r["job_seconds"] or r["seconds"]
    rate[r["name"]] = rows / s
    shown = "%.1f" % r["seconds"] + (" (%.1f)" % r["job_seconds"] if r["job_seconds"] else "")
    print("| %s | %s | %s | %s |" % (r["name"], shown, format(int(rows / s), ","), dur(full / (rows / s))))
print("\nRates use the job's time for Spark (start-up is paid once per job, not per row).")
base = rate.get("flowlab predict, all cores")
if base:
    print("Same run, relative to flowlab predict: " + ", ".join("%s %.2f×" % (n, v / base) for n, v in rate.items() if n != "flowlab predict, all cores") + ".")
print("\n**Spark per added executor** (assumption: linear scaling of the per-core rate measured in local[2], i.e. each")
print("2-core executor adds this machine's local[2] rate; no shuffle, files read where they are):\n")
sp = [(n, v) for n, v in rate.items() if n.startswith("Spark")]
ns = [1, 2, 4, 8, 16, 32, 64]
print("| executors (2 cores each) | " + " | ".join("%d" % n for n in ns) + " |")
print("|---|" + "---:|" * len(ns))
for name, v in sp:
    print("| %s | " % name.replace("Spark local[2], ", "") + " | ".join(dur(full / (v * n)) for n in ns) + " |")
print("\nMachine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, shared with other builds.")
print("$("$venv/bin/python" -c 'import pyspark, onnxruntime, pandas, sys; print("Python %d.%d.%d, pyspark %s, onnxruntime %s, pandas %s" % (sys.version_info[:3] + (pyspark.__version__, onnxruntime.__version__, pandas.__version__)))'), $(java -version 2>&1 | head -n1 | tr -d '"').")
print("Load average (1/5/15 min): $load_before before, $load_after after (on $(nproc) cores a load above $(nproc) means other")
print("work shared the machine and slowed every run: the figures are under load, the ratios of one run are the")
print("better guide); everything ran under nice -n 10; whole run $(( finished - started )) s.")
EOF2

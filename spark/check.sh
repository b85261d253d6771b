#!/usr/bin/env bash
# The Spark recipe checked end to end (issue 14, part 3), run by scripts/test.sh:
#   1. Java 17+ for Spark: uses `java` when it is 17 or newer, else installs Debian's
#      openjdk-17-jre-headless (apt-get, with sudo when not root); skips with a message, exit 0,
#      only when that install fails (no apt, no Debian package);
#   2. spark/.venv with the pinned pyspark, onnxruntime, pandas, pyarrow (spark/requirements.txt)
#      when they are missing;
#   3. builds the `flowlab` CLI (debug), trains a small forest on two IoT-23 fixtures and exports it
#      to ONNX;
#   4. copies a folder of Zeek conn logs (IoT-23 `.labeled` TSV, Stratosphere TSV, Zeek JSON, a
#      .gz) to a temporary directory and runs spark/score.py with spark-submit --master local[2],
#      both variants (onnx in mapInPandas, the CLI through RDD.pipe);
#   5. spark/check.py: both outputs equal `flowlab predict` on each file, row for row.
# Idempotent; everything generated goes to a temporary directory removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
  echo "== installing Java 17 (openjdk-17-jre-headless) for Spark"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if ! { $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless; }; then
    echo "SKIP: the Spark recipe needs Java 17+, and openjdk-17-jre-headless could not be installed"
    exit 0
  fi
fi
echo "== Java $(java_major): $(command -v java)"

venv=spark/.venv
if ! "$venv/bin/python" bench/check_venv.py spark/requirements.txt 2>/dev/null; then
  echo "== creating $venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r spark/requirements.txt
  "$venv/bin/python" bench/check_venv.py spark/requirements.txt
fi
# spark-submit finds its Spark and Python through PATH; executors use the same venv.
export PATH="$root/$venv/bin:$PATH" PYSPARK_PYTHON="$root/$venv/bin/python" PYSPARK_DRIVER_PYTHON="$root/$venv/bin/python"

cargo build --quiet --bin flowlab
flowlab=$(realpath "${CARGO_TARGET_DIR:-target}/debug/flowlab")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== training a 20-tree forest and exporting it to ONNX"
"$flowlab" train --model rf --set n_trees=20 --out "$work/model.flowlab" \
  public/sample/*.conn.log.labeled tests/fixtures/stratosphere-008.conn.log.labeled > /dev/null
"$flowlab" export --format onnx "$work/model.flowlab" --out "$work/model.onnx"

mkdir "$work/logs"
# The embedded sample's 12 recording periods (four of them 1–3 rows), and fixtures.
cp public/sample/*.conn.log.labeled tests/fixtures/iot23-34-1.conn.log.labeled \
  tests/fixtures/stratosphere-008.conn.log.labeled tests/fixtures/formats/iot23-34-1.conn.json \
  "$work/logs/"
cp tests/fixtures/iot23-34-1.conn.log.labeled.gz "$work/logs/iot23-34-1-copy.conn.log.labeled.gz"
# An empty file (Zeek rotation without flows) is skipped, not an error.
: > "$work/logs/empty.conn.log"

echo "== spark-submit --master local[2] spark/score.py --variant onnx,pipe ($(ls "$work/logs" | wc -l) files)"
start=$(date +%s)
if ! spark-submit --master 'local[2]' spark/score.py --variant onnx,pipe \
    --onnx "$work/model.onnx" --model "$work/model.flowlab" --flowlab "$flowlab" \
    --out "$work/out" "$work/logs" > "$work/spark.log" 2>&1; then
  tail -n 60 "$work/spark.log"
  echo "FAIL: spark-submit spark/score.py failed (its log's end above)"
  exit 1
fi
echo "   $(( $(date +%s) - start )) s, JVM start included"
"$venv/bin/python" spark/check.py "$flowlab" "$work/model.flowlab" "$work/logs" "$work/out"

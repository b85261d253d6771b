#!/usr/bin/env bash
# The parse benchmark of issue 10 §4, in one command:
#
#   bash bench/parse.sh
#
# 1. builds a ~250 MB Zeek conn.log from the IoT-23 files in ../shared/data (skips with a message
#    when they are absent): bench/make_data.py replicates the rows of iot23_mix_shared and
#    CTU-IoT-Malware-Capture-34-1 with ±5 % jitter to BENCH_PARSE_ROWS rows (bench/.data/);
# 2. creates bench/.venv with the pinned peers (bench/requirements.txt) if they are missing;
# 3. builds `flowlab` (release) and the page (`trunk build --release`, into dist/);
# 4. times, best of BENCH_REPEATS, on the same file: `flowlab inspect` (native, one thread: read,
#    parse, summary), the page's data worker in headless Chromium (bench/parse_browser.mjs: the
#    worker's own `parse_ms` for a load through the Data tab), pandas `read_csv`, polars
#    `read_csv` and DuckDB `read_csv` into a table (bench/parse_peers.py: the read alone);
#    peak RSS from `/usr/bin/time -v` (the page: all Chromium processes summed);
# 5. prints one Markdown table and writes it to bench/parse.md.
#
# Settings (environment): BENCH_PARSE_ROWS (1900000, ~250 MB), BENCH_REPEATS (3),
# BENCH_BROWSER (1; 0 skips the page), BENCH_BUILD (1; 0 uses the flowlab binary and dist/ as they
# are), SHARED_DATA (../shared/data). Everything runs under `nice -n 10`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rows=${BENCH_PARSE_ROWS:-1900000}
repeats=${BENCH_REPEATS:-3}
browser=${BENCH_BROWSER:-1}
build=${BENCH_BUILD:-1}
shared=${SHARED_DATA:-$root/../shared/data}
work=$root/bench/.data
venv=$root/bench/.venv
nice=(nice -n 10)
target=${CARGO_TARGET_DIR:-$root/target}

src=("$shared/iot23/iot23_mix_shared.conn.log.labeled" "$shared/iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")
for f in "${src[@]}"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (the parse benchmark needs ../shared/data, see its SOURCES.md)"; exit 0; }
done
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time not found (apt-get install time)"; exit 0; }
mkdir -p "$work"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the file ---------------------------------------------------------------------------------
data=$work/parse-$rows.conn.log.labeled
if [ ! -f "$data" ]; then
  echo "== building $data ($rows rows)"
  "${nice[@]}" python3 bench/make_data.py --rows "$rows" --seed 42 --out "$data.tmp" "${src[@]}"
  mv "$data.tmp" "$data"
fi
bytes=$(stat -c %s "$data")

# --- peers' venv (idempotent, as bench/compare.sh) ----------------------------------------------
if ! "$venv/bin/python" bench/check_venv.py bench/requirements.txt 2>/dev/null; then
  echo "== creating $venv with: $(grep -v '^#' bench/requirements.txt | tr '\n' ' ')"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "${nice[@]}" "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
  "$venv/bin/python" bench/check_venv.py bench/requirements.txt
fi
py=$venv/bin/python

# --- builds -------------------------------------------------------------------------------------
if [ "$build" = 1 ]; then
  echo "== cargo build --release --bin flowlab"
  "${nice[@]}" cargo build --release --quiet --bin flowlab
  if [ "$browser" = 1 ]; then
    echo "== trunk build --release (dist/)"
    PATH="$root/node_modules/.bin:$PATH" "${nice[@]}" trunk build --release --offline >/dev/null
  fi
fi
flowlab=$target/release/flowlab
[ -x "$flowlab" ] || { echo "no $flowlab: build it (cargo build --release) or run with BENCH_BUILD=1"; exit 2; }

# --- timing -------------------------------------------------------------------------------------
# best_of CMD...: runs CMD $repeats times under /usr/bin/time; prints "best_seconds peak_rss_kb"
# where the seconds are the wall time of the run, or the "seconds" its JSON output reports.
best_of() {
  local best="" rss=0 i out secs kb
  for ((i = 0; i < repeats; i++)); do
    out=$("${nice[@]}" /usr/bin/time -f "TIME %e %M" "$@" 2>"$work/parse.err" | tail -1) || { cat "$work/parse.err" >&2; return 1; }
    kb=$(grep '^TIME' "$work/parse.err" | tail -1 | cut -d' ' -f3)
    secs=$(printf '%s' "$out" | python3 -c 'import json,sys
t=sys.stdin.read().strip()
try: print(json.loads(t)["seconds"])
except Exception: print("")')
    [ -n "$secs" ] || secs=$(grep '^TIME' "$work/parse.err" | tail -1 | cut -d' ' -f2)
    best=$(python3 -c "print(min(float(x) for x in '$best $secs'.split()))")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  echo "$best $rss"
}

declare -A secs rss note
echo "== flowlab inspect (native)"
read -r secs[flowlab] rss[flowlab] < <(best_of "$flowlab" inspect "$data")
note[flowlab]="flowlab $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml || echo '+changes'), one parsing thread, columns typed on all cores, summary on another thread: read + parse + summary (wall)"

if [ "$browser" = 1 ]; then
  echo "== the page's worker (Chromium)"
  json=$("${nice[@]}" node bench/parse_browser.mjs --dist dist --repeats "$repeats" "$data" | tail -1)
  secs[page]=$(printf '%s' "$json" | python3 -c 'import json,sys; print(min(json.load(sys.stdin)["parse_ms"]) / 1000)')
  rss[page]=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peak_rss_kb"])')
  note[page]="wasm in headless Chromium $(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1), data worker's parse_ms; RSS: all Chromium processes"
fi

for lib in pandas polars duckdb; do
  echo "== $lib"
  read -r secs[$lib] rss[$lib] < <(best_of "$py" bench/parse_peers.py --lib "$lib" "$data")
  info=$("$py" -c "import $lib; print($lib.__version__)")
  case $lib in
    pandas) note[$lib]="pandas $info read_csv (C engine, 1 thread)" ;;
    polars) note[$lib]="polars $info read_csv ($(nproc) threads)" ;;
    duckdb) note[$lib]="DuckDB $info read_csv → table ($(nproc) threads)" ;;
  esac
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table ----------------------------------------------------------------------------------
{
  echo "Parsing one Zeek conn.log of $((bytes / 1000000)) MB ($rows rows, built by bench/make_data.py from the"
  echo "IoT-23 files in ../shared/data), best of $repeats, on $(nproc) cores; load average before"
  echo "$load_before, after $load_after. Made by \`bash bench/parse.sh\` on $(date -u +%Y-%m-%d)."
  echo
  echo "| reader | seconds | MB/s | peak RSS (MB) | what was timed |"
  echo "|---|---:|---:|---:|---|"
  for k in flowlab page pandas polars duckdb; do
    [ -n "${secs[$k]:-}" ] || continue
    name=$k
    [ "$k" = flowlab ] && name='`flowlab inspect` (native)'
    [ "$k" = page ] && name="the page's worker (wasm)"
    # Names and notes go in as arguments: they hold apostrophes ("the page's worker").
    python3 -c 'import sys; name, note, s, b, rss = sys.argv[1:]; s = float(s); print("| %s | %.2f | %.0f | %.0f | %s |" % (name, s, int(b) / 1e6 / s, int(rss) / 1024, note))' \
      "$name" "${note[$k]}" "${secs[$k]}" "$bytes" "${rss[$k]}"
  done
} > "$work/parse.md.tmp"
mv "$work/parse.md.tmp" bench/parse.md
echo
cat bench/parse.md

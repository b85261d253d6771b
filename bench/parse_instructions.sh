#!/usr/bin/env bash
# The parser's cost in instructions, which other jobs on the machine do not change (unlike
# seconds): `flowlab inspect` on a ~20 MB Zeek conn.log under callgrind, for one or more builds.
#
#   bash bench/parse_instructions.sh [FLOWLAB_BINARY...]
#
# With no argument it builds `flowlab` (release) and measures it. Give two binaries (e.g. a copy
# of an older build and the new one) to compare them on the same file in one run. The file is
# BENCH_SLICE_ROWS (150000) rows made by bench/make_data.py from the IoT-23 files in
# ../shared/data, as bench/parse.sh makes its 250 MB one (skips with a message when they are
# absent). Prints, per binary: instructions (callgrind's Ir), instructions per row, and the
# CPU seconds of one plain run (user + sys; noisy when the machine is loaded).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rows=${BENCH_SLICE_ROWS:-150000}
shared=${SHARED_DATA:-$root/../shared/data}
work=$root/bench/.data
src=("$shared/iot23/iot23_mix_shared.conn.log.labeled" "$shared/iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")
for f in "${src[@]}"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (see ../shared/data/SOURCES.md)"; exit 0; }
done
command -v valgrind >/dev/null || { echo "SKIP: valgrind not found (apt-get install valgrind)"; exit 0; }
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time not found (apt-get install time)"; exit 0; }
mkdir -p "$work"
data=$work/slice-$rows.conn.log.labeled
if [ ! -f "$data" ]; then
  nice -n 10 python3 bench/make_data.py --rows "$rows" --seed 42 --out "$data.tmp" "${src[@]}"
  mv "$data.tmp" "$data"
fi
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
  nice -n 10 cargo build --release --quiet --bin flowlab
  bins=("${CARGO_TARGET_DIR:-$root/target}/release/flowlab")
fi
echo "file: $data ($(stat -c %s "$data") bytes, $rows rows); load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %16s %10s %8s\n' binary instructions per_row cpu_s
for b in "${bins[@]}"; do
  out=$work/callgrind.$$.out
  nice -n 10 valgrind --tool=callgrind --callgrind-out-file="$out" "$b" inspect "$data" >/dev/null 2>"$out.err"
  ir=$(grep -o 'Collected : [0-9]*' "$out.err" | grep -o '[0-9]*$')
  rm -f "$out" "$out.err"
  cpu=$( { /usr/bin/time -f '%U %S' "$b" inspect "$data" >/dev/null; } 2>&1 | tail -1 | awk '{print $1 + $2}')
  printf '%-48s %16s %10s %8s\n' "$b" "$ir" "$((ir / rows))" "$cpu"
done

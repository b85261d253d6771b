#!/usr/bin/env bash
# How long a multi-GB zip of captures takes to sample (issue 10 §2), in one command:
#
#   bash bench/zip.sh
#
# 1. builds CAPTURES distinct Zeek conn.log.labeled captures of ROWS rows each from ../shared/data
#    (bench/make_data.py, seeds 1..CAPTURES; ~130 bytes a row);
# 2. zips MEMBERS of them (cycling through the captures, each under its own name, deflate level 6
#    like the IoT-23 download; Python's zipfile, Zip64 when over 4 GiB) into
#    bench/.data/zip/captures.zip;
# 3. times `flowlab inspect --max-rows-per-file N` on the archive (every member inflated and
#    parsed, N rows of each kept), with `--max-files 2` (two members read), and on one member
#    unzipped (the same parse without the zip), with wall time, MB/s of inflated bytes and peak
#    RSS from /usr/bin/time.
#
# Settings (environment): ZIP_ROWS (2000000 rows a capture, ~260 MB), ZIP_CAPTURES (3),
# ZIP_MEMBERS (10: ~2.6 GB inflated), ZIP_KEEP (20000 rows kept a member), SHARED_DATA
# (../shared/data). The archive is kept between runs (delete bench/.data/zip to rebuild it).
# Everything runs under `nice -n 10`; generated files go to bench/.data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rows=${ZIP_ROWS:-2000000}
captures=${ZIP_CAPTURES:-3}
members=${ZIP_MEMBERS:-10}
keep=${ZIP_KEEP:-20000}
shared=${SHARED_DATA:-$root/../shared/data}
work=$root/bench/.data/zip
nice=(nice -n 10)

src=("$shared/iot23/iot23_mix_shared.conn.log.labeled" "$shared/iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")
for f in "${src[@]}"; do
  [ -f "$f" ] || { echo "SKIP: $f not found (the benchmark needs ../shared/data, see its SOURCES.md)"; exit 0; }
done
mkdir -p "$work"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
archive=$work/captures-$members-x-$rows.zip
if [ ! -f "$archive" ]; then
  for c in $(seq 1 "$captures"); do
    out=$work/capture-$c-$rows.conn.log.labeled
    [ -f "$out" ] || "${nice[@]}" python3 bench/make_data.py --rows "$rows" --seed "$c" --out "$out" "${src[@]}"
  done
  echo "zipping $members members into $archive"
  "${nice[@]}" python3 - "$archive" "$members" "$captures" "$rows" "$work" <<'EOF'
import sys, zipfile
archive, members, captures, rows, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
with zipfile.ZipFile(archive + ".part", "w", zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as z:
    for m in range(members):
        c = m % captures + 1
        z.write("%s/capture-%d-%s.conn.log.labeled" % (work, c, rows),
                "iot23/CTU-IoT-Capture-%02d/bro/conn.log.labeled" % (m + 1))
EOF
  mv "$archive.part" "$archive"
fi

cargo build --release --offline --quiet --bin flowlab
flowlab=${CARGO_TARGET_DIR:-$root/target}/release/flowlab
zip_bytes=$(stat -c %s "$archive")
inflated=$(unzip -l "$archive" | tail -1 | awk '{print $1}')
awk -v a="$archive" -v z="$zip_bytes" -v i="$inflated" -v m="$members" \
  'BEGIN { printf "archive: %s, %.2f GB compressed, %.2f GB inflated, %d members\n", a, z / 1e9, i / 1e9, m }'

# run LABEL BYTES ARGS...: times `flowlab inspect --json ARGS`; BYTES = inflated bytes it reads.
run() {
  local label=$1 bytes=$2; shift 2
  local log secs kib kept
  log=$(mktemp)
  "${nice[@]}" /usr/bin/time -f '%e %M' -o "$log" "$flowlab" inspect --json "$@" > "$log.json"
  read -r secs kib < "$log"
  kept=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["rows"], "rows kept from", len(s["files"]), "files")' "$log.json")
  awk -v l="$label" -v s="$secs" -v b="$bytes" -v k="$kib" -v r="$kept" \
    'BEGIN { printf "%-44s %6.1f s  %5.0f MB/s  peak RSS %4.0f MB  (%s)\n", l, s, b / 1e6 / s, k / 1024, r }'
  rm -f "$log" "$log.json"
}
one=$(stat -c %s "$work/capture-1-$rows.conn.log.labeled")
run "zip, every member, $keep rows of each" "$inflated" --max-rows-per-file "$keep" "$archive"
run "zip, --max-files 2, $keep rows of each" "$((inflated * 2 / members))" --max-rows-per-file "$keep" --max-files 2 "$archive"
run "one member unzipped (plain file), $keep rows" "$one" --max-rows-per-file "$keep" "$work/capture-1-$rows.conn.log.labeled"
echo "load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

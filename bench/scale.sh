#!/usr/bin/env bash
# Every figure of issue 10 ("real data at real size") in one command:
#
#   bash bench/scale.sh
#
# runs, one after the other so they do not share the cores:
#   bench/parse.sh    parse MB/s and peak RSS: `flowlab inspect`, the page's worker (Chromium),
#                     pandas 3, polars and DuckDB on one ~250 MB conn.log      → bench/parse.md
#   bench/predict.sh  `flowlab predict` with a 100-tree forest on a ~1 GB conn.log: rows/s and
#                     peak RSS against pandas + scikit-learn                   → bench/predict.md
#   bench/zip.sh      how long a multi-GB zip of captures takes to sample      → its table on stdout
# and prints the three tables. Each skips with a message when ../shared/data is absent; each
# script's header lists its settings (environment). The page's peak memory on the big file is the
# `peak RSS` of the page row of bench/parse.md (all Chromium processes summed) — run
# `BENCH_PARSE_ROWS=7900000 bash bench/parse.sh` for the 1 GB file.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores: above ~2 other work shares the machine)"
bash bench/parse.sh
bash bench/predict.sh
bash bench/zip.sh | tee bench/.data/zip.md
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo; cat bench/parse.md; echo; cat bench/predict.md; echo; cat bench/.data/zip.md

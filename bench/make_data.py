"""Enlarges IoT-23 Zeek conn.log.labeled files to a given row count by replication with jitter.

    python3 bench/make_data.py --rows 300000 --seed 42 --out bench/.data/iot23-300k.conn.log.labeled FILE...

The output is one Zeek TSV file (the header lines of the first input, IoT-23's three-space label
quirk kept). Every input row appears once unchanged; the copies after it are the input rows in a
seeded random order, each with:
  - numeric columns (duration, byte and packet counts) multiplied by a factor drawn uniformly from
    [1 - jitter, 1 + jitter] (counts rounded to integers, unset `-` values kept unset),
  - the timestamp moved by up to +-60 s, and the uid suffixed with the copy number (uid is an
    identifier, never a feature; the suffix keeps it unique).
Labels, addresses, ports, protocol, service, connection state and history are kept as they are.
Deterministic: the same inputs, --rows, --seed and --jitter give the same bytes.
"""

import argparse
import random
import sys

# Zeek conn.log columns (0-based) that get jitter; the rest are copied.
FLOAT_COLS = {8: 6}  # duration, 6 decimals
INT_COLS = [9, 10, 14, 16, 17, 18, 19]  # orig/resp bytes, missed_bytes, pkts, ip_bytes


def read_zeek(path):
    header, rows = [], []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                if not line.startswith(("#open", "#close")):
                    header.append(line)
            elif line:
                rows.append(line.split("\t"))
    return header, rows


def jittered(row, copy, rng, jitter):
    out = list(row)
    try:
        out[0] = "%.6f" % (float(row[0]) + rng.uniform(-60.0, 60.0))
    except ValueError:
        pass
    out[1] = "%s_%d" % (row[1], copy)
    for col, decimals in FLOAT_COLS.items():
        v = row[col]
        if v not in ("-", ""):
            out[col] = "%.*f" % (decimals, float(v) * rng.uniform(1 - jitter, 1 + jitter))
    for col in INT_COLS:
        v = row[col]
        if v not in ("-", ""):
            out[col] = str(int(round(float(v) * rng.uniform(1 - jitter, 1 + jitter))))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--jitter", type=float, default=0.05)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    header, rows = None, []
    for path in a.files:
        h, r = read_zeek(path)
        if header is None:
            header = h
        elif [l for l in h if l.startswith("#fields")] != [l for l in header if l.startswith("#fields")]:
            sys.exit("make_data.py: %s has other #fields than %s" % (path, a.files[0]))
        rows.extend(r)
    if not rows:
        sys.exit("make_data.py: no rows in " + ", ".join(a.files))
    rng = random.Random(a.seed)
    with open(a.out, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as f:
        for line in header:
            f.write(line + "\n")
        written, copy = 0, 0
        while written < a.rows:
            order = list(range(len(rows)))
            if copy > 0:
                rng.shuffle(order)
            for i in order:
                if written >= a.rows:
                    break
                row = rows[i] if copy == 0 else jittered(rows[i], copy, rng, a.jitter)
                f.write("\t".join(row) + "\n")
                written += 1
            copy += 1
    print("make_data.py: %d input rows -> %d rows (%d copies, jitter %.0f %%, seed %d) -> %s"
          % (len(rows), written, copy, a.jitter * 100, a.seed, a.out))


if __name__ == "__main__":
    main()

"""Summarises the per-seed tables of bench/capture_seeds.sh (see there).

Usage: capture_summary.py LOG...   (each LOG: one seed's bench/capture.sh output)

Prints (1) one row per seed with the rows, flowlab's rf and gbdt on their defaults and the peer,
and the mean; (2) one row per model and setting: mean, min and max by-capture macro-F1 over the
seeds, the mean difference from the peer of the same sample, on how many samples it beats the
peer, and the mean per-class F1.
"""

import re
import sys
from collections import defaultdict

PEER = ("peer: sklearn HistGradientBoosting", "default, simple features")


def read(path):
    """(seed rows, {(model, setting): (macro, {class: f1})}) of one capture.sh log."""
    rows, table, cols = None, {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"captures: \d+ recording periods, (\d+) rows", line)
        if m:
            rows = int(m.group(1))
        if line.startswith("| model | setting |"):
            cols = [c.strip() for c in line.strip().strip("|").split("|")][3:]
        elif cols and line.startswith("| ") and not line.startswith("|---"):
            f = [c.strip() for c in line.strip().strip("|").split("|")]
            per = {c: float(v) for c, v in zip(cols, f[3:]) if v not in ("—", "")}
            table[(f[0], f[1])] = (float(f[2]), per)
    return rows, table


def main(paths):
    seeds = [(re.search(r"seed-(\d+)", p).group(1), *read(p)) for p in paths]
    seeds = [s for s in seeds if PEER in s[2]]
    if not seeds:
        sys.exit("no seed has a result: see the logs in bench/.data/")
    print("| seed | rows | flowlab rf | flowlab gbdt | peer: HistGradientBoosting |")
    print("|---:|---:|---:|---:|---:|")
    cell = lambda t, k: "%.3f" % t[k][0] if k in t else "—"
    rf, gb = ("flowlab rf", "defaults"), ("flowlab gbdt", "defaults")
    for seed, rows, t in seeds:
        print("| %s | %s | %s | %s | %s |" % (seed, rows, cell(t, rf), cell(t, gb), cell(t, PEER)))
    mean = lambda k: sum(t[k][0] for _, _, t in seeds if k in t) / max(
        1, sum(k in t for _, _, t in seeds))
    print("| **mean of %d** | | **%.3f** | **%.3f** | **%.3f** |" % (
        len(seeds), mean(rf), mean(gb), mean(PEER)))
    keys = []
    for _, _, t in seeds:
        keys += [k for k in t if k not in keys and not k[0].startswith("peer")]
    for _, _, t in seeds:
        keys += [k for k in t if k not in keys and k[0].startswith("peer") and "dropped" not in k[1]]
    classes = sorted({c for _, _, t in seeds for _, per in t.values() for c in per})
    print("\nby-capture macro-F1 over %d samples (mean, min, max; Δ peer = mean difference from "
          "the peer on the same samples; wins = samples above the peer), mean per-class F1:" % len(seeds))
    print("| model | setting | mean | min | max | Δ peer | wins | " + " | ".join(classes) + " |")
    print("|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(classes))
    for k in keys:
        got = [(t[k], t[PEER][0]) for _, _, t in seeds if k in t]
        vals = [m for (m, _), _ in got]
        per = defaultdict(list)
        for (_, p), _ in got:
            for c, v in p.items():
                per[c].append(v)
        delta = sum(m - p for (m, _), p in got) / len(got)
        wins = sum(m > p for (m, _), p in got)
        print("| %s | %s | %.3f | %.3f | %.3f | %+.3f | %d/%d | " % (
            k[0], k[1], sum(vals) / len(vals), min(vals), max(vals), delta, wins, len(got))
            + " | ".join("%.3f" % (sum(per[c]) / len(per[c])) if per[c] else "—" for c in classes)
            + " |")


main(sys.argv[1:])

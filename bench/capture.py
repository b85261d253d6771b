"""The by-capture benchmark of bench/capture.sh (see there): cuts the shared IoT-23 files into
recording periods, runs flowlab (rf, gbdt) and the peer with group k-fold over those periods for
each setting of an ablation list, prints one table.

Usage: capture.py FLOWLAB_BIN WORKDIR SHARED_DATA [FOLDS]
Environment: CAPTURE_ROWS (8000: most rows kept per period, a uniform sample seeded by CAPTURE_SEED (1), the same for
every model and setting), CAPTURE_PEER_BALANCED (1: also the peer with class_weight="balanced"),
CAPTURE_SETTINGS (comma-separated setting names; all by default),
CAPTURE_EXTRA (more settings, as a JSON list of [name, rf arguments or null, gbdt arguments or
null], e.g. '[["rf min_samples_leaf=3", ["--set", "min_samples_leaf=3"], null]]'; they run
whatever CAPTURE_SETTINGS says).
"""

import datetime
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from split_sample import day, recording_periods, ts  # noqa: E402  (the one rule for periods)

BIN, WORK, SHARED = sys.argv[1], sys.argv[2], sys.argv[3]
FOLDS = int(sys.argv[4]) if len(sys.argv) > 4 else 5
ROWS = int(os.environ.get("CAPTURE_ROWS", "8000"))
NUMERIC = ["duration", "orig_bytes", "resp_bytes", "missed_bytes", "orig_pkts",
           "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"]
HISTORY = "ShADadFfRrTtWwIiCcGgQqX^"

# The ablation: a name, the flowlab `train` arguments of the rf and of the gbdt run (None: not
# run); every setting starts from the defaults of the flowlab binary being measured.
LOCAL = ["--exclude", "local_orig", "--exclude", "local_resp", "--exclude", "history"]
RATES = ["--exclude", "log1p_bytes_per_s", "--exclude", "log1p_pkts_per_s"]
SETTINGS = [
    ("defaults", [], []),
    ("hour of day on", ["--time-of-day"], ["--time-of-day"]),
    ("no engineered features", ["--no-engineered"], ["--no-engineered"]),
    ("no local_orig/local_resp/history category", LOCAL, LOCAL),
    ("no tunnel_parents", ["--exclude", "tunnel_parents"], ["--exclude", "tunnel_parents"]),
    ("no bytes/packets per second", RATES, RATES),
    ("rf max_features=Log2 / gbdt colsample=0.5", ["--set", "max_features=Log2"],
     ["--set", "colsample=0.5"]),
    ("rf min_samples_leaf=5 / gbdt min_samples_leaf=50", ["--set", "min_samples_leaf=5"],
     ["--set", "min_samples_leaf=50"]),
    ("class_weight=Balanced", ["--set", "class_weight=Balanced"],
     ["--set", "class_weight=Balanced"]),
    # The default before the class weights were chosen by capture (issue 15 part 3).
    ("class_weight=None", ["--set", "class_weight=None"], ["--set", "class_weight=None"]),
    # The peer's own settings: HistGradientBoosting stops early on 10 % of the rows (on by default
    # above 10,000 rows, 10 rounds without a better loss) and has no L2 penalty.
    ("gbdt early_stopping_rounds=10", None, ["--set", "early_stopping_rounds=10"]),
    ("gbdt l2=0 + early_stopping_rounds=10", None,
     ["--set", "l2=0", "--set", "early_stopping_rounds=10"]),
    ("no engineered features + gbdt early stopping", ["--no-engineered"],
     ["--no-engineered", "--set", "early_stopping_rounds=10"]),
]


SETTINGS += [tuple(s) for s in json.loads(os.environ.get("CAPTURE_EXTRA") or "[]")]
EXTRA = {s[0] for s in json.loads(os.environ.get("CAPTURE_EXTRA") or "[]")}


def zeek_rows(path):
    """Header lines and data lines (label fields re-joined with tabs) of a Zeek conn.log."""
    head, rows = [], []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            head.append(line.replace("   ", "\t"))
        else:
            rows.append(line.rstrip("\n").replace("   ", "\t") + "\n")
    return head, rows


def periods(paths, out):
    """The IoT-23 files' rows cut into recording periods: sorted by time, a gap of two UTC days
    or more starts a new period (34-1 = host .195 on 2018-12-21/22 lands with the mix's hosts of
    the same days). Each period is sampled to at most ROWS rows (seeded) and written as one file:
    flowlab's group split groups by file."""
    head, lines = None, []
    for p in paths:
        h, r = zeek_rows(p)
        head = head or [x for x in h if not x.startswith(("#open", "#close"))]
        lines += r
    groups = recording_periods(lines)
    rng = random.Random(int(os.environ.get("CAPTURE_SEED", "1")))
    files = []
    for g in groups:
        if len(g) > ROWS:
            g = sorted(rng.sample(g, ROWS), key=ts)
        p = os.path.join(out, "iot23-%s.conn.log.labeled" % day(g[0]).isoformat())
        with open(p, "w", encoding="utf-8") as f:
            f.writelines(head + g)
        files.append(p)
    return files


def attack_class(label, detailed):
    """flowlab's `attack` taxonomy for the labels of these files (src/ingest/labels.rs)."""
    kind = label.strip().lower()
    if kind == "benign":
        return "Benign"
    if kind in ("background", "unknown", "-", ""):
        return "Background"
    d = detailed.strip().lower()
    if d in ("c&c", "cc") or d.startswith("c&c-"):
        return "C&C"
    if d.startswith("partofahorizontalportscan"):
        return "PortScan"
    if d.startswith("okiru"):
        return "Okiru"
    return {"ddos": "DDoS", "attack": "Attack", "filedownload": "FileDownload"}.get(d, detailed)


def peer_features(files):
    """The issue's simple feature set: numeric Zeek fields, one-hot proto/state/service, history
    letter counts, bytes per packet, byte ratio. No time of day, no ports, no addresses."""
    rows, y, g = [], [], []
    for gi, p in enumerate(files):
        head, data = zeek_rows(p)
        names = next(h for h in head if h.startswith("#fields")).rstrip("\n").split("\t")[1:]
        ix = {n: i for i, n in enumerate(names)}
        det = ix.get("detailed-label", ix.get("detailedlabel"))
        for line in data:
            f = line.rstrip("\n").split("\t")
            rows.append({n: f[ix[n]] for n in NUMERIC + ["proto", "conn_state", "service", "history"]})
            y.append(attack_class(f[ix["label"]], f[det]))
            g.append(gi)
    num = lambda v: float(v) if v not in ("-", "", "(empty)") else np.nan
    cats = {c: sorted({r[c] for r in rows}) for c in ("proto", "conn_state", "service")}
    x = []
    for r in rows:
        v = [num(r[n]) for n in NUMERIC]
        for c, values in cats.items():
            v += [float(r[c] == k) for k in values]
        h = r["history"] if r["history"] != "-" else ""
        v += [float(h.count(ch)) for ch in HISTORY]
        ob, rb, op, rp = (num(r[n]) for n in ("orig_bytes", "resp_bytes", "orig_pkts", "resp_pkts"))
        v += [ob / op if op else np.nan, rb / rp if rp else np.nan,
              ob / (ob + rb) if (ob + rb) else np.nan]
        x.append(v)
    return np.array(x, dtype=np.float64), np.array(y), np.array(g)


def flowlab(files, model, extra, binary=BIN):
    cmd = [binary, "train", "--json", "--model", model, "--taxonomy", "attack", "--split", "group",
           "--folds", str(FOLDS), "--seed", "1"] + extra + files
    v = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return v["metrics"]["macro_f1"], {c: p["f1"] for c, p in v["per_class"].items()}


def main():
    t0 = time.time()
    out = os.path.join(WORK, "captures")
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        os.remove(os.path.join(out, old))
    iot = os.path.join(SHARED, "iot23")
    files = periods([os.path.join(iot, "CTU-IoT-Malware-Capture-34-1.conn.log.labeled"),
                     os.path.join(iot, "iot23_mix_shared.conn.log.labeled")], out)
    files += [os.path.join(SHARED, "stratosphere-zeek/001-zeek-scenario-malicious.labeled-conn.log")]
    x, y, g = peer_features(files)
    print("captures: %d recording periods, %d rows (at most %d per period, seeded sample), "
          "group %d-fold" % (len(files), len(y), ROWS, FOLDS))
    for i, p in enumerate(files):
        c = Counter(str(v) for v in y[g == i])
        print("  %-48s %6d  %s" % (os.path.basename(p), (g == i).sum(), dict(sorted(c.items()))))
    wanted = os.environ.get("CAPTURE_SETTINGS")
    wanted = wanted.split(",") if wanted else [s[0] for s in SETTINGS]
    results = []
    before = os.environ.get("CAPTURE_BEFORE_BIN")
    for model in ("rf", "gbdt") if before else ():
        name = "defaults before (%s)" % os.environ.get("CAPTURE_BEFORE_REV", before)
        results.append(("flowlab %s" % model, name, flowlab(files, model, [], before)))
    for name, rf, gbdt in SETTINGS:
        if name not in wanted and name not in EXTRA:
            continue
        for model, extra in (("rf", rf), ("gbdt", gbdt)):
            if extra is not None:
                results.append(("flowlab %s" % model, name, flowlab(files, model, extra)))
                print("  done: %s %s (%.0f s)" % (model, name, time.time() - t0), file=sys.stderr)
    classes = sorted(set(y))
    pred = np.empty(len(y), dtype=object)
    # Test rows equal to a training row of another capture (features and label): flowlab's group
    # split removed them until issue 15 (see SplitKind::drops_test_duplicates); the peer is
    # scored both ways to show what that did.
    # The peer with class_weight="balanced" too (CAPTURE_PEER_BALANCED=1): the same weighting
    # as flowlab's class_weight=Balanced, so a weighted flowlab is compared with a weighted peer.
    balanced = os.environ.get("CAPTURE_PEER_BALANCED") == "1"
    pred_bal = np.empty(len(y), dtype=object)
    dup = np.zeros(len(y), dtype=bool)
    for tr, te in GroupKFold(n_splits=FOLDS).split(x, y, g):
        pred[te] = HistGradientBoostingClassifier(random_state=1).fit(x[tr], y[tr]).predict(x[te])
        if balanced:
            pred_bal[te] = HistGradientBoostingClassifier(
                random_state=1, class_weight="balanced").fit(x[tr], y[tr]).predict(x[te])
        seen = {(tuple(np.nan_to_num(x[r], nan=-1.0)), y[r]) for r in tr}
        dup[te] = [(tuple(np.nan_to_num(x[r], nan=-1.0)), y[r]) in seen for r in te]
    every = np.ones(len(y), dtype=bool)
    peers = [("default, simple features", pred, every),
             ("… test duplicates of training rows dropped", pred, ~dup)]
    if balanced:
        peers.append(("class_weight=balanced, simple features", pred_bal, every))
    for name, got, keep in peers:
        yk, pk = y[keep], got[keep].astype(str)
        per = f1_score(yk, pk, labels=classes, average=None, zero_division=0)
        present = sorted(set(yk) | set(pk))
        results.append(("peer: sklearn HistGradientBoosting", name, (
            f1_score(yk, pk, labels=present, average="macro", zero_division=0),
            dict(zip(classes, per)))))
    print("test rows equal to a training row of another capture: %d of %d" % (dup.sum(), len(y)))
    cols = sorted({c for _, _, (_, per) in results for c in per})
    print("\nby-capture macro-F1 (pooled over the %d folds) and per-class F1:" % FOLDS)
    print("| model | setting | macro-F1 | " + " | ".join(cols) + " |")
    print("|---|---|---:|" + "---:|" * len(cols))
    for model, name, (m, per) in results:
        print("| %s | %s | %.3f | " % (model, name, m) + " | ".join(
            "%.3f" % per[c] if c in per else "—" for c in cols) + " |")
    print("\n(%.0f s)" % (time.time() - t0))


main()

"""The by-capture benchmark of bench/capture.sh (see there): splits the IoT-23 mix into its
captures, runs flowlab and the peer with group k-fold over the captures, prints the table.

Usage: capture.py FLOWLAB_BIN WORKDIR SHARED_DATA [FOLDS]
"""

import datetime
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

BIN, WORK, SHARED = sys.argv[1], sys.argv[2], sys.argv[3]
FOLDS = int(sys.argv[4]) if len(sys.argv) > 4 else 5
NUMERIC = ["duration", "orig_bytes", "resp_bytes", "missed_bytes", "orig_pkts",
           "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"]
HISTORY = "ShADadFfRrTtWwIiCcGgQqX^"


def read_zeek(path):
    """Header lines and rows (lists of fields, the 3-space-joined label fields split)."""
    head, rows = [], []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            head.append(line)
            continue
        f = line.rstrip("\n").split("\t")
        last = f[-1].split("   ")
        rows.append(f[:-1] + last if len(last) > 1 else f)
    return head, rows


def split_mix(path, out):
    """The mix file cut into captures: runs of UTC days with rows, a gap of two days or more
    starting a new capture (IoT-23 captures last one to three days). Writes one file each."""
    head, _ = read_zeek(path)
    lines = [l for l in open(path, encoding="utf-8") if not l.startswith("#")]
    day = lambda l: datetime.datetime.fromtimestamp(float(l.split("\t", 1)[0]), datetime.UTC).date()
    lines.sort(key=lambda l: float(l.split("\t", 1)[0]))
    groups, last = [], None
    for l in lines:
        d = day(l)
        if last is None or (d - last).days >= 2:
            groups.append([])
        groups[-1].append(l)
        last = d
    paths = []
    for g in groups:
        p = os.path.join(out, "mix-%s.conn.log.labeled" % day(g[0]).isoformat())
        with open(p, "w", encoding="utf-8") as f:
            f.writelines(head + g)
        paths.append(p)
    return paths


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
        head, data = read_zeek(p)
        names = next(h for h in head if h.startswith("#fields")).rstrip("\n").split("\t")[1:]
        names = [n for part in names for n in part.split("   ")]
        ix = {n: i for i, n in enumerate(names)}
        det = ix.get("detailed-label", ix.get("detailedlabel"))
        for f in data:
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


def flowlab(files, model, extra):
    cmd = [BIN, "train", "--json", "--model", model, "--taxonomy", "attack", "--split", "group",
           "--folds", str(FOLDS), "--seed", "1"] + extra + files
    v = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return v["metrics"]["macro_f1"], {c: p["f1"] for c, p in v["per_class"].items()}


def main():
    out = os.path.join(WORK, "captures")
    os.makedirs(out, exist_ok=True)
    files = [os.path.join(SHARED, "iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled")]
    files += split_mix(os.path.join(SHARED, "iot23/iot23_mix_shared.conn.log.labeled"), out)
    files += [os.path.join(SHARED, "stratosphere-zeek/001-zeek-scenario-malicious.labeled-conn.log")]
    x, y, g = peer_features(files)
    print("captures: %d files, %d rows, group %d-fold by file" % (len(files), len(y), FOLDS))
    for p, n in zip(files, np.bincount(g)):
        c = Counter(y[g == files.index(p)])
        print("  %-52s %6d  %s" % (os.path.basename(p), n, dict(sorted(c.items()))))
    results = {}
    for model in ("rf", "gbdt"):
        results["flowlab %s, old defaults (hour of day)" % model] = flowlab(files, model, ["--time-of-day"])
        results["flowlab %s, new defaults" % model] = flowlab(files, model, [])
    classes = sorted(set(y))
    pred = np.empty(len(y), dtype=object)
    for tr, te in GroupKFold(n_splits=FOLDS).split(x, y, g):
        pred[te] = HistGradientBoostingClassifier(random_state=1).fit(x[tr], y[tr]).predict(x[te])
    per = f1_score(y, pred.astype(str), labels=classes, average=None, zero_division=0)
    present = [c for c in classes if (y == c).any()]
    results["peer: sklearn HistGradientBoosting (default)"] = (
        f1_score(y, pred.astype(str), labels=present, average="macro", zero_division=0),
        dict(zip(classes, per)))
    cols = sorted({c for _, per in results.values() for c in per})
    print("\nby-capture macro-F1 (pooled over the %d folds) and per-class F1:" % FOLDS)
    print("| model | macro-F1 | " + " | ".join(cols) + " |")
    print("|---|---:|" + "---:|" * len(cols))
    for name, (m, per) in results.items():
        print("| %s | %.3f | " % (name, m) + " | ".join(
            "%.3f" % per[c] if c in per else "—" for c in cols) + " |")


main()

"""flowlab's ONNX export checked against onnxruntime (issue 14, part 2).

For each fixture and each exportable model: `flowlab train --out`, `flowlab predict` (CSV),
`flowlab export --format onnx`; then `onnx.checker.check_model(full_check=True)` and an
onnxruntime session fed the fixture's raw columns (read here, independently of flowlab: numbers
as float64 with flowlab's missing spellings as NaN, text as given). Asserts, on every row, that
the probabilities equal `flowlab predict`'s within TOL and that the labels are equal, and that
the metadata names the classes in `flowlab predict`'s column order. Prints the largest absolute
difference per model.

    python tests/onnx/check.py FLOWLAB_BINARY WORK_DIR [FIXTURE_NAME_PART]
"""

import csv
import datetime
import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

TOL = 1e-5
ROOT = Path(__file__).resolve().parents[2]
# (file, extra `flowlab train` arguments, tag).
FIXTURES = [
    # The embedded sample's largest recording period: six classes, 1,399 rows.
    (ROOT / "public/sample/iot23-2018-12-20.conn.log.labeled", [], ""),
    (ROOT / "tests/fixtures/iot23-mix.csv", [], ""),
    # Two classes: boosting's sigmoid link, two-target tree ensembles, the label of a tie.
    (ROOT / "tests/fixtures/iot23-mix.csv", ["--taxonomy", "binary"], "binary"),
    # CIDDS-001: flag letters (`.AP.SF`), `3.4 K` byte counts and dates (hour of day).
    (ROOT / "tests/fixtures/cidds-001.csv", [], ""),
]
# Small ensembles and few iterations keep the check fast (the CLI is a debug build); the export
# does not depend on them.
MODELS = {
    "dt": [],
    "rf": ["--set", "n_trees=20"],
    "gbdt": ["--set", "n_rounds=30"],
    "logreg": ["--set", "max_iter=30"],
    "mlp": ["--set", "max_epochs=5"],
    "svm": [],
    # A name after "-" tells two settings of one model apart.
    "svm-rbf": ["--set", "kernel=rbf", "--set", "components=64"],
}
MISSING = {"", "-", "?", "NA", "N/A", "NaN", "nan", "---", "null", "NULL", "None", "(empty)"}


def read_rows(path):
    """(column names, {file line number: [raw values]}) of a Zeek TSV or CSV file."""
    rows = {}
    if path.name.endswith(".csv"):
        with open(path, newline="") as f:
            reader = csv.reader(f)
            names = next(reader)
            for i, rec in enumerate(reader, start=2):
                rows[i] = [v.strip() for v in rec]
        return names, rows
    names = None
    # IoT-23's labelled logs end with three space-separated fields in the last tab field.
    split = re.compile(r"\t| {3}")
    for i, line in enumerate(open(path), start=1):
        line = line.rstrip("\n")
        if line.startswith("#fields"):
            names = split.split(line)[1:]
        elif line and not line.startswith("#"):
            rows[i] = [v.strip() for v in split.split(line)]
    return names, rows


SCALE = {"K": 1e3, "k": 1e3, "M": 1e6, "m": 1e6, "G": 1e9, "g": 1e9, "T": 1e12, "t": 1e12}
DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d(?:\.\d*)?)$")


def number(v):
    """A raw value as a number, as flowlab's reader parses it: plain, `3.4 K`, or a UTC date."""
    if v in MISSING:
        return math.nan
    try:
        return float(v)
    except ValueError:
        pass
    if v[-1:] in SCALE:
        try:
            return float(v[:-1].strip()) * SCALE[v[-1]]
        except ValueError:
            return math.nan
    d = DATE.match(v)
    if d:
        y, mo, day, h, mi = (int(x) for x in d.groups()[:5])
        days = (datetime.date(y, mo, day) - datetime.date(1970, 1, 1)).days
        return days * 86400.0 + h * 3600.0 + mi * 60.0 + float(d.group(6))
    return math.nan


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


# Edge values written into copies of the CSV fixture's rows (column → values, cycled): unseen
# categories, missing spellings, `^` and unknown history letters, zeros (rates and shares
# undefined), negatives (log1p undefined), tiny and huge numbers (beyond f32: +inf in the
# matrix, lowered to f32::MAX by the trees).
EDGES = {
    "proto": ["sctp", "-", "tcp", "udp", "icmp"],
    "service": ["gopher", "(empty)", "-", "dns", "http", "NA"],
    "conn_state": ["OTH", "S0", "-", "SF", "REJ", "XYZ"],
    "history": ["^dADafF", "-", "(empty)", "ShADadttcfF", "S", "Dd", "zZ9", "ShAdDaFfRrTtWwIiQqCcGg^^"],
    "duration": ["0", "1e-9", "-1", "1e300", "-", "3.5", "0.000001", "86400.5"],
    "orig_bytes": ["0", "-", "1e40", "12345678901234567", "7", "-5"],
    "resp_bytes": ["0", "-", "3", "1e-3", "4294967296"],
    "orig_pkts": ["0", "1", "-", "1e39", "2"],
    "resp_pkts": ["0", "-", "5", "1e-7"],
    "missed_bytes": ["-", "0", "1e308"],
    "orig_ip_bytes": ["-", "0", "60"],
    "resp_ip_bytes": ["1e300", "-", "0"],
    "ts": ["-", "0", "-1", "1545404274.5", "1e12"],
}


def edge_file(work):
    """The CSV fixture's first 60 rows with EDGES written into them."""
    src = ROOT / "tests/fixtures/iot23-mix.csv"
    with open(src, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [r for _, r in zip(range(60), reader)]
    for i, r in enumerate(rows):
        for col, values in EDGES.items():
            if col in header and (i + len(values)) % 3:
                r[header.index(col)] = values[i % len(values)]
    path = work / "iot23-mix-edges.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def compare(flowlab, saved, out, data, stem):
    """onnxruntime on `data`'s raw columns against `flowlab predict`; the largest difference."""
    predicted = list(csv.DictReader(run(flowlab, "predict", str(saved), str(data)).splitlines()))
    m = onnx.load(str(out))
    meta = {p.key: p.value for p in m.metadata_props}
    classes = json.loads(meta["classes"])
    columns = [c[2:] for c in predicted[0].keys() if c.startswith("p_")]
    assert classes == columns, (classes, columns)

    names, rows = read_rows(data)
    lines = [int(r["line"]) for r in predicted]
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    feed = {}
    for i in session.get_inputs():
        j = names.index(i.name)
        values = [rows[n][j] for n in lines]
        if i.type == "tensor(string)":
            feed[i.name] = np.array(values, dtype=object).reshape(-1, 1)
        else:
            feed[i.name] = np.array([number(v) for v in values], dtype=np.float64).reshape(-1, 1)
    start = time.perf_counter()
    label, proba = session.run(["label", "probabilities"], feed)
    seconds = time.perf_counter() - start
    want = np.array([[float(r["p_" + c]) for c in classes] for r in predicted])
    diff = np.abs(proba.astype(np.float64) - want)
    worst = float(diff.max())
    bad = np.argwhere(diff > TOL)
    assert len(bad) == 0, (
        f"{stem}: {len(bad)} probabilities differ by more than {TOL} "
        f"(max {worst:.3g}; first at line {lines[bad[0][0]]}, class {classes[bad[0][1]]}: "
        f"onnxruntime {proba[bad[0][0], bad[0][1]]}, flowlab {want[bad[0][0], bad[0][1]]})"
    )
    labels = [r["predicted"] for r in predicted]
    wrong = [k for k, (a, b) in enumerate(zip(label, labels)) if a != b]
    assert not wrong, (
        f"{stem}: {len(wrong)} labels differ, first at line {lines[wrong[0]]}: "
        f"onnxruntime {label[wrong[0]]}, flowlab {labels[wrong[0]]}"
    )
    print(
        f"  {stem:<32} {len(lines):>5} rows  {len(feed):>2} inputs  max |dp| = {worst:.2e}  "
        f"labels equal  ({out.stat().st_size // 1024} KiB, onnxruntime {seconds * 1e3:.0f} ms)"
    )
    return worst


def check(flowlab, data, model, extra, work, tag):
    """Trains, exports and checks one model on one fixture (and the edge rows for the CSV)."""
    stem = f"{data.name.split('.')[0]}{'-' + tag if tag else ''}-{model}"
    saved, out = work / f"{stem}.flowlab", work / f"{stem}.onnx"
    run(flowlab, "train", "--model", model.split("-")[0], *extra, "--out", str(saved), str(data))
    run(flowlab, "export", "--format", "onnx", str(saved), "--out", str(out))
    onnx.checker.check_model(onnx.load(str(out)), full_check=True)
    worst = compare(flowlab, saved, out, data, stem)
    if data.name == "iot23-mix.csv":
        edges = compare(flowlab, saved, out, edge_file(work), stem + " (edge rows)")
        worst = max(worst, edges)
    return worst


def main():
    flowlab, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    worst = {}
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    for data, train_args, tag in FIXTURES:
        if only not in f"{data.name} {tag}":
            continue
        for model, extra in MODELS.items():
            w = check(flowlab, data, model, train_args + extra, work, tag)
            worst[model] = max(worst.get(model, 0.0), w)
    print("max |dp| per model: " + ", ".join(f"{m} {w:.2e}" for m, w in worst.items()))


if __name__ == "__main__":
    main()

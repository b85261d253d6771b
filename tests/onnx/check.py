"""flowlab's ONNX export checked against onnxruntime (issue 14, part 2).

For each fixture and each exportable model: `flowlab train --out`, `flowlab predict` (CSV),
`flowlab export --format onnx`; then `onnx.checker.check_model(full_check=True)` and an
onnxruntime session fed the fixture's raw columns (read here, independently of flowlab: numbers
as float64 with flowlab's missing spellings as NaN, text as given). Asserts, on every row, that
the probabilities equal `flowlab predict`'s within TOL and that the labels are equal, and that
the metadata names the classes in `flowlab predict`'s column order. Prints the largest absolute
difference per model.

    python tests/onnx/check.py FLOWLAB_BINARY WORK_DIR
"""

import csv
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
FIXTURES = [
    ROOT / "public/sample/iot23-sample.conn.log.labeled",
    ROOT / "tests/fixtures/iot23-mix.csv",
]
# Small ensembles keep the check fast; the export does not depend on the sizes.
MODELS = {
    "dt": [],
    "rf": ["--set", "n_trees=20"],
    "gbdt": ["--set", "n_rounds=30"],
    "logreg": [],
    "mlp": ["--set", "max_epochs=30"],
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


def number(v):
    if v in MISSING:
        return math.nan
    try:
        return float(v)
    except ValueError:
        return math.nan


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def check(flowlab, data, model, extra, work):
    stem = f"{data.name.split('.')[0]}-{model}"
    saved, out = work / f"{stem}.flowlab", work / f"{stem}.onnx"
    run(flowlab, "train", "--model", model, *extra, "--out", str(saved), str(data))
    predicted = list(csv.DictReader(run(flowlab, "predict", str(saved), str(data)).splitlines()))
    run(flowlab, "export", "--format", "onnx", str(saved), "--out", str(out))
    m = onnx.load(str(out))
    onnx.checker.check_model(m, full_check=True)
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
    assert not wrong, f"{stem}: {len(wrong)} labels differ, first at line {lines[wrong[0]]}: onnxruntime {label[wrong[0]]}, flowlab {labels[wrong[0]]}"
    print(
        f"  {stem:<26} {len(lines):>5} rows  {len(feed):>2} inputs  max |Δp| = {worst:.2e}  "
        f"labels equal  ({out.stat().st_size // 1024} KiB, onnxruntime {seconds * 1e3:.0f} ms)"
    )
    return worst


def main():
    flowlab, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    worst = {}
    for data in FIXTURES:
        for model, extra in MODELS.items():
            w = check(flowlab, data, model, extra, work)
            worst[model] = max(worst.get(model, 0.0), w)
    print("max |Δp| per model: " + ", ".join(f"{m} {w:.2e}" for m, w in worst.items()))


if __name__ == "__main__":
    main()

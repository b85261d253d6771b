"""The Spark recipe's output checked against `flowlab predict`, row for row (issue 14, part 3).

    python spark/check.py FLOWLAB MODEL.flowlab LOGS_DIR OUT_DIR

LOGS_DIR holds the conn logs spark/score.py scored into OUT_DIR/onnx and OUT_DIR/pipe. For each
file, `flowlab predict MODEL FILE` is the reference; both variants must have exactly its rows
(same file + line keys, none missing or extra), the same predicted label on every row, and
probabilities within TOL (the CLI prints 6 decimals; onnxruntime computes in float32). Exits
non-zero with the first differing row otherwise.
"""

import glob
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

TOL = 1e-5


def read_parts(folder):
    """All CSV part files of a Spark output folder as one DataFrame (each part has a header)."""
    parts = [p for p in sorted(glob.glob(str(folder / "part-*"))) if Path(p).stat().st_size > 0]
    assert parts, f"{folder}: no output part files"
    frames = [pd.read_csv(p, dtype={"file": str, "predicted": str}, keep_default_na=False) for p in parts]
    return pd.concat([f for f in frames if len(f)], ignore_index=True)


def reference(flowlab, model, logs):
    """`flowlab predict` of every file of LOGS_DIR, one process per file (the file as named)."""
    frames = []
    for f in sorted(Path(logs).iterdir()):
        if f.stat().st_size == 0:
            continue  # score.py skips empty files; flowlab predict refuses them
        out = subprocess.run(
            [flowlab, "predict", model, str(f)], check=True, capture_output=True, text=True
        ).stdout
        frames.append(pd.read_csv(io.StringIO(out), dtype={"file": str, "predicted": str}, keep_default_na=False))
    return pd.concat(frames, ignore_index=True)


def compare(name, got, want):
    """Asserts `got` has `want`'s rows: keys, labels exactly, probabilities within TOL."""
    classes = [c for c in want.columns if c.startswith("p_")]
    missing = [c for c in classes if c not in got.columns]
    assert not missing, f"{name}: no column {missing} (has {list(got.columns)})"
    got = got.assign(file=got["file"].map(lambda s: str(Path(s.removeprefix("file:")).resolve())))
    want = want.assign(file=want["file"].map(lambda s: str(Path(s).resolve())))
    keys = ["file", "line"]
    dup = got.duplicated(keys)
    assert not dup.any(), f"{name}: {dup.sum()} rows twice, first {got[dup].iloc[0][keys].tolist()}"
    m = want.merge(got, on=keys, how="outer", suffixes=("", "_got"), indicator=True)
    extra, absent = m[m["_merge"] == "right_only"], m[m["_merge"] == "left_only"]
    assert extra.empty, f"{name}: {len(extra)} rows flowlab predict has not, first {extra.iloc[0][keys].tolist()}"
    assert absent.empty, f"{name}: {len(absent)} rows missing, first {absent.iloc[0][keys].tolist()}"
    wrong = m[m["predicted"] != m["predicted_got"]]
    assert wrong.empty, (
        f"{name}: {len(wrong)} labels differ, first at {wrong.iloc[0][keys].tolist()}: "
        f"{wrong.iloc[0]['predicted_got']} (Spark) vs {wrong.iloc[0]['predicted']} (flowlab predict)"
    )
    a = m[classes].to_numpy(dtype=np.float64)
    b = m[[c + "_got" for c in classes]].to_numpy(dtype=np.float64)
    diff = np.abs(a - b)
    worst = float(diff.max())
    bad = np.argwhere(diff > TOL)
    assert len(bad) == 0, (
        f"{name}: {len(bad)} probabilities differ by more than {TOL} (max {worst:.3g}), first at "
        f"{m.iloc[bad[0][0]][keys].tolist()} {classes[bad[0][1]]}"
    )
    files = m["file"].nunique()
    print(f"  {name:<5} {len(m):>5} rows of {files} files equal flowlab predict's: labels equal, max |dp| = {worst:.2e}")


def main():
    flowlab, model, logs, out = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    want = reference(flowlab, model, logs)
    assert len(want) > 0, "flowlab predict gave no rows"
    compare("onnx", read_parts(out / "onnx"), want)
    compare("pipe", read_parts(out / "pipe"), want)


if __name__ == "__main__":
    main()

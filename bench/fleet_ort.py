"""onnxruntime on flowlab's exported model over a big Zeek conn.log, timed (bench/fleet.sh).

    python bench/fleet_ort.py MODEL.onnx CONN_LOG [THREADS]

Reads the file with pandas (`read_csv`, C engine, chunks of 1,000,000 rows, only the model's
input columns; numbers as float64 with `-`/`(empty)` as NaN, text as is; IoT-23's
three-space-joined last field split to get `tunnel_parents`), feeds each chunk to one
onnxruntime session (THREADS intra-op threads, default all cores) and keeps the label counts.
Prints one JSON line: rows, seconds in total (read + parse + inference; the predictions are not
written anywhere), seconds in `session.run` alone, and the label counts (to compare with
`flowlab predict`'s summary).
"""

import json
import os
import sys
import time
from collections import Counter

import numpy as np
import onnxruntime as ort
import pandas as pd

CHUNK = 1_000_000
MISSING = ["", "-", "(empty)"]


def main():
    onnx_path, log = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count()
    start = time.perf_counter()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    session = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()
    header, fields = 0, None
    with open(log) as f:
        for line in f:
            if not line.startswith("#"):
                break
            header += 1
            if line.startswith("#fields"):
                fields = line.rstrip("\n").split("\t")[1:]
    # IoT-23: `tunnel_parents   label   detailed-label` is one tab field; its first part is
    # tunnel_parents.
    last = fields[-1]
    names = [n.split("   ")[0] for n in fields]
    wanted = {i.name for i in inputs}
    usecols = [n for n in names if n in wanted]
    numeric = {i.name for i in inputs if i.type != "tensor(string)"}
    dtype = {n: (np.float64 if n in numeric else str) for n in usecols}
    na = {n: (MISSING if n in numeric else []) for n in usecols}
    reader = pd.read_csv(
        log, sep="\t", header=None, names=names, usecols=usecols, dtype=dtype,
        na_values=na, keep_default_na=False, skiprows=header, comment="#", chunksize=CHUNK,
        quoting=3, engine="c",
    )
    rows, run_seconds, counts = 0, 0.0, Counter()
    for chunk in reader:
        if "   " in last:
            chunk[names[-1]] = chunk[names[-1]].str.split("   ", n=1).str[0]
        feed = {}
        for i in inputs:
            col = chunk[i.name] if i.name in chunk else pd.Series([None] * len(chunk))
            if i.type == "tensor(string)":
                feed[i.name] = col.fillna("-").to_numpy(dtype=object).reshape(-1, 1)
            else:
                feed[i.name] = col.to_numpy(dtype=np.float64).reshape(-1, 1)
        t = time.perf_counter()
        label, _ = session.run(["label", "probabilities"], feed)
        run_seconds += time.perf_counter() - t
        counts.update(label.tolist())
        rows += len(chunk)
    seconds = time.perf_counter() - start
    print(json.dumps({"rows": rows, "seconds": seconds, "run_seconds": run_seconds,
                      "threads": threads, "labels": dict(sorted(counts.items()))}))


if __name__ == "__main__":
    main()

"""Scores a folder of Zeek conn logs on Spark with a flowlab model — a recipe to copy (issue 14).

Two ways, each giving exactly `flowlab predict`'s rows (spark/check.sh checks it):

  onnx  the model exported by `flowlab export --format onnx`, run by onnxruntime inside
        `mapInPandas`: each file's raw columns become the model's named inputs ([N, 1] double for
        numbers, [N, 1] string for text); the graph does flowlab's feature pipeline itself.
  pipe  the `flowlab` CLI through `RDD.pipe("flowlab predict MODEL -")`: each partition's lines go
        to the CLI's standard input, its CSV comes back on standard output.

Input: a folder (or one file) of Zeek conn logs, local or any filesystem pyarrow opens (hdfs://,
s3://, gs://): Zeek TSV with its `#fields` header (IoT-23's `.labeled` files, whose last three
columns are joined by three spaces, included) or Zeek JSON (one object per line); `.gz` too.

One Spark partition is one whole file, read as a stream (never held in memory whole). That is how
the header problem of the pipe is solved: a Zeek TSV file's `#fields` line is its own first
lines, so every `flowlab predict -` process sees the header of the rows it gets, and its line
numbers are the file's. Parallelism is therefore per file: Zeek rotates conn.log hourly, so a
fleet's logs are many files; split one huge file into several (each with the header) to spread it.

Output (--out, one folder per variant, CSV part files each with a header): `file`, `line` (the
1-based line in the file, as `flowlab predict` numbers it), `predicted`, then `p_CLASS` per class
in the model's order (onnx); the CLI's own CSV with `stdin` replaced by the file (pipe: adds
`confidence` and `true_label`). Read either back with `spark.read.csv(OUT, header=True)`.

    spark-submit --master 'local[*]' spark/score.py --onnx model.onnx --out scored/ LOGS/
    spark-submit --master yarn --files flowlab,model.flowlab spark/score.py \\
        --variant pipe --flowlab flowlab --model model.flowlab --out scored/ hdfs:///zeek/conn/
"""

import argparse
import io
import json
import os
import shlex
import time

import numpy as np
import pandas as pd
import pyarrow.fs as pafs
from pyspark.sql import SparkSession
from pyspark.sql import types as T

# Lines per batch handed to onnxruntime (memory holds one batch per task).
BATCH_LINES = 65536
# The spellings flowlab reads as a missing number (tests/onnx/check.py has the same list).
MISSING = ["", "-", "?", "NA", "N/A", "NaN", "nan", "---", "null", "NULL", "None", "(empty)"]


def filesystem(uri):
    """(pyarrow filesystem, path in it) of a local path or a URI such as hdfs://… or s3://…."""
    if "://" in uri:
        return pafs.FileSystem.from_uri(uri)
    return pafs.LocalFileSystem(), os.path.abspath(uri)


def list_files(uri):
    """The files of a folder (recursively; empty files and names starting with `.` or `_`
    skipped), or the file."""
    fs, path = filesystem(uri)
    info = fs.get_file_info(path)
    if info.type == pafs.FileType.File:
        return [path]
    if info.type != pafs.FileType.Directory:
        raise SystemExit(f"score.py: {uri}: no such file or folder")
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=True))
    files = [
        i.path
        for i in infos
        # An empty file (a rotation with no flows) has no rows; `flowlab predict -` would
        # refuse it as input without a header, failing the pipe variant's task.
        if i.type == pafs.FileType.File and not i.base_name.startswith((".", "_")) and i.size
    ]
    return sorted(files)


def open_lines(uri, path):
    """The lines of one file as text, streamed (pyarrow decompresses `.gz`, `.bz2`, `.zst` by name)."""
    fs, _ = filesystem(uri)
    raw = fs.open_input_stream(path, compression="detect")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="\n")


def file_rows(lines, names_wanted):
    """Batches of (line numbers, DataFrame of the wanted columns as raw values) of one file.

    Zeek TSV: the `#fields` line names the columns; IoT-23's three-space-joined last columns are
    split like tabs (as flowlab reads them); other `#` lines and empty lines are skipped. Zeek
    JSON (first data line starts with `{`): one object per line. A column the file lacks is
    missing (None) on every row, as in flowlab.
    """
    fields, is_json = None, None
    batch, numbers = [], []

    def flush():
        if is_json:
            recs = [json.loads(s) for s in batch]
            df = pd.DataFrame({n: [zeek_json_value(r.get(n)) for r in recs] for n in names_wanted})
        else:
            text = "".join(batch).replace("   ", "\t")
            df = pd.read_csv(
                io.StringIO(text), sep="\t", header=None, names=fields, dtype=str,
                keep_default_na=False, quoting=3, engine="c",
            )
            df = pd.DataFrame({n: df[n] if n in df else None for n in names_wanted})
        return np.array(numbers, dtype=np.int64), df

    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            if line.startswith("#fields"):
                fields = line.rstrip("\n").replace("   ", "\t").split("\t")[1:]
            continue
        if not line.strip():
            continue
        if is_json is None:
            is_json = line.lstrip().startswith("{")
            if not is_json and fields is None:
                raise ValueError("a Zeek TSV file without a #fields line before its rows")
        batch.append(line if line.endswith("\n") else line + "\n")
        numbers.append(number)
        if len(batch) == BATCH_LINES:
            yield flush()
            batch, numbers = [], []
    if batch:
        yield flush()


def zeek_json_value(v):
    """A Zeek JSON value as the text a Zeek TSV would hold (T/F for booleans, `,`-joined sets)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "T" if v else "F"
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    return str(v)


def onnx_feed(session, df):
    """The model's named inputs from raw values: numbers as float64 (missing → NaN), text as is."""
    feed = {}
    for i in session.get_inputs():
        col = df[i.name]
        if i.type == "tensor(string)":
            values = col.where(col.notna(), "-").to_numpy(dtype=object)
        else:
            values = pd.to_numeric(col.where(~col.isin(MISSING)), errors="coerce")
            values = values.to_numpy(dtype=np.float64)
        feed[i.name] = values.reshape(-1, 1)
    return feed


def model_classes(onnx_path):
    """The class names the exported model's metadata lists, in its probability column order."""
    import onnxruntime as ort

    meta = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"]).get_modelmeta()
    return json.loads(meta.custom_metadata_map["classes"])


def output_schema(classes):
    fields = [
        T.StructField("file", T.StringType()),
        T.StructField("line", T.LongType()),
        T.StructField("predicted", T.StringType()),
    ]
    return T.StructType(fields + [T.StructField("p_" + c, T.DoubleType()) for c in classes])


def score_onnx(spark, uri, onnx_path, classes):
    """Variant (a): onnxruntime on each file's raw columns, inside mapInPandas."""
    files = list_files(uri)
    model_bytes = open(onnx_path, "rb").read()
    shared = spark.sparkContext.broadcast(model_bytes)

    def score(batches):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # Spark runs one task per core
        session = ort.InferenceSession(shared.value, opts, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        for paths in batches:
            for path in paths["path"]:
                with open_lines(uri, path) as lines:
                    for numbers, df in file_rows(lines, names):
                        label, proba = session.run(["label", "probabilities"], onnx_feed(session, df))
                        out = pd.DataFrame({"file": path, "line": numbers, "predicted": label})
                        for k, c in enumerate(classes):
                            out["p_" + c] = proba[:, k].astype(np.float64)
                        yield out

    paths = spark.createDataFrame([(f,) for f in files], "path string")
    paths = paths.repartition(max(1, len(files)))
    return paths.mapInPandas(score, output_schema(classes))


def score_pipe(spark, uri, flowlab, model, threads=1):
    """Variant (b): each file's lines through `flowlab predict MODEL -`, with RDD.pipe.

    Returns the CLI's CSV lines (RDD of str), its header line first in every partition and
    `stdin` replaced by the file's path: `file,line,predicted,confidence,p_CLASS…,true_label`.
    """
    files = list_files(uri)
    sc = spark.sparkContext

    def read(paths):
        for path in paths:
            with open_lines(uri, path) as lines:
                for line in lines:
                    yield line.rstrip("\n")

    # One partition per file: a TSV file's `#fields` line reaches the CLI with its rows.
    lines = sc.parallelize(files, max(1, len(files))).mapPartitions(read)
    command = shlex.join([flowlab, "predict", model, "-", "--out", "-", "--threads", str(threads)])

    def with_file(index, rows):
        # The CLI names its input `stdin`; the partition index says which file that was.
        for row in rows:
            yield files[index] + row[len("stdin") :] if row.startswith("stdin,") else row

    return lines.pipe(command, checkCode=True).mapPartitionsWithIndex(with_file)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="folder (or file) of Zeek conn logs: local path or hdfs://, s3://…")
    p.add_argument("--variant", default="onnx", help="onnx, pipe, or onnx,pipe (default onnx)")
    p.add_argument("--onnx", help="model exported by `flowlab export --format onnx` (variant onnx)")
    p.add_argument("--model", help="model file of `flowlab train --out` (variant pipe)")
    p.add_argument("--flowlab", default="flowlab", help="the flowlab CLI on the executors (pipe)")
    p.add_argument("--threads", type=int, default=1, help="flowlab threads per task (pipe)")
    p.add_argument("--out", required=True, help="output folder: one subfolder of CSV per variant")
    p.add_argument("--master", help="Spark master when not set by spark-submit, e.g. local[2]")
    a = p.parse_args()

    builder = SparkSession.builder.appName("flowlab-score")
    if a.master:
        builder = builder.master(a.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    for variant in a.variant.split(","):
        out = os.path.join(a.out, variant)
        start = time.perf_counter()
        if variant == "onnx":
            classes = model_classes(a.onnx)
            df = score_onnx(spark, a.input, a.onnx, classes)
            df.write.mode("overwrite").csv(out, header=True)
        elif variant == "pipe":
            # Local mode: the paths as given. On a cluster: the names `spark-submit --files`
            # put in each executor's working folder.
            if spark.sparkContext.master.startswith("local"):
                flowlab, model = os.path.abspath(a.flowlab), os.path.abspath(a.model)
            else:
                flowlab, model = "./" + os.path.basename(a.flowlab), os.path.basename(a.model)
            score_pipe(spark, a.input, flowlab, model, a.threads).saveAsTextFile(out)
        else:
            raise SystemExit(f"score.py: unknown variant {variant!r} (onnx or pipe)")
        # The job's time, Spark's start-up excluded (bench/fleet.sh reads this line).
        print(f"score.py: {variant} scored {a.input} → {out} in {time.perf_counter() - start:.1f} s")
    spark.stop()


if __name__ == "__main__":
    main()

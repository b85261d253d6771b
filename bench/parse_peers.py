"""Reads a Zeek conn.log into a data frame with one parsing library and prints how long that took.

    python bench/parse_peers.py --lib pandas|polars|duckdb FILE

Prints one JSON line: {"lib", "version", "seconds" (the read alone, after the imports), "rows",
"columns", "threads"}. Every library gets the same instructions as flowlab's Zeek reader: tab
separated, `#` lines skipped, the column names of the `#fields` line, `-` and `(empty)` missing,
no quoting; it infers the column types itself. (IoT-23's last three columns are joined by three
spaces, so each library sees them as one text column; flowlab splits them, which is more work.)
pandas runs one thread (its C parser); polars and DuckDB use every core they find.
"""

import argparse
import json
import os
import time


def zeek_fields(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("#fields"):
                return line.rstrip("\n").split("\t")[1:]
            if not line.startswith("#"):
                break
    raise SystemExit("parse_peers.py: no #fields line in " + path)


def read_pandas(path, names):
    import pandas as pd

    t = time.perf_counter()
    df = pd.read_csv(
        path, sep="\t", comment="#", header=None, names=names, na_values=["-", "(empty)"],
        keep_default_na=False, quoting=3, engine="c", low_memory=False,
    )
    return time.perf_counter() - t, df.shape, pd.__version__, 1


def read_polars(path, names):
    import polars as pl

    t = time.perf_counter()
    df = pl.read_csv(
        path, separator="\t", comment_prefix="#", has_header=False, new_columns=names,
        null_values=["-", "(empty)"], quote_char=None, infer_schema_length=10000,
    )
    return time.perf_counter() - t, df.shape, pl.__version__, pl.thread_pool_size()


def read_duckdb(path, names):
    import duckdb

    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv(?, delim = '\t', header = false, comment = '#', "
        "quote = '', escape = '', names = ?, nullstr = ['-', '(empty)'], sample_size = 20480)",
        [path, names],
    )
    seconds = time.perf_counter() - t
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    return seconds, (rows, len(names)), duckdb.__version__, threads


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", required=True, choices=["pandas", "polars", "duckdb"])
    ap.add_argument("file")
    a = ap.parse_args()
    names = zeek_fields(a.file)
    read = {"pandas": read_pandas, "polars": read_polars, "duckdb": read_duckdb}[a.lib]
    seconds, shape, version, threads = read(a.file, names)
    print(json.dumps({
        "lib": a.lib, "version": version, "seconds": seconds, "rows": shape[0],
        "columns": shape[1], "threads": threads, "bytes": os.path.getsize(a.file),
    }))


if __name__ == "__main__":
    main()

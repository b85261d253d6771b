"""Cuts the embedded sample into one file per recording period, so the page's first training has
a by-capture score (issue 15 part 4). Python 3 standard library only.

Usage: python3 scripts/split_sample.py MERGED_SAMPLE OUT_DIR

MERGED_SAMPLE is the class-balanced sample `flowlab sample` writes (see public/sample/README.md);
its rows come from many IoT-23 captures merged into one file. The rows are sorted by time and a gap
of two UTC days or more starts a new period, as bench/capture.py cuts the shared files: captures
recorded on the same days in the same lab (34-1 and the mix's hosts of 2018-12-20/22) share a
period, so no period's traffic is seen in training when it is scored. Each period is written,
rows unchanged and in time order, under its header, as `iot23-FIRST-DAY.conn.log.labeled`.
"""

import datetime
import os
import sys


def main(src, out):
    head, rows = [], []
    with open(src, encoding="utf-8") as f:
        for line in f:
            (head if line.startswith("#") else rows).append(line)
    ts = lambda l: float(l.split("\t", 1)[0])
    day = lambda l: datetime.datetime.fromtimestamp(ts(l), datetime.timezone.utc).date()
    rows.sort(key=ts)
    periods, last = [], None
    for line in rows:
        d = day(line)
        if last is None or (d - last).days >= 2:
            periods.append([])
        periods[-1].append(line)
        last = d
    os.makedirs(out, exist_ok=True)
    for p in periods:
        name = "iot23-%s.conn.log.labeled" % day(p[0]).isoformat()
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
            f.writelines(head + p)
        print("%s\t%d" % (name, len(p)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

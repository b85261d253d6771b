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


def ts(line):
    """A Zeek row's `ts` (its first field)."""
    return float(line.split("\t", 1)[0])


def day(line):
    """The UTC day of a Zeek row."""
    return datetime.datetime.fromtimestamp(ts(line), datetime.timezone.utc).date()


def recording_periods(rows):
    """Zeek data rows sorted by time and cut where two UTC days or more pass without a flow (the
    rule bench/capture.py uses too)."""
    periods, last = [], None
    for line in sorted(rows, key=ts):
        d = day(line)
        if last is None or (d - last).days >= 2:
            periods.append([])
        periods[-1].append(line)
        last = d
    return periods


def main(src, out):
    head, rows = [], []
    with open(src, encoding="utf-8") as f:
        for line in f:
            (head if line.startswith("#") else rows).append(line)
    periods = recording_periods(rows)
    os.makedirs(out, exist_ok=True)
    for p in periods:
        name = "iot23-%s.conn.log.labeled" % day(p[0]).isoformat()
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
            f.writelines(head + p)
        print("%s\t%d" % (name, len(p)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

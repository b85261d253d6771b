"""Turns the JSON lines bench/compare.sh collected into one table (stdout) and bench/results.md.

    python3 bench/report.py RESULTS.jsonl --out bench/results.md --meta META.json

Each input line has "kind" (flowlab | flowlab-train | browser | peer), "dataset", "model"
(dt|rf|gbdt|mlp), "fit_seconds" and "macro_f1" (peers also "peer"). Standard library only.
"""

import argparse
import json
import sys

MODEL_TITLES = {
    "dt": "decision tree",
    "rf": "random forest (100 trees)",
    "gbdt": "gradient boosting (100 rounds)",
    "mlp": "MLP [64, 32]",
}
# The targets: (model, where, peer, most flowlab/peer time ratio).
TARGETS = [
    ("rf", "browser", "scikit-learn RandomForest", 0.5),
    ("gbdt", "browser", "LightGBM", 2.0),
    ("gbdt", "native", "LightGBM", 1.0),
    ("dt", "native", "scikit-learn DecisionTree", 1.0),
    ("mlp", "native", "scikit-learn MLP", 1.0),
]
F1_TOLERANCE = 0.01


def fmt_s(v):
    if v is None:
        return "n/a"
    return "%.3f" % v if v < 10 else "%.1f" % v


def fmt_f1(v):
    return "n/a" if v is None else "%.4f" % v


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return "n/a"
    return "%.2f×" % (a / b)


def build(rows, meta):
    datasets = []
    for r in rows:
        if r["dataset"] not in datasets:
            datasets.append(r["dataset"])
    get = {}
    peers = {}
    for r in rows:
        key = (r["kind"], r["dataset"], r["model"])
        if r["kind"] == "peer":
            peers.setdefault((r["dataset"], r["model"]), []).append(r)
        else:
            get[key] = r

    def val(kind, ds, model, field):
        r = get.get((kind, ds, model))
        return None if r is None else r.get(field)

    head = ["dataset", "model", "flowlab native fit s (CPU s)", "flowlab `train` s",
            "flowlab browser fit s", "peer", "peer fit s (CPU s)", "macro-F1 flowlab / peer",
            "native / peer (CPU)", "browser / peer"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    text = []
    widths = [10, 30, 15, 8, 10, 34, 15, 15, 13, 8]
    text.append("  ".join(h[:w].ljust(w) for h, w in zip(
        ["dataset", "model", "native s (CPU)", "train s", "browser s", "peer", "peer s (CPU)",
         "F1 flowlab/peer", "nat/peer(CPU)", "brw/peer"], widths)))
    checks = []
    for ds in datasets:
        for model in ["dt", "rf", "gbdt", "mlp"]:
            ps = peers.get((ds, model), [])
            native = val("flowlab", ds, model, "fit_seconds")
            native_cpu = val("flowlab", ds, model, "cpu_seconds")
            if native is None and not ps:
                continue
            total = val("flowlab-train", ds, model, "fit_seconds")
            browser = val("browser", ds, model, "fit_seconds")
            browser_note = val("browser", ds, model, "note")
            f1 = val("flowlab", ds, model, "macro_f1")
            title = MODEL_TITLES[model]
            if model == "mlp":
                ep = val("flowlab", ds, model, "epochs")
                title += " %s epochs" % (ep if ep is not None else "")
            for i, p in enumerate(ps or [None]):
                first = i == 0
                b_cell = fmt_s(browser) if browser is not None else (
                    "n/a (see targets)" if browser_note else "n/a")
                cells = [
                    ds if first else "", title if first else "",
                    "%s (%s)" % (fmt_s(native), fmt_s(native_cpu)) if first else "",
                    fmt_s(total) if first else "",
                    b_cell if first else "",
                    p["peer"] + (" (%d thr)" % p["threads"]) if p else "—",
                    "%s (%s)" % (fmt_s(p["fit_seconds"]), fmt_s(p.get("cpu_seconds")))
                    if p else "—",
                    "%s / %s" % (fmt_f1(f1), fmt_f1(p["macro_f1"]) if p else "—"),
                    "%s (%s)" % (fmt_ratio(native, p["fit_seconds"]),
                                 fmt_ratio(native_cpu, p.get("cpu_seconds"))) if p else "—",
                    fmt_ratio(browser, p["fit_seconds"]) if p else "—",
                ]
                lines.append("| " + " | ".join(cells) + " |")
                tcells = [c.replace("`", "") for c in cells]
                text.append("  ".join(c[:w].ljust(w) for c, w in zip(tcells, widths)))
            if ps and f1 is not None:
                best = max(ps, key=lambda p: p["macro_f1"])
                d = f1 - best["macro_f1"]
                checks.append(("%s, %s: macro-F1 %.4f vs best peer %s %.4f (Δ %+.4f; target ≥ −%.2f)"
                               % (ds, model, f1, best["peer"], best["macro_f1"], d, F1_TOLERANCE),
                               d >= -F1_TOLERANCE))
    for ds in datasets:
        for model, where, peer, limit in TARGETS:
            p = next((p for p in peers.get((ds, model), []) if p["peer"] == peer), None)
            kind = "flowlab" if where == "native" else "browser"
            mine = val(kind, ds, model, "fit_seconds")
            mine_cpu = val(kind, ds, model, "cpu_seconds")
            if p is None:
                continue
            if mine is None:
                note = val(kind, ds, model, "note")
                checks.append(("%s, %s %s ≤ %.1f× %s: not measured%s"
                               % (ds, model, where, limit, peer, " (%s)" % note if note else ""),
                               None))
                continue
            ratio = mine / p["fit_seconds"]
            line = ("%s, %s %s ≤ %.1f× %s: wall %.2f× (%s s vs %s s)"
                    % (ds, model, where, limit, peer, ratio, fmt_s(mine), fmt_s(p["fit_seconds"])))
            ok = ratio <= limit
            if mine_cpu is not None and p.get("cpu_seconds"):
                cr = mine_cpu / p["cpu_seconds"]
                line += ", CPU %.2f× (%s s vs %s s)" % (cr, fmt_s(mine_cpu), fmt_s(p["cpu_seconds"]))
                if (cr <= limit) != ok:
                    ok = "wall" if ok else "cpu"
            checks.append((line, ok))
    mark = {True: "met", False: "NOT met", None: "n/a",
            "wall": "met on wall time, not on CPU time", "cpu": "met on CPU time, not on wall time"}
    check_lines = ["- %s — **%s**" % (c, mark[ok]) for c, ok in checks]
    return lines, text, check_lines


NOTES = """Notes:
- Same rows and features everywhere: `flowlab features` exports the engineered matrix and the
  stratified hold-out of `flowlab train --split random` (same seed, test rows duplicated in
  training removed); the peers fit on that `train.csv` and are scored on that `test.csv`.
- Times are wall seconds of the fit; in brackets the CPU seconds the fit used (flowlab: its one
  thread, from /proc; peers: the whole process, all threads). On a machine shared with other
  compiles, wall time also counts waiting for a core, so the CPU ratio is the steadier one for
  the one-thread models; the two-thread peers need the wall time to show their parallelism.
- "flowlab native fit s" is the model fit alone (`flowlab features --fit MODEL`, one thread),
  the same span the peers' times cover. "flowlab `train` s" is `fit_seconds` of
  `flowlab train --json`: the whole `train()` call — feature pipeline, duplicate removal, fit,
  scoring and the leakage scan (one single-feature tree per column) — so it is always larger.
- "browser fit s": the built page's workers in headless Chromium (wall time of the fit, from the
  worker's reply); "n/a" says why it was not measured.
- Threads: flowlab native runs one thread. scikit-learn DecisionTree and MLP run one thread
  (OPENBLAS_NUM_THREADS=1); RandomForest runs n_jobs=2; HistGradientBoosting, LightGBM and
  XGBoost use both cores (OpenMP / n_jobs=2).
- Hyper-parameters: flowlab's defaults, matched where the peer has the knob. Differences: flowlab
  trees split on ≤ 255 quantile bins (scikit-learn DecisionTree / RandomForest split on exact
  values); XGBoost has no minimum rows per leaf (flowlab, LightGBM and HistGradientBoosting: 20)
  and grows leaf-wise only with `grow_policy=lossguide`; the MLPs run a fixed number of epochs
  (flowlab: `max_epochs=N, early_stopping=false, patience=0`; scikit-learn: `max_iter=N,
  early_stopping=False, n_iter_no_change>N`), after median imputation and standard scaling.
- macro-F1 averages over the classes present in the test labels or predictions (scikit-learn's
  definition, used by both sides).
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--out")
    ap.add_argument("--meta")
    a = ap.parse_args()
    rows = [json.loads(l) for l in open(a.results) if l.strip()]
    for r in rows:
        r.setdefault("kind", "peer" if "peer" in r else "?")
        if "macro_f1" not in r and isinstance(r.get("metrics"), dict):
            r["macro_f1"] = r["metrics"].get("macro_f1")
    meta = json.load(open(a.meta)) if a.meta else {}
    lines, text, checks = build(rows, meta)
    print("\n".join(text))
    print()
    print("Targets (issue 3 §5):")
    for c in checks:
        print("  " + c[2:].replace("**", ""))
    if a.out:
        md = ["# Benchmark: flowlab against scikit-learn, LightGBM and XGBoost", "",
              "Generated by `%s` on %s." % (meta.get("command", "bash bench/compare.sh"),
                                            meta.get("date", "?")), ""]
        facts = meta.get("facts", [])
        if facts:
            md += ["Machine and run:", ""] + ["- " + f for f in facts] + [""]
        datasets = meta.get("datasets", [])
        if datasets:
            md += ["Datasets:", ""] + ["- " + d for d in datasets] + [""]
        md += lines + ["", "Targets (issue 3 §5):", ""] + checks + ["", NOTES]
        with open(a.out, "w") as f:
            f.write("\n".join(md))
        print("\nwrote " + a.out, file=sys.stderr)


if __name__ == "__main__":
    main()

"""The pandas + scikit-learn side of bench/predict.sh: a RandomForest's predictions of many rows.

    bench/.venv/bin/python bench/predict_peer.py fit --train DIR/train.csv --model M.pickle [--seed 1]
    bench/.venv/bin/python bench/predict_peer.py predict --model M.pickle --rows ROWS.csv --out OUT.csv

`fit` (not timed by the benchmark) fits RandomForestClassifier(n_estimators=100, max_features="sqrt",
bootstrap, n_jobs=2) on the training rows `flowlab features` exported (as bench/peers.py does).
`predict` is what the benchmark times, as a whole process: pandas `read_csv` of the rows'
features (`flowlab features --apply MODEL`: the same engineered features flowlab's model
computes), `predict_proba` on 2 cores, and a CSV with the predicted class, its probability and
every class's probability, written with pandas `to_csv`. It prints one JSON line with the rows
and the seconds of each step.
"""

import argparse
import json
import pickle
import sys
import time

import numpy as np
import pandas as pd


def fit(args):
    from sklearn.ensemble import RandomForestClassifier

    train = pd.read_csv(args.train, dtype={"label": str}, keep_default_na=False, na_values=["NaN"])
    y = train.pop("label").to_numpy()
    model = RandomForestClassifier(n_estimators=100, max_features="sqrt", bootstrap=True,
                                   n_jobs=2, random_state=args.seed)
    model.fit(train.to_numpy(dtype=np.float32), y)
    with open(args.model, "wb") as f:
        pickle.dump(model, f)


def predict(args):
    with open(args.model, "rb") as f:
        model = pickle.load(f)
    t0 = time.perf_counter()
    rows = pd.read_csv(args.rows, dtype={"label": str}, keep_default_na=False, na_values=["NaN"])
    rows.pop("label")
    x = rows.to_numpy(dtype=np.float32)
    del rows
    t1 = time.perf_counter()
    proba = model.predict_proba(x)
    t2 = time.perf_counter()
    classes = [str(c) for c in model.classes_]
    best = proba.argmax(axis=1)
    out = pd.DataFrame({"predicted": np.asarray(classes)[best],
                        "confidence": proba[np.arange(len(best)), best]})
    for i, c in enumerate(classes):
        out["p_" + c] = proba[:, i]
    out.to_csv(args.out, index=False, float_format="%.6f")
    t3 = time.perf_counter()
    print(json.dumps({"rows": int(len(best)), "read_seconds": t1 - t0,
                      "predict_seconds": t2 - t1, "write_seconds": t3 - t2,
                      "seconds": t3 - t0}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fit")
    f.add_argument("--train", required=True)
    f.add_argument("--model", required=True)
    f.add_argument("--seed", type=int, default=1)
    q = sub.add_parser("predict")
    q.add_argument("--model", required=True)
    q.add_argument("--rows", required=True)
    q.add_argument("--out", required=True)
    args = p.parse_args()
    fit(args) if args.cmd == "fit" else predict(args)


if __name__ == "__main__":
    sys.exit(main())

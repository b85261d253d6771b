"""Fits the peer models on the feature matrix `flowlab features` exported, and times the fits.

    bench/.venv/bin/python bench/peers.py --data DIR --dataset NAME [--models dt,rf,gbdt,mlp]
        [--mlp-epochs 20] [--mlp-seeds 5] [--repeats 1] [--seed 1] >> results.jsonl

DIR holds train.csv and test.csv (flowlab's feature columns, then `label`; missing values `NaN`).
Prints one JSON line per peer fit: {"dataset", "model" (flowlab's model it stands against), "peer",
"fit_seconds" (wall, fit only; the best of --repeats), "cpu_seconds" (CPU time of
the process, all threads, during that fit), "macro_f1", "accuracy", "threads", ...}.
macro-F1 is scikit-learn's f1_score(average="macro") on the test rows, which averages over the
classes present in y_true or y_pred, as flowlab's metrics do.

Seeds: dt, rf and gbdt are fitted once with random_state=--seed (the split's seed). The MLP is
fitted --mlp-seeds times, with random_state=0..N-1 (one line each, with "model_seed"), because
its macro-F1 on the 6-class IoT-23 split swings by up to 0.2 between seeds (a few tiny classes);
bench/report.py shows the median and the range, and flowlab's MLP gets the same seeds
(`flowlab features --fit mlp --set seed=K`, bench/compare.sh).

Hyper-parameters follow flowlab's defaults (src/models/*.rs) where the peer has the same knob:
  dt   -> DecisionTreeClassifier: gini, no depth limit, min_samples_split 2, min_samples_leaf 1,
          all features (flowlab bins each feature to <= 255 bins; scikit-learn splits on exact values)
  rf   -> RandomForestClassifier: 100 trees, bootstrap, max_features sqrt, gini, no depth limit,
          n_jobs=2
  gbdt -> flowlab's GradientBoostingParams::default() (src/models/boosting.rs), knob by knob:
          flowlab            HistGradientBoosting   LightGBM                XGBoost (hist)
          n_rounds 100       max_iter=100           n_estimators=100        n_estimators=100
          learning_rate 0.1  learning_rate=0.1      learning_rate=0.1       learning_rate=0.1
          max_leaves 31      max_leaf_nodes=31      num_leaves=31           max_leaves=31,
                                                                            grow_policy=lossguide
          max_depth None     max_depth=None         max_depth=-1            max_depth=0
          min_samples_leaf 20 min_samples_leaf=20   min_child_samples=20    (no such knob)
          min_child_weight   (not a parameter; its  min_child_weight=1e-3   min_child_weight=1e-3
            1e-3              grower fixes 1e-3)
          l2 1.0             l2_regularization=1.0  reg_lambda=1.0          reg_lambda=1.0
          max_bins 255       max_bins=255           max_bin=255             max_bin=255
          subsample 1.0      (none: all rows)       subsample=1.0           subsample=1.0
          colsample 1.0      (none: all features)   colsample_bytree=1.0    colsample_bytree=1.0
          early stopping off early_stopping=False   (none without an eval set; none given)
          min split gain 0   (none)                 min_split_gain=0        gamma=0
          Remaining differences, inherent to the libraries: XGBoost's softmax hessian is
          2·p·(1−p) and LightGBM's K/(K−1)·p·(1−p) (flowlab and HistGradientBoosting: p·(1−p)),
          so the same L2 = 1 weighs a little differently against the hessian sums there; LightGBM
          bins with min_data_in_bin=3; flowlab, HistGradientBoosting and LightGBM start from the
          log class priors, XGBoost from its base_score.
  mlp  -> MLPClassifier after median imputation + standard scaling (as flowlab's MLP does inside):
          hidden (64, 32), ReLU, Adam lr 1e-3 (betas 0.9/0.999, eps 1e-8), alpha 1e-4, batch 256,
          exactly --mlp-epochs epochs (no early stopping), shuffled every epoch, random_state=K
          for K in 0..--mlp-seeds-1
"""

import argparse
import csv
import json
import os
import sys
import time
import warnings

import numpy as np


def load(path):
    with open(path, newline="") as f:
        header = next(csv.reader(f))
        labels = [row[-1] for row in csv.reader(f)]
    x = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(len(header) - 1),
                   dtype=np.float32, ndmin=2)
    return header[:-1], x, labels


def peers(models, mlp_epochs, mlp_seeds, seed):
    """(flowlab model, peer name, threads, model seed or None, factory) for every requested fit."""
    out = []
    if "dt" in models:
        from sklearn.tree import DecisionTreeClassifier
        out.append(("dt", "scikit-learn DecisionTree", 1, None,
                    lambda: DecisionTreeClassifier(criterion="gini", max_depth=None,
                                                   min_samples_split=2, min_samples_leaf=1,
                                                   random_state=seed)))
    if "rf" in models:
        from sklearn.ensemble import RandomForestClassifier
        out.append(("rf", "scikit-learn RandomForest", 2, None,
                    lambda: RandomForestClassifier(n_estimators=100, max_features="sqrt",
                                                   bootstrap=True, n_jobs=2, random_state=seed)))
    if "gbdt" in models:
        from sklearn.ensemble import HistGradientBoostingClassifier
        out.append(("gbdt", "scikit-learn HistGradientBoosting", 2, None,
                    lambda: HistGradientBoostingClassifier(
                        max_iter=100, learning_rate=0.1, max_leaf_nodes=31, max_depth=None,
                        min_samples_leaf=20, l2_regularization=1.0, max_bins=255,
                        early_stopping=False, random_state=seed)))
        import lightgbm
        out.append(("gbdt", "LightGBM", 2, None,
                    lambda: lightgbm.LGBMClassifier(
                        n_estimators=100, learning_rate=0.1, num_leaves=31, max_depth=-1,
                        min_child_samples=20, min_child_weight=1e-3, reg_lambda=1.0,
                        min_split_gain=0.0, max_bin=255, subsample=1.0, colsample_bytree=1.0,
                        n_jobs=2, random_state=seed, verbose=-1)))
        import xgboost
        out.append(("gbdt", "XGBoost (hist)", 2, None,
                    lambda: xgboost.XGBClassifier(
                        tree_method="hist", n_estimators=100, learning_rate=0.1, max_depth=0,
                        max_leaves=31, grow_policy="lossguide", min_child_weight=1e-3,
                        reg_lambda=1.0, gamma=0.0, max_bin=255, subsample=1.0,
                        colsample_bytree=1.0, n_jobs=2, random_state=seed)))
    if "mlp" in models:
        from sklearn.impute import SimpleImputer
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        def mlp(k):
            return lambda: make_pipeline(
                SimpleImputer(strategy="median"), StandardScaler(),
                MLPClassifier(hidden_layer_sizes=(64, 32), activation="relu",
                              solver="adam", alpha=1e-4, batch_size=256,
                              learning_rate_init=1e-3, beta_1=0.9, beta_2=0.999,
                              epsilon=1e-8, max_iter=mlp_epochs, shuffle=True,
                              early_stopping=False, tol=0.0,
                              n_iter_no_change=mlp_epochs + 1, random_state=k))
        for k in range(max(1, mlp_seeds)):
            out.append(("mlp", "scikit-learn MLP", 1, k, mlp(k)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--models", default="dt,rf,gbdt,mlp")
    ap.add_argument("--mlp-epochs", type=int, default=20)
    ap.add_argument("--mlp-seeds", type=int, default=5,
                    help="MLP fits with random_state 0..N-1 (default 5)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    from sklearn.metrics import accuracy_score, f1_score

    t = time.perf_counter()
    _, x_train, l_train = load(os.path.join(a.data, "train.csv"))
    names, x_test, l_test = load(os.path.join(a.data, "test.csv"))
    classes = sorted(set(l_train))
    code = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(l_test) - set(classes))
    if unknown:
        sys.exit("peers.py: test classes %s have no training rows" % unknown)
    y_train = np.array([code[c] for c in l_train])
    y_test = np.array([code[c] for c in l_test])
    print("peers.py: %s: %d train rows, %d test rows, %d features, %d classes (loaded in %.1f s)"
          % (a.dataset, len(y_train), len(y_test), len(names), len(classes),
             time.perf_counter() - t), file=sys.stderr)

    for model, peer, threads, model_seed, make in peers(a.models.split(","), a.mlp_epochs,
                                                            a.mlp_seeds, a.seed):
        times, cpus = [], []
        for _ in range(max(1, a.repeats)):
            est = make()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning: fixed epochs by design
                t, c = time.perf_counter(), time.process_time()
                est.fit(x_train, y_train)
                times.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
        pred = est.predict(x_test)
        row = {
            "kind": "peer", "dataset": a.dataset, "model": model, "peer": peer, "threads": threads,
            "fit_seconds": min(times), "fit_seconds_all": times,
            "cpu_seconds": cpus[times.index(min(times))],
            "macro_f1": f1_score(y_test, pred, average="macro"),
            "accuracy": accuracy_score(y_test, pred),
            "train_rows": int(len(y_train)), "test_rows": int(len(y_test)),
        }
        if model_seed is not None:
            row["model_seed"] = model_seed
        if model == "mlp":
            row["epochs"] = int(est[-1].n_iter_)
        print(json.dumps(row), flush=True)
        print("peers.py: %-34s fit %7.3f s (CPU %.3f s)  macro-F1 %.4f"
              % (peer + ("" if model_seed is None else " seed %d" % model_seed),
                 row["fit_seconds"], row["cpu_seconds"], row["macro_f1"]), file=sys.stderr)


if __name__ == "__main__":
    main()

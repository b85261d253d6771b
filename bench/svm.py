"""scikit-learn's SVMs on the features `flowlab features` exported (bench/svm.sh).

Prints one JSON line per fit: peer, rows it was fitted on, fit seconds, test macro-F1.
- LinearSVC: flowlab's `svm` defaults (squared hinge, C = 1, tol = 1e-4, max_iter = --max-iter,
  intercept_scaling = 1, one-vs-rest), after median imputation and standard scaling (as flowlab).
- RBFSampler + LinearSVC: the same random-Fourier-feature approximation as `--set kernel=rbf`
  (gamma = 1 / features, 256 components).
- SVC (exact RBF kernel, libsvm, gamma = 1 / features on the scaled inputs, C = 1) on a seeded
  subset of the training rows: its fit grows with rows² (one-vs-one), so the full set does not fit
  in the time of the others.
"""

import argparse
import csv
import json
import sys
import time
import warnings

import numpy as np


def load(path):
    with open(path, newline="") as f:
        header = next(csv.reader(f))
        labels = np.array([row[-1] for row in csv.reader(f)])
    x = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(len(header) - 1),
                   dtype=np.float32, ndmin=2)
    return x, labels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="folder with train.csv and test.csv")
    ap.add_argument("--max-iter", type=int, default=1000)
    ap.add_argument("--components", type=int, default=256)
    ap.add_argument("--svc-rows", type=int, default=20000)
    ap.add_argument("--linear-only", action="store_true")
    ap.add_argument("--svc-only", action="store_true", help="only the exact SVC")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.impute import SimpleImputer
    from sklearn.kernel_approximation import RBFSampler
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC, LinearSVC

    warnings.simplefilter("ignore", ConvergenceWarning)
    xtr, ytr = load(f"{a.data}/train.csv")
    xte, yte = load(f"{a.data}/test.csv")
    gamma = 1.0 / xtr.shape[1]

    def linear():
        return LinearSVC(C=1.0, tol=1e-4, max_iter=a.max_iter, dual=True, random_state=a.seed)

    fits = [("scikit-learn LinearSVC", None, lambda: make_pipeline(
        SimpleImputer(strategy="median"), StandardScaler(), linear()))]
    if a.svc_only:
        fits = []
    if not a.linear_only:
        if not a.svc_only:
            fits.append(("scikit-learn RBFSampler + LinearSVC", None, lambda: make_pipeline(
                SimpleImputer(strategy="median"), StandardScaler(),
                RBFSampler(gamma=gamma, n_components=a.components, random_state=a.seed),
                linear())))
        fits.append(("scikit-learn SVC (rbf)", a.svc_rows, lambda: make_pipeline(
            SimpleImputer(strategy="median"), StandardScaler(),
            SVC(C=1.0, kernel="rbf", gamma=gamma))))
    for name, rows, make in fits:
        x, y = xtr, ytr
        if rows is not None and rows < len(ytr):
            pick = np.random.default_rng(a.seed).choice(len(ytr), rows, replace=False)
            x, y = xtr[pick], ytr[pick]
        model = make()
        start = time.perf_counter()
        model.fit(x, y)
        seconds = time.perf_counter() - start
        f1 = f1_score(yte, model.predict(xte), average="macro")
        print(json.dumps({"peer": name, "train_rows": len(y), "fit_seconds": seconds,
                          "macro_f1": f1}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()

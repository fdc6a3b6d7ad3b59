#!/usr/bin/python3
"""run_parity.py: whole runs of `foldwise run` against scikit-learn's
GridSearchCV (and nested cross_val_score) on the same explicit splits.

The folds are written into the data as a `fold` column (PredefinedSplit on
the scikit-learn side, `kind: predefined` on foldwise's), and the inner
splits of nested CV are unshuffled k-fold on each outer training set, which
both sides compute the same way. Checked per configuration: every split
score, the mean, the std and the rank of cv_results.csv against
cv_results_, the best configuration, and the nested estimate. Tolerance:
1e-9 relative on scores (both sides compute in float64; the models' own
parity scripts state their tolerances, and these models match scikit-learn
to ~1e-14), ranks exactly.

Run from the repository root with Debian's Python (/usr/bin/python3); the
binary comes from $FW_BIN (default build/foldwise). One PASS/FAIL line per
case."""
import csv
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from sklearn.model_selection import GridSearchCV, KFold, PredefinedSplit, cross_val_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.linear_model import Ridge
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
except ImportError as exc:
    print("FAIL run_parity_imports: %s (needs Debian's python3-sklearn)" % exc)
    sys.exit(1)

FW = os.environ.get("FW_BIN", "build/foldwise")
TMP = tempfile.mkdtemp(prefix="fwrunpar.")
failures = 0


def report(name, ok, why=""):
    global failures
    print("PASS %s" % name if ok else "FAIL %s: %s" % (name, why))
    failures += 0 if ok else 1


def read_csv(path, target):
    with open(path) as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    t = head.index(target)
    X = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body])
    y = [r[t] for r in body]
    return head, body, X, y


def write_with_folds(head, body, folds, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head + ["fold"])
        for r, k in zip(body, folds):
            w.writerow(r + [int(k)])


def run_foldwise(name, yaml_text):
    cfg = os.path.join(TMP, name + ".yaml")
    out = os.path.join(TMP, name)
    with open(cfg, "w") as f:
        f.write(yaml_text)
    p = subprocess.run([FW, "run", cfg, "-o", out, "-q"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("foldwise exit %d: %s" % (p.returncode, p.stderr[-500:]))
    with open(os.path.join(out, "cv_results.csv")) as f:
        res = list(csv.DictReader(f))
    with open(os.path.join(out, "summary.json")) as f:
        summ = json.load(f)
    return res, summ


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


def compare_grid(case, fw_rows, sk, metric, sk_metric, params, sign=1.0):
    """fw_rows in configuration order; sk is a fitted GridSearchCV whose
    param grid lists the same values in the same order."""
    n_splits = sk.n_splits_
    ok, why = True, ""
    if len(fw_rows) != len(sk.cv_results_["params"]):
        report(case + "_rows", False, "%d rows vs %d" % (len(fw_rows), len(sk.cv_results_["params"])))
        return
    for i, row in enumerate(fw_rows):
        for p in params:
            want = sk.cv_results_["param_" + p][i]
            got = row["param_" + p]
            if not (str(want) == got or (isinstance(want, float) and close(float(got), want))):
                ok, why = False, "row %d param %s: %s vs %s" % (i, p, got, want)
        for s in range(n_splits):
            a = float(row["split%d_test_%s" % (s, metric)])
            b = sign * sk.cv_results_["split%d_test_%s" % (s, sk_metric)][i]
            if not close(a, b):
                ok, why = False, "row %d split %d: %.17g vs %.17g" % (i, s, a, b)
        a, b = float(row["mean_test_" + metric]), sign * sk.cv_results_["mean_test_" + sk_metric][i]
        if not close(a, b):
            ok, why = False, "row %d mean: %.17g vs %.17g" % (i, a, b)
        a, b = float(row["std_test_" + metric]), sk.cv_results_["std_test_" + sk_metric][i]
        if not close(a, b, 1e-7):
            ok, why = False, "row %d std: %.17g vs %.17g" % (i, a, b)
        if int(row["rank_test_" + metric]) != sk.cv_results_["rank_test_" + sk_metric][i]:
            ok, why = False, "row %d rank %s vs %d" % (i, row["rank_test_" + metric],
                                                     sk.cv_results_["rank_test_" + sk_metric][i])
    report(case + "_cv_results", ok, why)


def case_ridge_flat():
    head, body, X, y = read_csv("tests/data/diabetes.csv", "progression")
    y = np.array([float(v) for v in y])
    folds = np.arange(len(y)) % 5
    np.random.RandomState(3).shuffle(folds)
    data = os.path.join(TMP, "diabetes.csv")
    write_with_folds(head, body, folds, data)
    alphas = [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    fw, summ = run_foldwise("ridge", """
data: {path: %s, target: progression, fold: fold}
cv: {outer: {kind: predefined}}
metrics: [rmse, r2]
search: {strategy: grid}
models:
  - name: ridge
    params: {alpha: [%s]}
output: {progress_s: 0}
""" % (data, ", ".join(repr(a) for a in alphas)))
    sk = GridSearchCV(Ridge(), {"alpha": alphas}, cv=PredefinedSplit(folds),
                      scoring={"rmse": "neg_root_mean_squared_error", "r2": "r2"},
                      refit="rmse", return_train_score=True).fit(X, y)
    compare_grid("ridge_flat_rmse", fw, sk, "rmse", "rmse", ["alpha"], sign=-1.0)
    compare_grid("ridge_flat_r2", fw, sk, "r2", "r2", [])
    report("ridge_flat_best", summ["best"]["params"]["alpha"] == sk.best_params_["alpha"],
           "%s vs %s" % (summ["best"]["params"], sk.best_params_))


def case_knn_scaled():
    head, body, X, y = read_csv("tests/data/wine.csv", "cultivar")
    folds = np.zeros(len(y), dtype=int)
    for k, (_, te) in enumerate(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y)):
        folds[te] = k
    data = os.path.join(TMP, "wine.csv")
    write_with_folds(head, body, folds, data)
    ks = [1, 3, 7, 15]
    fw, summ = run_foldwise("knn", """
data: {path: %s, target: cultivar, fold: fold}
preprocess: {scale: standard}
cv: {outer: {kind: predefined}}
metrics: [accuracy, log_loss]
search: {strategy: grid}
models:
  - name: knn
    params: {k: [%s], weights: [uniform, distance]}
output: {progress_s: 0}
""" % (data, ", ".join(str(k) for k in ks)))
    # foldwise's grid order sorts parameter names as scikit-learn's ParameterGrid.
    pipe = make_pipeline(StandardScaler(), KNeighborsClassifier())
    grid = {"kneighborsclassifier__n_neighbors": ks,
            "kneighborsclassifier__weights": ["uniform", "distance"]}
    sk = GridSearchCV(pipe, grid, cv=PredefinedSplit(folds),
                      scoring={"accuracy": "accuracy", "log_loss": "neg_log_loss"},
                      refit="accuracy").fit(X, y)
    # Map names: foldwise k ~ n_neighbors; grid order: k before weights in
    # both (sorted names: k < weights; n_neighbors < weights).
    for r in fw:
        r["param_kneighborsclassifier__n_neighbors"] = r["param_k"]
        r["param_kneighborsclassifier__weights"] = r["param_weights"]
    compare_grid("knn_scaled_accuracy", fw, sk, "accuracy", "accuracy",
                 ["kneighborsclassifier__n_neighbors", "kneighborsclassifier__weights"])
    compare_grid("knn_scaled_log_loss", fw, sk, "log_loss", "log_loss", [], sign=-1.0)


def case_nested_nb():
    head, body, X, y = read_csv("tests/data/breast_cancer.csv", "diagnosis")
    folds = np.zeros(len(y), dtype=int)
    for k, (_, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=2).split(X, y)):
        folds[te] = k
    data = os.path.join(TMP, "bc.csv")
    write_with_folds(head, body, folds, data)
    vs = [1e-11, 1e-9, 1e-7, 1e-5, 1e-3, 1e-1]
    fw, summ = run_foldwise("nested", """
data: {path: %s, target: diagnosis, fold: fold}
cv:
  outer: {kind: predefined}
  inner: {kind: kfold, k: 3}
metrics: [roc_auc]
search: {strategy: grid}
models:
  - name: gaussian_nb
    params: {var_smoothing: [%s]}
output: {progress_s: 0}
""" % (data, ", ".join(repr(v) for v in vs)))
    inner = GridSearchCV(GaussianNB(), {"var_smoothing": vs}, cv=KFold(3), scoring="roc_auc")
    outer = cross_val_score(inner, X, np.array(y), cv=PredefinedSplit(folds), scoring="roc_auc")
    got = [o["score"] for o in summ["nested"]["outer"]]
    ok = len(got) == len(outer) and all(close(a, b) for a, b in zip(got, outer))
    report("nested_nb_outer_scores", ok, "%s vs %s" % (got, list(outer)))
    report("nested_nb_mean", close(summ["nested"]["mean"], outer.mean()),
           "%r vs %r" % (summ["nested"]["mean"], outer.mean()))
    flat = GridSearchCV(GaussianNB(), {"var_smoothing": vs}, cv=PredefinedSplit(folds),
                        scoring="roc_auc").fit(X, y)
    compare_grid("nested_nb_flat", fw, flat, "roc_auc", "score", ["var_smoothing"])


for case in (case_ridge_flat, case_knn_scaled, case_nested_nb):
    try:
        case()
    except Exception as exc:  # a crash of one case is its failure, not the script's
        report(case.__name__, False, repr(exc))
sys.exit(1 if failures else 0)

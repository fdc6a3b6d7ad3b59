#!/usr/bin/python3
"""run_parity.py: whole runs of `foldwise run` against scikit-learn's
GridSearchCV (and nested cross_val_score, learning_curve, a decision tree's
feature_importances_) on the same explicit splits.

The folds are written into the data as a `fold` column (PredefinedSplit on
the scikit-learn side, `kind: predefined` on foldwise's), and the inner
splits of nested CV are unshuffled k-fold on each outer training set, which
both sides compute the same way. Checked per configuration: every split
score, the mean, the std and the rank of cv_results.csv against
cv_results_, the best configuration, the nested estimate and every inner
search's scores (results.h5 /nested/inner), the learning curve's training
sizes and its full-size point (results.h5 /learning_curve), and the refitted
tree's importances (/importances). Tolerance:
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
import shutil
import tempfile

try:
    import numpy as np
    from sklearn.model_selection import GridSearchCV, KFold, PredefinedSplit, cross_val_score
    from sklearn.model_selection import StratifiedKFold, learning_curve
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    import h5py
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


MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1",
               OMPI_MCA_btl_vader_single_copy_mechanism="none")


def run_foldwise(name, yaml_text, ranks=0):
    """Serial run (ranks 0) or under mpirun; results.h5 is TMP/name/results.h5."""
    cfg = os.path.join(TMP, name + ".yaml")
    out = os.path.join(TMP, name)
    with open(cfg, "w") as f:
        f.write(yaml_text)
    cmd = [FW, "run", cfg, "-o", out, "-q"]
    if ranks:
        cmd = ["mpirun", "--oversubscribe", "-n", str(ranks)] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, env=MPI_ENV)
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
    # Every outer split's inner search, row by row, against GridSearchCV on
    # that split's training rows.
    with h5py.File(os.path.join(TMP, "nested", "results.h5"), "r") as f:
        table = f["/nested/inner/table"][()]
        mean, test = f["/nested/inner/mean_test"][()], f["/nested/inner/test"][()]
    ok, why = len(table) == 5 * len(vs), "%d inner rows" % len(table)
    for o in range(5 if ok else 0):
        tr = folds != o
        sk = GridSearchCV(GaussianNB(), {"var_smoothing": vs}, cv=KFold(3),
                          scoring="roc_auc").fit(X[tr], np.array(y)[tr])
        rows = [i for i in range(len(table)) if table["outer"][i] == o]
        for c, i in enumerate(rows):
            got = json.loads(table["params_json"][i])["var_smoothing"]
            if not close(got, vs[c]) or table["n_splits"][i] != 3:
                ok, why = False, "outer %d row %d: %r, %d splits" % (o, c, got,
                                                                     table["n_splits"][i])
            if not close(mean[i][0], sk.cv_results_["mean_test_score"][c]):
                ok, why = False, "outer %d row %d mean %.17g vs %.17g" % (
                    o, c, mean[i][0], sk.cv_results_["mean_test_score"][c])
            for s in range(3):
                if not close(test[i][s][0], sk.cv_results_["split%d_test_score" % s][c]):
                    ok, why = False, "outer %d row %d split %d" % (o, c, s)
    report("nested_nb_inner_rows", ok, why)


def float32_csv(path, target, name, regression=False):
    """The data with features cast to float32 (as scikit-learn's trees see
    them), written back so foldwise reads the same values; y as numbers for
    a regression target."""
    head, body, X, y = read_csv(path, target)
    X = X.astype(np.float32).astype(np.float64)
    t = head.index(target)
    out = os.path.join(TMP, name)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        for r, x in zip(body, X):
            vals = iter(repr(float(v)) for v in x)
            w.writerow([r[t] if i == t else next(vals) for i in range(len(head))])
    return out, X, [float(v) for v in y] if regression else y


def case_learning_curve():
    """Every training set has the same size (4 rows always in training), so
    scikit-learn's learning_curve uses whole splits at fraction 1 as
    foldwise does. By default smaller fractions are random subsets on
    foldwise's side (a fixed permutation; scikit-learn takes the first
    rows), so only their sizes are compared, and their scores across rank
    counts; with learning_curve_shuffle: false every point is compared."""
    head, body, X, y = read_csv("tests/data/breast_cancer.csv", "diagnosis")
    perm = np.random.RandomState(4).permutation(len(y))
    folds = np.full(len(y), -1)
    folds[perm[:565]] = np.arange(565) % 5
    data = os.path.join(TMP, "bc_lc.csv")
    write_with_folds(head, body, folds, data)
    fracs = [0.1, 0.33, 0.5, 0.8, 1.0]
    yaml_text = """
data: {path: %s, target: diagnosis, fold: fold}
cv: {outer: {kind: predefined}}
metrics: [roc_auc, accuracy]
search: {strategy: grid}
models:
  - name: gaussian_nb
    params: {var_smoothing: [1.0e-9, 1.0e-3]}
diagnose: {learning_curve: [%s]}
output: {progress_s: 0}
""" % (data, ", ".join(repr(v) for v in fracs))
    fw, summ = run_foldwise("lc", yaml_text)
    best = summ["best"]["config"]
    vs = float(fw[best]["param_var_smoothing"])
    sizes, train, test = learning_curve(GaussianNB(var_smoothing=vs), X, np.array(y),
                                        cv=PredefinedSplit(folds), train_sizes=fracs,
                                        scoring="roc_auc")
    with h5py.File(os.path.join(TMP, "lc", "results.h5"), "r") as f:
        lc = {k: f["/learning_curve/" + k][()] for k in ("frac", "n_train", "test", "train")}
        trial = f["/learning_curve"].attrs["trial"]
        tr_test, tr_train = f["/trials/test"][best], f["/trials/train"][best]
    report("learning_curve_trial", trial == best, "%d vs %d" % (trial, best))
    report("learning_curve_sizes", list(lc["n_train"]) == list(sizes),
           "%s vs %s" % (list(lc["n_train"]), list(sizes)))
    ok = all(close(lc["test"][-1][s][0], test[-1][s]) and close(lc["train"][-1][s][0], train[-1][s])
             for s in range(5))
    report("learning_curve_full_size", ok, "%s vs %s" % (lc["test"][-1][:, 0], test[-1]))
    # The full-size point is the search's own fit of that configuration.
    report("learning_curve_full_is_search", np.array_equal(lc["test"][-1], tr_test) and
           np.array_equal(lc["train"][-1], tr_train), "differs from /trials")
    report("learning_curve_finite", np.isfinite(lc["test"]).all() and
           np.isfinite(lc["train"]).all(), "NaN in the curve")
    run_foldwise("lc2", yaml_text, ranks=2)
    with h5py.File(os.path.join(TMP, "lc2", "results.h5"), "r") as f:
        same = all(np.array_equal(f["/learning_curve/" + k][()], lc[k]) for k in lc)
    report("learning_curve_two_ranks", same, "the curve differs on 2 ranks")
    # learning_curve_shuffle: false takes the first training rows, as
    # scikit-learn's default: every point then equals learning_curve's.
    run_foldwise("lc_first", yaml_text.replace("diagnose: {", "diagnose: {learning_curve_shuffle: false, "))
    with h5py.File(os.path.join(TMP, "lc_first", "results.h5"), "r") as f:
        ft, fr = f["/learning_curve/test"][()], f["/learning_curve/train"][()]
    bad = [(i, s) for i in range(len(fracs)) for s in range(5)
           if not (close(ft[i][s][0], test[i][s]) and close(fr[i][s][0], train[i][s]))]
    report("learning_curve_first_rows_all_points", not bad and ft.shape[0] == len(fracs),
           "points (fraction, split) differing: %s" % bad[:5])
    report("learning_curve_shuffle_differs", not np.array_equal(ft[:-1], lc["test"][:-1]),
           "the shuffled curve equals the first-rows one below fraction 1")


def case_tree_importances():
    """The refitted tree's impurity importances against scikit-learn's.
    Depths are chosen where scikit-learn's tree does not depend on its
    random_state: deeper, these data sets have splits of equal gain on
    different columns, which it breaks by a random feature order (breast
    cancer ties even at depth 2); the test checks that the reference is
    unique before comparing."""
    for data, target, depth, metric, M in (
            ("wine", "cultivar", 2, "accuracy", DecisionTreeClassifier),
            ("diabetes", "progression", 3, "r2", DecisionTreeRegressor)):
        case = "tree_importances_" + data
        path, X, y = float32_csv("tests/data/%s.csv" % data, target, data + "32.csv",
                                 M is DecisionTreeRegressor)
        run_foldwise("imp_" + data, """
data: {path: %s, target: %s}
cv: {outer: {kind: kfold, k: 3}}
metrics: [%s]
search: {strategy: grid}
models:
  - name: tree
    params: {max_depth: %d}
output: {progress_s: 0}
""" % (path, target, metric, depth))
        with h5py.File(os.path.join(TMP, "imp_" + data, "results.h5"), "r") as f:
            names = [n.decode() for n in f["/importances/names"][()]]
            got = f["/importances/values"][()]
        refs = [M(max_depth=depth, random_state=k).fit(X, y).feature_importances_
                for k in range(5)]
        report(case + "_reference_unique", all(np.array_equal(r, refs[0]) for r in refs),
               "scikit-learn's importances depend on random_state (tied splits)")
        head = read_csv("tests/data/%s.csv" % data, target)[0]
        report(case + "_names", names == [h for h in head if h != target], "%s" % names[:3])
        diff = np.max(np.abs(got - refs[0])) if len(got) == len(refs[0]) else np.inf
        report(case, diff <= 1e-12, "max difference %.3g" % diff)


def case_forest_oob():
    """The refitted forest's out-of-bag score (results.h5 /model attribute
    oob_score, and report.md) against scikit-learn's oob_score_ for the same
    parameters. The forests draw different bootstraps, so this is a
    statistical comparison: 500 trees on wine (178 rows: one row is 0.0056
    of accuracy) within 0.02, on diabetes (442 rows) R^2 within 0.03; the
    run is deterministic, so the test cannot flip between runs."""
    for data, target, metric, M, tol in (
            ("wine", "cultivar", "accuracy", RandomForestClassifier, 0.02),
            ("diabetes", "progression", "r2", RandomForestRegressor, 0.03)):
        path, X, y = float32_csv("tests/data/%s.csv" % data, target, data + "_oob.csv",
                                 M is RandomForestRegressor)
        run_foldwise("oob_" + data, """
data: {path: %s, target: %s}
cv: {outer: {kind: kfold, k: 3}}
metrics: [%s]
search: {strategy: grid}
models:
  - name: random_forest
    params: {n_trees: 500, max_depth: 4, max_features: 0.5, oob_score: true}
limits: {member_trees: 0}
output: {progress_s: 0}
""" % (path, target, metric))
        with h5py.File(os.path.join(TMP, "oob_" + data, "results.h5"), "r") as f:
            got = float(f["/model"].attrs.get("oob_score", np.nan))
        sk = M(n_estimators=500, max_depth=4, max_features=0.5, oob_score=True,
               random_state=0).fit(X, y).oob_score_
        report("forest_oob_" + data, abs(got - sk) <= tol, "%.6f vs %.6f" % (got, sk))
        md = open(os.path.join(TMP, "oob_" + data, "report.md"), encoding="utf-8").read()
        report("forest_oob_%s_in_report" % data, "out-of-bag" in md and "%.4f" % got in md,
               "report.md does not state it")

for case in (case_ridge_flat, case_knn_scaled, case_nested_nb, case_learning_curve,
             case_tree_importances, case_forest_oob):
    try:
        case()
    except Exception as exc:  # a crash of one case is its failure, not the script's
        report(case.__name__, False, repr(exc))
shutil.rmtree(TMP, ignore_errors=True)
sys.exit(1 if failures else 0)

"""nb_knn_parity.py: foldwise's gaussian_nb and knn against scikit-learn's
GaussianNB and KNeighborsClassifier / KNeighborsRegressor (algorithm='brute')
on the same explicit folds of wine, breast_cancer, iris and diabetes.

GaussianNB: probabilities within 1e-10 (absolute) and the same labels, on
raw features and after per-split standard scaling (foldwise's own
preprocess.scale=standard against StandardScaler).

kNN: k in {1, 5, 15}, weights uniform and distance, metrics euclidean,
manhattan and cosine: predicted labels identical and probabilities (or
regression values) equal to the last bit. scikit-learn runs with one
OpenMP thread: with several, which of two training rows at exactly the same
distance from a test row fills the k-th place depends on how its threads
split the training rows (foldwise follows the one-thread order).

Prints one PASS/FAIL line per case."""
import os

os.environ["OMP_NUM_THREADS"] = "1"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

TOOLS = os.environ.get("FW_TOOLS", "build/tests/tools")
FIT_TOOL = os.path.join(TOOLS, "fit_tool")
FAILED = []


def report(name, ok, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))
    if not ok:
        FAILED.append(name)


try:
    import numpy as np
    import pandas as pd
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.preprocessing import StandardScaler
except Exception as exc:  # a parity script never skips
    report("nb_knn_parity_imports", False, "cannot import scikit-learn: %s" % exc)
    sys.exit(1)

SETS = {"wine": "cultivar", "breast_cancer": "diagnosis", "iris": "species",
        "diabetes": "progression"}
K_FOLDS = 5


def load(name, tmp):
    df = pd.read_csv("tests/data/%s.csv" % name, float_precision="round_trip")
    target = SETS[name]
    df["fold"] = np.random.RandomState(0).permutation(len(df)) % K_FOLDS
    csv = os.path.join(tmp, name + ".csv")
    df.to_csv(csv, index=False)
    X = np.ascontiguousarray(df.drop(columns=[target, "fold"]).to_numpy(dtype=np.float64))
    return csv, X, df[target].to_numpy(), df["fold"].to_numpy(), target


def run_tool(csv, target, args):
    cmd = [FIT_TOOL, "--data", csv, "--target", target, "--fold", "fold"] + args
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), out.stderr.strip()))
    preds = {}
    for line in out.stdout.splitlines():
        tok = line.split()
        if tok[0] == "pred":
            preds[(int(tok[1]), int(tok[2]), int(tok[3]))] = [float(v) for v in tok[4:]]
    return preds


def splits(folds):
    for f in range(K_FOLDS):
        yield f, np.flatnonzero(folds != f), np.flatnonzero(folds == f)


def check_nb(name, tmp, scaled):
    csv, X, y, folds, target = load(name, tmp)
    classes = np.unique(y)
    args = ["--model", "gaussian_nb"] + (["--prep", "scale=standard"] if scaled else [])
    got = run_tool(csv, target, args)
    worst, case = 0.0, "gaussian_nb_%s%s" % (name, "_scaled" if scaled else "")
    for f, tr, te in splits(folds):
        Xtr, Xte = X[tr], X[te]
        if scaled:
            sc = StandardScaler().fit(Xtr)
            Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
        nb = GaussianNB().fit(np.ascontiguousarray(Xtr), y[tr])
        ref = nb.predict_proba(np.ascontiguousarray(Xte))
        cols = np.searchsorted(classes, nb.classes_)
        for i, row in enumerate(te):
            p = np.array(got[(f, 0, row)][1:])
            if p.argmax() != cols[ref[i].argmax()]:
                return report(case, False, "split %d row %d: label differs" % (f, row))
            worst = max(worst, np.abs(p[cols] - ref[i]).max())
    print("    %s: largest probability difference %.3g" % (case, worst))
    report(case, worst <= 1e-10, "largest difference %.3g > 1e-10" % worst)


def check_knn(name, tmp, weights, metric):
    csv, X, y, folds, target = load(name, tmp)
    regression = name == "diabetes"
    ks = [1, 5, 15]
    got = run_tool(csv, target, ["--model", "knn", "--param", "weights=" + weights,
                                 "--param", "metric=" + metric,
                                 "--path", "k=" + ",".join(map(str, ks))])
    case = "knn_%s_%s_%s" % (name, weights, metric)
    classes = np.unique(y)
    for c, k in enumerate(ks):
        for f, tr, te in splits(folds):
            kw = dict(n_neighbors=k, weights=weights, metric=metric, algorithm="brute")
            if regression:
                ref = KNeighborsRegressor(**kw).fit(X[tr], y[tr]).predict(X[te])
                mine = np.array([got[(f, c, r)][0] for r in te])
                bad = np.flatnonzero(mine != ref)
            else:
                m = KNeighborsClassifier(**kw).fit(X[tr], y[tr])
                ref = np.zeros((len(te), len(classes)))
                ref[:, np.searchsorted(classes, m.classes_)] = m.predict_proba(X[te])
                mine = np.array([got[(f, c, r)][1:] for r in te])
                bad = np.flatnonzero(np.any(mine != ref, axis=1) |
                                     (mine.argmax(1) != np.searchsorted(classes, m.predict(X[te]))))
            if len(bad):
                i = bad[0]
                return report(case, False, "k=%d split %d row %d: %s vs %s (%d rows differ)"
                              % (k, f, te[i], mine[i], ref[i], len(bad)))
    report(case, True)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("wine", "breast_cancer", "iris"):
            for scaled in (False, True):
                check_nb(name, tmp, scaled)
        for name in SETS:
            for weights in ("uniform", "distance"):
                for metric in ("euclidean", "manhattan", "cosine"):
                    check_knn(name, tmp, weights, metric)
    return 1 if FAILED else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:
        report("nb_knn_parity", False, "%s: %s" % (type(exc).__name__, exc))
        sys.exit(1)

#!/usr/bin/python3
"""lsq_parity.py: foldwise's linear, ridge, lasso and elastic_net against
scikit-learn 1.2 (LinearRegression, Ridge, RidgeClassifier, Lasso,
ElasticNet), called live on the same explicit 5-fold splits.

Data: diabetes (target `progression`, raw features), grunfeld (`invest`,
`firm` dropped) and a synthetic rank-deficient set (two exactly dependent
columns), each written with a `fold` column (and a `w` weight column) to a
temporary CSV that fit_tool reads.

Tolerances:
  linear, ridge (separate fits and --use-path): predictions per split within
    1e-8 relative (max |a - b| / max |b|);
  ridge classifier: decision values within 1e-8 relative, same labels;
  ridge classifier with class_weight=balanced (RidgeClassifier(class_weight=
    "balanced")) on breast_cancer (357/212) and an imbalanced wine subset
    (59/30/10), unweighted and with sample weights, separate fits and
    --use-path: the same 1e-8; and balanced must move the decision values
    away from class_weight=none by more than 1e-3 relative (so a parameter
    that were ignored fails);
  lasso, elastic_net with tol 1e-10 on both sides: coefficients and
    intercept within 1e-4 relative to the largest coefficient, and in path
    mode predictions within 1e-4 relative.
Prints one PASS/FAIL line per case."""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import (ElasticNet, Lasso, LinearRegression, Ridge,
                                      RidgeClassifier)
except Exception as ex:  # never skip: a missing peer is a failure
    print(f"FAIL lsq_parity_import: cannot import scikit-learn: {ex}")
    sys.exit(1)

TOOLS = os.environ.get("FW_TOOLS", "build/tests/tools")
FIT = os.path.join(TOOLS, "fit_tool")
TMP = tempfile.mkdtemp(prefix="lsq_parity_")
K = 5
failures = 0


def report(name, ok, why=""):
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {why}")
    failures += 0 if ok else 1


def with_folds(df, name, seed=0):
    rng = np.random.RandomState(seed)
    fold = np.empty(len(df), dtype=int)
    fold[rng.permutation(len(df))] = np.arange(len(df)) % K
    df = df.copy()
    df["fold"] = fold
    df["w"] = np.round(rng.uniform(0.2, 3.0, len(df)), 3)
    path = os.path.join(TMP, name + ".csv")
    df.to_csv(path, index=False, float_format="%.17g")
    return df, path


def rank_deficient(n=80):
    rng = np.random.RandomState(3)
    X = rng.randint(-5, 6, size=(n, 4)).astype(float)
    X = np.column_stack([X, X[:, 0] + X[:, 1], 2 * X[:, 2]])
    y = X @ np.array([1.0, -2.0, 0.5, 3.0, 0.25, -1.0]) + rng.normal(0, 0.1, n)
    return pd.DataFrame(np.column_stack([X, y]), columns=[f"x{j}" for j in range(6)] + ["t"])


def wide(n=40, p=60):
    """More columns than rows: the wide SVD and the residual (non-Gram) solver."""
    rng = np.random.RandomState(5)
    X = rng.normal(size=(n, p))
    y = X[:, :5] @ np.array([3.0, -2.0, 1.5, 1.0, -0.5]) + 10 + rng.normal(0, 0.3, n)
    return pd.DataFrame(np.column_stack([X, y]), columns=[f"x{j}" for j in range(p)] + ["t"])


def run_tool(path, target, model, params, path_vals=None, use_path=False, weight=False,
             task="regression"):
    cmd = [FIT, "--data", path, "--target", target, "--fold", "fold", "--task", task,
           "--model", model, "--describe", "--drop", "w"]
    if weight:
        cmd[cmd.index("--drop"):cmd.index("--drop") + 2] = ["--weight", "w"]
    for k, v in params.items():
        cmd += ["--param", f"{k}={v}"]
    if path_vals is not None:
        cmd += ["--path", "alpha=" + ",".join(repr(float(a)) for a in path_vals)]
    if use_path:
        cmd.append("--use-path")
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"fit_tool exited {r.returncode}: {r.stderr.strip()[:300]}")
    preds, desc, fits = {}, {}, {}
    for line in r.stdout.splitlines():
        t = line.split(" ", 3)
        if t[0] == "pred":
            f, c, rest = int(t[1]), int(t[2]), t[3].split()
            preds.setdefault((f, c), {})[int(rest[0])] = [float(v) for v in rest[1:]]
        elif t[0] == "describe":
            desc[(int(t[1]), int(t[2]))] = json.loads(t[3])
        elif t[0] == "fit":
            fits[(int(t[1]), int(t[2]))] = t[3].split()
    return preds, desc, fits


def splits(df):
    for f in range(K):
        yield f, np.where(df["fold"] != f)[0], np.where(df["fold"] == f)[0]


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def compare_preds(name, df, X, y, make, out, alphas, tol, weight=False, decision=False):
    """make(alpha) -> estimator; out = fit_tool output; one config per alpha."""
    preds, _, fits = out
    worst = 0.0
    for f, tr, te in splits(df):
        sw = df["w"].values[tr] if weight else None
        for c, a in enumerate(alphas):
            if (f, c) not in preds:
                return report(name, False, f"split {f} config {c}: no predictions {fits.get((f, c))}")
            est = make(a).fit(X[tr], y[tr], sample_weight=sw)
            ours = np.array([preds[(f, c)][i] for i in te])
            if decision:  # fit_tool prints: label, then one score per class
                ref = est.decision_function(X[te])
                if np.any(ours[:, 0] != est.predict(X[te])):
                    return report(name, False, f"split {f} alpha {a}: labels differ")
                ours = ours[:, 2] if ref.ndim == 1 else ours[:, 1:]
            else:
                ref, ours = est.predict(X[te]), ours[:, 0]
            worst = max(worst, rel(ours, ref))
    print(f"  {name}: max relative difference {worst:.3g}", file=sys.stderr)
    report(name, worst <= tol, f"max relative difference {worst:.3g} > {tol:g}")


def compare_coefs(name, df, X, y, make, out, alphas, weight=False, same_iter=False, tol=1e-4):
    """Coefficients within 1e-4; with same_iter, also scikit-learn's n_iter_
    exactly and dual_gap_ within 1e-6 relative (plus 1e-12 mean(y^2) for a
    gap that is rounding noise): same updates, same rule."""
    _, desc, fits = out
    worst = 0.0
    for f, tr, _ in splits(df):
        sw = df["w"].values[tr] if weight else None
        for c, a in enumerate(alphas):
            d = desc.get((f, c))
            if d is None:
                return report(name, False, f"split {f} config {c}: no describe {fits.get((f, c))}")
            est = make(a).fit(X[tr], y[tr], sample_weight=sw)
            ref = np.append(est.coef_, est.intercept_)
            ours = np.append(d["coef"], d["intercept"])
            if same_iter and (d["n_iter"] != est.n_iter_ or
                              abs(d["dual_gap"] - est.dual_gap_) >
                              1e-6 * abs(est.dual_gap_) + 1e-12 * np.mean(y[tr] ** 2)):
                return report(name, False, f"split {f} alpha {a}: n_iter {d['n_iter']} gap "
                              f"{d['dual_gap']:.6g}, scikit-learn {est.n_iter_} "
                              f"{est.dual_gap_:.6g}")
            scale = max(np.max(np.abs(est.coef_)), 1.0)
            worst = max(worst, float(np.max(np.abs(ours - ref))) / scale)
    print(f"  {name}: max coefficient difference {worst:.3g}", file=sys.stderr)
    report(name, worst <= tol, f"max coefficient difference {worst:.3g} (relative) > {tol:g}")


class MinNormLstsq:
    """Least squares as LinearRegression, but numpy lstsq's cutoff
    (eps * max(n, p) * s_max). On centred wide data the smallest singular
    value is rounding noise (the centring removed that direction);
    scikit-learn's cutoff (scipy lstsq, eps * s_max) sometimes keeps it and
    its coefficients then depend on rounding, so the wide set is compared
    with the exact minimum-norm solution instead."""

    def fit(self, X, y, sample_weight=None):
        sw = np.ones(len(y)) if sample_weight is None else sample_weight
        self.xm, self.ym = np.average(X, axis=0, weights=sw), np.average(y, weights=sw)
        r = np.sqrt(sw)
        self.coef_ = np.linalg.lstsq((X - self.xm) * r[:, None], (y - self.ym) * r,
                                     rcond=None)[0]
        self.intercept_ = self.ym - self.xm @ self.coef_
        return self

    def predict(self, X):
        return self.ym + (X - self.xm) @ self.coef_


def regression_cases(tag, df, path, target, singular=False, wide=False):
    """singular: no ridge alpha = 0 (scikit-learn's Cholesky on a singular
    X^T X); wide: least squares against MinNormLstsq."""
    X = df.drop(columns=[target, "fold", "w"]).values
    y = df[target].values
    ridge_alphas = [1e-3, 1.0, 100.0] if singular or wide else [0.0, 1e-2, 1.0, 100.0]
    ols = MinNormLstsq if wide else LinearRegression
    for weight in (False, True):
        wt = "_weighted" if weight else ""
        run = lambda *a, **k: run_tool(path, target, *a, weight=weight, **k)
        try:
            out = run("linear", {})
            compare_preds(f"{tag}_linear{wt}", df, X, y, lambda a: ols(), out, [None], 1e-8,
                          weight)
            # The minimum-norm coefficients themselves (rank-deficient sets).
            compare_coefs(f"{tag}_linear_coef{wt}", df, X, y, lambda a: ols(), out, [None],
                          weight, tol=1e-8)
            for use_path in (False, True):
                compare_preds(f"{tag}_ridge{'_path' if use_path else ''}{wt}", df, X, y,
                              lambda a: Ridge(alpha=a), run("ridge", {}, ridge_alphas, use_path),
                              ridge_alphas, 1e-8, weight)
            if singular:
                continue
            cd = {"tol": 1e-10, "max_iter": 200000}
            for model, make, extra in (
                    ("lasso", lambda a: Lasso(alpha=a, tol=1e-10, max_iter=200000), {}),
                    ("elastic_net", lambda a: ElasticNet(alpha=a, l1_ratio=0.3, tol=1e-10,
                                                         max_iter=200000), {"l1_ratio": 0.3})):
                alphas = [0.01, 0.1, 1.0, 10.0]
                compare_coefs(f"{tag}_{model}{wt}", df, X, y, make,
                              run(model, {**cd, **extra}, alphas), alphas, weight)
                compare_preds(f"{tag}_{model}_path{wt}", df, X, y, make,
                              run(model, {**cd, **extra}, alphas, True), alphas, 1e-4, weight)
            # Random order: different draws, so only the optimum can agree;
            # a tighter tol because the gap bounds the objective, not coef.
            compare_coefs(f"{tag}_lasso_random{wt}", df, X, y,
                          lambda a: Lasso(alpha=a, tol=1e-13, max_iter=200000,
                                          selection="random", random_state=0),
                          run("lasso", {**cd, "tol": 1e-13, "selection": "random"}, [0.5]),
                          [0.5], weight)
            # Default tol: the same epochs and duality gap as scikit-learn.
            alphas = [0.05, 0.5, 5.0]
            compare_coefs(f"{tag}_lasso_default_tol{wt}", df, X, y, lambda a: Lasso(alpha=a),
                          run("lasso", {}, alphas), alphas, weight, same_iter=True)
            compare_coefs(f"{tag}_elastic_net_default_tol{wt}", df, X, y,
                          lambda a: ElasticNet(alpha=a), run("elastic_net", {}, alphas), alphas,
                          weight, same_iter=True)
        except RuntimeError as ex:
            report(f"{tag}{wt}_run", False, str(ex))


def classifier_cases():
    for name, target in (("breast_cancer", "diagnosis"), ("iris", "species")):
        df = pd.read_csv(f"tests/data/{name}.csv")
        df, path = with_folds(df, name)
        X = df.drop(columns=[target, "fold", "w"]).values
        y = pd.Categorical(df[target]).codes  # foldwise codes classes in sorted order
        alphas = [0.1, 10.0]
        try:
            out = run_tool(path, target, "ridge", {}, alphas, True, task="classification")
            compare_preds(f"{name}_ridge_classifier_path", df, X, y,
                          lambda a: RidgeClassifier(alpha=a), out, alphas, 1e-8, decision=True)
        except RuntimeError as ex:
            report(f"{name}_ridge_classifier_run", False, str(ex))


def imbalanced_wine():
    """wine with classes kept 59/30/10: the first rows of each class in file
    order (deterministic)."""
    df = pd.read_csv("tests/data/wine.csv")
    keep = {c: n for c, n in zip(sorted(df["cultivar"].unique()), (59, 30, 10))}
    return df[df.groupby("cultivar").cumcount() < df["cultivar"].map(keep)].reset_index(drop=True)


def balanced_cases():
    sets = (("breast_cancer", pd.read_csv("tests/data/breast_cancer.csv"), "diagnosis"),
            ("wine_imbalanced", imbalanced_wine(), "cultivar"))
    alphas = [0.1, 10.0]
    for name, df, target in sets:
        df, path = with_folds(df, name + "_cw")
        X = df.drop(columns=[target, "fold", "w"]).values
        y = pd.Categorical(df[target]).codes
        try:
            for weight in (False, True):
                wt = "_weighted" if weight else ""
                for use_path in (False, True):
                    out = run_tool(path, target, "ridge", {"class_weight": "balanced"}, alphas,
                                   use_path, weight=weight, task="classification")
                    compare_preds(f"{name}_ridge_balanced{'_path' if use_path else ''}{wt}", df,
                                  X, y, lambda a: RidgeClassifier(alpha=a, class_weight="balanced"),
                                  out, alphas, 1e-8, weight, decision=True)
            plain = run_tool(path, target, "ridge", {}, alphas, task="classification")[0]
            bal = run_tool(path, target, "ridge", {"class_weight": "balanced"}, alphas,
                           task="classification")[0]
            moved = max(rel([bal[key][i][1:] for i in bal[key]], [plain[key][i][1:] for i in bal[key]])
                        for key in bal)
            print(f"  {name}_ridge_balanced_differs: {moved:.3g}", file=sys.stderr)
            report(f"{name}_ridge_balanced_differs", moved > 1e-3,
                   f"balanced decision values within {moved:.3g} of class_weight=none")
        except RuntimeError as ex:
            report(f"{name}_ridge_balanced_run", False, str(ex))


def main():
    if not os.access(FIT, os.X_OK):
        report("lsq_parity_tool", False, f"{FIT} not built (make tests)")
        return 1
    sets = [("diabetes", pd.read_csv("tests/data/diabetes.csv"), "progression", {}),
            ("grunfeld", pd.read_csv("tests/data/grunfeld.csv").drop(columns=["firm"]),
             "invest", {}),
            ("rankdef", rank_deficient(), "t", {"singular": True}),
            ("wide", wide(), "t", {"wide": True})]
    for tag, df, target, kind in sets:
        df, path = with_folds(df, tag)
        regression_cases(tag, df, path, target, **kind)
    classifier_cases()
    balanced_cases()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

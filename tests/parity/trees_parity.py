#!/usr/bin/python3
"""trees_parity.py: foldwise's tree, random_forest and extra_trees against
scikit-learn 1.2, live, on the same explicit splits (3-fold KFold, shuffled
with seed 0) of wine, digits and diabetes.

Features are cast to float32 here, for both sides, as scikit-learn's trees
do internally: thresholds can then be compared exactly.

1. Single trees of depth 1..3 (and a few variants): the same structure as
   DecisionTreeClassifier/Regressor's tree_: node by node the same feature,
   the same threshold (exactly), the same n_node_samples, and node values and
   impurities within 1e-9 relative. Where scikit-learn and foldwise chose
   different splits, both splits are scored again here on the node's rows;
   the difference is accepted only as an exact tie (scores equal within
   1e-12 relative: scikit-learn breaks ties by its random feature order,
   foldwise by the lowest feature index), the tie is counted, and the
   comparison goes on below it when both splits make the same partition.
   Test-row predictions must equal scikit-learn's (1e-12) when no tie was met.
   One more accepted difference: scikit-learn can split a pure node when the
   rounding of its incremental sums leaves the impurity just above EPSILON
   (seen with class_weight = balanced); foldwise computes each node's sums
   afresh and makes it a leaf. The predictions are the same.
2. Forests: mean test accuracy over seeds and folds within 0.01 of
   scikit-learn's (RMSE within 3% for diabetes), for random_forest and
   extra_trees; out-of-bag accuracy within 0.02 (R^2 within 0.03).
Prints one PASS/FAIL line per check."""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                                  RandomForestClassifier, RandomForestRegressor)
    from sklearn.model_selection import KFold
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
except Exception as ex:  # never skip: a missing peer is a failure
    print(f"FAIL trees_parity_import: {ex}")
    sys.exit(1)

TOOLS = os.environ.get("FW_TOOLS", "build/tests/tools")
SETS = {"wine": ("wine.csv", "cultivar", "classification"),
        "digits": ("digits.csv", "digit", "classification"),
        "diabetes": ("diabetes.csv", "progression", "regression")}
failures = 0


def report(ok, name, why=""):
    global failures
    failures += not ok
    print(f"{'PASS' if ok else 'FAIL'} {name}{'' if ok else ': ' + why}")


class Data:
    """A data set with float32-cast features and fold column written to a CSV."""

    def __init__(self, key, tmp):
        file, self.target, self.task = SETS[key]
        df = pd.read_csv(os.path.join("tests/data", file))
        self.cols = [c for c in df.columns if c != self.target]
        self.X = df[self.cols].to_numpy(np.float64).astype(np.float32).astype(np.float64)
        self.y = df[self.target].to_numpy()
        self.fold = np.zeros(len(self.y), int)
        for f, (_, te) in enumerate(KFold(3, shuffle=True, random_state=0).split(self.X)):
            self.fold[te] = f
        out = pd.DataFrame(self.X, columns=self.cols)
        out[self.target] = self.y
        out["fold"] = self.fold
        self.csv = os.path.join(tmp, file)
        out.to_csv(self.csv, index=False)   # repr: float32 values read back exactly
        self.classes = np.unique(self.y) if self.task == "classification" else None


def fit_tool(data, model, params, seed=0):
    cmd = [f"{TOOLS}/fit_tool", "--data", data.csv, "--target", data.target, "--fold", "fold",
           "--task", data.task, "--model", model, "--seed", str(seed), "--describe"]
    for k, v in params.items():
        cmd += ["--param", f"{k}={v}"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"fit_tool failed: {run.stderr.strip()[-300:]}")
    pred, desc = {}, {}
    for line in run.stdout.splitlines():
        head = line.split(" ", 3)
        if head[0] == "describe":
            desc[int(head[1])] = json.loads(head[3])
        elif head[0] == "pred":
            f = line.split()
            pred.setdefault(int(f[1]), {})[int(f[3])] = [float(x) for x in f[4:]]
    return pred, desc


# ---- single trees --------------------------------------------------------------

def weighted_impurity(y, w, crit, classes):
    """Total weight times impurity of a node (the criterion's proxy terms)."""
    W = w.sum()
    if W == 0:
        return 0.0
    if crit in ("gini", "entropy"):
        c = np.array([w[y == k].sum() for k in classes])
        if crit == "gini":
            return W * (1 - (c * c).sum() / (W * W))
        p = c[c > 0] / W
        return -W * (p * np.log2(p)).sum()
    if crit == "squared_error":
        m = (w * y).sum() / W
        return (w * y * y).sum() - W * m * m
    o = np.argsort(y, kind="stable")
    ys, ws = y[o], w[o]
    cs = np.cumsum(ws)
    k = int(np.searchsorted(cs, W / 2))
    med = (ys[k] + ys[k + 1]) / 2 if cs[k] == W / 2 and k + 1 < len(ys) else ys[k]
    return (ws * np.abs(ys - med)).sum()


def split_score(X, y, w, rows, f, thr, crit, classes):
    left = X[rows, f] <= thr
    return (weighted_impurity(y[rows[left]], w[rows[left]], crit, classes) +
            weighted_impurity(y[rows[~left]], w[rows[~left]], crit, classes)), left


def close(a, b, tol):
    a, b = np.ravel(a).astype(float), np.ravel(b).astype(float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol * np.maximum(1, np.abs(b))))


class TreeCompare:
    def __init__(self, fw, sk, X, y, w, crit, classes, value_map):
        self.fw, self.t = fw, sk.tree_
        self.X, self.y, self.w, self.crit, self.classes = X, y, w, crit, classes
        self.value_map = value_map
        self.exact = self.ties = self.pure = 0
        self.error = None

    def node(self, i, j, rows):
        fw, t = self.fw, self.t
        if fw["n_node_samples"][i] != t.n_node_samples[j]:
            return f"node {j}: n_node_samples {fw['n_node_samples'][i]} vs {t.n_node_samples[j]}"
        if not close(fw["impurity"][i], t.impurity[j], 1e-9):
            return f"node {j}: impurity {fw['impurity'][i]!r} vs {t.impurity[j]!r}"
        if not close(self.value_map(fw["value"][i]), t.value[j], 1e-9):
            return f"node {j}: value {fw['value'][i]} vs {t.value[j].ravel()}"
        fl, sl = fw["children_left"][i], t.children_left[j]
        if fl < 0 and sl < 0:
            self.exact += 1
            return None
        if fl < 0 and fw["impurity"][i] == 0 and t.impurity[j] <= 1e-12:
            self.pure += 1   # scikit-learn split a pure node (rounding left impurity > EPSILON)
            return None
        if fl < 0 or sl < 0:
            return f"node {j}: {'foldwise' if fl < 0 else 'scikit-learn'} made a leaf"
        ff, fthr, sf, sthr = fw["feature"][i], fw["threshold"][i], t.feature[j], t.threshold[j]
        if ff == sf and fthr == sthr:
            self.exact += 1
            left = self.X[rows, sf] <= sthr
        else:
            a, la = split_score(self.X, self.y, self.w, rows, ff, fthr, self.crit, self.classes)
            b, left = split_score(self.X, self.y, self.w, rows, sf, sthr, self.crit, self.classes)
            if abs(a - b) > 1e-12 * max(1.0, abs(b)):
                return (f"node {j}: foldwise split x{ff} <= {fthr!r} (score {a!r}), scikit-learn "
                        f"x{sf} <= {sthr!r} (score {b!r})")
            self.ties += 1
            if not np.array_equal(la, left):
                return None   # a tie with a different partition: stop comparing below
        return (self.node(fl, sl, rows[left]) or
                self.node(fw["children_right"][i], t.children_right[j], rows[~left]))


def check_trees(data, cases):
    for params in cases:
        name = f"tree_{os.path.basename(data.csv)[:-4]}_" + "_".join(
            f"{k}={v}" for k, v in params.items())
        try:
            pred, desc = fit_tool(data, "tree", params)
        except RuntimeError as ex:
            report(False, name, str(ex))
            continue
        why, ties, exact, pure = None, 0, 0, 0
        for f in range(3):
            tr, te = data.fold != f, data.fold == f
            X, y = data.X[tr], data.y[tr]
            kw = {k: (None if v == "none" else v) for k, v in params.items()}
            if data.task == "classification":
                sk = DecisionTreeClassifier(random_state=0, **kw).fit(X, y)
                cw = sk.class_weight
                w = np.ones(len(y)) if cw is None else np.array(
                    [len(y) / (len(sk.classes_) * np.sum(y == c)) for c in y])
                cols = np.searchsorted(data.classes, sk.classes_)
                vmap = lambda v, cols=cols: np.asarray(v)[cols]
            else:
                sk = DecisionTreeRegressor(random_state=0, **kw).fit(X, y)
                w, vmap = np.ones(len(y)), lambda v: np.asarray(v)
            cmp = TreeCompare(desc[f]["tree"], sk, X, y, w, sk.criterion, sk.classes_
                              if data.task == "classification" else None, vmap)
            why = cmp.node(0, 0, np.arange(len(y)))
            if why:
                why = f"split {f}: {why}"
                break
            ties, exact, pure = ties + cmp.ties, exact + cmp.exact, pure + cmp.pure
            if cmp.ties == 0:
                rows = np.nonzero(te)[0]
                got = np.array([pred[f][r][1:] if data.task == "classification"
                                else pred[f][r][:1] for r in rows])
                want = (sk.predict_proba(data.X[te]) if data.task == "classification"
                        else sk.predict(data.X[te])[:, None])
                if data.task == "classification":
                    got = got[:, np.searchsorted(data.classes, sk.classes_)]
                if not close(got, want, 1e-12):
                    why = f"split {f}: test predictions differ"
                    break
        note = f", {pure} pure nodes split by scikit-learn" if pure else ""
        report(why is None, f"{name} ({exact} nodes equal, {ties} exact ties{note})", why or "")


# ---- forests ---------------------------------------------------------------------

def forest_scores(data, model, n_trees, seeds):
    """Mean test score (accuracy or RMSE) and OOB score over seeds and folds."""
    cls = data.task == "classification"
    peers = {("random_forest", True): RandomForestClassifier,
             ("random_forest", False): RandomForestRegressor,
             ("extra_trees", True): ExtraTreesClassifier,
             ("extra_trees", False): ExtraTreesRegressor}
    oob = model == "random_forest"
    fw_s, sk_s, fw_o, sk_o = [], [], [], []
    for seed in seeds:
        params = {"n_trees": n_trees}
        if oob:
            params["oob_score"] = "true"
        pred, desc = fit_tool(data, model, params, seed)
        for f in range(3):
            tr, te = data.fold != f, data.fold == f
            rows = np.nonzero(te)[0]
            yp = np.array([pred[f][r][0] for r in rows])
            sk = peers[(model, cls)](n_estimators=n_trees, random_state=seed, oob_score=oob,
                                     n_jobs=1).fit(data.X[tr], data.y[tr])
            sp = sk.predict(data.X[te])
            if cls:
                fw_s.append(np.mean(data.classes[yp.astype(int)] == data.y[te]))
                sk_s.append(np.mean(sp == data.y[te]))
            else:
                fw_s.append(np.sqrt(np.mean((yp - data.y[te]) ** 2)))
                sk_s.append(np.sqrt(np.mean((sp - data.y[te]) ** 2)))
            if oob:
                fw_o.append(desc[f]["oob_score"])
                sk_o.append(sk.oob_score_)
    return np.mean(fw_s), np.mean(sk_s), (np.mean(fw_o), np.mean(sk_o)) if oob else None


def check_forests(data, n_trees, seeds):
    key = os.path.basename(data.csv)[:-4]
    for model in ("random_forest", "extra_trees"):
        name = f"{model}_{key}"
        try:
            fw, sk, oob = forest_scores(data, model, n_trees, seeds)
        except RuntimeError as ex:
            report(False, name, str(ex))
            continue
        if data.task == "classification":
            report(abs(fw - sk) <= 0.01, f"{name}_accuracy (foldwise {fw:.4f}, sklearn {sk:.4f})",
                   "mean accuracy differs by more than 0.01")
        else:
            report(abs(fw / sk - 1) <= 0.03, f"{name}_rmse (foldwise {fw:.3f}, sklearn {sk:.3f})",
                   "mean RMSE differs by more than 3%")
        if oob:
            tol = 0.02 if data.task == "classification" else 0.03
            report(abs(oob[0] - oob[1]) <= tol,
                   f"{name}_oob (foldwise {oob[0]:.4f}, sklearn {oob[1]:.4f})",
                   f"out-of-bag scores differ by more than {tol}")


def main():
    tmp = tempfile.mkdtemp(prefix="fw_trees_parity_")
    wine, digits, diabetes = (Data(k, tmp) for k in ("wine", "digits", "diabetes"))
    depths = [{"max_depth": d} for d in (1, 2, 3)]
    check_trees(wine, depths + [{"max_depth": 3, "criterion": "entropy"},
                                {"max_depth": 3, "class_weight": "balanced"},
                                {"max_depth": "none"}])
    check_trees(digits, depths + [{"max_depth": 3, "criterion": "entropy"},
                                  {"max_depth": 6, "min_samples_leaf": 5}])
    check_trees(diabetes, depths + [{"max_depth": 3, "criterion": "absolute_error"},
                                    {"max_depth": 5, "min_samples_split": 20}])
    check_forests(wine, 100, range(3))
    check_forests(digits, 50, range(2))
    check_forests(diabetes, 100, range(3))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""metrics_parity.py: foldwise's metrics and curves against scikit-learn 1.2.

Runs build/tests/tools/metric_tool (directory from $FW_TOOLS) on random
inputs made here with a fixed numpy seed (binary, 3 and 5 classes,
imbalanced, tied scores, decision values, sample weights with and without
zeros, regression with zero targets and tied errors) and compares every
value with scikit-learn called live. Prints one "PASS metric kind" or
"FAIL metric kind: details" line per metric and input kind; exits 1 on any
failure. Run from the repository root with /usr/bin/python3.

Tolerance: 1e-12 relative (RTOL below). Both sides compute in float64 and
foldwise reproduces numpy's pairwise summation and scikit-learn's order of
operations, so differences can only come from summation order (BLAS dot in
matthews_corrcoef) or libm's log; most values agree bit for bit.

Where scikit-learn 1.2 has no reference, the definition is computed here
in numpy and the comment says so: precision_at_k (and precision_at_N),
multiclass brier, and the bin counts of the calibration curve. Multiclass
average_precision is compared with scikit-learn's multilabel macro average
on label_binarize(y), which is the same one-vs-rest definition.
"""
import math
import os
import subprocess
import sys
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn import metrics as skm
    from sklearn.calibration import calibration_curve
    from sklearn.preprocessing import label_binarize
except Exception as ex:  # a missing scikit-learn is a failure, never a skip
    print(f"FAIL metrics_parity import: cannot import scikit-learn/numpy: {ex}")
    sys.exit(1)

RTOL = 1e-12
TOOL = os.path.join(os.environ.get("FW_TOOLS", "build/tests/tools"), "metric_tool")
failures = 0
exact = [0, 0]  # values equal to the last bit, values compared


def report(ok, name, detail=""):
    global failures
    if ok:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {detail}")


def close(a, b):
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    return abs(a - b) <= RTOL * max(abs(a), abs(b))


def run_tool(case, names):
    """Write the case in metric_tool's format, return {name: value/curve/error}."""
    y, yp, S, w = case["y"], case["yp"], case["S"], case["w"]
    K = 0 if S is None else S.shape[1]
    lines = [f"{len(y)} {K} {case.get('proba', 1)} {case.get('pos', 1)} {int(w is not None)}"]
    for i in range(len(y)):
        row = [repr(float(y[i])), repr(float(yp[i]))]
        if S is not None:
            row += [repr(float(v)) for v in S[i]]
        if w is not None:
            row.append(repr(float(w[i])))
        lines.append(" ".join(row))
    out = subprocess.run([TOOL] + names, input="\n".join(lines) + "\n",
                         capture_output=True, text=True).stdout.splitlines()
    res, i = {}, 0
    while i < len(out):
        parts = out[i].split(" ", 2)
        i += 1
        if parts[1] == "ERROR":
            res[parts[0]] = ("error", parts[2] if len(parts) > 2 else "")
        elif parts[0].endswith("curve") or parts[0].startswith("calibration_curve"):
            n = int(parts[1])
            pts = np.array([[float(v) for v in out[i + j].split()] for j in range(n)])
            res[parts[0]] = ("curve", pts.reshape(n, 3))
            i += n
        else:
            res[parts[0]] = ("value", float(parts[1]), int(parts[2]))
    return res


# ---- inputs ------------------------------------------------------------------

rng = np.random.RandomState(20240611)


def class_labels(n, K, imbalance=False):
    p = np.ones(K) / K if not imbalance else np.r_[0.8, np.full(K - 1, 0.2 / (K - 1))]
    if imbalance and K == 2:
        p = np.array([0.9, 0.1])
    y = rng.choice(K, size=n, p=p)
    y[:K] = np.arange(K)  # every class present
    return y


def probas(y, K, ties=None):
    """Probabilities that lean towards the true class. ties=1 or 2: values on
    a grid of 0.1 or 0.01 (from integer counts, so rows still sum to 1)."""
    n = len(y)
    if ties:
        m = 10 ** ties
        alpha = np.ones((n, K)) + 2.0 * np.eye(K)[y]
        P = np.array([rng.multinomial(m, rng.dirichlet(a)) for a in alpha]) / m
        return P
    logits = rng.normal(size=(n, K)) + 1.2 * np.eye(K)[y]
    E = np.exp(logits - logits.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def weights(n, zeros=False):
    w = rng.uniform(0.1, 3.0, size=n)
    if zeros:
        w[rng.rand(n) < 0.15] = 0.0
    return w


def clf_case(n, K, weighted, imbalance=False, ties=None, proba=1, pos=None, zeros=False):
    y = class_labels(n, K, imbalance)
    S = probas(y, K, ties)
    if not proba:  # decision values: any real numbers, larger = more likely
        S = np.log(np.clip(S, 1e-3, None)) * 1.7 + 0.3
        if ties:
            S = np.round(S, ties)
    yp = np.argmax(S, axis=1)
    return {"y": y, "yp": yp, "S": S, "w": weights(n, zeros) if weighted else None,
            "proba": proba, "pos": (K - 1 if K == 2 else 1) if pos is None else pos, "K": K}


def reg_case(n, weighted, zeros_in_y=False, ties=False, const=False):
    y = rng.normal(3.0, 2.0, size=n)
    if zeros_in_y:
        y[rng.rand(n) < 0.1] = 0.0
    if const:
        y[:] = 2.5
    p = y + rng.normal(0, 0.7, size=n)
    if ties:
        y, p = np.round(y, 1), np.round(p, 1)
    return {"y": y, "yp": p, "S": None, "w": weights(n) if weighted else None,
            "proba": 0, "pos": 0, "K": 0}


# ---- references --------------------------------------------------------------

def sk_or_nan(f):
    """scikit-learn's value, or NaN where it raises (cross-validation records
    error_score=nan there)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(f())
    except ValueError:
        return float("nan")


def precision_top(c, k):
    # No scikit-learn reference: the definition in numpy. Rows ranked by the
    # positive class's score, descending, ties in row order (stable sort).
    y, s, w, pos = c["y"], c["S"][:, c["pos"]], c["w"], c["pos"]
    order = np.argsort(-s, kind="stable")[:min(k, len(y))]
    if len(order) == 0:
        return 0.0
    hits = (y[order] == pos).astype(float)
    return np.average(hits, weights=None if w is None else w[order])


def multiclass_brier(c):
    # No scikit-learn 1.2 reference: Brier's multi-class score in numpy.
    onehot = np.eye(c["K"])[c["y"]]
    return np.average(((c["S"] - onehot) ** 2).sum(axis=1), weights=c["w"])


def clf_refs(c):
    y, yp, S, w, pos, K = c["y"], c["yp"], c["S"], c["w"], c["pos"], c["K"]
    kw = {"sample_weight": w}
    r = {
        "accuracy": lambda: skm.accuracy_score(y, yp, **kw),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(y, yp, **kw),
        "mcc": lambda: skm.matthews_corrcoef(y, yp, **kw),
    }
    for m, f in (("precision", skm.precision_score), ("recall", skm.recall_score),
                 ("f1", skm.f1_score)):
        for avg in ("macro", "weighted"):
            r[f"{m}_{avg}"] = (lambda f=f, avg=avg:
                               f(y, yp, average=avg, zero_division="warn", **kw))
        if K == 2:
            r[m] = lambda f=f: f(y, yp, pos_label=pos, average="binary", **kw)
    if K == 2:
        yb = (y == pos).astype(int)
        r["roc_auc"] = lambda: skm.roc_auc_score(yb, S[:, pos], **kw)
        r["average_precision"] = lambda: skm.average_precision_score(yb, S[:, pos], **kw)
        r["precision_at_k"] = lambda: precision_top(c, int((y == pos).sum()))
        r["precision_at_5"] = lambda: precision_top(c, 5)
        r["precision_at_40"] = lambda: precision_top(c, 40)
    elif c["proba"]:  # scikit-learn's ovr rule refuses decision values
        r["roc_auc"] = lambda: skm.roc_auc_score(y, S, multi_class="ovr", average="macro", **kw)
    if K > 2:
        r["average_precision"] = lambda: skm.average_precision_score(
            label_binarize(y, classes=list(range(K))), S, average="macro", **kw)
    if c["proba"]:
        if K == 2:
            # neg_log_loss's scorer passes the second class's column alone.
            r["log_loss"] = lambda: skm.log_loss(y, S[:, 1], labels=[0, 1], **kw)
            r["brier"] = lambda: skm.brier_score_loss(y, S[:, pos], pos_label=pos, **kw)
        else:
            r["log_loss"] = lambda: skm.log_loss(y, S, labels=list(range(K)), **kw)
            r["brier"] = lambda: multiclass_brier(c)
    return r


def reg_refs(c):
    y, p, kw = c["y"], c["yp"], {"sample_weight": c["w"]}
    return {
        "rmse": lambda: skm.mean_squared_error(y, p, squared=False, **kw),
        "mae": lambda: skm.mean_absolute_error(y, p, **kw),
        "r2": lambda: skm.r2_score(y, p, **kw),
        "mape": lambda: skm.mean_absolute_percentage_error(y, p, **kw),
        "median_ae": lambda: skm.median_absolute_error(y, p, **kw),
    }


# Metrics that must refuse an input kind (binary-only on multiclass,
# probability metrics on decision values, wrong task).
BINARY_ONLY = ["precision", "recall", "f1", "precision_at_k"]
PROBA_ONLY = ["log_loss", "brier"]
REG = ["rmse", "mae", "r2", "mape", "median_ae"]


def expected_errors(c):
    if c["K"] == 0:
        return ["accuracy", "roc_auc"]
    errs = list(REG[:2])
    if c["K"] > 2:
        errs += BINARY_ONLY
        if not c["proba"]:
            errs.append("roc_auc")
    if not c["proba"]:
        errs += PROBA_ONLY
    return errs


def check_values(kind, c, refs):
    errs = expected_errors(c)
    res = run_tool(c, list(refs) + errs)
    for name, f in refs.items():
        got = res.get(name)
        want = sk_or_nan(f)
        tag = f"{name} {kind}"
        if got is None or got[0] != "value":
            report(False, tag, f"tool gave {got}")
        else:
            exact[0] += got[1] == want or (math.isnan(got[1]) and math.isnan(want))
            exact[1] += 1
            report(close(got[1], want), tag,
                   f"foldwise {got[1]!r} scikit-learn {want!r} "
                   f"(rel {abs(got[1] - want) / max(abs(want), 1e-300):.3g})")
    for name in errs:
        got = res.get(name)
        report(got is not None and got[0] == "error", f"{name} {kind} refused",
               f"expected an error, tool gave {got}")


# ---- curves ------------------------------------------------------------------

def same_array(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and all(close(x, y) for x, y in zip(a, b))


def check_curves(kind, c):
    y, s, w, pos = c["y"], c["S"][:, c["pos"]], c["w"], c["pos"]
    bins = 7
    names = ["roc_curve", "pr_curve", f"calibration_curve:{bins}"]
    res = run_tool(c, names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fpr, tpr, thr = skm.roc_curve(y, s, pos_label=pos, sample_weight=w)
        prec, rec, pthr = skm.precision_recall_curve(y, s, pos_label=pos, sample_weight=w)
    got = res["roc_curve"]
    ok = got[0] == "curve" and same_array(got[1][:, 0], fpr) and \
        same_array(got[1][:, 1], tpr) and same_array(got[1][:, 2], thr)
    report(ok, f"roc_curve {kind}", f"{len(fpr)} points expected, got {got[1].shape if got[0] == 'curve' else got}")
    got = res["pr_curve"]
    ok = got[0] == "curve" and same_array(got[1][:, 0], rec) and \
        same_array(got[1][:, 1], prec) and same_array(got[1][:-1, 2], pthr) and \
        got[1][-1, 2] == float("inf")
    report(ok, f"pr_curve {kind}", f"{len(rec)} points expected")
    if not c["proba"]:
        return
    prob_true, prob_pred = calibration_curve(y, s, pos_label=pos, n_bins=bins,
                                             strategy="uniform")
    # Bin counts (our thr column) have no scikit-learn output: numpy here.
    edges = np.linspace(0.0, 1.0, bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], s), minlength=bins)
    counts = counts[counts != 0]
    got = res[f"calibration_curve:{bins}"]
    ok = got[0] == "curve" and same_array(got[1][:, 0], prob_pred) and \
        same_array(got[1][:, 1], prob_true) and same_array(got[1][:, 2], counts)
    report(ok, f"calibration_curve {kind}", f"{len(prob_true)} bins expected, got {got[1] if got[0] == 'curve' else got}")


# ---- cases -------------------------------------------------------------------

def main():
    if not os.access(TOOL, os.X_OK):
        report(False, "metrics_parity tool", f"{TOOL} not built (make tests)")
        return
    print(f"# scikit-learn {sklearn.__version__}, numpy {np.__version__}", file=sys.stderr)
    clf = {}
    for wt in (False, True):
        sfx = "_w" if wt else ""
        clf["bin" + sfx] = clf_case(300, 2, wt)
        clf["bin_imb" + sfx] = clf_case(400, 2, wt, imbalance=True)
        clf["bin_tie1" + sfx] = clf_case(250, 2, wt, ties=1)
        clf["bin_tie2_pos0" + sfx] = clf_case(250, 2, wt, ties=2, pos=0)
        clf["bin_dec_tie1" + sfx] = clf_case(200, 2, wt, ties=1, proba=0)
        clf["multi3" + sfx] = clf_case(300, 3, wt)
        clf["multi5" + sfx] = clf_case(500, 5, wt)
        clf["multi5_imb_tie2" + sfx] = clf_case(400, 5, wt, imbalance=True, ties=2)
        clf["multi3_tie1" + sfx] = clf_case(200, 3, wt, ties=1)
        clf["multi3_dec" + sfx] = clf_case(200, 3, wt, proba=0)
    clf["bin_large_w0"] = clf_case(3000, 2, True, ties=2, zeros=True)
    # Above 8192 rows numpy sums in chunks of its buffer size.
    clf["bin_10k_w"] = clf_case(10000, 2, True, ties=2)
    clf["multi5_w0"] = clf_case(600, 5, True, ties=1, zeros=True)
    # Undefined cases: one class in y_true (roc_auc NaN, as scikit-learn's
    # raise recorded as error_score=nan), nothing predicted positive.
    one = clf_case(60, 2, False)
    one["y"] = np.zeros(60, dtype=int)
    clf["bin_one_class"] = one
    none_pred = clf_case(60, 2, True)
    none_pred["yp"] = np.zeros(60, dtype=int)
    clf["bin_no_pred_pos"] = none_pred
    for kind, c in clf.items():
        check_values(kind, c, clf_refs(c))
        if c["K"] == 2:
            check_curves(kind, c)
    reg = {}
    for wt in (False, True):
        sfx = "_w" if wt else ""
        reg["reg" + sfx] = reg_case(301, wt)
        reg["reg_even" + sfx] = reg_case(200, wt)
        reg["reg_zero_y" + sfx] = reg_case(250, wt, zeros_in_y=True)
        reg["reg_ties" + sfx] = reg_case(240, wt, ties=True)
        reg["reg_const_y" + sfx] = reg_case(50, wt, const=True)
    reg["reg_large"] = reg_case(5000, True)
    reg["reg_20k"] = reg_case(20000, False)
    reg["reg_20k_w"] = reg_case(20000, True)
    for kind, c in reg.items():
        check_values(kind, c, reg_refs(c))


main()
print(f"# {exact[0]} of {exact[1]} values equal to the last bit", file=sys.stderr)
sys.exit(1 if failures else 0)

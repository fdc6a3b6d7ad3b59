"""prep_parity.py: foldwise's per-split preprocessing against scikit-learn
and imbalanced-learn on penguins (missing values, string columns).

For each split of explicit folds, fit_tool --design prints the matrices the
executor builds (preprocessing fitted on the training rows only); the same
split goes through scikit-learn's SimpleImputer + StandardScaler /
MinMaxScaler / RobustScaler on the numeric columns and SimpleImputer
(most_frequent) + OneHotEncoder(handle_unknown='ignore') / OrdinalEncoder on
the string columns. Every value must agree within 1e-12 (relative to
max(1, |value|): the only difference allowed is the order of a floating
point sum).

Resampling: counts per class as imbalanced-learn's samplers, original rows
first and unchanged, test rows untouched; every SMOTE row on a segment
between a training row and one of its k nearest same-class rows; the
class-conditional means of SMOTE rows close to imbalanced-learn's (see
check_smote_means for the tolerance).

Prints one PASS/FAIL line per case."""
import os
import subprocess
import sys
import tempfile

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
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (MinMaxScaler, OneHotEncoder, OrdinalEncoder,
                                       RobustScaler, StandardScaler)
    from imblearn.over_sampling import SMOTE
except Exception as exc:  # a parity script never skips
    report("prep_parity_imports", False, "cannot import the peers: %s" % exc)
    sys.exit(1)

TARGET = "species"
CAT = ["island", "sex"]
K_FOLDS = 4


def load():
    df = pd.read_csv("tests/data/penguins.csv", na_values=["NA"], keep_default_na=False)
    rng = np.random.RandomState(0)
    df["fold"] = rng.permutation(len(df)) % K_FOLDS
    return df


def run_design(csv, prep, seed=0):
    cmd = [FIT_TOOL, "--data", csv, "--target", TARGET, "--fold", "fold", "--design",
           "--categorical", ",".join(CAT), "--prep", prep, "--seed", str(seed)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("fit_tool %s failed: %s" % (prep, out.stderr.strip()))
    splits = {}
    for line in out.stdout.splitlines():
        tok = line.split()
        if tok[0] == "split":
            continue
        f = int(tok[1])
        s = splits.setdefault(f, {"names": None, "fit": [], "test": [], "train": []})
        if tok[0] == "names":
            s["names"] = tok[2:]
        elif tok[0] == "fit":
            s["fit"].append((int(tok[3]), float(tok[4]), [float(v) for v in tok[5:]]))
        elif tok[0] == "test":
            s["test"].append((int(tok[2]), [float(v) for v in tok[3:]]))
        elif tok[0] == "train":
            s["train"].append((int(tok[2]), float(tok[3]), [float(v) for v in tok[4:]]))
    return splits


SCALERS = {"none": None, "standard": StandardScaler, "minmax": MinMaxScaler,
           "robust": RobustScaler}


def sk_transformer(impute, scale, encode, num):
    steps = []
    if impute != "none":
        steps.append(SimpleImputer(strategy=impute))
    if SCALERS[scale]:
        steps.append(SCALERS[scale]())
    if not steps:
        steps.append("passthrough")
    # impute none: foldwise leaves a missing level as a row of zeros; the
    # encoder's own NaN category column is not compared.
    cat = [] if impute == "none" else [SimpleImputer(strategy="most_frequent")]
    if encode == "onehot":
        cat.append(OneHotEncoder(handle_unknown="ignore", sparse_output=False))
    else:
        cat.append(OrdinalEncoder())
    return ColumnTransformer([("num", make_pipeline(*steps), num),
                              ("cat", make_pipeline(*cat), CAT)])


def sk_names(ct, num):
    names = list(num)
    last = ct.named_transformers_["cat"][-1]
    if isinstance(last, OneHotEncoder):
        for col, levels in zip(CAT, last.categories_):
            names += ["%s=%s" % (col, lv if lv == lv else "NaN") for lv in levels]
    else:
        names += CAT
    return names


def close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    nan_same = np.array_equal(np.isnan(a), np.isnan(b))
    a0, b0 = np.nan_to_num(a), np.nan_to_num(b)
    err = np.abs(a0 - b0) / np.maximum(1.0, np.abs(b0))
    return nan_same and err.max(initial=0) <= 1e-12, err.max(initial=0)


def check_transform(df, csv, impute, scale, encode):
    name = "transform_%s_%s_%s" % (impute, scale, encode)
    splits = run_design(csv, "impute=%s,scale=%s,encode=%s" % (impute, scale, encode))
    feats = [c for c in df.columns if c not in (TARGET, "fold")]
    num = [c for c in feats if c not in CAT]
    worst = 0.0
    for f, s in sorted(splits.items()):
        tr, te = df[df.fold != f], df[df.fold == f]
        ct = sk_transformer(impute, scale, encode, num).fit(tr[feats])
        cols = [sk_names(ct, num).index(n) for n in s["names"]]
        if len(set(cols)) != len(cols) or (impute != "none" and len(cols) != len(sk_names(ct, num))):
            return report(name, False, "split %d: columns %s" % (f, s["names"]))
        for rows, part in ((tr, [r[2] for r in s["fit"]]), (te, [r[1] for r in s["test"]])):
            ref = ct.transform(rows[feats])[:, cols]
            ok, err = close(part, ref)
            worst = max(worst, err)
            if not ok:
                return report(name, False, "split %d: max relative error %.3g" % (f, err))
        if [r[0] for r in s["fit"]] != list(tr.index) or [r[0] for r in s["test"]] != list(te.index):
            return report(name, False, "split %d: rows out of order" % f)
    print("    %s: largest relative difference %.3g" % (name, worst))
    report(name, True)


def class_counts(y):
    return {c: int(np.sum(np.asarray(y) == c)) for c in np.unique(y)}


def check_common(name, s, plain):
    """Test rows untouched; returns (train X, train y) or None after a FAIL."""
    if [t[0] for t in s["test"]] != [t[0] for t in plain["test"]] or not all(
            np.array_equal(a[1], b[1]) for a, b in zip(s["test"], plain["test"])):
        report(name, False, "test rows changed by resampling")
        return None
    return (np.array([t[2] for t in s["train"]]), np.array([t[1] for t in s["train"]]))


RESAMPLE_BASE = "impute=median,scale=standard,encode=onehot"


def resampled_splits(name, csv, resample, seed):
    """Per split: (split, X and y before resampling, X and y after); None
    (after a FAIL line) when resampling changed the test rows."""
    plain = run_design(csv, RESAMPLE_BASE)
    for f, s in sorted(run_design(csv, RESAMPLE_BASE + ",resample=" + resample, seed).items()):
        got = check_common(name, s, plain[f])
        if got is None:
            yield None
            return
        yield (f,) + got + (np.array([r[2] for r in s["fit"]]),
                            np.array([r[1] for r in s["fit"]]))


def check_over_under(csv, kind):
    name = "resample_%s" % kind
    for item in resampled_splits(name, csv, kind, seed=3):
        if item is None:
            return
        f, Xtr, ytr, X, y = item
        counts = class_counts(ytr)
        target = max(counts.values()) if kind == "oversample" else min(counts.values())
        if any(v != target for v in class_counts(y).values()):
            return report(name, False, "split %d: class counts %s" % (f, class_counts(y)))
        if kind == "oversample":
            n = len(ytr)
            if not (np.array_equal(X[:n], Xtr) and np.array_equal(y[:n], ytr)):
                return report(name, False, "split %d: original rows not first" % f)
            for xi, yi in zip(X[n:], y[n:]):
                if not np.any(np.all(Xtr[ytr == yi] == xi, axis=1)):
                    return report(name, False, "split %d: added row is no training row" % f)
        else:
            j = 0  # kept rows must be a subsequence of the training rows
            for xi, yi in zip(X, y):
                while j < len(ytr) and not (ytr[j] == yi and np.array_equal(Xtr[j], xi)):
                    j += 1
                if j == len(ytr):
                    return report(name, False, "split %d: kept rows not in order" % f)
                j += 1
    report(name, True)


def knn_sets(Xc, k):
    """The k nearest other rows of each row (a little slack for ties)."""
    d = np.sqrt(((Xc[:, None, :] - Xc[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    kth = np.sort(d, axis=1)[:, k - 1]
    return [set(np.flatnonzero(d[i] <= kth[i] * (1 + 1e-9) + 1e-12)) for i in range(len(Xc))]


def on_segment(x, Xc, nbrs):
    for i, nb in enumerate(nbrs):
        a = Xc[i]
        for j in nb:
            dv = Xc[j] - a
            m = np.argmax(np.abs(dv))
            if dv[m] == 0:
                if np.allclose(x, a, atol=1e-12):
                    return True
                continue
            t = (x[m] - a[m]) / dv[m]
            if -1e-12 <= t <= 1 + 1e-12 and np.allclose(a + t * dv, x, rtol=0, atol=1e-9):
                return True
    return False


def check_smote(csv, k=5):
    name = "resample_smote_geometry"
    for item in resampled_splits(name, csv, "smote,smote_k=%d" % k, seed=5):
        if item is None:
            return
        f, Xtr, ytr, X, y = item
        n = len(ytr)
        if not (np.array_equal(X[:n], Xtr) and np.array_equal(y[:n], ytr)):
            return report(name, False, "split %d: original rows not first" % f)
        counts, major = class_counts(ytr), max(class_counts(ytr).values())
        new = class_counts(y[n:])
        want = {c: major - v for c, v in counts.items() if major > v}
        if new != want:
            return report(name, False, "split %d: synthetic per class %s, want %s" % (f, new, want))
        for c in want:
            Xc = Xtr[ytr == c]
            nbrs = knn_sets(Xc, k)
            for x in X[n:][y[n:] == c]:
                if not on_segment(x, Xc, nbrs):
                    return report(name, False, "split %d: a class %g row is off every "
                                  "neighbour segment" % (f, c))
    report(name, True)


def check_smote_means(csv, k=5, seeds=12):
    """Class-conditional means of the synthetic rows, foldwise vs
    imbalanced-learn, pooled over `seeds` runs each. Both are means of
    independent draws from the same distribution (a uniform base row, a
    uniform one of its k neighbours, a uniform gap), so their difference has
    standard error sqrt(se_fw^2 + se_imb^2) per feature, estimated from the
    spread of the synthetic rows; the tolerance is 5 of those (a false alarm
    per comparison below 1e-6; ~100 comparisons)."""
    name = "resample_smote_means"
    fw = {}
    for seed in range(seeds):
        for f, s in run_design(csv, RESAMPLE_BASE + ",resample=smote,smote_k=%d" % k,
                               seed=seed).items():
            n = len(s["train"])
            for _, yi, xi in s["fit"][n:]:
                fw.setdefault((f, yi), []).append(xi)
    worst = 0.0
    for f, s in sorted(run_design(csv, RESAMPLE_BASE).items()):
        X = np.array([r[2] for r in s["fit"]])
        y = np.array([r[1] for r in s["fit"]])
        imb = {}
        for seed in range(seeds):
            Xr, yr = SMOTE(k_neighbors=k, random_state=seed).fit_resample(X, y)
            for c in np.unique(yr[len(y):]):
                imb.setdefault(c, []).append(Xr[len(y):][yr[len(y):] == c])
        for c, parts in imb.items():
            a, b = np.array(fw[(f, c)]), np.concatenate(parts)
            se = np.sqrt(a.var(0) / len(a) + b.var(0) / len(b))
            z = np.abs(a.mean(0) - b.mean(0)) / np.maximum(se, 1e-12)
            worst = max(worst, z.max())
            if len(a) != len(b) or np.any(z > 5):
                return report(name, False, "split %d class %g: %d vs %d rows, max |z| %.2f"
                              % (f, c, len(a), len(b), z.max()))
    print("    smote means: largest difference %.2f standard errors" % worst)
    report(name, True)


def check_regression_refused():
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "reg.csv")
        with open(csv, "w") as fh:
            fh.write("x,y\n" + "".join("%d,%g\n" % (i, i * 0.5 + 0.25) for i in range(30)))
        out = subprocess.run([FIT_TOOL, "--data", csv, "--target", "y", "--task", "regression",
                              "--design", "--prep", "resample=oversample"],
                             capture_output=True, text=True)
        report("resample_regression_refused",
               out.returncode != 0 and "regression" in out.stderr, out.stderr.strip())


def main():
    df = load()
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "penguins_folds.csv")
        df.to_csv(csv, index=False, na_rep="NA")
        for impute in ("mean", "median", "most_frequent"):
            for scale in ("none", "standard", "minmax", "robust"):
                check_transform(df, csv, impute, scale, "onehot")
        check_transform(df, csv, "none", "standard", "onehot")
        check_transform(df, csv, "none", "robust", "onehot")
        check_transform(df, csv, "median", "standard", "ordinal")
        check_transform(df, csv, "mean", "robust", "ordinal")
        check_over_under(csv, "oversample")
        check_over_under(csv, "undersample")
        check_smote(csv)
        check_smote_means(csv)
        check_regression_refused()
    return 1 if FAILED else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:
        report("prep_parity", False, "%s: %s" % (type(exc).__name__, exc))
        sys.exit(1)

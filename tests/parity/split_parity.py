#!/usr/bin/env python3
"""split_parity.py: foldwise's splitters against scikit-learn 1.2, live.

Unshuffled splitters must give scikit-learn's folds exactly: KFold,
StratifiedKFold, GroupKFold (distinct group sizes; equal sizes with at most
16 groups, see docs/splitters.md), StratifiedGroupKFold, TimeSeriesSplit
(gap, max_train_size, a time column), LeaveOneGroupOut, PredefinedSplit and
train_test_split(shuffle=False). Each also runs on an explicit permutation
of a subset of the rows (foldwise gets it as the rows to split, scikit-learn
gets the permuted data): that is nested CV's path, and it stands in for
shuffling, whose random streams differ. Shuffled splitters are checked for
their properties: sizes (and per-class counts) equal to scikit-learn's,
partitions, groups kept whole, determinism for one seed and change across
seeds. Errors: where scikit-learn refuses, foldwise must refuse too.

Run from the repository root with /usr/bin/python3; finds split_tool in
$FW_TOOLS (default build/tests/tools). One PASS/FAIL line per case.
"""
import csv
import os
import subprocess
import sys
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn import model_selection as ms
except Exception as ex:  # never skip: a missing peer is a failure
    print("FAIL import_sklearn: %s" % ex)
    sys.exit(1)

warnings.filterwarnings("ignore", category=UserWarning)  # small classes: we check ours
TOOL = os.path.join(os.environ.get("FW_TOOLS", "build/tests/tools"), "split_tool")
failed = 0


def report(name, ok, detail=""):
    global failed
    if ok:
        print("PASS %s" % name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))
    sys.stdout.flush()


# ---- data -------------------------------------------------------------------

def read_csv(name):
    with open(os.path.join("tests", "data", name), newline="") as f:
        return list(csv.DictReader(f))


def codes(values):
    """Codes in sorted-label order, as foldwise's data layer numbers levels."""
    return np.unique(np.asarray(values), return_inverse=True)[1]


def load_data():
    iris = read_csv("iris.csv")
    wine = read_csv("wine.csv")
    grun = read_csv("grunfeld.csv")
    rs = np.random.RandomState(7)
    d = {
        "iris_y": codes([r["species"] for r in iris]),
        "wine_y": codes([r["cultivar"] for r in wine]),
        "grun_firm": codes([r["firm"] for r in grun]),
        "grun_year": np.array([float(r["year"]) for r in grun]),
    }
    # Synthetic: 60 rows of imbalanced classes whose first appearance order
    # differs from code order, and a fold column with gaps and -1; 55 rows
    # in 10 groups of distinct sizes 1..10.
    y = rs.choice(4, size=60, p=[0.5, 0.3, 0.15, 0.05])
    y[0] = 3
    d["syn_y"] = y
    sizes = list(range(1, 11))
    g = np.concatenate([np.full(s, i) for i, s in enumerate(sizes)])  # 55 rows
    d["syn55_group"] = rs.permutation(g)
    d["syn55_y"] = rs.choice(3, size=55, p=[0.6, 0.3, 0.1])
    d["syn_fold"] = rs.choice([-1, 0, 2, 5], size=60, p=[0.2, 0.3, 0.3, 0.2])
    # Groups of uneven sizes for the stratified group splitters on real labels.
    d["iris_group"] = rs.randint(0, 30, size=150)
    d["wine_group"] = rs.randint(0, 25, size=178)
    return d


# ---- running both sides -----------------------------------------------------

def tool_input(cols, rows=None):
    names = list(cols)
    n = len(cols[names[0]])
    lines = [" ".join(names)]
    for i in range(n):
        lines.append(" ".join(repr(float(cols[c][i])) if c == "time" else str(int(cols[c][i]))
                              for c in names))
    if rows is not None:
        lines.append("rows: " + " ".join(str(int(r)) for r in rows))
    return "\n".join(lines) + "\n"


def run_tool(kind, cols, rows=None, **opts):
    """(status, folds as [(train list, test list)], stderr)."""
    args = [TOOL, kind] + ["%s=%s" % kv for kv in opts.items()]
    p = subprocess.run(args, input=tool_input(cols, rows), capture_output=True, text=True)
    lines = p.stdout.split("\n")
    folds = []
    for a, b in zip(lines[0::2], lines[1::2]):
        if not a.startswith("train:") or not b.startswith("test:"):
            break
        folds.append(([int(x) for x in a.split()[1:]], [int(x) for x in b.split()[1:]]))
    return p.returncode, folds, p.stderr


def sk_folds(splitter, n, y=None, groups=None, rows=None, time=None):
    """scikit-learn's folds on rows (in that order), as sorted dataset rows."""
    rows = np.arange(n) if rows is None else np.asarray(rows)
    seq = np.arange(len(rows))
    if time is not None:
        seq = np.argsort(np.asarray(time)[rows], kind="stable")
    sub = rows[seq]
    X = np.zeros((len(sub), 1))
    yy = None if y is None else np.asarray(y)[sub]
    gg = None if groups is None else np.asarray(groups)[sub]
    return [(sorted(sub[tr].tolist()), sorted(sub[te].tolist()))
            for tr, te in splitter.split(X, yy, gg)]


def first_diff(a, b):
    if len(a) != len(b):
        return "%d folds, scikit-learn %d" % (len(a), len(b))
    for i, (x, y) in enumerate(zip(a, b)):
        if x[1] != y[1]:
            return "fold %d test: only foldwise %s, only scikit-learn %s" % (
                i, sorted(set(x[1]) - set(y[1]))[:8], sorted(set(y[1]) - set(x[1]))[:8])
        if x[0] != y[0]:
            return "fold %d train: only foldwise %s, only scikit-learn %s" % (
                i, sorted(set(x[0]) - set(y[0]))[:8], sorted(set(y[0]) - set(x[0]))[:8])
    return ""


def same(name, kind, cols, sk_splitter, rows=None, time=None, **opts):
    rc, fw, err = run_tool(kind, cols, rows, **opts)
    if rc != 0:
        report(name, False, "split_tool exit %d: %s" % (rc, err.strip()))
        return
    n = len(next(iter(cols.values())))
    sk = sk_folds(sk_splitter, n, cols.get("y"), cols.get("group"), rows, time)
    report(name, fw == sk, first_diff(fw, sk))


# ---- properties -------------------------------------------------------------

def partition_ok(folds, rows, k):
    """Every row tested exactly once per repeat; train = the rest."""
    rows = sorted(rows)
    for r in range(len(folds) // k):
        tested = sorted(sum((f[1] for f in folds[r * k:(r + 1) * k]), []))
        if tested != rows:
            return "repeat %d does not test every row exactly once" % r
    for i, (tr, te) in enumerate(folds):
        if sorted(tr + te) != rows or set(tr) & set(te):
            return "fold %d: train and test do not partition the rows" % i
    return ""


def disjoint_ok(folds, n_train, n_test, rows):
    for i, (tr, te) in enumerate(folds):
        if set(tr) & set(te):
            return "fold %d: train and test overlap" % i
        if len(tr) != n_train or len(te) != n_test:
            return "fold %d: %d/%d rows, scikit-learn %d/%d" % (i, len(tr), len(te),
                                                                n_train, n_test)
        if not set(tr + te) <= set(rows):
            return "fold %d: rows outside the input" % i
    return ""


def class_counts(folds, y, side):
    k = int(np.max(y)) + 1
    return [np.bincount(np.asarray(y)[f[side]], minlength=k).tolist() for f in folds]


def groups_whole(folds, groups):
    g = np.asarray(groups)
    for i, (tr, te) in enumerate(folds):
        if set(g[tr]) & set(g[te]):
            return "fold %d: a group is on both sides" % i
    return ""


def determinism(name, kind, cols, rows=None, **opts):
    a = run_tool(kind, cols, rows, seed=11, **opts)
    b = run_tool(kind, cols, rows, seed=11, **opts)
    c = run_tool(kind, cols, rows, seed=12, **opts)
    ok = a[0] == 0 and a[1] == b[1] and a[1] != c[1]
    report(name, ok, "same seed differs, or a different seed gives the same folds")
    return a[1]


# ---- cases ------------------------------------------------------------------

def unshuffled_cases(d):
    n_iris = len(d["iris_y"])
    rs = np.random.RandomState(3)
    perm_iris = rs.permutation(n_iris)[:120]          # a nested subset, permuted
    perm55 = rs.permutation(55)[:48]
    perm_grun = rs.permutation(220)[:180]
    iris = {"y": d["iris_y"]}
    same("kfold_iris_k5", "kfold", iris, ms.KFold(5), k=5)
    same("kfold_uneven_k4", "kfold", {"y": d["syn_y"][:23]}, ms.KFold(4), k=4)
    same("kfold_default_k", "kfold", iris, ms.KFold(5))
    same("kfold_iris_rows_subset", "kfold", iris, ms.KFold(7), rows=perm_iris, k=7)
    same("stratified_kfold_iris_k5", "stratified_kfold", iris, ms.StratifiedKFold(5), k=5)
    same("stratified_kfold_wine_k4", "stratified_kfold", {"y": d["wine_y"]},
         ms.StratifiedKFold(4), k=4)
    same("stratified_kfold_imbalanced_k4", "stratified_kfold", {"y": d["syn_y"]},
         ms.StratifiedKFold(4), k=4)
    same("stratified_kfold_iris_rows_subset", "stratified_kfold", iris,
         ms.StratifiedKFold(3), rows=perm_iris, k=3)
    same("stratified_kfold_wine_rows_subset", "stratified_kfold", {"y": d["wine_y"]},
         ms.StratifiedKFold(6), rows=np.random.RandomState(5).permutation(178)[:100], k=6)
    g55 = {"y": d["syn55_y"], "group": d["syn55_group"]}
    same("group_kfold_distinct_sizes_k3", "group_kfold", g55, ms.GroupKFold(3), k=3)
    same("group_kfold_distinct_sizes_k4", "group_kfold", g55, ms.GroupKFold(4), k=4)
    same("group_kfold_distinct_sizes_rows_subset", "group_kfold", g55, ms.GroupKFold(3),
         rows=perm55, k=3)
    grun = {"group": d["grun_firm"], "time": d["grun_year"]}
    same("group_kfold_equal_sizes_grunfeld_11_groups", "group_kfold", grun,
         ms.GroupKFold(4), k=4)
    same("stratified_group_kfold_iris", "stratified_group_kfold",
         {"y": d["iris_y"], "group": d["iris_group"]}, ms.StratifiedGroupKFold(5), k=5)
    same("stratified_group_kfold_wine", "stratified_group_kfold",
         {"y": d["wine_y"], "group": d["wine_group"]}, ms.StratifiedGroupKFold(4), k=4)
    same("stratified_group_kfold_synthetic", "stratified_group_kfold", g55,
         ms.StratifiedGroupKFold(3), k=3)
    same("stratified_group_kfold_iris_rows_subset", "stratified_group_kfold",
         {"y": d["iris_y"], "group": d["iris_group"]}, ms.StratifiedGroupKFold(4),
         rows=perm_iris, k=4)
    year = d["grun_year"]
    same("time_series_grunfeld_year", "time_series", grun, ms.TimeSeriesSplit(5),
         time=year, k=5)
    same("time_series_grunfeld_gap_max_train", "time_series", grun,
         ms.TimeSeriesSplit(4, gap=7, max_train_size=50), time=year, k=4, gap=7, max_train=50)
    same("time_series_row_order_test_size", "time_series", iris,
         ms.TimeSeriesSplit(6, test_size=9, gap=2), k=6, test_size=9, gap=2)
    same("time_series_grunfeld_rows_subset", "time_series", grun,
         ms.TimeSeriesSplit(3, gap=1, max_train_size=60), rows=perm_grun, time=year,
         k=3, gap=1, max_train=60)
    same("leave_one_group_out_grunfeld", "leave_one_group_out", grun, ms.LeaveOneGroupOut())
    same("leave_one_group_out_rows_subset", "leave_one_group_out", g55,
         ms.LeaveOneGroupOut(), rows=perm55)
    fold = {"fold": d["syn_fold"]}
    same("predefined_synthetic", "predefined", fold, ms.PredefinedSplit(d["syn_fold"]))
    perm60 = np.random.RandomState(9).permutation(60)[:45]
    same("predefined_rows_subset", "predefined", fold,
         ms.PredefinedSplit(d["syn_fold"][perm60]), rows=perm60)
    for ts in (0.25, 0.3, 17):
        same("holdout_unshuffled_test_size_%s" % ts, "holdout", iris,
             TrainTestSplit(ts), shuffle=0, test_size=ts)
    same("holdout_unshuffled_rows_subset", "holdout", iris, TrainTestSplit(0.25),
         rows=perm_iris, shuffle=0)


def random_cases(n_cases=40):
    """Random small inputs for the greedy splitters, where near-ties in
    floating point or group sizes would show: each kind must match on all."""
    kinds = (("stratified_kfold", ms.StratifiedKFold), ("group_kfold", ms.GroupKFold),
             ("stratified_group_kfold", ms.StratifiedGroupKFold))
    bad = {k: [] for k, _ in kinds}
    for seed in range(n_cases):
        rs = np.random.RandomState(1000 + seed)
        n, c, k = rs.randint(10, 200), rs.randint(1, 10), rs.randint(2, 6)
        y = codes(rs.randint(0, c, size=n))
        g = codes(rs.randint(0, rs.randint(k, 17), size=n))  # <= 16 groups: see ties
        if k > len(set(g)) or k > np.bincount(y).max():
            continue
        for kind, cls in kinds:
            rc, fw, err = run_tool(kind, {"y": y, "group": g}, k=k)
            sk = sk_folds(cls(k), n, y, g)
            if fw != sk:
                bad[kind].append("seed %d: %s" % (1000 + seed, first_diff(fw, sk) or err))
    for kind, _ in kinds:
        report(kind + "_random_inputs", not bad[kind], "; ".join(bad[kind][:3]))


class TrainTestSplit:
    """train_test_split(shuffle=False) as a one-split splitter."""

    def __init__(self, test_size):
        self.test_size = test_size

    def split(self, X, y=None, groups=None):
        idx = np.arange(len(X))
        tr, te = ms.train_test_split(idx, test_size=self.test_size, shuffle=False)
        yield tr, te


def shuffled_cases(d):
    iris = {"y": d["iris_y"]}
    n = 150
    rows = list(range(n))
    fw = determinism("kfold_shuffled_determinism", "kfold", iris, k=5, shuffle=1)
    sk = sk_folds(ms.KFold(5, shuffle=True, random_state=0), n)
    err = partition_ok(fw, rows, 5) or (
        "" if [len(f[1]) for f in fw] == [len(f[1]) for f in sk] else "fold sizes differ")
    report("kfold_shuffled_properties", not err, err)

    fw = determinism("kfold_repeated_determinism", "kfold", iris, k=5, repeats=3)
    sk = sk_folds(ms.RepeatedKFold(n_splits=5, n_repeats=3, random_state=0), n)
    err = partition_ok(fw, rows, 5) or (
        "" if [len(f[1]) for f in fw] == [len(f[1]) for f in sk] else "fold sizes differ")
    once = run_tool("kfold", iris, seed=11, k=5, shuffle=1)[1]
    err = err or ("" if fw[:5] == once else "repeat 0 differs from the unrepeated run")
    err = err or ("" if fw[:5] != fw[5:10] else "repeats 0 and 1 are the same")
    report("kfold_repeated_properties", not err, err)

    for name, y, k in (("iris", d["iris_y"], 5), ("imbalanced", d["syn_y"], 4)):
        cols = {"y": y}
        fw = determinism("stratified_kfold_shuffled_determinism_" + name,
                         "stratified_kfold", cols, k=k, repeats=2)
        sk = sk_folds(ms.RepeatedStratifiedKFold(n_splits=k, n_repeats=2, random_state=0),
                      len(y), y)
        err = partition_ok(fw, list(range(len(y))), k)
        if not err and class_counts(fw, y, 1) != class_counts(sk, y, 1):
            err = "per-fold class counts differ from scikit-learn's"
        report("stratified_kfold_shuffled_counts_" + name, not err, err)

    g55 = {"y": d["syn55_y"], "group": d["syn55_group"]}
    fw = determinism("group_kfold_shuffled_determinism", "group_kfold", g55, k=3, shuffle=1)
    err = partition_ok(fw, list(range(55)), 3) or groups_whole(fw, d["syn55_group"])
    ngroups = sorted(len(set(d["syn55_group"][f[1]])) for f in fw)
    err = err or ("" if ngroups == [3, 3, 4] else "groups per fold %s, want 3/3/4" % ngroups)
    report("group_kfold_shuffled_properties", not err, err)

    cols = {"y": d["iris_y"], "group": d["iris_group"]}
    fw = determinism("stratified_group_kfold_shuffled_determinism", "stratified_group_kfold",
                     cols, k=4, repeats=2)
    err = partition_ok(fw, rows, 4) or groups_whole(fw, d["iris_group"])
    report("stratified_group_kfold_shuffled_properties", not err, err)

    for ts in (0.2, 0.1, 33):
        fw = determinism("shuffle_split_determinism_%s" % ts, "shuffle_split", iris, k=4,
                         test_size=ts)
        sk = sk_folds(ms.ShuffleSplit(4, test_size=ts, random_state=0), n)
        err = disjoint_ok(fw, len(sk[0][0]), len(sk[0][1]), rows)
        err = err or ("" if len(fw) == len(sk) else "%d splits, want %d" % (len(fw), len(sk)))
        err = err or ("" if sorted(fw[0][0] + fw[0][1]) == rows else "rows missing")
        report("shuffle_split_sizes_%s" % ts, not err, err)
    more = run_tool("shuffle_split", iris, seed=11, k=6, test_size=0.2)[1]
    fewer = run_tool("shuffle_split", iris, seed=11, k=4, test_size=0.2)[1]
    report("shuffle_split_prefix_stable", more[:4] == fewer,
           "the first 4 of 6 splits differ from the 4 splits")

    for name, y, ts in (("iris", d["iris_y"], 0.2), ("imbalanced", d["syn_y"], 0.25),
                        ("wine", d["wine_y"], 31)):
        cols = {"y": y}
        fw = determinism("stratified_shuffle_split_determinism_" + name,
                         "stratified_shuffle_split", cols, k=5, test_size=ts)
        sk = sk_folds(ms.StratifiedShuffleSplit(5, test_size=ts, random_state=0), len(y), y)
        err = disjoint_ok(fw, len(sk[0][0]), len(sk[0][1]), list(range(len(y))))
        if not err:
            for i in range(len(fw)):
                a, b = class_counts(fw, y, 0)[i], class_counts(sk, y, 0)[i]
                if sum(abs(p - q) for p, q in zip(a, b)) > 2 or max(
                        abs(p - q) for p, q in zip(a, b)) > 1:
                    err = "split %d train class counts %s, scikit-learn %s" % (i, a, b)
        report("stratified_shuffle_split_counts_" + name, not err, err)

    fw = determinism("holdout_shuffled_determinism", "holdout", iris)
    tr, te = ms.train_test_split(np.arange(n), random_state=0)
    err = disjoint_ok(fw, len(tr), len(te), rows)
    report("holdout_shuffled_sizes", not err and len(fw) == 1, err or "not one split")


def error_cases(d):
    iris = {"y": d["iris_y"]}

    def refuses(name, kind, cols, needle, sk_call=None, **opts):
        rc, _, err = run_tool(kind, cols, **opts)
        ok = rc == 2 and needle in err
        detail = "exit %d, stderr %r (want %r)" % (rc, err.strip(), needle)
        if ok and sk_call is not None:
            try:
                sk_call()
                ok, detail = False, "scikit-learn accepts what foldwise refuses"
            except ValueError:
                pass
        report(name, ok, detail)

    X = np.zeros((150, 1))
    refuses("error_group_kfold_needs_groups", "group_kfold", iris,
            "cv.outer.kind: group_kfold needs data.groups")
    refuses("error_inner_key_named", "group_kfold", iris,
            "cv.inner.kind: group_kfold needs data.groups", key="cv.inner")
    refuses("error_stratified_on_regression", "stratified_kfold", iris,
            "needs a classification target", task="regression")
    refuses("error_k_above_rows", "kfold", {"y": d["iris_y"][:6]}, "cv.outer.k: 7",
            lambda: list(ms.KFold(7).split(X[:6])), k=7)
    refuses("error_k_below_2", "kfold", iris, "cv.outer.k: 1", lambda: ms.KFold(1), k=1)
    refuses("error_k_above_groups", "group_kfold", {"group": d["syn55_group"]},
            "groups in data.groups",
            lambda: list(ms.GroupKFold(11).split(X[:55], None, d["syn55_group"])), k=11)
    refuses("error_stratified_k_above_every_class", "stratified_kfold", iris,
            "largest class has 50",
            lambda: list(ms.StratifiedKFold(51).split(X, d["iris_y"])), k=51)
    refuses("error_test_size_out_of_range", "shuffle_split", iris, "cv.outer.test_size",
            lambda: list(ms.ShuffleSplit(test_size=1.5).split(X)), test_size=1.5)
    refuses("error_time_series_too_many_splits", "time_series", iris, "cv.outer.k",
            lambda: list(ms.TimeSeriesSplit(10, test_size=14, gap=20).split(X)), k=10,
            test_size=14, gap=20)
    refuses("error_predefined_needs_fold", "predefined", iris, "needs data.fold")
    refuses("error_logo_one_group", "leave_one_group_out", {"group": [0] * 10},
            "at least 2 groups",
            lambda: list(ms.LeaveOneGroupOut().split(X[:10], None, [0] * 10)))
    refuses("error_unknown_kind_suggests", "kfolds", iris, "did you mean 'kfold'")
    refuses("error_repeats_without_shuffle", "kfold", iris, "cv.outer.shuffle", repeats=2,
            shuffle=0)
    refuses("error_gap_on_kfold", "kfold", iris, "cv.outer.gap", gap=2)
    # A warning, not an error, as scikit-learn: a class smaller than k.
    rc, fw, err = run_tool("stratified_kfold", {"y": d["syn_y"]}, k=5)
    cnt = np.bincount(d["syn_y"]).min()
    report("warning_small_class", rc == 0 and "least populated class has only %d" % cnt in err,
           "exit %d, stderr %r" % (rc, err.strip()))


def main():
    if not os.access(TOOL, os.X_OK):
        print("FAIL split_tool: %s is not built" % TOOL)
        return 1
    if not sklearn.__version__.startswith("1.2"):
        print("FAIL sklearn_version: %s, want 1.2" % sklearn.__version__)
        return 1
    d = load_data()
    unshuffled_cases(d)
    random_cases()
    shuffled_cases(d)
    error_cases(d)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

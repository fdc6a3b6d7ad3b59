#!/usr/bin/python3
"""prepare.py DIR: the benchmark data sets as CSV files, each with a `fold`
column holding exactly the folds the peer scripts use (the same
scikit-learn splitter, shuffle and random_state), so foldwise
(`cv.outer.kind: predefined`) and the peer score the same splits.
Files already present are kept."""
import os
import sys

import numpy as np
from sklearn import datasets
from sklearn.model_selection import KFold, StratifiedKFold

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/fwbench"
os.makedirs(out, exist_ok=True)


def write(name, X, y, cv, ycol="y"):
    path = os.path.join(out, name + ".csv")
    if os.path.exists(path):
        return
    fold = np.zeros(len(y), dtype=int)
    for k, (_, te) in enumerate(cv.split(X, y)):
        fold[te] = k
    cols = ["x%d" % j for j in range(X.shape[1])]
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(cols + [ycol, "fold"]) + "\n")
        for i in range(len(y)):
            f.write(",".join(repr(float(v)) for v in X[i]) + ",%r,%d\n" % (y[i].item(), fold[i]))
    os.rename(tmp, path)


X, y = datasets.load_breast_cancer(return_X_y=True)
write("bc", X, y, StratifiedKFold(5, shuffle=True, random_state=0))
X, y = datasets.load_digits(return_X_y=True)
write("digits", X, y, StratifiedKFold(5, shuffle=True, random_state=0))
X, y = datasets.load_diabetes(return_X_y=True)
write("diabetes", X, y, KFold(5, shuffle=True, random_state=0))
X, y = datasets.make_classification(n_samples=20000, n_features=40, n_informative=10, random_state=0)
write("synth20k", X, y, StratifiedKFold(3, shuffle=True, random_state=0))
X, y = datasets.make_classification(n_samples=200000, n_features=100, n_informative=20, random_state=0)
write("synth200k", X, y, StratifiedKFold(5, shuffle=True, random_state=0))

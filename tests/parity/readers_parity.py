"""readers_parity.py: foldwise's readers against pandas, scikit-learn, SciPy
and h5py on the same files.

Values must agree bit for bit (both sides round decimals correctly: pandas
with float_precision="round_trip"); categorical columns must hold the codes
of the sorted distinct values (numerically sorted when all are numbers);
missing cells must be NaN on both sides. Runs load_tool --dump (FW_TOOLS,
default build/tests/tools) from the repository root. One PASS/FAIL line per
file."""
import io
import math
import os
import subprocess
import sys
import tempfile

TOOLS = os.environ.get("FW_TOOLS", "build/tests/tools")
LOAD = os.path.join(TOOLS, "load_tool")

try:
    import h5py
    import numpy as np
    import pandas as pd
    from scipy.io import arff as sparff
    from sklearn.datasets import load_svmlight_file
except Exception as exc:  # a parity script never skips
    print("FAIL readers_parity: cannot import the peers: %s" % exc)
    sys.exit(1)


def dump(path, *args):
    r = subprocess.run([LOAD, "--dump", *args, path], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    cols, y = {}, None
    for line in r.stdout.splitlines()[1:]:
        parts = line.split(" ")
        if parts[0] == "col":
            cols[parts[1]] = np.array([float(v) for v in parts[2:]])
        elif parts[0] == "y":
            y = np.array([float(v) for v in parts[1:]])
    return cols, y


def codes(values):
    """foldwise's level codes for a column of strings (NaN for missing)."""
    present = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
    levels = sorted(set(present))
    try:
        nums = [float(v) for v in levels]
        levels = [v for _, v in sorted(zip(nums, levels))]
    except ValueError:
        pass
    pos = {v: i for i, v in enumerate(levels)}
    return np.array([pos[v] if v in pos else np.nan for v in values], dtype=float)


def same(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def expect_frame(df, target):
    """Expected feature columns and target codes from a pandas frame."""
    cols = {}
    for name in df.columns:
        if name == target:
            continue
        s = df[name]
        cols[name] = s.to_numpy(float) if s.dtype.kind in "fiu" else codes(list(s))
    t = df[target]
    if t.dtype.kind in "fiu" and (t.nunique() > 20 or (t % 1 != 0).any()):
        y = t.to_numpy(float)
    else:
        y = codes([str(v) if t.dtype.kind not in "fiu" else v for v in t])
    return cols, y


def check(label, path, exp_cols, exp_y, *args):
    try:
        cols, y = dump(path, *args)
    except RuntimeError as exc:
        print("FAIL %s: load_tool failed: %s" % (label, exc))
        return
    if list(cols) != list(exp_cols):
        print("FAIL %s: columns %s, expected %s" % (label, list(cols)[:5], list(exp_cols)[:5]))
        return
    for name in exp_cols:
        if not same(cols[name], exp_cols[name]):
            print("FAIL %s: column %s differs" % (label, name))
            return
    if not same(y, exp_y):
        print("FAIL %s: target differs" % label)
        return
    print("PASS %s" % label)


def csv_files():
    targets = {"breast_cancer.csv": "diagnosis", "iris.csv": "species", "wine.csv": "cultivar",
               "digits.csv": "digit", "diabetes.csv": "progression",
               "penguins.csv": "species", "seattle-weather.csv": "weather",
               "grunfeld.csv": "invest"}
    for name, target in targets.items():
        path = os.path.join("tests/data", name)
        df = pd.read_csv(path, float_precision="round_trip")
        cols, y = expect_frame(df, target)
        check("csv %s" % name, path, cols, y, "--target", target)


def libsvm_file():
    path = "tests/data/heart_scale.libsvm"
    X, y = load_svmlight_file(path)
    X = X.toarray()
    cols = {"f%d" % (j + 1): X[:, j] for j in range(X.shape[1])}
    check("libsvm heart_scale", path, cols, codes(list(y)))


def synth_file(tmp):
    path = os.path.join(tmp, "synth.csv")
    r = subprocess.run([os.path.join(TOOLS, "make_data"), "classification", "300", "6", "3",
                        path, "3"], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL synth csv: make_data failed: %s" % r.stderr.strip())
        return
    df = pd.read_csv(path, float_precision="round_trip")
    cols, y = expect_frame(df, "y")
    check("csv synthetic", path, cols, y, "--target", "y")


ARFF = """@relation parity
@attribute a numeric
@attribute 'b-c' real
@attribute colour {red, green, blue, purple}
@attribute cls {yes, no}
@data
1.5, -2e-3, red, yes
0.1, ?, blue, no
3, 4.25, ?, yes
-7, 0.3, green, no
"""


def arff_file(tmp):
    path = os.path.join(tmp, "p.arff")
    with open(path, "w") as f:
        f.write(ARFF)
    data, _ = sparff.loadarff(io.StringIO(ARFF))
    dec = lambda v: v.decode() if v != b"?" else float("nan")
    cols = {"a": data["a"], "b-c": data["b-c"],
            "colour": codes([dec(v) for v in data["colour"]])}
    check("arff", path, cols, codes([dec(v) for v in data["cls"]]))


def hdf5_file(tmp):
    path = os.path.join(tmp, "p.h5")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 4)).astype(np.float32)
    X[5, 2] = np.nan
    y = rng.integers(0, 3, size=200).astype(np.int8)
    with h5py.File(path, "w") as f:
        f.create_dataset("X", data=X, chunks=(50, 4), compression="gzip", shuffle=True)
        f["y"] = y
    cols = {"x%d" % j: X[:, j].astype(float) for j in range(4)}
    check("hdf5", path, cols, codes(list(y)))


def main():
    if not os.access(LOAD, os.X_OK):
        print("FAIL readers_parity: no %s (make tests)" % LOAD)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for run in (csv_files, libsvm_file, synth_file, arff_file, hdf5_file):
            try:
                run(tmp) if run.__code__.co_argcount else run()
            except Exception as exc:
                print("FAIL %s: %s: %s" % (run.__name__, type(exc).__name__, exc))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Peer: R's ranger on synth-rf-random (peer_ranger.R does the work): the
10 configurations scikit-learn's RandomizedSearchCV(random_state=0) draws in
peer_sklearn.py, handed to R with max_features as ranger's mtry.
Usage: /usr/bin/python3 peer_ranger.py [DATA.csv]   prints one JSON line"""
import csv, os, subprocess, sys, tempfile
from sklearn.model_selection import ParameterSampler

data = sys.argv[1] if len(sys.argv) > 1 else "/tmp/fwbench/synth20k.csv"
dist = {"max_depth": list(range(4, 21)), "max_features": ["sqrt", 0.3, 0.5], "min_samples_leaf": [1, 5, 20]}
n_features = 40
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
    w = csv.writer(f)
    w.writerow(["max_depth", "mtry", "min_samples_leaf"])
    for p in ParameterSampler(dist, 10, random_state=0):
        mf = p["max_features"]
        mtry = int(n_features ** 0.5) if mf == "sqrt" else max(1, int(mf * n_features))
        w.writerow([p["max_depth"], mtry, p["min_samples_leaf"]])
here = os.path.dirname(os.path.abspath(__file__))
out = subprocess.run(["Rscript", os.path.join(here, "peer_ranger.R"), data, f.name],
                     capture_output=True, text=True, check=True).stdout
os.unlink(f.name)
print(out.strip().splitlines()[-1])

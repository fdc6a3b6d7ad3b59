#!/usr/bin/python3
"""search_parity.py: foldwise's grid against scikit-learn's ParameterGrid.

Runs tests/tools/search_tool with a grid over two spaces (one with a
linspace, a logspace and a choice list written out of name order) and
checks, live against scikit-learn 1.2 and numpy:
  * the candidates come in ParameterGrid order (a list of two grids), so
    candidate ids are GridSearchCV's cv_results_ rows;
  * linspace values equal numpy.linspace bit for bit, logspace values equal
    numpy.geomspace (both ends exact; inner values within 2 ulp, since
    numpy's log10/pow may be SIMD code that differs from glibc's in the last
    bit; the whole decades are exact in foldwise).
Prints one PASS/FAIL line per check.
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from sklearn.model_selection import ParameterGrid
except Exception as exc:  # a parity script never skips
    print(f"FAIL search_parity_import: {exc}")
    sys.exit(1)

TOOL = os.path.join(os.environ.get("FW_TOOLS", "build/tests/tools"), "search_tool")
SPEC = """strategy grid
param alpha real 0 1e9 log
param kind choice x y z
param beta real -100 100
model synthetic
dim kind choice z x
dim beta linspace -1 2 7
dim alpha logspace 1e-3 1e3 13
model synthetic
dim beta linspace 0.1 0.7 4
"""

failed = 0


def check(name, ok, why=""):
    global failed
    print(f"PASS {name}" if ok else f"FAIL {name}: {why}")
    failed += not ok


def run_tool():
    with tempfile.NamedTemporaryFile("w", suffix=".spec", delete=False) as f:
        f.write(SPEC)
    out = []
    p = subprocess.Popen([TOOL, f.name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    for line in p.stdout:
        w = line.split()
        if w[0] == "cand":
            out.append((int(w[2]), dict(kv.split("=", 1) for kv in w[5:])))
        elif w[0] == "end":
            p.stdin.write("".join(f"{i} 0\n" for i in range(len(out))))
            p.stdin.flush()
    p.stdin.close()
    rc = p.wait()
    os.unlink(f.name)
    return rc, out


def main():
    rc, cands = run_tool()
    check("search_parity_tool_runs", rc == 0 and cands, f"exit {rc}")
    if rc:
        return
    grid = list(ParameterGrid([
        {"kind": ["z", "x"], "beta": np.linspace(-1, 2, 7), "alpha": np.geomspace(1e-3, 1e3, 13)},
        {"beta": np.linspace(0.1, 0.7, 4)},
    ]))
    check("search_parity_grid_size", len(cands) == len(grid), f"{len(cands)} vs {len(grid)}")
    order_ok, worst_ulp, lin_exact = True, 0.0, True
    for (space, got), want in zip(cands, grid):
        if set(got) != set(want) or got.get("kind", "") != want.get("kind", ""):
            order_ok = False
            continue
        b = float(got["beta"])
        lin_exact &= b == want["beta"]
        if "alpha" in got:
            a, wa = float(got["alpha"]), want["alpha"]
            worst_ulp = max(worst_ulp, abs(a - wa) / np.spacing(wa))
            order_ok &= abs(a - wa) <= 2 * np.spacing(wa)
        order_ok &= abs(b - want["beta"]) <= 2 * np.spacing(abs(want["beta"]) or 1.0)
    check("search_parity_parametergrid_order", order_ok, "candidates differ from ParameterGrid's")
    check("search_parity_linspace_exact", lin_exact, "linspace differs from numpy.linspace")
    check("search_parity_geomspace", worst_ulp <= 2, f"worst {worst_ulp} ulp")
    decades = [float(g["alpha"]) for s, g in cands if "alpha" in g]
    check("search_parity_logspace_decades",
          all(x in decades for x in (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)),
          "whole decades not exact")


main()
sys.exit(1 if failed else 0)

#!/usr/bin/python3
"""side.py: one workload side by side: the peer script and `foldwise run`
on the same machine, alternated `--repeat` times (best time of each), then
one Markdown table row: workload, peer seconds, foldwise search_s (2 ranks
and 1 rank), speed-up, best scores and their difference.

  side.py --workload W --config C --data NAME [--peer sklearn|xgboost|ranger]
          [--jobs N] [--repeat R] [--ranks 2]
The config's data.path is set to /tmp/fwbench/NAME.csv (tests/bench/
prepare.py writes it, with the peer's own folds in a `fold` column)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

FW = os.environ.get("FW_BIN", "build/foldwise")
PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")


def peer(kind, workload, jobs):
    if kind == "xgboost":
        cmd = ["/usr/bin/python3", os.path.join(PEERS, "peer_xgboost.py")]
    elif kind == "ranger":
        cmd = ["/usr/bin/python3", os.path.join(PEERS, "peer_ranger.py")]
    else:
        cmd = ["/usr/bin/python3", os.path.join(PEERS, "peer_sklearn.py"), workload, str(jobs)]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def foldwise(config, data, ranks):
    out = tempfile.mkdtemp(prefix="fwside.")
    cmd = [FW, "run", config, "-o", out, "-q", "--set", "data.path=" + data,
           "--set", "output.overwrite=true"]
    if ranks > 1:
        cmd = ["mpirun", "--oversubscribe", "-n", str(ranks)] + cmd
    subprocess.run(cmd, check=True, capture_output=True)
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--workload", required=True)
    a.add_argument("--config", required=True)
    a.add_argument("--data", required=True)
    a.add_argument("--peer", default="sklearn")
    a.add_argument("--jobs", type=int, default=2)
    a.add_argument("--repeat", type=int, default=3)
    a.add_argument("--ranks", type=int, default=2)
    o = a.parse_args()
    data = "/tmp/fwbench/%s.csv" % o.data
    best = {"peer": None, "fw": None, "fw1": None}
    res = {}
    for _ in range(o.repeat):
        p = peer(o.peer, o.workload, o.jobs)
        f = foldwise(o.config, data, o.ranks)
        f1 = foldwise(o.config, data, 1)
        for k, v in (("peer", p["seconds"]), ("fw", f["search_s"]), ("fw1", f1["search_s"])):
            if best[k] is None or v < best[k]:
                best[k] = v
        res = {"peer": p, "fw": f}
    ps = res["peer"].get("best_score", res["peer"].get("nested_score"))
    fb = res["fw"].get("nested") or res["fw"]["best"]
    fs = fb["mean"]
    if "nested_score" in res["peer"]:  # the peer reports neg RMSE
        ps = -ps
    print("| %s | %s, %d job%s | %.3f | %.4f | %.4f | %.1fx | %.6f | %.6f | %.1e |" % (
        o.workload, o.peer, o.jobs, "" if o.jobs == 1 else "s", best["peer"], best["fw"],
        best["fw1"], best["peer"] / best["fw"], ps, fs, abs(ps - fs)))


if __name__ == "__main__":
    sys.exit(main())

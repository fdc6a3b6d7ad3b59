#!/usr/bin/python3
"""pss.py: run a command and sample the proportional set size (PSS) of its
foldwise processes while their tasks run.

    pss.py OUT.json MARKER -- CMD [ARG...]

Every 0.2 s once the file MARKER exists (the run's journal: created after
the data are loaded and shared, before the first task), it reads
/proc/PID/smaps_rollup of every descendant of CMD whose name is
`foldwise` (the ranks; mpirun and its daemon are not counted) and sums Pss
(a page shared by k processes counts 1/k in each, so the sum is the memory
the run really holds). OUT gets the samples' maximum and median of the sum,
the per-process values and the Pss_Anon / Pss_File / Pss_Shmem split at the
maximum (kB), the number of processes and the number of samples.
"""
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loadmon import children_of, descendants  # noqa: E402

KEYS = ("Pss", "Pss_Anon", "Pss_File", "Pss_Shmem", "Rss")


def rollup(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                w = line.split()
                if w and w[0].rstrip(":") in KEYS:
                    out[w[0].rstrip(":")] = int(w[1])
    except OSError:
        return None
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: pss.py OUT.json MARKER -- CMD [ARG...]")
    out, marker, cmd = sys.argv[1], sys.argv[2], sys.argv[4:]
    p = subprocess.Popen(cmd)
    samples = []
    while p.poll() is None:
        time.sleep(0.2)
        if not os.path.exists(marker):
            continue
        ranks = [q for q in descendants(p.pid, children_of()) if comm(q) == "foldwise"]
        per = {q: rollup(q) for q in ranks}
        per = {q: v for q, v in per.items() if v}
        if per:
            samples.append(per)
    res = {"rc": p.returncode, "samples": len(samples)}
    if samples:
        totals = [sum(v["Pss"] for v in s.values()) for s in samples]
        top = samples[totals.index(max(totals))]
        res.update({"max_kb": max(totals), "median_kb": statistics.median(totals),
                    "procs": max(len(s) for s in samples),
                    "per_proc_kb": sorted(v["Pss"] for v in top.values()),
                    "split_kb": {k: sum(v.get(k, 0) for v in top.values()) for k in KEYS}})
    with open(out, "w") as f:
        json.dump(res, f)
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""loadmon.py: run a command and measure the machine's other load meanwhile.

    loadmon.py OUT.json -- CMD [ARG...]

Every 20 ms it reads the number of runnable threads on the machine
(/proc/loadavg, 4th field) and counts how many of them belong to CMD and
its descendants (thread state R in /proc/PID/task/*/stat), then writes OUT:
{"background": mean runnable threads not ours (the sampler aside),
 "ours": mean runnable threads of ours, "samples": n, "wall_s": CMD's wall
time, "rc": its exit status}. The simulation (des.py) shares the cores
between our busy threads and `background` others, as Linux's fair
scheduler does. Exits with CMD's status.
"""
import json
import os
import subprocess
import sys
import time


def children_of():
    """pid -> parent pid, for every process."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        parent[int(d)] = int(s[s.rindex(")") + 2:].split()[1])
    return parent


def descendants(root, parent):
    mine, grew = {root}, True
    while grew:
        grew = False
        for p, pp in parent.items():
            if pp in mine and p not in mine:
                mine.add(p)
                grew = True
    return mine


def running_threads(pid):
    n = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/stat") as f:
                s = f.read()
        except OSError:
            continue
        n += s[s.rindex(")") + 2] == "R"
    return n


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: loadmon.py OUT.json -- CMD [ARG...]")
    out, cmd = sys.argv[1], sys.argv[3:]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd)
    bg, ours, n, mine, last_tree = 0.0, 0.0, 0, {p.pid}, 0.0
    while p.poll() is None:
        now = time.monotonic()
        if now - last_tree > 0.25:  # the process tree changes rarely
            mine = descendants(p.pid, children_of())
            last_tree = now
        with open("/proc/loadavg") as f:
            total = int(f.read().split()[3].split("/")[0])
        o = sum(running_threads(q) for q in mine)
        bg += max(total - o - 1, 0)
        ours += o
        n += 1
        time.sleep(0.02)
    wall = time.monotonic() - t0
    with open(out, "w") as f:
        json.dump({"background": bg / n if n else 0.0, "ours": ours / n if n else 0.0,
                   "samples": n, "wall_s": wall, "rc": p.returncode}, f)
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()

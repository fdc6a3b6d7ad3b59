#!/usr/bin/python3
"""benchlib.py: what the scheduler benchmarks share: reading a run's
summary.json, cv_results.csv, FW_SCHED_PROFILE lines and loadmon.py's load,
fitting per-message and per-item service times, and printing the Markdown
tables of bench_throughput.sh and bench_efficiency.sh.

A run is a directory prefix P written by lib.sh's fw_run: P/ (foldwise's
output), P.prof (the profile, MPI runs only), P.load.json (loadmon.py).

    benchlib.py throughput RUN...      table rows of bench_throughput.sh
    benchlib.py efficiency RUN...      table rows of bench_efficiency.sh
    benchlib.py tasks RUN              its task-time distribution
    benchlib.py memory BYTES MODEL:RANKS:PSS_JSON...   bench_memory.sh's table
    benchlib.py services RUN           service times fitted from one profile
"""
import csv
import json
import os
import statistics
import sys

FIELDS = ("n", "wall", "cpu", "items", "items2", "wall_items", "cpu_items")


NESTED = ("recv", "send", "local_in", "local_out", "flush")


def read_profile(path):
    """{rank: {event: {field: value}}, ...} from FW_SCHED_PROFILE lines, CPU
    times net of the profile's own clock reads (each timed event holds one
    read; a main-loop pass also the two of every event timed inside it; a
    whole loop every read its thread made: rank 0's compute thread counts
    its own, not in the line)."""
    ranks = {}
    with open(path) as f:
        for line in f:
            kv = dict(w.split("=", 1) for w in line.split())
            r = int(kv.pop("rank"))
            size = int(kv.pop("size"))
            cost, reads = map(float, kv.pop("clock", "0,0").split(","))
            ev = {k: dict(zip(FIELDS, map(float, v.split(",")))) for k, v in kv.items()}
            for k, p in ev.items():
                if k not in ("sleep", "sync", "run"):
                    net(p, cost, 1.0)
            inner = sum(ev[k]["n"] for k in NESTED)
            net(ev["loop"], cost, 2.0 * inner / ev["loop"]["n"] if ev["loop"]["n"] else 0.0)
            net(ev["run"], cost, reads)
            ev["size"], ev["clock_cost"] = size, cost
            ranks[r] = ev
    return ranks


def net(p, cost, reads_per_event):
    """Take `reads_per_event` clock reads per event off p's CPU times."""
    c = cost * reads_per_event
    p["cpu"] = max(p["cpu"] - c * p["n"], 0.0)
    p["cpu_items"] = max(p["cpu_items"] - c * p["items"], 0.0)


def fit_linear(p, field="cpu"):
    """(per message, per item) seconds: least squares of t = a + b * items
    over the events summed in p; (0, mean per item) when the batch sizes
    did not vary, and never negative."""
    n, t, x, xx, tx = p["n"], p[field], p["items"], p["items2"], p[field + "_items"]
    if n <= 0:
        return 0.0, 0.0
    det = n * xx - x * x
    if x <= 0:
        return t / n, 0.0
    if det <= 1e-9 * n * xx:
        return 0.0, t / x
    a = (t * xx - x * tx) / det
    b = (n * tx - x * t) / det
    if a < 0:
        return 0.0, t / x
    if b < 0:
        return t / n, 0.0
    return a, b


def load_run(prefix):
    """Everything known about one run."""
    with open(os.path.join(prefix, "summary.json")) as f:
        s = json.load(f)
    run = {"prefix": prefix, "ranks": s["ranks"] if os.path.exists(prefix + ".prof") else 0,
           "search_s": s["search_s"], "elapsed_s": s["elapsed_s"], "tasks": s["tasks"]["done"],
           "background": None, "profile": None}
    if os.path.exists(prefix + ".load.json"):
        with open(prefix + ".load.json") as f:
            run["background"] = json.load(f)["background"]
    if os.path.exists(prefix + ".prof"):
        run["profile"] = read_profile(prefix + ".prof")
    return run


def task_times(prefix):
    """Per candidate: mean fit + mean score seconds (cv_results.csv)."""
    out = []
    with open(os.path.join(prefix, "cv_results.csv"), newline="") as f:
        for row in csv.DictReader(f):
            try:
                out.append(float(row["mean_fit_time"]) + float(row["mean_score_time"]))
            except (KeyError, ValueError):
                pass
    return out


def services(profile):
    """Rank 0's main-thread CPU costs and the transport's, fitted from one
    profile: seconds per message (a) and per item (b) for each event, the
    CPU of a main-loop pass beyond its events, syncs, sleeps, tasks."""
    r0 = profile[0]
    sv = {k: fit_linear(r0[k]) for k in NESTED}
    inner = sum(r0[k]["cpu"] for k in NESTED)
    loops = r0["loop"]["n"]
    sv["loop"] = max(r0["loop"]["cpu"] - inner, 0.0) / loops if loops else 0.0
    sv["poll"] = r0["poll"]["cpu"] / r0["poll"]["n"] if r0["poll"]["n"] else 0.0
    sv["sync"] = r0["sync"]["wall"] / r0["sync"]["n"] if r0["sync"]["n"] else 0.0
    sl = r0["sleep"]
    sv["oversleep"] = max(sl["wall"] - sl["items"], 0.0) / sl["n"] if sl["n"] else 0.0
    w = [profile[r] for r in profile if r != 0]
    if w:
        sv["w_recv"] = fit_linear(merge(x["recv"] for x in w))
        sv["w_send"] = fit_linear(merge(x["send"] for x in w))
    tasks = merge([r0["task"]] + [x["task"] for x in w])
    sv["task_cpu"] = tasks["cpu"] / tasks["n"] if tasks["n"] else 0.0
    sv["task_wall"] = tasks["wall"] / tasks["n"] if tasks["n"] else 0.0
    sv["main_cpu"] = r0["run"]["cpu"]
    return sv


def job_cpu(profile):
    """CPU seconds all our threads used in the scheduler loops: rank 0's main
    thread and compute thread (its tasks), every worker's loop."""
    r0 = profile[0]
    return (r0["run"]["cpu"] + r0["task"]["cpu"]
            + sum(profile[r]["run"]["cpu"] for r in profile if r != 0))


def job_cores(run):
    """Cores' worth of CPU the job got while its loops ran (its CPU over
    rank 0's loop wall time): on a shared machine, what the OS gave it."""
    p = run["profile"]
    return job_cpu(p) / p[0]["run"]["wall"] if p and p[0]["run"]["wall"] > 0 else None


def pool_profiles(profiles):
    """One profile holding the events of several runs: rank 0's summed, and
    every run's workers (fits of per-message and per-item costs see more
    batch sizes)."""
    out, w = {}, 1
    for p in profiles:
        r0 = p[0]
        if 0 not in out:
            out[0] = {k: dict(v) if isinstance(v, dict) else v for k, v in r0.items()}
        else:
            for k, v in r0.items():
                if isinstance(v, dict):
                    out[0][k] = merge([out[0][k], v])
        for r in sorted(p):
            if r != 0:
                out[w] = p[r]
                w += 1
    return out


def merge(stats):
    out = dict.fromkeys(FIELDS, 0.0)
    for p in stats:
        for k in FIELDS:
            out[k] += p[k]
    return out


def fmt_int(x):
    return f"{x:,.0f}"


def group(runs):
    """Runs by scheduler (0 = serial, else ranks), in order."""
    by = {}
    for r in runs:
        by.setdefault(r["ranks"], []).append(r)
    return sorted(by.items())


def label(n):
    return "serial" if n == 0 else f"{n} rank{'s' if n > 1 else ''}"


def row(cells):
    print("| " + " | ".join(cells) + " |")


def med(xs, f, none="-"):
    return f(statistics.median(xs)) if xs else none


def table_throughput(prefixes):
    runs = [load_run(p) for p in prefixes]
    row(["scheduler", "tasks", "runs", "search_s best / median", "results/s best / median",
         "rank 0 main-thread CPU per result", "its ceiling (1 / CPU per result)",
         "results from other ranks", "other runnable threads"])
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, rs in group(runs):
        ss = [r["search_s"] for r in rs]
        rate = [r["tasks"] / r["search_s"] for r in rs]
        prof = [r for r in rs if r["profile"]]
        cpu = [r["profile"][0]["run"]["cpu"] / r["tasks"] for r in prof]
        share = [1 - r["profile"][0]["task"]["n"] / r["tasks"] for r in prof]
        bg = [r["background"] for r in rs if r["background"] is not None]
        row([label(n), fmt_int(rs[0]["tasks"]), str(len(rs)),
             f"{min(ss):.3f} / {statistics.median(ss):.3f}",
             f"{fmt_int(max(rate))} / {fmt_int(statistics.median(rate))}",
             med(cpu, lambda c: f"{c * 1e6:.1f} µs"), med(cpu, lambda c: f"{fmt_int(1 / c)}/s"),
             med(share, lambda x: f"{100 * x:.0f}%"), med(bg, lambda x: f"{x:.1f}")])


def table_efficiency(prefixes, cores=2):
    runs = [load_run(p) for p in prefixes]
    best = {n: min(rs, key=lambda r: r["search_s"]) for n, rs in group(runs)}
    base = best.get(1)
    row(["scheduler", "tasks", "runs", "search_s best / median", "speed-up vs 1 rank (best)",
         "efficiency: speed-up / min(ranks, 2)", "cores the job got", "CPU in tasks",
         "CPU per task", "rank 0 main thread CPU"])
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, rs in group(runs):
        ss = [r["search_s"] for r in rs]
        b = best[n]
        sp = base["search_s"] / b["search_s"] if base else None
        p = b["profile"]
        tasks = merge(p[r]["task"] for r in p) if p else None
        got = job_cores(b)
        row([label(n), fmt_int(rs[0]["tasks"]), str(len(rs)),
             f"{min(ss):.2f} / {statistics.median(ss):.2f}",
             f"{sp:.2f}x" if sp else "-",
             f"{sp / min(n, cores):.2f}" if sp and n > 0 else "-",
             f"{got:.2f}" if got else "-",
             f"{tasks['cpu']:.2f} s" if tasks else "-",
             f"{1e3 * tasks['cpu'] / tasks['n']:.1f} ms" if tasks and tasks["n"] else "-",
             f"{p[0]['run']['cpu']:.3f} s" if p else "-"])


def table_tasks(prefix):
    """The task-time distribution of one run (fit + score, per candidate)."""
    t = sorted(task_times(prefix))
    run = load_run(prefix)
    q = lambda f: t[min(int(f * len(t)), len(t) - 1)] * 1e3
    row(["tasks", "min", "median", "p90", "max", "mean", "CPU per task (profile)"])
    print("|---:|---:|---:|---:|---:|---:|---:|")
    cpu = services(run["profile"])["task_cpu"] if run["profile"] else None
    row([fmt_int(run["tasks"]), f"{t[0] * 1e3:.1f} ms", f"{q(0.5):.1f} ms", f"{q(0.9):.1f} ms",
         f"{t[-1] * 1e3:.1f} ms", f"{statistics.mean(t) * 1e3:.1f} ms",
         f"{cpu * 1e3:.1f} ms" if cpu else "-"])


def table_memory(data_bytes, items):
    """items: MODEL:RANKS:PSS_JSON (RANKS 0 = serial)."""
    runs = []
    for it in items:
        model, n, path = it.split(":", 2)
        with open(path) as f:
            runs.append((model, int(n), json.load(f)))
    mb = lambda kb: kb * 1024 / 1e6
    row(["tasks", "scheduler", "processes", "PSS sum, max while tasks run",
         "per process", "anon / shmem (at the max)", "more than 1 rank", "as % of the data"])
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for model in dict.fromkeys(m for m, _, _ in runs):
        one = next((r for m, n, r in runs if m == model and n == 1 and "max_kb" in r), None)
        for m, n, r in runs:
            if m != model:
                continue
            if "max_kb" not in r:
                row([model, label(n), "-", "no sample (run failed or too short)", "", "", "", ""])
                continue
            extra = mb(r["max_kb"] - one["max_kb"]) if one and n > 1 else None
            row([model, label(n), str(r["procs"]), f"{mb(r['max_kb']):.1f} MB",
                 " + ".join(f"{mb(x):.0f}" for x in r["per_proc_kb"]) + " MB",
                 f"{mb(r['split_kb']['Pss_Anon']):.0f} / {mb(r['split_kb']['Pss_Shmem']):.0f} MB",
                 f"{extra:+.1f} MB" if extra is not None else "-",
                 f"{100 * extra * 1e6 / data_bytes:+.1f}%" if extra is not None else "-"])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "throughput":
        table_throughput(args)
    elif cmd == "efficiency":
        table_efficiency(args)
    elif cmd == "memory":
        table_memory(float(args[0]), args[1:])
    elif cmd == "tasks":
        table_tasks(args[0])
    elif cmd == "services":
        run = load_run(args[0])
        for k, v in services(run["profile"]).items():
            print(k, v)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

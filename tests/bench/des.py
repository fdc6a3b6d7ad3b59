#!/usr/bin/python3
"""des.py: a discrete-event simulation of foldwise's MPI scheduler
(src/sched/mpi.c, src/sched/coord.c), to predict where one coordinator
stops scaling.

What it models, as the code does it:

  * rank 0's main thread: a polling loop. A pass takes the RESULTS
    messages that have arrived and the compute thread's finished results
    (CPU: per message + per result, journal append included), flushes the
    journal when due (a sync of measured wall time, at most every
    max(50 ms, 10 x the last sync), or at once when no task is ready; then
    CPU per result to complete them in the plan), then hands out tasks
    until every worker holds its target (CPU per message + per task; TASKS
    messages cut at 3.5 KB). A pass that found nothing sleeps with the
    back-off (20 us doubling to 2 ms, plus the measured oversleep).
  * rank 0's compute thread: runs the tasks it is given back to back.
  * workers: poll (CPU per TASKS message + per task), run one task, send
    RESULTS once they are as many as the tasks still queued, or when the
    message would pass 3.5 KB, or 2 ms after the last send; sleep with the
    back-off when idle.
  * the target: ceil(5 ms / mean fit+score time of the results so far),
    between 2 and 256 (2 until the first result).
  * messages arrive after a latency (per message + per byte, from
    tests/tools/pingpong).
  * CPUs: every thread is in a pool of cores shared by processor sharing
    with a number of other runnable threads (Linux's fair scheduler): a
    busy thread runs at min(1, cores / (busy threads + background)). The
    measured runs here put all ranks in one pool of 2 cores with the load
    measured during each run; the predictions give each worker a core and
    rank 0 one core for its two threads.

Task work is drawn from a measured distribution (cv_results.csv: fit + score
per candidate, rescaled to the CPU time per task that the profile measured),
or from it rescaled to a given mean.

    des.py calibrate --profile RUN... [--passes RUN2] --pingpong FILE -o PARAMS.json
    des.py validate --params PARAMS.json --tasks-from RUN RUN...
    des.py predict --params PARAMS.json --tasks-from RUN [--ranks 16,256,4096]
    des.py ceiling --params PARAMS.json
    des.py speedup --params PARAMS.json --tasks-from RUN [--cpu-from RUN2] [--ranks 1,2]
    des.py show --params PARAMS.json

RUN is a run prefix as written by tests/bench/lib.sh (RUN/ = output,
RUN.prof = FW_SCHED_PROFILE, RUN.load.json = tests/bench/loadmon.py).
"""
import argparse
import heapq
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

MIN_TARGET, MAX_TARGET, BATCH_WORK_S = 2, 256, 0.005
MSG_BYTES = 3584
FLUSH_EVERY_S = 0.05
RESULT_SEND_S = 0.002
BACKOFF_MIN, BACKOFF_MAX = 20e-6, 2e-3
TASK_BYTES = 100        # a packed task: 41 bytes + 16 + 16 per parameter, + 4 length

# ---- CPU pools (processor sharing) -------------------------------------------


class Pool:
    """Cores shared by the busy threads in it and `background` others: each
    busy thread advances at rate min(1, cores / (busy + background)). A
    virtual clock v counts the CPU seconds every busy thread has had; a job
    of w CPU seconds started at v0 ends when v reaches v0 + w."""

    def __init__(self, sim, cores, background):
        self.sim, self.cores, self.background = sim, cores, background
        self.v, self.t, self.jobs, self.version = 0.0, 0.0, [], 0

    def rate(self):
        n = len(self.jobs)
        return min(1.0, self.cores / (n + self.background)) if n else 1.0

    def advance(self, now):
        self.v += (now - self.t) * self.rate()
        self.t = now

    def start(self, now, work, actor):
        self.advance(now)
        heapq.heappush(self.jobs, (self.v + max(work, 0.0), self.sim.seq(), actor))
        self.reschedule(now)

    def reschedule(self, now):
        self.version += 1
        if self.jobs:
            dt = max(self.jobs[0][0] - self.v, 0.0) / self.rate()
            self.sim.at(now + dt, ("pool", self, self.version))

    def fire(self, now, version):
        if version != self.version:
            return
        self.advance(now)
        done = []
        while self.jobs and self.jobs[0][0] <= self.v + 1e-15:
            done.append(heapq.heappop(self.jobs)[2])
        self.reschedule(now)
        for actor in done:
            actor.cpu_done(now)


# ---- the simulation ---------------------------------------------------------------


class Sim:
    def __init__(self, prm, n_ranks, works, fs, layout="shared", cores=2, background=0.0,
                 latency=None, sync_thread=False, msg_bytes=MSG_BYTES, result_cost_scale=1.0,
                 no_local=False, batch_work=BATCH_WORK_S):
        """layout 'shared': every thread of every rank in one pool of `cores`
        with `background` other runnable threads (one machine); 'cluster':
        rank 0's two threads share one core, each worker has its own."""
        self.prm, self.n = prm, n_ranks
        self.works, self.fs = works, fs      # per task: CPU work, fit+score seen
        self.total = len(works)
        self.events, self._seq = [], 0
        self.latency = latency if latency is not None else prm["latency"]
        self.sync_thread, self.msg_bytes = sync_thread, msg_bytes
        self.rscale = result_cost_scale
        self.no_local, self.batch_work = no_local, batch_work
        self.next_task = 0
        self.done = 0
        self.fs_sum, self.fs_n = 0.0, 0
        self.last_result = 0.0
        self.accepted = []     # (time, results) as rank 0 took them
        if layout == "shared":
            shared = Pool(self, cores, background)
            r0, wpool = shared, (lambda: shared)
        else:
            r0, wpool = Pool(self, 1, 0.0), (lambda: Pool(self, 1, 0.0))
        self.main = Main(self, r0)
        self.local = Compute(self, r0)
        self.workers = [None] + [Worker(self, w, wpool()) for w in range(1, n_ranks)]

    def seq(self):
        self._seq += 1
        return self._seq

    def at(self, t, ev):
        heapq.heappush(self.events, (t, self.seq(), ev))

    def msg_delay(self, nbytes):
        a, b = self.latency
        return a + b * nbytes

    def target(self):
        if self.fs_n == 0:
            return MIN_TARGET
        t = math.ceil(self.batch_work / max(self.fs_sum / self.fs_n, 1e-6))
        return int(min(max(t, MIN_TARGET), MAX_TARGET))

    def steady_rate(self, lo=0.25, hi=0.75):
        """Results/s between the lo and hi fractions of the results: the
        rate once started and before the tail."""
        n, t_lo, t_hi, c_lo, c_hi = 0, None, None, 0, 0
        for t, k in self.accepted:
            n += k
            if t_lo is None and n >= lo * self.total:
                t_lo, c_lo = t, n
            if t_hi is None and n >= hi * self.total:
                t_hi, c_hi = t, n
        return (c_hi - c_lo) / (t_hi - t_lo) if t_hi and t_lo and t_hi > t_lo else float("nan")

    def run(self, limit=1e8):
        for w in self.workers[1:]:
            w.start(0.0)
            self.at(self.msg_delay(0), ("hello", w.rank))
        self.main.start(0.0)
        steps = 0
        while self.events and not self.main.finished:
            t, _, ev = heapq.heappop(self.events)
            kind = ev[0]
            if kind == "pool":
                ev[1].fire(t, ev[2])
            elif kind == "wake":
                ev[1].wake(t, ev[2])
            elif kind == "hello":
                self.main.ready.add(ev[1])
                self.main.hungry(ev[1])
            elif kind == "results":
                self.main.inbox.append((ev[1], ev[2]))
            elif kind == "tasks":
                self.workers[ev[1]].deliver(t, ev[2])
            steps += 1
            if steps > limit:
                raise RuntimeError("simulation too long")
        return self.last_result


class Actor:
    """A thread: CPU bursts in its pool, or wall-time waits."""

    def __init__(self, sim, pool):
        self.sim, self.pool = sim, pool
        self.wait_id = 0
        self.then = None
        self.busy_cpu = 0.0

    def cpu(self, now, work, then):
        self.then = then
        self.busy_cpu += work
        self.pool.start(now, work, self)

    def cpu_done(self, now):
        f, self.then = self.then, None
        f(now)

    def sleep(self, now, dt, then):
        self.wait_id += 1
        self.then = then
        self.sim.at(now + dt, ("wake", self, self.wait_id))

    def wake(self, now, wid):
        if wid == self.wait_id and self.then:
            f, self.then = self.then, None
            f(now)


class Main(Actor):
    def __init__(self, sim, pool):
        super().__init__(sim, pool)
        self.inbox, self.ready = [], set()
        self.wants, self.wants_q, self.last_target = set(), [], None
        self.outstanding = [0] * sim.n
        self.pending, self.last_flush, self.last_sync = 0, 0.0, 0.0
        self.backoff = 0.0
        self.finished = False
        self.syncing_until = 0.0

    def start(self, now):
        self.pass_(now)

    def pass_(self, now):
        p, sim = self.sim.prm, self.sim
        msgs, self.inbox = self.inbox, []
        local = sim.local.take()
        scan = p.get("loop_per_rank", 0.0) * sim.n  # dispatch's loops over the ranks
        work = p["loop"] + scan
        for _, fsl in msgs:
            work += (p["recv"][0] + p["recv"][1] * len(fsl)) * sim.rscale
        if local:
            work += (p["local_in"][0] + p["local_in"][1] * len(local)) * sim.rscale
        activity = bool(msgs or local)
        if not activity:
            work = p["poll"] + scan
        self.cpu(now, work, lambda t: self.accepted(t, msgs, local, activity))

    def accept(self, now, fs_list):
        sim = self.sim
        for fs in fs_list:
            sim.fs_sum += fs
            sim.fs_n += 1
        self.pending += len(fs_list)
        if fs_list:
            sim.last_result = now
            sim.accepted.append((now, len(fs_list)))

    def accepted(self, now, msgs, local, activity):
        for src, fsl in msgs:
            self.outstanding[src] -= len(fsl)
            self.hungry(src)
            self.accept(now, fsl)
        if local:
            self.outstanding[0] -= len(local)
            if not self.sim.no_local:
                self.hungry(0)
            self.accept(now, local)
        self.after_accept(now, activity)

    def flush_due(self, now):
        every = max(FLUSH_EVERY_S, 10 * self.last_sync)
        no_ready = self.sim.next_task >= self.sim.total
        return self.pending and (now - self.last_flush >= every or no_ready)

    def after_accept(self, now, activity):
        if self.flush_due(now):
            n = self.pending
            self.pending = 0
            self.last_flush = now
            sync = self.sim.prm["sync"]
            self.last_sync = sync

            def completed(t):
                self.sim.done += n
                if self.sim.done >= self.sim.total:
                    self.finished = True
                    return
                self.dispatch(t, activity)

            cost = self.sim.prm["flush"][0] + self.sim.prm["flush"][1] * n * self.sim.rscale
            if self.sim.sync_thread:
                # group commit in another thread: rank 0 goes on; the
                # results count as done when their sync ends
                self.sim.at(now + sync, ("wake", _Later(completed_only(self, n)), 0))
                self.cpu(now, cost, lambda t: self.dispatch(t, activity))
            else:
                self.sleep(now, sync, lambda t: self.cpu(t, cost, completed))
            return
        self.dispatch(now, activity)

    def hungry(self, w):
        """Worker w may be below its target: dispatch looks at it (the code
        scans every rank each pass; only these can take anything)."""
        if w not in self.wants:
            self.wants.add(w)
            heapq.heappush(self.wants_q, w)

    def dispatch(self, now, activity):
        """Hand out tasks to the workers below their target, lowest rank
        first (one CPU burst per worker that gets any, so messages leave one
        by one)."""
        sim, p = self.sim, self.sim.prm
        target = sim.target()
        if target != self.last_target:
            self.last_target = target
            for w in ([] if sim.no_local else [0]) + sorted(self.ready):
                self.hungry(w)
        while self.wants_q and sim.next_task < sim.total:
            w = heapq.heappop(self.wants_q)
            self.wants.discard(w)
            k = min(target - self.outstanding[w], sim.total - sim.next_task)
            if k <= 0:
                continue
            ids = list(range(sim.next_task, sim.next_task + k))
            sim.next_task += k
            self.outstanding[w] += k
            if w == 0:
                cost = p["local_out"][0] + p["local_out"][1] * k
            else:
                per = max(1, self.sim.msg_bytes // TASK_BYTES)
                nmsg = -(-k // per)
                cost = p["send"][0] * nmsg + p["send"][1] * k
            self.cpu(now, cost, lambda t, w=w, ids=ids: self.sent(t, w, ids, activity))
            return
        self.loop_end(now, activity)

    def sent(self, now, w, ids, activity):
        sim = self.sim
        if w == 0:
            sim.local.give(now, ids)
        else:
            per = max(1, self.sim.msg_bytes // TASK_BYTES)
            for i in range(0, len(ids), per):
                chunk = ids[i:i + per]
                sim.at(now + sim.msg_delay(len(chunk) * TASK_BYTES), ("tasks", w, chunk))
        self.dispatch(now, activity)

    def loop_end(self, now, activity):
        if self.finished:
            return
        if activity:
            self.backoff = 0.0
            self.pass_(now)
        else:
            self.backoff = min(self.backoff * 2, BACKOFF_MAX) if self.backoff else BACKOFF_MIN
            self.sleep(now, self.backoff + self.sim.prm["oversleep"], self.pass_)


class _Later:
    """A one-shot wake target for the group-commit variant."""

    def __init__(self, f):
        self.f = f

    def wake(self, now, _):
        self.f(now)


def completed_only(main, n):
    def f(now):
        main.sim.done += n
        if main.sim.done >= main.sim.total:
            main.finished = True
    return f


class Compute(Actor):
    """Rank 0's compute thread: runs what it is given; the main thread takes
    the results on its next pass."""

    def __init__(self, sim, pool):
        super().__init__(sim, pool)
        self.queue, self.done, self.running = [], [], False

    def give(self, now, ids):
        self.queue.extend(ids)
        if not self.running:
            self.next(now)

    def next(self, now):
        if not self.queue:
            self.running = False
            return
        self.running = True
        tid = self.queue.pop(0)
        self.cpu(now, self.sim.works[tid], lambda t: self.finish(t, tid))

    def finish(self, now, tid):
        self.done.append(self.sim.fs[tid])
        self.next(now)

    def take(self):
        d, self.done = self.done, []
        return d


class Worker(Actor):
    def __init__(self, sim, rank, pool):
        super().__init__(sim, pool)
        self.rank = rank
        self.inbox, self.queue, self.results = [], [], []
        self.last_send, self.backoff = 0.0, 0.0
        self.qhead = 0
        self.idle_from = None

    def start(self, now):
        self.loop(now)

    def loop(self, now):
        p = self.sim.prm
        msgs, self.inbox = self.inbox, []
        work = 0.0
        for ids in msgs:
            self.queue.extend(ids)
            work += p["w_recv"][0] + p["w_recv"][1] * len(ids)
        if self.qhead < len(self.queue):
            tid = self.queue[self.qhead]
            self.qhead += 1
            self.cpu(now, work + self.sim.works[tid], lambda t: self.ran(t, tid))
            return
        if work:
            self.cpu(now, work, self.loop)
            return
        # Idle: back-off sleeps until a TASKS message arrives. The wakes in
        # between change nothing, so only the one that finds it is simulated.
        self.idle_from, self.then = now, self.loop
        self.wait_id += 1

    def deliver(self, now, ids):
        self.inbox.append(ids)
        if self.idle_from is None:
            return
        t, b, step = self.idle_from, self.backoff, None
        over = self.sim.prm["oversleep"]
        while True:
            b = min(b * 2, BACKOFF_MAX) if b else BACKOFF_MIN
            t += b + over
            if t >= now:
                break
            if b >= BACKOFF_MAX:
                step = BACKOFF_MAX + over
                t += math.ceil((now - t) / step) * step
                break
        self.backoff = b
        self.idle_from = None
        self.sim.at(t, ("wake", self, self.wait_id))

    def ran(self, now, tid):
        self.backoff = 0.0
        self.results.append(self.sim.fs[tid])
        n, q = len(self.results), len(self.queue) - self.qhead
        rb = self.sim.prm["result_bytes"]
        if n >= q or (n + 1) * rb > self.sim.msg_bytes or now - self.last_send > RESULT_SEND_S:
            p = self.sim.prm
            cost = p["w_send"][0] + p["w_send"][1] * n
            res, self.results = self.results, []
            self.last_send = now
            self.sim.at(now + cost + self.sim.msg_delay(n * rb), ("results", self.rank, res))
            self.cpu(now, cost, self.loop)
            return
        self.loop(now)


# ---- calibration -------------------------------------------------------------------


def read_pingpong(path):
    """(seconds per message, seconds per byte): a least-squares line through
    the `probe` style's medians."""
    xs, ys = [], []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 6 and w[1] == "probe":
                xs.append(float(w[3]))
                ys.append(float(w[5]) * 1e-6)
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return max(my - b * mx, 0.0), max(b, 0.0)


def calibrate(args):
    runs = [benchlib.load_run(r) for r in args.profile]
    run = runs[0]
    sv = benchlib.services(benchlib.pool_profiles([r["profile"] for r in runs]))
    jpath = os.path.join(args.profile[0], "journal.fwj")
    rbytes = 100.0
    if os.path.exists(jpath) and run["tasks"]:
        rbytes = max(os.path.getsize(jpath) / run["tasks"] - 24 + 4, 16.0)
    prm = {k: sv[k] for k in ("recv", "send", "local_in", "local_out", "flush", "loop", "poll",
                              "sync", "oversleep")}
    if args.passes:
        # main-loop passes of a run that is not oversubscribed (Open MPI
        # yields the CPU in idle polls when it is)
        pv = benchlib.services(benchlib.load_run(args.passes)["profile"])
        prm["loop"], prm["poll"] = pv["loop"], pv["poll"]
        prm["sync"], prm["oversleep"] = pv["sync"] or prm["sync"], pv["oversleep"]
    prm["w_recv"] = sv.get("w_recv", (0.0, 0.0))
    prm["w_send"] = sv.get("w_send", (0.0, 0.0))
    prm["latency"] = read_pingpong(args.pingpong)
    prm["result_bytes"] = rbytes
    prm["task_overhead"] = max(sv["task_cpu"] - mean(benchlib.task_times(args.profile[0])), 0.0)
    prm["source"] = {"profile": args.profile, "passes": args.passes,
                     "search_s": run["search_s"], "tasks": run["tasks"]}
    with open(args.o, "w") as f:
        json.dump(prm, f, indent=1)


def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def task_model(prefix):
    """(fit+score per candidate, CPU per task) of a reference run: the
    profile's CPU per task spread over the tasks in proportion to their
    fit + score (so the CPU time, not the loaded machine's wall time)."""
    fs = benchlib.task_times(prefix)
    run = benchlib.load_run(prefix)
    cpu = benchlib.services(run["profile"])["task_cpu"]
    scale = cpu / mean(fs)
    return fs, scale


def draw(fs, scale, n, rng, mean_work=None, overhead=0.0):
    """n tasks: (works, fit+score) drawn from the reference distribution;
    with mean_work, rescaled to that mean CPU time (plus the per-task
    overhead outside fit and score)."""
    idx = [rng.randrange(len(fs)) for _ in range(n)]
    if mean_work is None:
        return [fs[i] * scale for i in idx], [fs[i] for i in idx]
    k = mean_work / mean(fs)
    return [fs[i] * k + overhead for i in idx], [fs[i] * k for i in idx]


# ---- the scenarios ------------------------------------------------------------------


def simulate(prm, n, works, fs, layout, **kw):
    """search_s of one simulated run, and the simulation."""
    sim = Sim(prm, n, works, fs, layout, **kw)
    return sim.run(), sim


def validate(args):
    """Measured search_s against simulated, twice: with the reference run's
    CPU per task, and with the run's own (time-slicing and shared caches
    make tasks dearer when ranks share cores: a machine effect the
    simulation does not model)."""
    prm = load_params(args.params)
    fs, scale = task_model(args.tasks_from)
    ref_cpu = benchlib.services(benchlib.load_run(args.tasks_from)["profile"])["task_cpu"]
    print("| workload | ranks | cores the job got | CPU per task (1 rank / this run) "
          "| measured search_s | simulated with 1 rank's / this run's CPU per task "
          "| simulated / measured |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for prefix in args.runs:
        run = benchlib.load_run(prefix)
        n = max(run["ranks"], 1)
        got = benchlib.job_cores(run)
        # the code's costs per message and result from the calibration run;
        # the machine's state from this run: CPU share, journal sync time,
        # oversleep, and the cost of a main-loop pass (Open MPI yields the
        # CPU in every idle poll when the node is oversubscribed)
        env = benchlib.services(run["profile"])
        rprm = dict(prm, sync=env["sync"] or prm["sync"], oversleep=env["oversleep"],
                    loop=env["loop"], poll=env["poll"] or prm["poll"])
        setup = max(run["search_s"] - run["profile"][0]["run"]["wall"], 0.0)
        out = []
        for k in (scale, scale * env["task_cpu"] / ref_cpu):
            sims = []
            for seed in range(args.seeds):
                works, tfs = draw(fs, k, run["tasks"], random.Random(seed))
                t, _ = simulate(rprm, n, works, tfs, "shared", cores=got, background=0.0,
                                **variant(args))
                sims.append(t + setup)
            out.append(mean(sims))
        m = run["search_s"]
        name = args.label or os.path.basename(os.path.dirname(prefix + "/"))
        print(f"| {name} | {n} | {got:.2f} | {fmt_cpu(ref_cpu)} / {fmt_cpu(env['task_cpu'])} "
              f"| {m:.2f} | {out[0]:.2f} / {out[1]:.2f} | {out[0] / m:.2f} / {out[1] / m:.2f} |")
        sys.stdout.flush()


def fmt_cpu(s):
    return f"{s * 1e3:.1f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} µs"


def load_params(path):
    with open(path) as f:
        prm = json.load(f)
    for k in ("recv", "send", "local_in", "local_out", "flush", "w_recv", "w_send", "latency"):
        prm[k] = tuple(prm[k])
    return prm


def quiet(prm, args):
    """The predictions' machine: a quiet cluster (oversleep = Linux's 50 us
    timer slack plus a wake-up; network latency)."""
    q = dict(prm)
    q["oversleep"] = args.oversleep
    q["latency"] = (args.latency * 1e-6, prm["latency"][1])
    q["loop_per_rank"] = args.loop_per_rank * 1e-9
    return q


def predict(args):
    prm = quiet(load_params(args.params), args)
    fs, _ = task_model(args.tasks_from)
    print("| task time | ranks | tasks | simulated search_s | ideal (work / ranks) | efficiency "
          "| steady results/s | steady efficiency | rank 0 main thread CPU busy |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mean_t in [float(x) for x in args.task_times.split(",")]:
        for n in [int(x) for x in args.ranks.split(",")]:
            # long enough for 20 rounds of the target (steady state)
            target = min(max(math.ceil(variant(args).get("batch_work", BATCH_WORK_S) / mean_t),
                             MIN_TARGET), MAX_TARGET)
            per = max(args.tasks_per_worker, 10 * target) if mean_t < 0.1 else \
                max(args.tasks_per_worker // 2, 8)
            total = min(max(n * per, 2000), args.max_tasks)
            rng = random.Random(7)
            works, tfs = draw(fs, 1.0, total, rng, mean_work=mean_t,
                              overhead=prm["task_overhead"])
            t, sim = simulate(prm, n, works, tfs, "cluster", **variant(args))
            ideal = sum(works) / n
            rate = sim.steady_rate()
            print(f"| {fmt_t(mean_t)} | {n:,} | {total:,} | {t:.3f} | {ideal:.3f} | "
                  f"{ideal / t:.2f} | {rate:,.0f} | {rate * mean(works) / n:.2f} | "
                  f"{100 * sim.main.busy_cpu / t:.0f}% |")
            sys.stdout.flush()


def speedup(args):
    """The reference run's own tasks (count, distribution, CPU per task) on a
    quiet machine with a core per rank: simulated search_s and speed-up over
    1 rank. With --cpu-from, ranks above 1 get that run's CPU per task
    (tasks may cost more when both cores are busy)."""
    prm = quiet(load_params(args.params), args)
    fs, scale = task_model(args.tasks_from)
    run = benchlib.load_run(args.tasks_from)
    ref = benchlib.services(run["profile"])["task_cpu"]
    other = benchlib.services(benchlib.load_run(args.cpu_from)["profile"])["task_cpu"] \
        if args.cpu_from else ref
    base = None
    print("| ranks | tasks | CPU per task | simulated search_s | speed-up |")
    print("|---:|---:|---:|---:|---:|")
    for n in [int(x) for x in args.ranks.split(",")]:
        k = scale * (other / ref if n > 1 else 1.0)
        ts = []
        for seed in range(args.seeds):
            works, tfs = draw(fs, k, run["tasks"], random.Random(seed))
            ts.append(simulate(prm, n, works, tfs, "cluster", **variant(args))[0])
        t = mean(ts)
        base = base or t
        print(f"| {n} | {run['tasks']:,} | {fmt_cpu(ref if n == 1 else other)} | {t:.2f} "
              f"| {base / t:.2f}x |")


def variant(args):
    kw = {}
    if getattr(args, "sync_thread", False):
        kw["sync_thread"] = True
    if getattr(args, "msg_bytes", None):
        kw["msg_bytes"] = args.msg_bytes
    if getattr(args, "result_cost_scale", None):
        kw["result_cost_scale"] = args.result_cost_scale
    if getattr(args, "no_local", False):
        kw["no_local"] = True
    if getattr(args, "batch_work", None):
        kw["batch_work"] = args.batch_work
    return kw


def fmt_t(s):
    return f"{s * 1e3:g} ms" if s < 1 else f"{s:g} s"


def ceiling(args):
    """Rank 0's main-thread CPU per result when saturated, with full
    messages (short tasks) and with one result per message (tasks of
    2.5 ms or more: target 2, results sent one by one), and the inverse,
    less the time lost in journal syncs."""
    p = load_params(args.params)
    sync_frac = p["sync"] / (max(FLUSH_EVERY_S, 10 * p["sync"]) + p["sync"])
    full_r = max(1, MSG_BYTES // int(p["result_bytes"]))
    full_t = max(1, MSG_BYTES // TASK_BYTES)
    print("| rank 0's main thread, per result | full messages (short tasks) "
          "| one result per message (tasks >= 2.5 ms) |")
    print("|---|---:|---:|")
    rows = []
    for per_r, per_t in ((full_r, full_t), (1, 1)):
        recv = p["recv"][0] / per_r + p["recv"][1]
        send = p["send"][0] / per_t + p["send"][1]
        rows.append((recv, send, p["flush"][1]))
    us = lambda x: f"{x * 1e6:.2f} µs"
    print(f"| receive it (message share + per result, journal append) | {us(rows[0][0])} "
          f"| {us(rows[1][0])} |")
    print(f"| hand out its task (message share + per task) | {us(rows[0][1])} | {us(rows[1][1])} |")
    print(f"| complete it after the sync (plan) | {us(rows[0][2])} | {us(rows[1][2])} |")
    tot = [sum(r) for r in rows]
    print(f"| total CPU per result | {us(tot[0])} | {us(tot[1])} |")
    print(f"| time in journal syncs ({p['sync'] * 1e3:.1f} ms each) | {100 * sync_frac:.1f}% "
          f"| {100 * sync_frac:.1f}% |")
    print(f"| ceiling, results/s | {(1 - sync_frac) / tot[0]:,.0f} "
          f"| {(1 - sync_frac) / tot[1]:,.0f} |")
    print(f"| ceiling while rank 0's compute thread runs tasks (half the core) "
          f"| {(1 - sync_frac) / tot[0] / 2:,.0f} | {(1 - sync_frac) / tot[1] / 2:,.0f} |")


def show(args):
    """The simulation's inputs, as a Markdown table."""
    p = load_params(args.params)
    us = lambda x: f"{x * 1e6:.2f} µs"
    pair = lambda ab: f"{us(ab[0])} + {us(ab[1])} per item"
    rows = [("rank 0: RESULTS message received (unpack, journal append)", pair(p["recv"])),
            ("rank 0: TASKS message sent (pack)", pair(p["send"])),
            ("rank 0: results taken from its compute thread", pair(p["local_in"])),
            ("rank 0: tasks given to its compute thread", pair(p["local_out"])),
            ("rank 0: journal flush, CPU (write, sync's kernel time, plan)", pair(p["flush"])),
            ("rank 0: journal sync, wall", f"{p['sync'] * 1e3:.2f} ms"),
            ("rank 0: main-loop pass beyond its events (active / idle)",
             f"{us(p['loop'])} / {us(p['poll'])}"),
            ("worker: TASKS message received", pair(p["w_recv"])),
            ("worker: RESULTS message sent", pair(p["w_send"])),
            ("back-off sleep: oversleep beyond the asked time", us(p["oversleep"])),
            ("message latency (pingpong)", f"{us(p['latency'][0])} + "
             f"{p['latency'][1] * 1e9:.2f} ns per byte"),
            ("packed result / task", f"{p['result_bytes']:.0f} / {TASK_BYTES} bytes"),
            ("task CPU outside fit + score (exec overhead)", us(p["task_overhead"]))]
    print("| input (CPU unless said) | measured |")
    print("|---|---:|")
    for a, b in rows:
        print(f"| {a} | {b} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("calibrate")
    c.add_argument("--profile", required=True, nargs="+",
                   help="runs whose per-event costs are fitted together")
    c.add_argument("--pingpong", required=True)
    c.add_argument("--passes", help="run whose main-loop pass costs, sync and oversleep to use")
    c.add_argument("-o", required=True)
    v = sub.add_parser("validate")
    v.add_argument("--params", required=True)
    v.add_argument("--tasks-from", required=True)
    v.add_argument("--seeds", type=int, default=3)
    v.add_argument("--label")
    v.add_argument("runs", nargs="+")
    p = sub.add_parser("predict")
    p.add_argument("--params", required=True)
    p.add_argument("--tasks-from", required=True)
    p.add_argument("--ranks", default="16,256,4096")
    p.add_argument("--task-times", default="0.001,0.02,1")
    p.add_argument("--tasks-per-worker", type=int, default=40)
    p.add_argument("--max-tasks", type=int, default=300000)
    p.add_argument("--oversleep", type=float, default=60e-6)
    p.add_argument("--latency", type=float, default=3.0, help="µs per message")
    p.add_argument("--loop-per-rank", type=float, default=10.0,
                   help="ns per rank per main-loop pass (dispatch scans every rank)")
    p.add_argument("--sync-thread", action="store_true")
    p.add_argument("--msg-bytes", type=int)
    p.add_argument("--result-cost-scale", type=float,
                   help="scale rank 0's per-result costs (e.g. 0.5: journal appends elsewhere)")
    p.add_argument("--no-local", action="store_true",
                   help="rank 0 only coordinates (no compute thread)")
    p.add_argument("--batch-work", type=float,
                   help="seconds of work per worker the target aims at (code: 0.005)")
    e = sub.add_parser("ceiling")
    e.add_argument("--params", required=True)
    q = sub.add_parser("speedup")
    q.add_argument("--params", required=True)
    q.add_argument("--tasks-from", required=True)
    q.add_argument("--cpu-from", help="run whose CPU per task to use")
    q.add_argument("--ranks", default="1,2")
    q.add_argument("--seeds", type=int, default=3)
    q.add_argument("--oversleep", type=float, default=60e-6)
    q.add_argument("--latency", type=float, default=3.0)
    q.add_argument("--loop-per-rank", type=float, default=10.0)
    w = sub.add_parser("show")
    w.add_argument("--params", required=True)
    args = ap.parse_args()
    {"calibrate": calibrate, "validate": validate, "predict": predict, "ceiling": ceiling,
     "show": show, "speedup": speedup}[args.cmd](args)


if __name__ == "__main__":
    main()

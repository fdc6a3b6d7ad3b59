#!/usr/bin/python3
"""bayes_bench.py: foldwise's bayes proposer against random search and
Optuna's TPE, by simulation.

Each strategy proposes configurations; the score of a configuration is
looked up instead of fitted, so a run takes seconds and every strategy sees
the same objective:

  * synthetic objectives (today): smooth functions of 2 to 4 parameters
    shaped like tuning problems (--synthetic branin,logreg2,boost4,forest3
    or all);
  * a table of precomputed scores (once models and the runner exist): a
    CSV of configurations and CV scores written by foldwise (cv_results.csv:
    columns param_<name> and mean_test_<metric>), with the search space in
    a search_tool spec file (--table FILE --spec FILE [--score COL]
    [--model NAME]). A proposed configuration scores as its nearest row
    (distance in the unit cube, log scale for log dimensions; categories
    must match). Run foldwise with a dense grid or many random trials over
    the same space to produce the table.

With --noise F every observed score gets Gaussian noise of sd F times the
sd of the 1,000 random trials' scores (CV scores are noisy); the report then
scores each run by the true value of its best observed configuration.

Strategies: foldwise bayes and random (driven through the search_tool
binary: $FW_TOOLS/search_tool, see its header for the protocol) and Optuna's
TPESampler (default settings, sequential). Reported, over --seeds seeds:
the mean best score after N trials, and the trials needed to reach the 99th
percentile (1st for losses) of 1,000 random trials, the target the lead's
benchmark uses.

    /usr/bin/python3 tests/bench/bayes_bench.py --synthetic all
    /usr/bin/python3 tests/bench/bayes_bench.py --table runs/x/cv_results.csv --spec logreg.spec
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

# ---- spaces ----------------------------------------------------------------


class Dim:
    """One `dim` line of a search_tool spec."""

    def __init__(self, words):
        self.name, self.kind, self.args = words[1], words[2], words[3:]
        self.log = self.kind in ("loguniform", "logint", "logspace")
        if self.kind in ("linspace", "logspace"):
            a, b, n = float(self.args[0]), float(self.args[1]), int(self.args[2])
            self.values = list(np.geomspace(a, b, n) if self.log else np.linspace(a, b, n))
        elif self.kind in ("choice", "fixed"):
            self.values = [as_value(v) for v in self.args]
        else:
            self.values = None
            self.a, self.b = float(self.args[0]), float(self.args[1])

    def numeric(self):
        return self.values is None or all(isinstance(v, float) for v in self.values)

    def sample(self, rng):
        """One value, drawn as foldwise's random search draws it."""
        if self.values is not None:
            return self.values[rng.integers(len(self.values))]
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        if self.kind == "loguniform":
            return math.exp(rng.uniform(math.log(self.a), math.log(self.b)))
        if self.kind == "int":
            return float(rng.integers(int(self.a), int(self.b) + 1))
        x = round(math.exp(rng.uniform(math.log(self.a - 0.5), math.log(self.b + 0.5))))
        return float(min(max(x, self.a), self.b))

    def suggest(self, trial):
        """The same dimension for Optuna."""
        if self.kind == "fixed":
            return self.values[0]
        if self.values is not None:
            return trial.suggest_categorical(self.name, self.values)
        if self.kind in ("uniform", "loguniform"):
            return trial.suggest_float(self.name, self.a, self.b, log=self.log)
        return float(trial.suggest_int(self.name, int(self.a), int(self.b), log=self.log))

    def coord(self, v):
        """Position in [0, 1] for nearest-row lookups (None: a category)."""
        if not self.numeric():
            return None
        vals = self.values if self.values is not None else [self.a, self.b]
        t = math.log if self.log and min(vals) > 0 else (lambda x: x)
        lo, hi = t(min(vals)), t(max(vals))
        return 0.0 if hi == lo else (t(float(v)) - lo) / (hi - lo)


def as_value(text):
    try:
        return float(text)
    except ValueError:
        return text


def parse_spec(text):
    """The dims of a spec (one space) and its `maximize` setting."""
    dims, maximize = [], True
    for line in text.splitlines():
        w = line.split("#")[0].split()
        if w and w[0] == "dim":
            dims.append(Dim(w))
        elif w and w[0] == "maximize":
            maximize = float(w[1]) != 0
    return dims, maximize


# ---- synthetic objectives ----------------------------------------------------


def branin(c):
    x1, x2 = c["x1"], c["x2"]
    b, k, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + k * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def logreg2(c):
    """An accuracy-like surface: a cliff at small C, a gentle optimum near
    C = 5, a mild l1_ratio preference."""
    lc, l1 = math.log10(c["C"]), c["l1_ratio"]
    return (0.96 - 0.1 / (1 + math.exp(2.5 * (lc + 1.5)))
            - 0.01 * (lc - 0.7) ** 2 / (1 + 0.2 * (lc - 0.7) ** 2) - 0.015 * (l1 - 0.3) ** 2)


def boost4(c):
    """Learning rate and rounds trade off (their product matters), depth and
    subsample have interior optima."""
    lr, n = c["learning_rate"], c["n_iter"]
    return (0.9 - 0.05 * (math.log10(lr * n) - 1.3) ** 2 - 0.01 * (math.log10(lr) + 1) ** 2
            - 0.004 * (c["max_depth"] - 5) ** 2 - 0.05 * (c["subsample"] - 0.8) ** 2)


DEPTH_COST = {"none": 0.0, 5.0: 0.03, 10.0: 0.008, 20.0: 0.001}


def forest3(c):
    return (0.85 - 0.08 * (c["max_features"] - 0.35) ** 2
            - 0.01 * (math.log(c["min_samples_leaf"]) - 1) ** 2 - DEPTH_COST[c["max_depth"]])


SYNTHETIC = {
    "branin": (branin, """maximize 0
param x1 real -5 10
param x2 real 0 15
model synthetic
dim x1 uniform -5 10
dim x2 uniform 0 15
"""),
    "logreg2": (logreg2, """maximize 1
param C real 0 1e6 log
param l1_ratio real 0 1
model synthetic
dim C loguniform 1e-3 1e3
dim l1_ratio uniform 0 1
"""),
    "boost4": (boost4, """maximize 1
param learning_rate real 0 1 log
param n_iter int 1 10000 log
param max_depth int 1 100
param subsample real 0 1
model synthetic
dim learning_rate loguniform 1e-3 1
dim n_iter logint 10 1000
dim max_depth int 1 10
dim subsample uniform 0.5 1
"""),
    "forest3": (forest3, """maximize 1
param max_features real 0 1
param min_samples_leaf int 1 1000 log
param max_depth choice none 5 10 20
model synthetic
dim max_features uniform 0.1 1
dim min_samples_leaf logint 1 50
dim max_depth choice none 5 10 20
"""),
}

# ---- lookup objective from a table ---------------------------------------------


class Table:
    """Scores of precomputed configurations; a query scores as its nearest row."""

    def __init__(self, path, dims, score_col, model):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        if model:
            rows = [r for r in rows if r.get("model") == model]
        if not rows:
            raise SystemExit(f"bayes_bench: no rows in {path}" + (f" for model {model}" if model else ""))
        if score_col is None:
            score_col = next(k for k in rows[0] if k.startswith("mean_test_"))
        self.dims = dims
        self.keys = [[as_value(r["param_" + d.name]) for d in dims] for r in rows]
        self.scores = np.array([float(r[score_col]) if r[score_col] not in ("", "nan") else np.nan
                                for r in rows])
        self.coords = np.array([[d.coord(v) if d.coord(v) is not None else 0.0
                                 for d, v in zip(dims, k)] for k in self.keys])

    def __call__(self, cfg):
        q = np.array([d.coord(cfg[d.name]) if d.numeric() else 0.0 for d in self.dims])
        dist = ((self.coords - q) ** 2).sum(axis=1)
        for j, d in enumerate(self.dims):
            if not d.numeric():
                dist += np.array([0.0 if same(k[j], cfg[d.name]) else np.inf for k in self.keys])
        return float(self.scores[int(np.argmin(dist))])


def same(a, b):
    return a == b or (isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-12)


# ---- strategies ----------------------------------------------------------------


class Observed:
    """The objective as a strategy sees it: the true score plus Gaussian noise
    of sd `noise` (CV scores are noisy); records both, in proposal order."""

    def __init__(self, objective, noise, seed):
        self.objective, self.noise = objective, noise
        self.rng = np.random.default_rng(seed)
        self.true, self.seen = [], []

    def __call__(self, cfg):
        y = self.objective(cfg)
        obs = y + self.noise * self.rng.standard_normal() if self.noise > 0 else y
        self.true.append(y)
        self.seen.append(obs)
        return obs


def run_foldwise(tool, body, strategy, trials, batch, seed, objective):
    """Scores in proposal order, from search_tool driven over pipes."""
    with tempfile.NamedTemporaryFile("w", suffix=".spec", delete=False) as f:
        f.write(f"strategy {strategy}\ntrials {trials}\nbatch {batch}\nseed {seed}\n{body}")
        path = f.name
    p = subprocess.Popen([tool, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    scores, pending = {}, []
    try:
        for line in p.stdout:
            w = line.split()
            if w[0] == "cand":
                cfg = dict(kv.split("=", 1) for kv in w[5:])
                pending.append((int(w[1]), {k: as_value(v) for k, v in cfg.items()}))
            elif w[0] == "end":
                for cid, cfg in pending:
                    scores[cid] = objective(cfg)
                    p.stdin.write(f"{cid} {scores[cid]!r}\n")
                p.stdin.flush()
                pending = []
            elif w[0] == "done":
                break
    finally:
        p.stdin.close()
        rc = p.wait()
        os.unlink(path)
    if rc != 0:
        raise SystemExit(f"bayes_bench: search_tool failed ({rc})")
    return [scores[i] for i in sorted(scores)]


def run_tpe(dims, trials, seed, objective, maximize):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize" if maximize else "minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(lambda t: objective({d.name: d.suggest(t) for d in dims}), n_trials=trials)
    return [t.value for t in study.trials]


# ---- report ----------------------------------------------------------------------


def best_so_far(obs, true, maximize):
    """After each trial: the true score of the best configuration observed so
    far (what a user would pick)."""
    worst = -np.inf if maximize else np.inf
    o = np.array([x if np.isfinite(x) else worst for x in obs])
    out, best = [], 0
    for i in range(len(o)):
        if (o[i] > o[best]) if maximize else (o[i] < o[best]):
            best = i
        out.append(true[best])
    return np.array(out)


def summarise(name, curves, target, maximize, checkpoints):
    trials = len(curves[0])
    reach = []
    for c in curves:
        hit = np.nonzero(c >= target if maximize else c <= target)[0]
        reach.append(hit[0] + 1 if len(hit) else trials + 1)
    cells = [f"{np.mean([c[n - 1] for c in curves]):.4f}" for n in checkpoints]
    got = sum(r <= trials for r in reach)
    print(f"  {name:<14} " + " ".join(f"{x:>9}" for x in cells)
          + f"   {np.median(reach):>6.0f}{'' if got == len(reach) else '+'} ({got}/{len(reach)})")


def bench(title, body, objective, args):
    dims, maximize = parse_spec(body)
    rng = np.random.default_rng(12345)
    ref = [objective({d.name: d.sample(rng) for d in dims}) for _ in range(1000)]
    ref = [x for x in ref if np.isfinite(x)]
    target = np.percentile(ref, 99 if maximize else 1)
    checkpoints = [n for n in (10, 20, 30, 50, 100) if n < args.trials] + [args.trials]
    print(f"\n{title}: {'maximise' if maximize else 'minimise'}, {len(dims)} dims, "
          f"noise sd {args.noise * np.std(ref):.3g}, "
          f"{args.seeds} seeds, target (p{99 if maximize else 1} of 1000 random) = {target:.4f}")
    print(f"  {'strategy':<14} " + " ".join(f"{'best@' + str(n):>9}" for n in checkpoints)
          + "   trials to target (median; reached)")
    for strat in args.strategies.split(","):
        curves = []
        for seed in range(1, args.seeds + 1):
            obs = Observed(objective, args.noise * np.std(ref), [seed, 7])
            if strat == "tpe":
                run_tpe(dims, args.trials, seed, obs, maximize)
            else:
                run_foldwise(args.tool, body, strat, args.trials, args.batch, seed, obs)
            curves.append(best_so_far(obs.seen, obs.true, maximize))
        label = f"{strat} b={args.batch}" if strat == "bayes" else strat
        summarise(label, curves, target, maximize, checkpoints)
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synthetic", help="comma-separated: " + ",".join(SYNTHETIC) + " or all")
    ap.add_argument("--table", help="CSV of configurations and scores")
    ap.add_argument("--spec", help="search_tool spec of the table's space")
    ap.add_argument("--score", help="score column (default: the first mean_test_*)")
    ap.add_argument("--model", help="only rows of this model (column `model`)")
    ap.add_argument("--trials", type=int, default=50)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--strategies", default="bayes,random,tpe")
    ap.add_argument("--noise", type=float, default=0.0,
                    help="Gaussian noise added to each observed score, as a fraction of the "
                         "sd of 1000 random trials' scores (the report uses the true score "
                         "of the best observed configuration)")
    ap.add_argument("--tool", default=os.path.join(os.environ.get("FW_TOOLS", "build/tests/tools"),
                                                   "search_tool"))
    args = ap.parse_args()
    if args.table:
        if not args.spec:
            ap.error("--table needs --spec")
        with open(args.spec) as f:
            body = "".join(l for l in f if not l.split()[:1] in (["strategy"], ["trials"],
                                                                  ["batch"], ["seed"]))
        dims, _ = parse_spec(body)
        bench(os.path.basename(args.table), body, Table(args.table, dims, args.score, args.model),
              args)
        return
    names = list(SYNTHETIC) if args.synthetic in (None, "all") else args.synthetic.split(",")
    for name in names:
        objective, body = SYNTHETIC[name]
        bench(name, body, objective, args)


if __name__ == "__main__":
    main()

#!/bin/sh
# bench_efficiency.sh: parallel efficiency with real compute (Markdown).
#   tests/bench/bench_efficiency.sh [SCHEDULERS]   (default "0 1 2 3 4 8"; 0 = serial)
# Runs tests/bench/configs/efficiency.yaml (200 kNN tasks on digits)
# FW_BENCH_REPEAT times per scheduler, alternating schedulers.
. tests/bench/lib.sh
scheds=${1:-0 1 2 3 4 8}
cfg=tests/bench/configs/efficiency.yaml
runs=$(runs_of "$cfg" eff "$scheds")
first=$(echo $runs | cut -d' ' -f1)
for r in $runs; do case $r in *eff.1.0) first=$r ;; esac; done
cat <<TXT
Real compute: \`tests/bench/configs/efficiency.yaml\`, kNN (brute force on
BLAS) on the 1,797 digits, 20 values of k x 2 weightings x 5 folds = 200
tasks; each predicts the 360 test and 1,437 training rows of its fold.
Task times (fit + score per candidate, mean over its folds, from
cv_results.csv of a 1-rank run; wall times on this loaded machine, so
longer than the CPU time the profile measures):

TXT
$PY tests/bench/benchlib.py tasks "$first"
cat <<TXT

Speed-up = best \`search_s\` on 1 rank / best on N. The 2 cores were
shared with other jobs, so these speed-ups say little about the scheduler:
the last columns (from \`FW_SCHED_PROFILE\`) show what the job got and
spent. "Cores the job got" = CPU of all its threads in the scheduler loops /
wall time: Linux shares the CPU between sessions (autogroups) first, so
more ranks of one job do not get more of a loaded machine, and ranks above
2 are oversubscribed besides. "CPU per task" rises when ranks share cores
(time-slicing, shared caches). Rank 0's main thread (the coordinator) uses
a few percent of the task CPU. $(machine); $REPEAT runs each.

TXT
$PY tests/bench/benchlib.py efficiency $runs
des_params "$BTMP/params.json" > /dev/null 2>&1 || echo "(calibration failed)"
one=$first
two=$(for r in $runs; do case $r in *eff.2.0) echo $r ;; esac; done)
cat <<TXT

On a quiet 2-core machine (one core per rank), as simulated by
tests/bench/des.py with this run's tasks (the 1-rank run's distribution and
CPU per task) and the scheduler costs measured here; the last row charges
the 2-rank run's measured CPU per task (tasks are dearer when both cores
are busy):

TXT
$PY tests/bench/des.py speedup --params "$BTMP/params.json" --tasks-from "$one"
[ -n "$two" ] && $PY tests/bench/des.py speedup --params "$BTMP/params.json" --tasks-from "$one" \
    --cpu-from "$two" | tail -1

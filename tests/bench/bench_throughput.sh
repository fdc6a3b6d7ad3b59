#!/bin/sh
# bench_throughput.sh: coordinator throughput with trivial tasks (Markdown).
#   tests/bench/bench_throughput.sh [SCHEDULERS]   (default "0 1 2 3 4"; 0 = serial)
# Runs tests/bench/configs/throughput.yaml (20,000 tasks) FW_BENCH_REPEAT
# times per scheduler, alternating schedulers so all see the same load.
. tests/bench/lib.sh
scheds=${1:-0 1 2 3 4}
cfg=tests/bench/configs/throughput.yaml
runs=$(runs_of "$cfg" tp "$scheds")
cat <<TXT
Trivial tasks: \`tests/bench/configs/throughput.yaml\`, a grid of 4,000
\`test_fail\` candidates (\`sleep_ms\` values below 1e-3, which do not sleep)
x 5 folds of iris = 20,000 tasks of about 10-20 µs each (fit the class
prior, predict, score). results/s = tasks / \`search_s\` (summary.json: from
the coordinator's start to the last result). Rank 0's main thread CPU
comes from \`FW_SCHED_PROFILE\` (thread CPU clock around its loop): per
result it is the coordinator's service time, and its inverse the most
results/s one coordinator could take with a core of its own. With few
ranks rank 0's compute thread, fed without messages, does most tasks;
"results from other ranks" is the share that crossed MPI. Other runnable
threads: the machine's other load during the run (tests/bench/loadmon.py).
$(machine); $REPEAT runs each.

TXT
$PY tests/bench/benchlib.py throughput $runs

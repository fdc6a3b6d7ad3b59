#!/bin/sh
# bench_memory.sh: memory of 1 and 2 ranks sharing a 200 MB data set on one
# node, and of the serial run (Markdown).
#   tests/bench/bench_memory.sh [ROWS] [FEATURES]   (default 200000 125: 25.2M doubles)
# PSS of every rank is sampled while tasks run (tests/bench/pss.py).
. tests/bench/lib.sh
rows=${1:-200000}
feats=${2:-125}
data=$BTMP/big.csv
$FW make-data classification --rows "$rows" --features "$feats" -o "$data" > /dev/null || exit 1
bytes=$((rows * (feats + 1) * 8))
items=
mem_run() { # MODEL CONFIG RANKS
    _p=$BTMP/mem.$1.$3
    rm -rf "$_p"
    if [ "$3" = 0 ]; then
        $PY tests/bench/pss.py "$_p.json" "$_p/journal.fwj" -- \
            $FW run "$2" -o "$_p" -q --set data.path="$data" > /dev/null 2>&1
    else
        $PY tests/bench/pss.py "$_p.json" "$_p/journal.fwj" -- \
            mpirun --oversubscribe -n "$3" $FW run "$2" -o "$_p" -q --set data.path="$data" \
            > /dev/null 2>&1
    fi || echo "(memory run $1 on $3 ranks failed)"
    items="$items $1:$3:$_p.json"
}
for n in 0 1 2 3; do mem_run test_fail tests/bench/configs/memory_sleep.yaml $n; done
for n in 0 1 2; do mem_run gaussian_nb tests/bench/configs/memory_nb.yaml $n; done
cat <<TXT
Data: \`foldwise make-data classification --rows $rows --features $feats\`
($rows x $((feats + 1)) doubles with \`y\` = $(awk -v b=$bytes 'BEGIN { printf "%.1f", b / 1e6 }') MB in memory; the CSV file is
$(awk -v b=$(stat -c %s "$data") 'BEGIN { printf "%.0f", b / 1e6 }') MB). Under MPI the node's first rank reads it, packs it
into an MPI-3 shared-memory window and frees its own copy; every rank views
the window. PSS (proportional set size, /proc/PID/smaps_rollup: a page
shared by k processes counts 1/k in each) of every \`foldwise\` process is
summed every 0.2 s from the moment the journal exists (data loaded, tasks
starting) to the end; mpirun and its daemon are not counted. \`test_fail\`
tasks only sleep (3 s, 4 folds: the ranks stay alive, few pages of the
window are touched by the other ranks); \`gaussian_nb\` (3 values of
var_smoothing x 4 folds) reads every column, so every rank maps the whole
window. Shmem is the window (and Open MPI's own shared segments); anon is
each process's heap, stacks and libraries' data. $(machine).

TXT
$PY tests/bench/benchlib.py memory "$bytes" $items

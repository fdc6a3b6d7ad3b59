# lib.sh: helpers for tests/bench/bench_*.sh (sourced, not run). Run from
# the repository root after `make tests`; `make bench` (tests/bench/run.sh)
# sets FW_BIN and FW_TOOLS. Every run is repeated FW_BENCH_REPEAT times
# (default 3): the tables give the best and the median, because this
# machine's other load varies from run to run.
FW=${FW_BIN:-build/foldwise}
TOOLS=${FW_TOOLS:-build/tests/tools}
PY=/usr/bin/python3
REPEAT=${FW_BENCH_REPEAT:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
BTMP=${FW_BENCH_TMP:-$(mktemp -d /tmp/fwbench.XXXXXX)}
[ -n "$FW_BENCH_KEEP" ] || trap 'rm -rf "$BTMP"' EXIT

# fw_run RANKS CONFIG PREFIX [foldwise args...]: one run, RANKS 0 = serial
# (no mpirun). Output in PREFIX/, the scheduler profile in PREFIX.prof (MPI),
# the machine's other load in PREFIX.load.json (tests/bench/loadmon.py).
fw_run() {
    _n=$1 _cfg=$2 _p=$3
    shift 3
    rm -rf "$_p" "$_p.prof" "$_p.load.json"
    if [ "$_n" = 0 ]; then
        $PY tests/bench/loadmon.py "$_p.load.json" -- $FW run "$_cfg" -o "$_p" -q "$@"
    else
        FW_SCHED_PROFILE="$_p.prof" $PY tests/bench/loadmon.py "$_p.load.json" -- \
            mpirun --oversubscribe -x FW_SCHED_PROFILE -n "$_n" $FW run "$_cfg" -o "$_p" -q "$@"
    fi
}

# machine: one line about where and when.
machine() {
    echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM," \
         "load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%Y-%m-%dT%H:%MZ)"
}

# runs_of CONFIG NAME "SCHEDULERS": FW_BENCH_REPEAT rounds of fw_run over
# the schedulers (alternating, so that all see the same load); prints the
# run prefixes.
runs_of() {
    _i=0
    while [ $_i -lt "$REPEAT" ]; do
        for _s in $3; do
            fw_run "$_s" "$1" "$BTMP/$2.$_s.$_i" > /dev/null 2>&1 ||
                echo "(run on $_s ranks failed)" >&2
            echo "$BTMP/$2.$_s.$_i"
        done
        _i=$((_i + 1))
    done
}

# des_params OUT: measure the simulation's inputs (tests/bench/des.py) into
# OUT: latency (pingpong), per-event costs fitted over a 4-rank and a 2-rank
# trivial run, main-loop pass costs, sync and oversleep from the 2-rank one
# (not oversubscribed: Open MPI yields the CPU in idle polls when it is).
des_params() {
    mpirun --oversubscribe -n 2 "$TOOLS/pingpong" 2000 > "$BTMP/pingpong.txt" || return 1
    fw_run 4 tests/bench/configs/throughput.yaml "$BTMP/cal.4" > /dev/null 2>&1 || return 1
    fw_run 2 tests/bench/configs/throughput.yaml "$BTMP/cal.2" > /dev/null 2>&1 || return 1
    $PY tests/bench/des.py calibrate --profile "$BTMP/cal.4" "$BTMP/cal.2" --passes "$BTMP/cal.2" \
        --pingpong "$BTMP/pingpong.txt" -o "$1"
}

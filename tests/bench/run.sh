#!/bin/sh
# run.sh: make bench. Runs every tests/bench/bench_*.sh side by side with
# its peer on this machine and prints their Markdown table rows; the
# numbers recorded in docs/benchmarks.md come from such a run.
#   tests/bench/run.sh BUILD [NAME...]     (NAME: run only bench_NAME.sh)
BUILD=${1:-build}
shift
export FW_BUILD="$BUILD" FW_BIN="$BUILD/foldwise" FW_TOOLS="$BUILD/tests/tools"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
echo "# foldwise benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for b in tests/bench/bench_*.sh; do
    name=$(basename "$b" .sh | sed 's/^bench_//')
    if [ $# -gt 0 ]; then
        want=0
        for n in "$@"; do [ "$n" = "$name" ] && want=1; done
        [ $want = 1 ] || continue
    fi
    echo
    echo "## $name"
    sh "$b" || echo "(bench_$name failed: exit $?)"
done

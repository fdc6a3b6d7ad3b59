#!/bin/sh
# run.sh: runs every test and prints a final "N passed, N failed" line.
#   tests/run.sh BUILD [SANBUILD]     everything (make check)
#   tests/run.sh --unit-only BUILD    unit tests only
# Unit binaries and the scripts under tests/integration print one
# "PASS name" or "FAIL name: why" line per case; this counts them.
# A binary or script that ends non-zero without printing FAIL counts as one
# failure, so a crash is never a silent pass.
unit_only=0
[ "$1" = --unit-only ] && { unit_only=1; shift; }
BUILD=${1:-build}
SAN=${2:-}
export FW_BUILD="$BUILD" FW_BIN="$BUILD/foldwise" FW_TOOLS="$BUILD/tests/tools"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
log=$(mktemp)
start=$(date +%s)

run_one() { # label command...
    label=$1; shift
    out=$(mktemp)
    "$@" >"$out" 2>"$out.err"
    rc=$?
    sed "s/^\(FAIL\|PASS\) /\1 [$label] /" "$out" | grep -E '^(PASS|FAIL) ' | tee -a "$log" | grep '^FAIL' 
    if [ $rc -ne 0 ] && ! grep -q '^FAIL' "$out"; then
        echo "FAIL [$label] exited with status $rc" | tee -a "$log"
        tail -n 20 "$out.err" | sed 's/^/    /'
    elif grep -q '^FAIL' "$out"; then
        tail -n 20 "$out.err" | sed 's/^/    /'
    fi
    rm -f "$out" "$out.err"
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] && run_one "$(basename "$t")" "$t"
done
if [ -n "$SAN" ]; then
    # Unit tests once more under ASan + UBSan; they need no MPI.
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp
    for t in "$SAN"/tests/test_*; do
        [ -x "$t" ] && run_one "asan+ubsan $(basename "$t")" "$t"
    done
    unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
fi
if [ $unit_only = 0 ]; then
    # Scripts run two at a time (this machine has 2 cores and most scripts
    # are single-threaded Python or a serial run); their lines are printed
    # in script order.
    export FW_SAN_BIN="${SAN:+$SAN/foldwise}"
    outdir=$(mktemp -d)
    ls tests/integration/*.sh tests/parity/*.py 2>/dev/null | \
        xargs -P 2 -I{} sh -c 'o='"$outdir"'/$(echo {} | tr / _); case {} in
            *.py) /usr/bin/python3 {} > $o.out 2> $o.err ;;
            *) sh {} > $o.out 2> $o.err ;;
        esac; echo $? > $o.rc'
    for t in tests/integration/*.sh tests/parity/*.py; do
        [ -f "$t" ] || continue
        o=$outdir/$(echo $t | tr / _)
        label=$(basename "$t")
        sed "s/^\(FAIL\|PASS\) /\1 [$label] /" "$o.out" | grep -E '^(PASS|FAIL) ' | tee -a "$log" | grep '^FAIL'
        rc=$(cat "$o.rc" 2>/dev/null || echo 1)
        if [ "$rc" -ne 0 ] && ! grep -q '^FAIL' "$o.out"; then
            echo "FAIL [$label] exited with status $rc" | tee -a "$log"
            tail -n 20 "$o.err" | sed 's/^/    /'
        elif grep -q '^FAIL' "$o.out"; then
            tail -n 20 "$o.err" | sed 's/^/    /'
        fi
    done
    rm -rf "$outdir"
fi
passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
rm -f "$log"
echo "$passed passed, $failed failed ($(( $(date +%s) - start )) s)"
[ "$failed" -eq 0 ]

# lib.sh: helpers for the integration scripts (sourced, not run).
# Each script prints "PASS name" or "FAIL name: why" per case.
FW=${FW_BIN:-build/foldwise}
TOOLS=${FW_TOOLS:-build/tests/tools}
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI's vader BTL warns about CMA in containers; tcp/self/vader all fine.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
TMP=$(mktemp -d /tmp/fwit.XXXXXX)
MPIRUN="mpirun --oversubscribe"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { # name condition-command...
    _case=$1; shift
    if "$@"; then pass "$_case"; else fail "$_case" "$*"; fi
}

# cv_results.csv without the columns whose name ends in _time.
strip_times() {
    $PY -c '
import csv, sys
r = list(csv.reader(open(sys.argv[1])))
keep = [i for i, h in enumerate(r[0]) if not h.endswith("_time")]
for row in r:
    print(",".join(row[i] for i in keep))' "$1"
}

# The scores of summary.json (best, models, nested), without times.
summary_scores() {
    $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({k: d.get(k) for k in ("best", "models", "nested", "n_samples", "classes")}, sort_keys=True))' "$1"
}

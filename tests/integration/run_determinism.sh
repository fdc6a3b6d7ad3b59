# run_determinism.sh: the same run serially and with 1, 2 and 3 MPI ranks
# gives byte-identical cv_results.csv (timing columns aside) and identical
# scores in summary.json, on real data with nested CV and random search.
. tests/integration/lib.sh
cat > $TMP/det.yaml <<YAML
name: determinism
seed: 11
data: {path: tests/data/wine.csv, target: cultivar}
cv:
  outer: {kind: stratified_kfold, k: 4, shuffle: true}
  inner: {kind: kfold, k: 3, shuffle: true}
metrics: [accuracy, log_loss]
search: {strategy: random, trials: 6}
models:
  - name: dummy
    params: {strategy: [prior, stratified, uniform]}
  - name: test_fail
    params: {mode: [ok, flaky], sleep_ms: {uniform: [0, 2]}}
output: {progress_s: 0}
YAML
$FW run $TMP/det.yaml -o $TMP/serial -q > /dev/null 2> $TMP/serial.err
check determinism_serial_runs test -s $TMP/serial/cv_results.csv
strip_times $TMP/serial/cv_results.csv > $TMP/serial.csv
summary_scores $TMP/serial/summary.json > $TMP/serial.json
for n in 1 2 3; do
    $MPIRUN -n $n $FW run $TMP/det.yaml -o $TMP/mpi$n -q > /dev/null 2> $TMP/mpi$n.err
    strip_times $TMP/mpi$n/cv_results.csv > $TMP/mpi$n.csv 2>/dev/null
    summary_scores $TMP/mpi$n/summary.json > $TMP/mpi$n.json 2>/dev/null
    check determinism_cv_results_${n}_ranks cmp -s $TMP/serial.csv $TMP/mpi$n.csv
    check determinism_summary_${n}_ranks cmp -s $TMP/serial.json $TMP/mpi$n.json
done
ranks=$($PY -c "import json; print(json.load(open('$TMP/mpi3/summary.json'))['ranks'])" 2>/dev/null)
check determinism_reports_ranks test "$ranks" = 3
rm -rf $TMP

# run_failures.sh: failed fits are recorded and the run goes on; a timeout
# becomes status "timeout"; every fit failing exits 1 with a summary;
# --fail-fast stops at the first failure; a timeout works for every model.
. tests/integration/lib.sh
base() { # model params...
cat <<YAML
seed: 3
data: {path: tests/data/iris.csv, target: species}
cv: {outer: {kind: stratified_kfold, k: 4}}
search: {strategy: grid}
output: {progress_s: 0}
YAML
}
{ base; printf 'models:\n  - name: test_fail\n    params: {mode: [ok, flaky, singular]}\n'; } > $TMP/f1.yaml
$FW run $TMP/f1.yaml -o $TMP/f1 -q > /dev/null 2>&1
rc=$?
check failures_run_goes_on test $rc = 0
check failures_recorded grep -q '^test_fail,singular,.*,failed,0,test_fail: singular matrix' $TMP/f1/cv_results.csv
check failures_partial_status grep -q ',partial,' $TMP/f1/cv_results.csv

{ base; printf 'models:\n  - name: test_fail\n    params: {mode: fail}\n'; } > $TMP/f2.yaml
$FW run $TMP/f2.yaml -o $TMP/f2 > /dev/null 2> $TMP/f2.err
rc=$?
check failures_all_failed_exit_1 test $rc = 1
check failures_all_failed_summary grep -q 'deliberate failure' $TMP/f2.err

{ base; printf 'models:\n  - name: test_fail\n    params: {mode: [ok, flaky]}\n'; } > $TMP/f3.yaml
$FW run $TMP/f3.yaml -o $TMP/f3 --fail-fast > /dev/null 2> $TMP/f3.err
rc=$?
check failures_fail_fast_exit_1 test $rc = 1
check failures_fail_fast_message grep -q 'fail-fast' $TMP/f3.err

{ base; printf 'limits: {task_timeout_s: 0.2}\nmodels:\n  - name: test_fail\n    params: {mode: [ok, spin]}\n'; } > $TMP/f4.yaml
$FW run $TMP/f4.yaml -o $TMP/f4 -q > /dev/null 2>&1
check failures_timeout_status grep -q 'spin,.*,timeout,' $TMP/f4/cv_results.csv

# Every registered model stops at the task deadline (here: one that has
# already passed), classification or regression as the model does.
for m in $($FW models | awk '{print $1}'); do
    caps=$($FW models $m | sed -n 's/^  does: //p')
    case "$caps" in
        *classification*) data="{path: tests/data/iris.csv, target: species}" ;;
        *) data="{path: tests/data/diabetes.csv, target: progression}" ;;
    esac
    case "$caps" in *multiclass*|*regression*) ;; *) data="{path: tests/data/breast_cancer.csv, target: diagnosis}" ;; esac
    printf 'data: %s\ncv: {outer: {kind: kfold, k: 2}}\nlimits: {task_timeout_s: 1.0e-9}\noutput: {progress_s: 0}\nmodels:\n  - name: %s\n' "$data" $m > $TMP/t_$m.yaml
    $FW run $TMP/t_$m.yaml -o $TMP/t_$m -q > /dev/null 2>&1
    check failures_timeout_model_$m grep -q ',timeout,' $TMP/t_$m/cv_results.csv
done
rm -rf $TMP

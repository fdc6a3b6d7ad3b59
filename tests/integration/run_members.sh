# run_members.sh: a large forest split into member tasks (blocks of trees
# fitted as separate tasks, on any rank, then combined) gives results
# bit-identical to the forest fitted whole, serially and on 3 ranks, and
# after a stop and --resume in the middle of the members.
. tests/integration/lib.sh
cat > $TMP/rf.yaml <<YAML
seed: 4
data: {path: tests/data/wine.csv, target: cultivar}
cv: {outer: {kind: stratified_kfold, k: 3, shuffle: true}}
metrics: [accuracy, log_loss]
search: {strategy: grid}
models:
  - name: random_forest
    params: {n_trees: 250, max_features: [sqrt, 0.5]}
  - name: extra_trees
    params: {n_trees: 220}
output: {progress_s: 0, predictions: all}
YAML
$FW run $TMP/rf.yaml -o $TMP/whole --set limits.member_trees=0 -q > /dev/null 2>&1
$FW run $TMP/rf.yaml -o $TMP/blocks --set limits.member_trees=50 -q > /dev/null 2>&1
$MPIRUN -n 3 $FW run $TMP/rf.yaml -o $TMP/blocks3 --set limits.member_trees=40 -q > /dev/null 2>&1
whole=$($PY -c "import json; print(json.load(open('$TMP/whole/summary.json'))['tasks']['total'])")
blocks=$($PY -c "import json; print(json.load(open('$TMP/blocks/summary.json'))['tasks']['total'])")
check members_were_split test "$blocks" -gt "$whole"
strip_times $TMP/whole/cv_results.csv > $TMP/whole.csv
for r in blocks blocks3; do
    strip_times $TMP/$r/cv_results.csv > $TMP/$r.csv
    check members_${r}_cv_results_identical cmp -s $TMP/whole.csv $TMP/$r.csv
    check members_${r}_predictions_identical cmp -s $TMP/whole/predictions.csv $TMP/$r/predictions.csv
done
# Stop part-way through the members, resume: still identical.
$FW run $TMP/rf.yaml -o $TMP/stopped --set limits.member_trees=25 -q > /dev/null 2>&1 &
job=$!
for i in $(seq 1 400); do
    n=$($TOOLS/journal_tool $TMP/stopped/journal.fwj 2>/dev/null | wc -l)
    [ "$n" -ge 10 ] && break
    sleep 0.02
done
kill -USR1 $job
wait $job
$FW run $TMP/rf.yaml -o $TMP/stopped --set limits.member_trees=25 --resume -q > /dev/null 2>&1
check members_resume_exit_0 test $? = 0
strip_times $TMP/stopped/cv_results.csv > $TMP/stopped.csv
check members_resume_identical cmp -s $TMP/whole.csv $TMP/stopped.csv
rm -rf $TMP

# run_resume.sh: nothing finished is lost. A worker killed with SIGKILL in
# the middle of an MPI run (Open MPI then ends the whole job), then
# --resume, gives results byte-identical to an uninterrupted run, and no
# task recorded in the journal runs again. SIGUSR1 stops a run with exit 3
# after saving; --resume finishes it (the learning curve too). A full disk ends with exit 4 and a
# journal intact up to its last synced record.
. tests/integration/lib.sh
cat > $TMP/r.yaml <<YAML
seed: 5
data: {path: tests/data/breast_cancer.csv, target: diagnosis}
cv:
  outer: {kind: stratified_kfold, k: 5, shuffle: true}
  inner: {kind: stratified_kfold, k: 2}
metrics: [roc_auc, accuracy]
search: {strategy: random, trials: 8}
models:
  - name: test_fail
    params: {mode: ok, sleep_ms: {uniform: [20, 60]}}
  - name: dummy
    params: {strategy: [prior, stratified]}
diagnose: {learning_curve: [0.3, 1.0]}
output: {progress_s: 0}
YAML
# The learning curve as h5dump prints it (its tasks are journalled too).
curve() { h5dump -d /learning_curve/test -d /learning_curve/train "$1/results.h5" 2>&1 | grep -v HDF5; }
$MPIRUN -n 2 $FW run $TMP/r.yaml -o $TMP/full -q > /dev/null 2>&1
strip_times $TMP/full/cv_results.csv > $TMP/full.csv

# Kill a worker (rank 1) once the journal holds some results.
$MPIRUN -n 2 $FW run $TMP/r.yaml -o $TMP/killed -q > $TMP/killed.out 2>&1 &
job=$!
for i in $(seq 1 200); do
    n=$($TOOLS/journal_tool $TMP/killed/journal.fwj 2>/dev/null | wc -l)
    [ "$n" -ge 20 ] && break
    sleep 0.05
done
pids=$(pgrep -f "foldwise run $TMP/r.yaml -o $TMP/killed")
victim=$(for p in $pids; do [ "$(tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -c '^OMPI_COMM_WORLD_RANK=1$')" = 1 ] && echo $p; done | head -1)
[ -n "$victim" ] && kill -9 $victim
wait $job
rc=$?
check resume_kill_ended_job test $rc != 0
before=$($TOOLS/journal_tool $TMP/killed/journal.fwj 2>/dev/null | sort)
nb=$(echo "$before" | grep -c .)
check resume_kill_journal_kept_results test "$nb" -ge 20
$MPIRUN -n 2 $FW run $TMP/r.yaml -o $TMP/killed --resume -q > /dev/null 2>$TMP/resume.err
check resume_after_kill_exit_0 test $? = 0
strip_times $TMP/killed/cv_results.csv > $TMP/killed.csv
check resume_after_kill_identical cmp -s $TMP/full.csv $TMP/killed.csv
after=$($TOOLS/journal_tool $TMP/killed/journal.fwj | sort)
dups=$(echo "$after" | uniq -d | grep -c .)
check resume_no_task_twice test "$dups" = 0
resumed=$($PY -c "import json; print(json.load(open('$TMP/killed/summary.json'))['tasks']['resumed'])")
check resume_counts_resumed test "$resumed" = "$nb"
summary_scores $TMP/full/summary.json > $TMP/a.json
summary_scores $TMP/killed/summary.json > $TMP/b.json
check resume_summary_identical cmp -s $TMP/a.json $TMP/b.json
curve $TMP/full > $TMP/a.curve
curve $TMP/killed > $TMP/b.curve
check resume_curve_identical cmp -s $TMP/a.curve $TMP/b.curve
check resume_curve_present grep -q DATA $TMP/a.curve

# SIGUSR1 to a serial run: exit 3 after saving; --resume finishes it.
$FW run $TMP/r.yaml -o $TMP/sig -q > /dev/null 2> $TMP/sig.err &
job=$!
for i in $(seq 1 200); do
    n=$($TOOLS/journal_tool $TMP/sig/journal.fwj 2>/dev/null | wc -l)
    [ "$n" -ge 5 ] && break
    sleep 0.05
done
kill -USR1 $job
wait $job
check signal_usr1_exit_3 test $? = 3
check signal_message grep -q 'resume' $TMP/sig.err
$FW status $TMP/sig > $TMP/status.out 2>&1
check status_says_stopped grep -q 'stopped, .*tasks' $TMP/status.out
$FW run $TMP/r.yaml -o $TMP/sig --resume -q > /dev/null 2>&1
check signal_resume_exit_0 test $? = 0
strip_times $TMP/sig/cv_results.csv > $TMP/sig.csv
check signal_resume_identical cmp -s $TMP/full.csv $TMP/sig.csv
curve $TMP/sig > $TMP/c.curve
check signal_resume_curve_identical cmp -s $TMP/a.curve $TMP/c.curve

# An existing output dir without --resume is refused (exit 2).
$FW run $TMP/r.yaml -o $TMP/sig -q > /dev/null 2> $TMP/exists.err
check existing_dir_refused test $? = 2
check existing_dir_message grep -q 'already exists' $TMP/exists.err

# Full disk: a file-size limit makes the journal writes fail.
( ulimit -f 24; $FW run $TMP/r.yaml -o $TMP/full_disk -q > /dev/null 2> $TMP/disk.err )
check disk_full_exit_4 test $? = 4
check disk_full_message grep -q 'cannot write' $TMP/disk.err
$TOOLS/journal_tool $TMP/full_disk/journal.fwj > /dev/null 2>&1
check disk_full_journal_readable test $? = 0
rm -rf $TMP

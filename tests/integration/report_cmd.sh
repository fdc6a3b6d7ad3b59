# report_cmd.sh: results.h5 and the commands that read runs back.
# `foldwise report DIR` regenerates byte-identical cv_results.csv,
# summary.json, predictions.csv, report.html and report.md from
# results.h5, and rebuilds
# results.h5 (with its learning curve) from the journal when it is deleted or truncated (same
# outputs), or when the run was stopped (state "stopped", a --resume hint).
# h5dump and h5py read the file (h5py's /trials/test equals the split
# columns of cv_results.csv). `foldwise predict` reproduces a second path
# (fit_tool with the refit model's parameters on all rows), for a
# classifier with preprocessing and a regressor without; it refuses a
# missing column (exit 2, named) and a run without refit (exit 2).
# `foldwise compare` prints the changed key and the Nadeau-Bengio p-value
# (checked against scipy), and "no change" for a run against itself.
# `foldwise run DIR/results.h5 -o NEW` runs the stored config again.
. tests/integration/lib.sh
cat > $TMP/c.yaml <<YAML
name: report-test
seed: 7
data: {path: tests/data/breast_cancer.csv, target: diagnosis}
preprocess: {scale: standard}
cv: {outer: {kind: stratified_kfold, k: 5, shuffle: true}}
metrics: [roc_auc, accuracy]
search: {strategy: grid}
models:
  - name: knn
    params: {k: [3, 7]}
  - name: gaussian_nb
diagnose: {learning_curve: [0.3, 1.0]}
output: {progress_s: 0}
YAML
$FW run $TMP/c.yaml -o $TMP/a -q --set 'models.0.params.k=[5, 9]' > /dev/null 2>&1
check run_writes_results_h5 test -s $TMP/a/results.h5
mkdir -p $TMP/orig
cp $TMP/a/cv_results.csv $TMP/a/summary.json $TMP/a/predictions.csv $TMP/a/results.h5 \
   $TMP/a/report.html $TMP/a/report.md $TMP/orig/

same_outputs() { # case-prefix
    for f in cv_results.csv summary.json predictions.csv report.html report.md; do
        check ${1}_same_$f cmp -s $TMP/orig/$f $TMP/a/$f
    done
}

# Regenerated from results.h5.
rm $TMP/a/cv_results.csv $TMP/a/summary.json $TMP/a/predictions.csv $TMP/a/report.html
$FW report $TMP/a > $TMP/rep.out 2> $TMP/rep.err
check report_exit_0 test $? = 0
same_outputs report

# results.h5 deleted: rebuilt from the journal (with the run's --set); the
# facts of the process (command line, host, ranks, times, versions) come
# from run.json.
check run_writes_run_json grep -q '"cmdline": ' $TMP/a/run.json
rm $TMP/a/results.h5 $TMP/a/cv_results.csv $TMP/a/predictions.csv $TMP/a/report.md
$FW report $TMP/a > $TMP/rep.out 2> $TMP/rep.err
check report_rebuild_exit_0 test $? = 0
check report_rebuild_says_so grep -q 'rebuilt results.h5 from the journal' $TMP/rep.out
check report_rebuild_wrote_h5 test -s $TMP/a/results.h5
same_outputs rebuild

# results.h5 cut in half: refused as damaged, rebuilt, same outputs.
size=$(stat -c %s $TMP/a/results.h5)
truncate -s $((size / 2)) $TMP/a/results.h5
rm $TMP/a/cv_results.csv
$FW report $TMP/a > $TMP/rep.out 2> $TMP/rep.err
check report_truncated_exit_0 test $? = 0
check report_truncated_warns grep -q 'damaged results file' $TMP/rep.err
same_outputs truncated

# Without run.json, summary.json has most facts: the same cv_results.csv
# and summary.json. Without both, the scores are still the same.
mv $TMP/a/run.json $TMP/run.json
rm $TMP/a/results.h5
$FW report $TMP/a > /dev/null 2>&1
check report_no_run_json_exit_0 test $? = 0
check report_no_run_json_same_cv_results cmp -s $TMP/orig/cv_results.csv $TMP/a/cv_results.csv
check report_no_run_json_same_summary cmp -s $TMP/orig/summary.json $TMP/a/summary.json
rm $TMP/a/results.h5 $TMP/a/summary.json
$FW report $TMP/a > /dev/null 2>&1
check report_no_facts_exit_0 test $? = 0
summary_scores $TMP/orig/summary.json > $TMP/s1.json
summary_scores $TMP/a/summary.json > $TMP/s2.json
check report_no_facts_same_scores cmp -s $TMP/s1.json $TMP/s2.json
check report_no_facts_same_cv_results cmp -s $TMP/orig/cv_results.csv $TMP/a/cv_results.csv
mv $TMP/run.json $TMP/a/run.json
rm $TMP/a/results.h5
$FW report $TMP/a > /dev/null 2>&1

# Readable by h5dump and h5py; the rebuilt file holds the same results.
h5dump -H $TMP/a/results.h5 > $TMP/dump.txt 2>&1
check h5dump_reads test $? = 0
check h5dump_has_trials grep -q 'DATASET "test"' $TMP/dump.txt
$PY - $TMP/a/results.h5 $TMP/orig/results.h5 $TMP/a/cv_results.csv <<'PY'
import csv, sys
try:
    import h5py, numpy as np
except Exception as e:
    print("FAIL h5py_import: %s" % e); sys.exit(0)
f = h5py.File(sys.argv[1], "r")
g = h5py.File(sys.argv[2], "r")
rows = list(csv.DictReader(open(sys.argv[3])))
test = f["/trials/test"][()]
metrics = [m.decode() for m in f["/metrics/names"][()]]
ok = test.shape == (len(rows), f.attrs["n_splits"], len(metrics))
for i, row in enumerate(rows):
    for s in range(test.shape[1]):
        for m, name in enumerate(metrics):
            cell = row["split%d_test_%s" % (s, name)]
            v = test[i, s, m]
            ok = ok and ((cell == "" and np.isnan(v)) or float(cell) == v)
print(("PASS" if ok else "FAIL") + " h5py_trials_test_matches_cv_results" + ("" if ok else ": differ"))
def eq(a, b):
    return np.array_equal(a, b, equal_nan=True) if a.dtype.kind == "f" else np.array_equal(a, b)
same = all(eq(f[k][()], g[k][()]) for k in ("/trials/test", "/trials/train", "/trials/rank", "/best", "/model"))
for a in ("seed", "state", "ranks", "elapsed_s", "search_s", "version_mpi", "tasks_done",
          "cmdline", "host", "config_path", "start_epoch", "end_epoch", "content_xxh3"):
    same = same and f.attrs[a] == g.attrs[a]
print(("PASS" if same else "FAIL") + " rebuilt_h5_same_results" + ("" if same else ": differ"))
cfg = f["/config"][()].decode()
print(("PASS" if "# --set models.0.params.k=[5, 9]" in cfg else "FAIL") + " h5_config_keeps_set")
PY

# predict on the training rows = fit_tool with the refit model's parameters
# on all rows (same preprocessing).
$FW predict $TMP/a tests/data/breast_cancer.csv -o $TMP/pred.csv 2> $TMP/pred.err
check predict_exit_0 test $? = 0
$PY - $TMP/a/results.h5 $TMP/pred.csv "$TOOLS/fit_tool" tests/data/breast_cancer.csv diagnosis scale=standard <<'PY'
import csv, json, subprocess, sys
import h5py
f = h5py.File(sys.argv[1], "r")
model = f["/model"].attrs["model"]
params = json.loads(f["/model"].attrs["params"])
classes = [c.decode() for c in f["/data/classes"][()]]
args = [sys.argv[3], "--data", sys.argv[4], "--target", sys.argv[5], "--model", model]
if sys.argv[6]:
    args += ["--prep", sys.argv[6]]
for k, v in params.items():
    args += ["--param", "%s=%s" % (k, v)]
out = subprocess.run(args, capture_output=True, text=True).stdout.split("\n")
ref = {int(l.split()[3]): l.split()[4:] for l in out if l.startswith("pred ")}
got = list(csv.DictReader(open(sys.argv[2])))
ok = len(got) == len(ref) and len(got) > 0
for r in got:
    i = int(r["row"])
    y, scores = ref[i][0], [float(v) for v in ref[i][1:]]
    if classes:
        ok = ok and r["y_pred"] == classes[int(float(y))]
        probs = [float(r["proba_" + c]) for c in classes] if "proba_" + classes[0] in r else []
        ok = ok and all(abs(a - b) <= 1e-12 for a, b in zip(probs, scores))
    else:
        ok = ok and abs(float(r["y_pred"]) - float(y)) <= 1e-12 * max(1, abs(float(y)))
print(("PASS" if ok else "FAIL") + " predict_matches_fit_tool_" + model + ("" if ok else ": differ"))
PY

# A missing feature column is refused by name; an extra one is ignored.
$PY -c "
import csv, sys
r = list(csv.reader(open('tests/data/breast_cancer.csv')))
drop = r[0].index('mean_texture')
csv.writer(open('$TMP/missing.csv', 'w')).writerows([c for k, c in enumerate(x) if k != drop] for x in r)
csv.writer(open('$TMP/extra.csv', 'w')).writerows(x + (['note'] if i == 0 else ['n%d' % i]) for i, x in enumerate(r))
"
$FW predict $TMP/a $TMP/missing.csv -o $TMP/p2.csv 2> $TMP/p2.err
check predict_missing_column_exit_2 test $? = 2
check predict_missing_column_named grep -q "'mean_texture'" $TMP/p2.err
$FW predict $TMP/a $TMP/extra.csv -o $TMP/p3.csv 2> $TMP/p3.err
check predict_extra_column_exit_0 test $? = 0
check predict_extra_column_warns grep -q "'note'" $TMP/p3.err
check predict_extra_column_same cmp -s $TMP/pred.csv $TMP/p3.csv

# Regression without preprocessing (the model reads the columns as they are).
cat > $TMP/r.yaml <<YAML
seed: 2
data: {path: tests/data/diabetes.csv, target: progression}
cv: {outer: {kind: kfold, k: 4, shuffle: true}}
metrics: [r2]
search: {strategy: grid}
models:
  - name: ridge
    params: {alpha: [0.1, 1.0, 10.0]}
output: {progress_s: 0}
YAML
$FW run $TMP/r.yaml -o $TMP/reg -q > /dev/null 2>&1
$FW predict $TMP/reg tests/data/diabetes.csv -o $TMP/regpred.csv 2> /dev/null
check predict_regression_exit_0 test $? = 0
$PY - $TMP/reg/results.h5 $TMP/regpred.csv "$TOOLS/fit_tool" tests/data/diabetes.csv progression "" <<'PY'
import csv, json, subprocess, sys
import h5py
f = h5py.File(sys.argv[1], "r")
model, params = f["/model"].attrs["model"], json.loads(f["/model"].attrs["params"])
args = [sys.argv[3], "--data", sys.argv[4], "--target", sys.argv[5], "--model", model]
for k, v in params.items():
    args += ["--param", "%s=%s" % (k, v)]
out = subprocess.run(args, capture_output=True, text=True).stdout.split("\n")
ref = {int(l.split()[3]): float(l.split()[4]) for l in out if l.startswith("pred ")}
got = list(csv.DictReader(open(sys.argv[2])))
ok = len(got) == len(ref) > 0 and list(got[0].keys()) == ["row", "y_pred"]
ok = ok and all(abs(float(r["y_pred"]) - ref[int(r["row"])]) <= 1e-9 * max(1, abs(ref[int(r["row"])])) for r in got)
print(("PASS" if ok else "FAIL") + " predict_matches_fit_tool_ridge" + ("" if ok else ": differ"))
PY

# A run without refit has no model: predict says so (exit 2).
$FW run $TMP/r.yaml -o $TMP/norefit --set refit=none -q > /dev/null 2>&1
$FW predict $TMP/norefit tests/data/diabetes.csv -o $TMP/x.csv 2> $TMP/nr.err
check predict_no_refit_exit_2 test $? = 2
check predict_no_refit_message grep -q 'refit: none' $TMP/nr.err

# compare: one parameter changed; the p-value is the corrected t-test's.
$FW run $TMP/c.yaml -o $TMP/b -q --set 'models.0.params.k=[5, 25]' > /dev/null 2>&1
$FW compare $TMP/a $TMP/b > $TMP/cmp.out 2> $TMP/cmp.err
check compare_exit_0 test $? = 0
check compare_names_key grep -q 'models.0.params.k.1: 9 -> 25' $TMP/cmp.out
check compare_has_verdict grep -q '^verdict.*p = ' $TMP/cmp.out
$PY - $TMP/a/cv_results.csv $TMP/b/cv_results.csv $TMP/cmp.out <<'PY'
import csv, re, sys
try:
    from scipy import stats
except Exception as e:
    print("FAIL compare_p_value: scipy: %s" % e); sys.exit(0)
def best(path, model):
    rows = [r for r in csv.DictReader(open(path)) if r["model"] == model]
    r = max(rows, key=lambda r: float(r["mean_test_roc_auc"]))
    return [float(r["split%d_test_roc_auc" % s]) for s in range(5)]
a, b = best(sys.argv[1], "knn"), best(sys.argv[2], "knn")
d = [y - x for x, y in zip(a, b)]
J = len(d); m = sum(d) / J; var = sum((x - m) ** 2 for x in d) / (J - 1)
t = m / ((1 / J + 1 / 4) * var) ** 0.5
p = 2 * stats.t.sf(abs(t), J - 1)
text = open(sys.argv[3]).read()
blk = text[text.index("model knn"):]
got = float(re.search(r"p = ([0-9.eE+-]+) \(5 splits\)", blk).group(1))
ok = abs(got - p) <= 1e-3 * max(p, 1e-3)
print(("PASS" if ok else "FAIL") + " compare_p_value_matches_scipy" + ("" if ok else ": %g vs %g" % (got, p)))
PY
$FW compare $TMP/a $TMP/a > $TMP/self.out 2>&1
check compare_self_exit_0 test $? = 0
check compare_self_config_same grep -q '^config: same' $TMP/self.out
check compare_self_no_change grep -q '^verdict.*no change' $TMP/self.out

# Run the stored config again from results.h5: the same scores.
$FW run $TMP/a/results.h5 -o $TMP/again -q > /dev/null 2>&1
check rerun_from_h5_exit_0 test $? = 0
strip_times $TMP/a/cv_results.csv > $TMP/x1.csv
strip_times $TMP/again/cv_results.csv > $TMP/x2.csv
check rerun_from_h5_same_scores cmp -s $TMP/x1.csv $TMP/x2.csv

# A stopped run (SIGUSR1), results.h5 deleted: rebuilt with what exists.
cat > $TMP/s.yaml <<YAML
seed: 5
data: {path: tests/data/iris.csv, target: species}
cv: {outer: {kind: stratified_kfold, k: 4}}
search: {strategy: random, trials: 12}
models:
  - name: test_fail
    params: {mode: ok, sleep_ms: {uniform: [30, 60]}}
output: {progress_s: 0}
YAML
$FW run $TMP/s.yaml -o $TMP/s -q > /dev/null 2>&1 &
job=$!
for i in $(seq 1 200); do
    n=$($TOOLS/journal_tool $TMP/s/journal.fwj 2>/dev/null | wc -l)
    [ "$n" -ge 5 ] && break
    sleep 0.05
done
kill -USR1 $job
wait $job
check stopped_run_exit_3 test $? = 3
rm -f $TMP/s/results.h5 $TMP/s/summary.json
$FW report $TMP/s > $TMP/st.out 2> $TMP/st.err
check stopped_report_exit_0 test $? = 0
check stopped_report_resume_hint grep -q -- '--resume' $TMP/st.err
check stopped_report_state grep -q '"state": "stopped"' $TMP/s/summary.json

# Not a run directory: exit 2.
mkdir -p $TMP/empty
$FW report $TMP/empty > /dev/null 2>&1
check report_empty_dir_exit_2 test $? = 2
rm -rf $TMP

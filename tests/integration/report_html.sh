# report_html.sh: report.html and report.md of real runs (a nested
# classification run, a regression run, a learning curve with a forest's
# importances, a run where some fits fail): the
# page is well-formed XML (xmllint), fetches nothing (no http(s) reference
# but the XML namespaces), every plot's data-points equals its class="mark"
# elements and is > 0 (all these runs have data for every plot), and
# report.md names the best model with the headline score as the HTML
# prints it.
. tests/integration/lib.sh

cat > $TMP/check.py <<'PY'
import json, re, sys
import xml.etree.ElementTree as ET
SVG, XH = '{http://www.w3.org/2000/svg}', '{http://www.w3.org/1999/xhtml}'
NS = ('http://www.w3.org/1999/xhtml', 'http://www.w3.org/2000/svg')
what, d = sys.argv[1], sys.argv[2]
html = open(d + '/report.html', encoding='utf-8').read()
if what == 'offline':
    urls = [u for u in re.findall(r'https?://[^\s"\'<>)]*', html) if u not in NS]
    sys.exit('external references: %s' % urls[:3] if urls else 0)
root = ET.fromstring(html.encode('utf-8'))
if what == 'marks':
    plots = [s for s in root.iter(SVG + 'svg') if 'plot' in s.get('class', '').split()]
    if not plots:
        sys.exit('no plot')
    for s in plots:
        marks = sum('mark' in e.get('class', '').split() for e in s.iter())
        want = int(s.get('data-points', '-1'))
        if marks != want or want <= 0:
            sys.exit('%s: data-points %d, marks %d' % (s.get('aria-label'), want, marks))
elif what == 'headline':
    el = [e for e in root.iter() if e.get('id') == 'headline-score']
    md = open(d + '/report.md', encoding='utf-8').read()
    best = json.load(open(d + '/summary.json'))['best']['model']
    if len(el) != 1 or not el[0].text:
        sys.exit('no headline score in report.html')
    if el[0].text not in md or best not in md:
        sys.exit('report.md lacks %r or %r' % (best, el[0].text))
    mean = json.load(open(d + '/summary.json'))['best']['mean']
    if el[0].text.split()[0] != '%.4f' % mean:
        sys.exit('headline %r is not the best mean %r' % (el[0].text, mean))
PY

reports() { # name
    check report_${1}_written test -s $TMP/$1/report.html -a -s $TMP/$1/report.md
    check report_${1}_xmllint xmllint --noout $TMP/$1/report.html
    check report_${1}_offline $PY $TMP/check.py offline $TMP/$1
    check report_${1}_marks $PY $TMP/check.py marks $TMP/$1
    check report_${1}_md_headline $PY $TMP/check.py headline $TMP/$1
}

cat > $TMP/cls.yaml <<YAML
name: report <classification> & "nested"
seed: 5
data: {path: tests/data/breast_cancer.csv, target: diagnosis}
preprocess: {scale: standard}
cv:
  outer: {kind: stratified_kfold, k: 3, shuffle: true}
  inner: {kind: stratified_kfold, k: 2, shuffle: true}
metrics: [roc_auc, accuracy]
search: {strategy: grid}
models:
  - name: gaussian_nb
    params: {var_smoothing: {logspace: [1.0e-9, 1.0e-3, 3]}}
  - name: knn
    params: {k: [3, 15], weights: [uniform, distance]}
output: {progress_s: 0}
YAML
$FW run $TMP/cls.yaml -o $TMP/cls -q > /dev/null 2>&1
reports cls
check report_cls_nested grep -q 'id="nested-score"' $TMP/cls/report.html
check report_cls_nested_md grep -q 'Nested CV estimate' $TMP/cls/report.md

cat > $TMP/reg.yaml <<YAML
name: report-regression
seed: 5
data: {path: tests/data/diabetes.csv, target: progression}
preprocess: {scale: standard}
cv: {outer: {kind: kfold, k: 3, shuffle: true}}
metrics: [rmse, r2]
search: {strategy: grid}
models:
  - name: ridge
    params: {alpha: {logspace: [1.0e-2, 1.0e+3, 6]}}
  - name: knn
    params: {k: [5, 20]}
output: {progress_s: 0}
YAML
$FW run $TMP/reg.yaml -o $TMP/reg -q > /dev/null 2>&1
reports reg
check report_reg_scatter grep -q 'data-points="442"' $TMP/reg/report.html

cat > $TMP/fail.yaml <<YAML
name: report-failures
seed: 3
data: {path: tests/data/iris.csv, target: species}
cv: {outer: {kind: stratified_kfold, k: 4}}
search: {strategy: grid}
models:
  - name: test_fail
    params: {mode: [ok, flaky, fail]}
  - name: gaussian_nb
    params: {var_smoothing: [1.0e-9, 1.0e-3]}
output: {progress_s: 0}
YAML
$FW run $TMP/fail.yaml -o $TMP/fail -q > /dev/null 2>&1
reports fail
check report_fail_partial_counted grep -q '1 partial (failed on some splits), 1 failed' $TMP/fail/report.md
check report_fail_message grep -q 'deliberate failure' $TMP/fail/report.html

# Diagnosis sections: a learning curve and a forest's importances.
cat > $TMP/diag.yaml <<YAML
name: report-diagnosis
seed: 4
data: {path: tests/data/wine.csv, target: cultivar}
cv: {outer: {kind: stratified_kfold, k: 3, shuffle: true}}
metrics: [accuracy, log_loss]
search: {strategy: grid}
models:
  - name: random_forest
    params: {n_trees: 20, max_depth: [2, 4]}
diagnose: {learning_curve: [0.2, 0.5, 1.0]}
output: {progress_s: 0}
YAML
$FW run $TMP/diag.yaml -o $TMP/diag -q > /dev/null 2>&1
reports diag
check report_diag_learning grep -q 'id="learning"' $TMP/diag/report.html
check report_diag_importances grep -q 'id="importances"' $TMP/diag/report.html
check report_diag_md grep -q '^## Learning curve' $TMP/diag/report.md
check report_diag_md_importances grep -q '^## Feature importances' $TMP/diag/report.md
# The nested run above has its inner searches in both reports.
check report_cls_inner grep -q 'Inner searches' $TMP/cls/report.html
check report_cls_inner_md grep -qi 'inner search' $TMP/cls/report.md

# Every fit failing still gives a well-formed page, with no plot at all.
cat > $TMP/none.yaml <<YAML
data: {path: tests/data/iris.csv, target: species}
cv: {outer: {kind: stratified_kfold, k: 3}}
models:
  - name: test_fail
    params: {mode: fail}
output: {progress_s: 0}
YAML
$FW run $TMP/none.yaml -o $TMP/none -q > /dev/null 2>&1
check report_all_failed_xmllint xmllint --noout $TMP/none/report.html
check report_all_failed_says_so grep -q 'No configuration could be scored' $TMP/none/report.html
rm -rf $TMP

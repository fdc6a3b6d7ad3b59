# bench_models.sh: model workloads side by side with scikit-learn (and
# XGBoost, R's ranger) on the same folds: the peer's search time vs foldwise's search_s
# on 2 MPI ranks (and 1), best of 3 runs each, alternated.
cat <<TXT
Each row: the peer script (tests/bench/peers/) and \`foldwise run\` on the
same data and the same folds (tests/bench/prepare.py writes the peer's folds
into the data), best of 3 alternated runs. foldwise's time is \`search_s\`
(data loaded to last result) on 2 ranks; "1 rank" is the same run with one.

| workload | peer | peer s | foldwise s (2 ranks) | foldwise s (1 rank) | speed-up | peer best | foldwise best | difference |
|---|---|---:|---:|---:|---:|---:|---:|---:|
TXT
/usr/bin/python3 tests/bench/prepare.py /tmp/fwbench || exit 1
side() { /usr/bin/python3 tests/bench/side.py "$@" || echo "| $2 | failed | | | | | | | |"; }
for cfg in tests/bench/models/*.yaml; do
    w=$(sed -n 's/^# \([a-z0-9-]*\):.*/\1/p' $cfg | head -1)
    d=$(sed -n 's#^data: {path: /tmp/fwbench/\([a-z0-9]*\)\.csv.*#\1#p' $cfg)
    jobs=$(sed -n 's/^# peer jobs: \([0-9]*\)/\1/p' $cfg); jobs=${jobs:-2}
    rep=$(sed -n 's/^# repeat: \([0-9]*\)/\1/p' $cfg); rep=${rep:-3}
    side --workload $w --config $cfg --data $d --jobs $jobs --repeat $rep
    case $w in
    synth-gbdt-grid) side --workload $w --config $cfg --data $d --peer xgboost --repeat $rep ;;
    synth-rf-random) side --workload $w --config $cfg --data $d --peer ranger --jobs 2 --repeat $rep ;;
    esac
done

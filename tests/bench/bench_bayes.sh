# bench_bayes.sh: trials needed by foldwise's bayes search, random search
# and Optuna's TPE to reach the 99th percentile of 1,000 random trials, on
# real tuning problems (tables of 1,000 random configurations scored by
# foldwise with cross-validation, then every strategy simulated by looking
# scores up: tests/bench/bayes_bench.py), 20 seeds each.
cat <<TXT
For each problem, foldwise scores 1,000 random configurations with
cross-validation (tests/bench/bayes/*.yaml); tests/bench/bayes_bench.py then
runs each strategy 20 times (seeds), scoring a proposal by the nearest
scored configuration, and reports the best score after 10/20/30/50 trials
and the median number of trials to reach the 99th percentile of the 1,000
(1st for losses), with how many of the 20 runs reached it within 50.

TXT
mkdir -p /tmp/fwbench/tables
for y in tests/bench/bayes/*.yaml; do
    name=$(basename $y .yaml)
    out=/tmp/fwbench/tables/$name
    [ -s $out/cv_results.csv ] || mpirun --oversubscribe -n 2 $FW_BIN run $y -o $out -q \
        --set output.overwrite=true > /dev/null 2>&1 || { echo "$name: table run failed"; continue; }
    metric=$(sed -n 's/^metrics: \[\([a-z_0-9]*\).*/\1/p' $y)
    echo "### $name ($metric)"
    echo
    echo '```'
    /usr/bin/python3 tests/bench/bayes_bench.py --table $out/cv_results.csv \
        --spec tests/bench/bayes/$name.spec --score mean_test_$metric --seeds 20 --trials 50 \
        2>&1 | sed '/^$/d'
    echo '```'
    echo
done

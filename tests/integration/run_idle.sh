# run_idle.sh: no rank spins a core while it waits. Three ranks share two
# tasks that sleep (test_fail's sleep_ms) for 1.5 s: one worker has nothing
# to do and rank 0's coordinator only waits. Every rank's CPU time, read
# from /proc/PID/stat over a window of the run, must stay under 10% of the
# window (Open MPI's blocking receive would make it ~100%).
. tests/integration/lib.sh
cat > $TMP/idle.yaml <<YAML
data: {path: tests/data/iris.csv, target: species}
cv: {outer: {kind: kfold, k: 2}}
refit: none
models:
  - name: test_fail
    params: {mode: ok, sleep_ms: 1500}
output: {progress_s: 0, predictions: none}
YAML
$MPIRUN -n 3 $FW run $TMP/idle.yaml -o $TMP/out -q > /dev/null 2>&1 &
job=$!
ticks=$(getconf CLK_TCK)
cpu_of() { awk '{print $14 + $15}' /proc/$1/stat 2>/dev/null; }
ranks() { for p in $(pgrep -f "foldwise run $TMP/idle.yaml"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = foldwise ] && echo $p; done; }
sleep 0.5
pids=$(ranks)
for p in $pids; do eval "c0_$p=$(cpu_of $p)"; done
t0=$(date +%s.%N)
sleep 0.8
t1=$(date +%s.%N)
worst=0
for p in $pids; do
    c1=$(cpu_of $p); eval "c0=\$c0_$p"
    [ -n "$c1" ] || continue
    pct=$(awk -v a=$c0 -v b=$c1 -v t0=$t0 -v t1=$t1 -v hz=$ticks 'BEGIN { printf "%d", 100 * (b - a) / hz / (t1 - t0) }')
    [ $pct -gt $worst ] && worst=$pct
done
wait $job
check idle_found_three_ranks test "$(echo $pids | wc -w)" = 3
check idle_ranks_do_not_spin test $worst -lt 10
rm -rf $TMP

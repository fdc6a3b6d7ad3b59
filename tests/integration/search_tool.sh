#!/bin/sh
# search_tool.sh: the ask/tell protocol of tests/tools/search_tool, which
# tests/bench/bayes_bench.py drives: grid order and output format, a bayes
# run over two batches with the scores piped in, and a bad spec reported as
# FILE:LINE:COL with exit status 2. Prints PASS/FAIL lines.
TOOL=${FW_TOOLS:-build/tests/tools}/search_tool
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name condition-status message
    if [ "$2" = 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; fi
}

cat >"$tmp/grid.spec" <<'SPEC'
strategy grid
param a real 0 1
param k choice x y
model synthetic
dim k choice y x     # listed first, but parameters expand in name order
dim a linspace 0 1 3
SPEC
printf '0 1\n1 2\n2 3\n3 4\n4 5\n5 nan\n' | "$TOOL" "$tmp/grid.spec" >"$tmp/out" 2>"$tmp/err"
cat >"$tmp/want" <<'WANT'
batch 0 6 1
cand 0 0 0 0 k=y a=0
cand 1 0 0 0 k=x a=0
cand 2 0 0 0 k=y a=0.5
cand 3 0 0 0 k=x a=0.5
cand 4 0 0 0 k=y a=1
cand 5 0 0 0 k=x a=1
end
done 6
WANT
cmp -s "$tmp/out" "$tmp/want"
check search_tool_grid $? "$(diff "$tmp/want" "$tmp/out" | head -5) $(cat "$tmp/err")"

cat >"$tmp/bayes.spec" <<'SPEC'
strategy bayes
trials 8
batch 4
seed 3
maximize 0
param x real -5 5
model synthetic
dim x uniform -5 5
SPEC
i=0; : >"$tmp/scores"
while [ $i -lt 8 ]; do echo "$i $i.5" >>"$tmp/scores"; i=$((i + 1)); done
"$TOOL" "$tmp/bayes.spec" <"$tmp/scores" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && [ "$(grep -c '^cand ' "$tmp/out")" = 8 ] && grep -q '^batch 4 4 1$' "$tmp/out" &&
    [ "$(tail -n 1 "$tmp/out")" = "done 8" ]
check search_tool_bayes $? "rc $rc: $(head -c 300 "$tmp/out") $(cat "$tmp/err")"

printf 'model synthetic\ndim z uniform 0 1\n' >"$tmp/bad.spec"
"$TOOL" "$tmp/bad.spec" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "bad.spec:2:1: synthetic has no parameter 'z'" "$tmp/err"
check search_tool_bad_spec $? "rc $rc: $(cat "$tmp/err")"

#!/bin/sh
# csv_read.sh: time foldwise's CSV reader (fw_dataset_load through load_tool)
# against pandas.read_csv on the same synthetic file, alternating runs so both
# see the same machine load. Prints one line per run and the best of each.
#   tests/bench/bench_csv_read.sh [ROWS] [COLS] [RUNS]      (default 200000 100 3)
# Run from the repository root after `make tests`.
rows=${1:-200000}
cols=${2:-100}
runs=${3:-3}
tools=${FW_TOOLS:-build/tests/tools}
file=$(mktemp /tmp/fw_csv_bench.XXXXXX.csv)
trap 'rm -f "$file"' EXIT
"$tools/make_data" classification "$rows" "$cols" 1 "$file" || exit 1
echo "file: $rows rows x $((cols + 1)) columns, $(stat -c %s "$file") bytes"
i=0
while [ $i -lt "$runs" ]; do
    "$tools/load_tool" --time --target y "$file" | sed -n 's/^load_s /foldwise /p'
    /usr/bin/python3 -c "
import sys, time, pandas as pd
t = time.perf_counter(); pd.read_csv(sys.argv[1]); print('pandas %.3f' % (time.perf_counter() - t))
" "$file"
    i=$((i + 1))
done | tee /dev/stderr | awk '
    { if (!($1 in best) || $2 < best[$1]) best[$1] = $2 }
    END { printf "best: foldwise %.3f s, pandas %.3f s, pandas/foldwise %.2f\n",
          best["foldwise"], best["pandas"], best["pandas"] / best["foldwise"] }'

#!/bin/sh
# demo.sh: the main job (make demo): configs/demo.yaml on 2 MPI ranks.
BIN=${1:-build/foldwise}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
echo "foldwise demo: nested CV (5 outer x 3 inner) with random search over"
echo "several models on tests/data/breast_cancer.csv, on 2 MPI ranks"
echo "  mpirun -n 2 $BIN run configs/demo.yaml"
echo
mpirun --oversubscribe -n 2 "$BIN" run configs/demo.yaml || exit $?
dir=$(sed -n 's/^ *dir: *//p' configs/demo.yaml | head -1)
echo
echo "results: $dir/summary.json (headline numbers), $dir/cv_results.csv (every"
echo "configuration, as scikit-learn's cv_results_), $dir/predictions.csv"
[ -f "$dir/report.html" ] && echo "report:  $dir/report.html (open it in a browser), $dir/report.md"
exit 0

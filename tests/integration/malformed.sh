#!/bin/sh
# malformed.sh: every file of the malformed-input corpus (tests/malformed/
# {csv,libsvm,hdf5,arff}/) must be refused cleanly by the data layer:
#   - exit code 2 (bad input), no crash;
#   - the message names the file and a line (FILE:LINE), or for HDF5 the
#     dataset path (or says the file is not a readable HDF5 file);
#   - no sanitizer report on stderr;
#   - the file is listed in its directory's README (why it is there).
# The driver is tests/tools/load_tool, from the sanitizer build when it
# exists (FW_SAN_BIN's directory, as tests/run.sh sets it), else FW_TOOLS.
# One PASS/FAIL line per file. Run from the repository root.
tools=${FW_TOOLS:-build/tests/tools}
tool=$tools/load_tool
if [ -n "$FW_SAN_BIN" ] && [ -x "$(dirname "$FW_SAN_BIN")/tests/tools/load_tool" ]; then
    tool=$(dirname "$FW_SAN_BIN")/tests/tools/load_tool
    export ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
if [ ! -x "$tool" ]; then
    echo "FAIL malformed: no load_tool at $tool (make tests)"
    exit 1
fi
err=$(mktemp)
trap 'rm -f "$err"' EXIT
total=0
for dir in csv libsvm hdf5 arff; do
    for f in tests/malformed/$dir/*; do
        case $f in */README|*.py) continue ;; esac
        total=$((total + 1))
        name=malformed/$dir/$(basename "$f")
        args=""
        [ "$dir" = csv ] && args="--target y"
        # shellcheck disable=SC2086
        "$tool" --format "$dir" $args "$f" >/dev/null 2>"$err"
        rc=$?
        first=$(head -n 1 "$err")
        why=""
        if [ $rc -ne 2 ]; then
            why="exit code $rc, expected 2"
        elif grep -q -E 'Sanitizer|runtime error:' "$err"; then
            why="sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error:' "$err")"
        elif [ "$dir" = hdf5 ]; then
            case $first in
                "foldwise: $f: "*/*|"foldwise: $f: not a"*"HDF5 file"*) ;;
                *) why="message does not name the file and a dataset: $first" ;;
            esac
        elif ! printf '%s\n' "$first" | grep -q -F "foldwise: $f:" ||
             ! printf '%s\n' "$first" | grep -q -E "^foldwise: [^ ]+:[0-9]+(:[0-9]+)?: "; then
            why="message does not name the file and a line: $first"
        fi
        if [ -z "$why" ] && ! grep -q "^$(basename "$f") -> " "tests/malformed/$dir/README"; then
            why="not listed in tests/malformed/$dir/README"
        fi
        if [ -z "$why" ]; then
            echo "PASS $name"
        else
            echo "FAIL $name: $why"
        fi
    done
done
[ $total -ge 40 ] || echo "FAIL malformed: only $total files in the corpus (at least 40)"

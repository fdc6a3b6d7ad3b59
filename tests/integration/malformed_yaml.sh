# malformed_yaml.sh: every config in tests/malformed/yaml/ ends with exit 2
# and a message "foldwise: FILE:LINE[:COL]: ..." naming the config file (or
# the data file it points to) and a line, without a sanitizer report (the
# sanitizer build of the binary is used when it exists).
. tests/integration/lib.sh
BIN=$FW
[ -n "$FW_SAN_BIN" ] && [ -x "$FW_SAN_BIN" ] && BIN=$FW_SAN_BIN
export ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp
for f in tests/malformed/yaml/*.yaml; do
    name=yaml_$(basename $f .yaml)
    $BIN run $f -o $TMP/out_$(basename $f .yaml) > $TMP/out 2> $TMP/err
    rc=$?
    if [ $rc != 2 ]; then fail $name "exit $rc, expected 2: $(head -c 300 $TMP/err)"; continue; fi
    if grep -q -E 'Sanitizer|runtime error' $TMP/err; then fail $name "sanitizer report"; continue; fi
    if ! grep -q -E "^foldwise: ($f|tests/data/[a-z_]*\.csv):[0-9]+" $TMP/err; then
        fail $name "no FILE:LINE in: $(head -c 300 $TMP/err)"; continue
    fi
    pass $name
done
rm -rf $TMP

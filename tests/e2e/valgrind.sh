#!/bin/sh
# The create path is valgrind-clean: no invalid reads/writes or uses of
# uninitialised memory up to the exec of the runtime (valgrind prints errors
# as they happen; -q prints nothing else), and no leaks on the paths that
# exit (hardshimctl check, a refusal).
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || { not_ok "valgrind is not installed (contrib/install-deps.sh installs it)"; finish; }
vg="valgrind -q --trace-children=no --error-exitcode=99"

b=$T/vg
make_bundle "$b" '.process.noNewPrivileges = false' '["true"]'
id=$(new_id vg)
(cd "$b" && HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$POLICY $vg --log-file="$T/vg-create.%p" \
  "$HARDSHIM" --root "$STATE/runc" run "$id")
check "run through valgrind succeeds" [ $? -eq 0 ]
check "valgrind saw no error on the create path" sh -c "! grep -q . $T/vg-create.*"

for f in "$top_srcdir"/tests/data/captures/*.json; do
  HARDSHIM_POLICY=$POLICY $vg --leak-check=full --errors-for-leak-kinds=definite,indirect \
    "$HARDSHIMCTL" check "$f" > /dev/null 2>"$T/vg-check.err"
  rc=$?
  check "hardshimctl check $(basename "$f") is valgrind-clean (exit $rc)" [ $rc -ne 99 ]
done

# A refusal exits normally: leaks are checked there too.
b=$T/vg-dup
make_bundle "$b"
sed -i 's/"ociVersion"/"hostname":"a","hostname":"b","ociVersion"/' "$b/config.json"
HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$POLICY $vg --leak-check=full --errors-for-leak-kinds=definite,indirect \
  "$HARDSHIM" --root "$STATE/runc" create --bundle "$b" "$(new_id vgdup)" 2>"$T/vg-refuse.err"
rc=$?
check "refusal under valgrind exits 1, with no leak or error (exit $rc)" [ $rc -eq 1 ]

finish

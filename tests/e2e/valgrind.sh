#!/bin/sh
# The create path is valgrind-clean: no invalid reads/writes or uses of
# uninitialised memory up to the exec of the runtime (valgrind prints errors
# as they happen; -q prints nothing else), and no leaks on the paths that
# exit (hardshimctl check, a refusal).
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || { not_ok "valgrind is not installed (contrib/install-deps.sh installs it)"; finish; }
vg="valgrind -q --trace-children=no --error-exitcode=99"

# valgrind 3.19 does not implement open_tree (428: the userns control's
# idmapped mounts, which then take their documented fallback: not idmapped,
# noted in the audit log), seccomp (317: libseccomp's API probe) nor
# openat2 (437: rootfs lookups, which then fall back to O_NOFOLLOW walks); it
# says so on --pid-- lines. Errors are the ==pid== lines; any other
# warning fails too.
vg_errors () { grep -h '^==[0-9]*==' "$@"; }
vg_other_warnings () {
  grep -hv -e '^==[0-9]*==' \
    -e '^--[0-9]*-- WARNING: unhandled amd64-linux syscall: \(428\|317\|437\)$' \
    -e '^--[0-9]*-- You may be able to write your own handler\.$' \
    -e '^--[0-9]*-- Read the file README_MISSING_SYSCALL_OR_IOCTL\.$' \
    -e '^--[0-9]*-- Nevertheless we consider this a bug\.  Please report$' \
    -e '^--[0-9]*-- it at http://valgrind\.org/support/bug_reports\.html\.$' "$@"
}

b=$T/vg
make_bundle "$b" '.process.noNewPrivileges = false' '["true"]'
id=$(new_id vg)
(cd "$b" && HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$POLICY $vg --log-file="$T/vg-create.%p" \
  "$HARDSHIM" --root "$STATE/runc" run "$id")
check "run through valgrind succeeds" [ $? -eq 0 ]
check "valgrind saw no error on the create path ($(vg_errors $T/vg-create.* | head -3))" \
  [ -z "$(vg_errors $T/vg-create.*)" ]
check "valgrind warned about nothing but the syscalls it lacks ($(vg_other_warnings $T/vg-create.* | head -3))" \
  [ -z "$(vg_other_warnings $T/vg-create.*)" ]
check "the userns control ran on that path (a user namespace, hardshim's mapping)" \
  jqe '(.linux.namespaces | any(.type == "user")) and (.annotations["org.hardshim.userns.mapping"] | length > 0)' \
  "$b/config.json"

# The same hardened config again (userns restores what it replaced, then
# allocates for this container): valgrind-clean too.
b2=$T/vg-again
mkdir -p "$b2"
cp "$b/config.json" "$b2/config.json"
(cd "$b2" && HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$POLICY $vg --log-file="$T/vg-again.%p" \
  "$HARDSHIM" --root "$STATE/runc" run "$(new_id vgagain)")
check "run of a hardened config again through valgrind succeeds" [ $? -eq 0 ]
check "valgrind saw no error re-hardening ($(vg_errors $T/vg-again.* | head -3))" \
  [ -z "$(vg_errors $T/vg-again.*)" ]
check "valgrind warned about nothing but the syscalls it lacks, re-hardening" \
  [ -z "$(vg_other_warnings $T/vg-again.*)" ]

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

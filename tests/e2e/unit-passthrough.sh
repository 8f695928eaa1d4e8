#!/bin/sh
# Verbs hardshim does not intercept pass through untouched: stdout is
# byte-identical to the runtime's and the exit status is the same, for
# real runc and crun, including an unknown verb and no arguments at all.
. "$(dirname "$0")/lib.sh"

# same DESC RT ARGS...: hardshim and the runtime print the same on stdout
# and exit the same way.
same () {
  desc=$1 rt=$2; shift 2
  hs $rt "$@" </dev/null >"$T/hs.out" 2>"$T/hs.err"
  rc1=$?
  real $rt "$@" </dev/null >"$T/rt.out" 2>"$T/rt.err"
  rc2=$?
  check "$rt $desc: stdout byte-identical" cmp -s "$T/hs.out" "$T/rt.out"
  check "$rt $desc: same exit status ($rc1, $rc2)" [ "$rc1" -eq "$rc2" ]
}

# bare RT ARGS...: without the test's --root, as an engine calling `runc`.
bare () {
  rt=$1; shift
  if [ $rt = runc ]; then HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$POLICY "$HARDSHIM" "$@"
  else HARDSHIM_RUNTIME=$CRUN HARDSHIM_POLICY=$POLICY in_crun_ns "$HARDSHIM" "$@"; fi
}
bare_real () {
  rt=$1; shift
  if [ $rt = runc ]; then "$RUNC" "$@"; else in_crun_ns "$CRUN" "$@"; fi
}

for rt in runc crun; do
  b=$T/$rt-pt
  make_bundle "$b" . '["sleep","1000"]'
  id=$(new_id pt)
  real $rt create --bundle "$b" "$id" >/dev/null 2>&1
  check "$rt: a container to look at" real $rt start "$id"
  missing=${ID_PREFIX}-missing

  same "state" $rt state "$id"
  same "state of a missing container" $rt state "$missing"
  same "list" $rt list
  same "list --format json" $rt list --format json
  same "list -q" $rt list -q
  if [ $rt = runc ]; then
    same "ps --format json" $rt ps --format json "$id"
    # events --stats: one sample, numbers move between calls
    hs $rt events --stats "$id" >"$T/ev.out" 2>/dev/null
    check "$rt events --stats: one JSON stats event" jqe '.type == "stats"' "$T/ev.out"
    same "features" $rt features
  else
    same "ps" $rt ps "$id"
  fi
  same "kill of a missing container" $rt kill "$missing" KILL
  same "delete of a missing container" $rt delete "$missing"
  same "start of a running container" $rt start "$id"
  same "pause with no id" $rt pause
  same "unknown verb" $rt frobnicate --with flags
  same "help" $rt help
  same "--help" $rt --help
  same "create --help" $rt create --help
  same "exec --help" $rt exec --help

  # kill and delete through hardshim work on the real container
  hs $rt kill "$id" KILL >"$T/out" 2>"$T/err"
  check "$rt kill: exit 0" [ $? -eq 0 ]
  check "$rt kill: nothing on stdout" [ ! -s "$T/out" ]
  i=0; while [ "$(real $rt state "$id" 2>/dev/null | jq -r .status)" = running ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1)); done
  hs $rt delete "$id" >"$T/out" 2>"$T/err"
  check "$rt delete: exit 0" [ $? -eq 0 ]
  check "$rt delete: nothing on stdout" [ ! -s "$T/out" ]
  real $rt state "$id" >/dev/null 2>&1
  check "$rt delete: the container is gone" [ $? -ne 0 ]

  # spec in temp dirs: same stdout, same config.json
  mkdir -p "$T/$rt-spec-hs" "$T/$rt-spec-rt"
  (cd "$T/$rt-spec-hs" && bare $rt spec >"$T/hs.out" 2>&1); rc1=$?
  (cd "$T/$rt-spec-rt" && bare_real $rt spec >"$T/rt.out" 2>&1); rc2=$?
  check "$rt spec: same exit status" [ "$rc1" -eq "$rc2" ]
  check "$rt spec: same output" cmp -s "$T/hs.out" "$T/rt.out"
  check "$rt spec: byte-identical config.json" cmp -s "$T/$rt-spec-hs/config.json" "$T/$rt-spec-rt/config.json"
  # a second spec fails the same way (config.json exists)
  (cd "$T/$rt-spec-hs" && bare $rt spec >"$T/hs.out" 2>/dev/null); rc1=$?
  (cd "$T/$rt-spec-rt" && bare_real $rt spec >"$T/rt.out" 2>/dev/null); rc2=$?
  check "$rt spec over an existing config.json: same failure ($rc1, $rc2)" [ "$rc1" -eq "$rc2" -a "$rc1" -ne 0 ]

  # no arguments at all
  bare $rt </dev/null >"$T/hs.out" 2>/dev/null; rc1=$?
  bare_real $rt </dev/null >"$T/rt.out" 2>/dev/null; rc2=$?
  check "$rt no arguments: stdout byte-identical" cmp -s "$T/hs.out" "$T/rt.out"
  check "$rt no arguments: same exit status ($rc1, $rc2)" [ "$rc1" -eq "$rc2" ]

  # --version / -v: the runtime's lines unchanged, then hardshim's one line
  for v in --version -v; do
    bare $rt $v >"$T/hs.out" 2>/dev/null; rc1=$?
    bare_real $rt $v >"$T/rt.out" 2>/dev/null; rc2=$?
    n=$(wc -l < "$T/rt.out")
    check "$rt $v: the runtime's output first, unchanged" \
      [ "$(head -n "$n" "$T/hs.out")" = "$(cat "$T/rt.out")" ]
    check "$rt $v: then exactly one hardshim line" \
      [ "$(tail -n +$((n + 1)) "$T/hs.out" | grep -c '^hardshim version ')" -eq 1 -a "$(wc -l < "$T/hs.out")" -eq $((n + 1)) ]
    check "$rt $v: same exit status" [ "$rc1" -eq "$rc2" ]
  done
done

# Pass-through verbs never load the LSM libraries (libselinux brings pcre2):
# src/host.c loads them only for the verbs it hardens. The loader's trace
# lists every object hardshim maps before it execs the runtime.
HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$POLICY LD_DEBUG=files "$HARDSHIM" state x \
  </dev/null >/dev/null 2>"$T/ld.trace"
check "pass-through: the loader trace was captured" grep -q 'libc.so' "$T/ld.trace"
check "pass-through: libselinux and libapparmor are not loaded" \
  sh -c "! grep -Eq 'file=[^ ]*(libselinux|libapparmor|libpcre2)' '$T/ld.trace'"

# create loads an LSM library only when the kernel has the module: a kernel
# without it says so itself (src/host.c), and dlopen is a fifth of a create.
make_bundle "$T/lsm-bundle"
HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$POLICY LD_DEBUG=files \
  "$HARDSHIM" --root "$STATE/lsm" create --bundle "$T/lsm-bundle" lsm-probe \
  </dev/null >/dev/null 2>"$T/ld-create.trace"
HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/lsm" delete lsm-probe
check "create: the loader trace was captured" grep -q 'libc.so' "$T/ld-create.trace"
if [ -e /sys/module/apparmor ]; then
  check "create: libapparmor is loaded (the kernel has AppArmor)" grep -q 'file=[^ ]*libapparmor' "$T/ld-create.trace"
else
  check "create: libapparmor is not loaded (the kernel has no AppArmor)" \
    sh -c "! grep -q 'file=[^ ]*libapparmor' '$T/ld-create.trace'"
fi
if grep -q 'selinuxfs' /proc/filesystems; then
  check "create: libselinux is loaded (the kernel has SELinux)" grep -q 'file=[^ ]*libselinux' "$T/ld-create.trace"
else
  check "create: libselinux is not loaded (the kernel has no SELinux)" \
    sh -c "! grep -Eq 'file=[^ ]*(libselinux|libpcre2)' '$T/ld-create.trace'"
fi

# create syncs config.json's new content before the rename, and nothing
# else: hardshim's records and caches, the directories (src/fileio.h).
if command -v strace >/dev/null; then
  make_bundle "$T/sync-bundle"
  HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$POLICY strace -f -y -qqq -e signal=none -e trace=fsync,fdatasync,sync_file_range \
    -o "$T/sync.trace" "$HARDSHIM" --root "$STATE/sync" create --bundle "$T/sync-bundle" sync-probe \
    </dev/null >/dev/null 2>&1
  HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/sync" delete sync-probe
  check "create: exactly one fsync ($(tr '\n' ' ' < "$T/sync.trace"))" [ "$(grep -c 'sync' "$T/sync.trace")" -eq 1 ]
  # the new content is written unnamed (O_TMPFILE) in the bundle directory
  check "create: the fsync is of config.json's new content" \
    grep -Eq "fsync\([0-9]+<$T/sync-bundle/(\.config\.json\.hardshim-[^>]*|#[0-9]+)>" "$T/sync.trace"
else
  not_ok "strace is not installed (contrib/install-deps.sh installs it)"
fi

finish

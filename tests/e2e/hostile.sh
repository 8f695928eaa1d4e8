#!/bin/sh
# Hostile input and faults (issue 9): each case gives a clear error and exit
# status 1 (or works, where that is right), never a crash or hang, never a
# half-written config.json, never a runtime started on an unhardened config,
# and no fd of hardshim's reaches the container.
. "$(dirname "$0")/lib.sh"

# --- a bundle directory writable by others: refused (default) or recorded
# ("warn", the earlier spelling of bundle_permissions' audit mode) ---
b=$T/shared
make_bundle "$b" . '["true"]'
chmod 0777 "$b"
cp "$b/config.json" "$T/shared.orig"
id=$(new_id shared)
hs runc --log "$T/shared.log" --log-format json create --bundle "$b" "$id" 2>"$T/err"
check "world-writable bundle: refused by default (exit 1)" [ $? -eq 1 ]
check "... the reason is in --log" jqe 'select(.msg | test("it is writable by others, so another user could replace the hardened config"))' "$T/shared.log"
check "... config.json untouched" cmp -s "$b/config.json" "$T/shared.orig"
real runc state "$id" >/dev/null 2>&1
check "... the runtime never ran" [ $? -ne 0 ]
write_policy "{ \"bundle_permissions\": \"warn\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
(cd "$b" && hs runc run "$(new_id shared)" 2>"$T/err")
check "world-writable bundle with bundle_permissions warn: runs" [ $? -eq 0 ]
check "... recorded in the audit log" \
  jq -s -e 'any(.[]; .control == "bundle_permissions" and .action == "would-refuse")' "$AUDIT"
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"

# --- disk full while writing: error, original intact, no temp file left ---
b=$T/full
make_bundle "$b" . '["true"]'
cp "$b/config.json" "$T/full.orig"
out=$(unshare -m --propagation private sh -c '
  b=$1 hs=$2 pol=$3 runc=$4 state=$5
  mkdir -p "$b.tmpfs"
  mount -t tmpfs -o size=64k,mode=0755 tmpfs "$b.tmpfs" || exit 3
  cp "$b/config.json" "$b.tmpfs/config.json"
  dd if=/dev/zero of="$b.tmpfs/fill" bs=1k count=1000 2>/dev/null
  HARDSHIM_RUNTIME=$runc HARDSHIM_POLICY=$pol "$hs" --root "$state" create --bundle "$b.tmpfs" fullid 2>&1
  echo "rc=$?"
  cmp -s "$b.tmpfs/config.json" "$b/config.json" && echo intact
  ls -A "$b.tmpfs" | sed "s/^/entry: /"
' sh "$b" "$HARDSHIM" "$POLICY" "$RUNC" "$STATE/runc")
check "disk full: create exits 1" sh -c "echo '$out' | grep -q '^rc=1$'"
check "disk full: the error says why" sh -c "echo '$out' | grep -q 'No space left on device'"
check "disk full: config.json intact" sh -c "echo '$out' | grep -q '^intact$'"
check "disk full: no temporary file left behind" sh -c "! echo '$out' | grep -q '^entry: .*hardshim-'"

# --- SIGKILL while writing: config.json is the original or the complete new one ---
b=$T/kill
make_bundle "$b" '.process.noNewPrivileges = false | .process.env += [range(150000) | "VARIABLE_\(.)=some-value-\(.)"]' '["true"]'
cp "$b/config.json" "$T/kill.orig"
torn=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
  cp "$T/kill.orig" "$b/config.json"
  HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$POLICY "$HARDSHIM" create --bundle "$b" "kill$i" &
  pid=$!
  sleep "0.0$i"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if ! cmp -s "$b/config.json" "$T/kill.orig"; then
    jq -e '.process.noNewPrivileges == true and (.annotations["org.hardshim.hardened"] | length > 0)' \
      "$b/config.json" >/dev/null 2>&1 || torn=$((torn + 1))
  fi
done
check "SIGKILL at random points: never a torn config.json ($torn torn)" [ "$torn" -eq 0 ]

# --- no fd hardshim opened reaches the container (runc and crun) ---
# --preserve-fds 4 hands fds 3-6 to the container: an fd hardshim left open
# without O_CLOEXEC would land there. The container must see exactly what it
# sees when the runtime is called directly (runc passes its own fds there),
# on the SAME hardened config: both run in one private mount namespace,
# where hardshim's idmapped rootfs (userns control) still exists for the
# bare runtime's run.
fds_both () {
  rt=$1 rtp=$2 b=$3
  (cd "$b" && unshare -m --propagation private sh -c '
    if [ "$1" = crun ] && mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
    HARDSHIM_RUNTIME=$2 HARDSHIM_POLICY=$4 "$3" --root "$5" run --preserve-fds 4 "$6" | grep -v "/fd$"
    echo ---
    "$2" --root "$5" run --preserve-fds 4 "$7" | grep -v "/fd$"
  ' sh "$rt" "$rtp" "$HARDSHIM" "$POLICY" "$STATE/$rt" "$(new_id fds)" "$(new_id fds)")
}
for rt in runc crun; do
  b=$T/fds-$rt
  make_bundle "$b" . '["sh","-c","ls -l /proc/self/fd/ 2>/dev/null | sed -n \"s/.* \\([0-9]*\\) -> \\(.*\\)/\\1 \\2/p\" | sed \"s/[0-9][0-9]*]/N]/\""]'
  if [ $rt = runc ]; then rtp=$RUNC; else rtp=$CRUN; fi
  both=$(fds_both $rt "$rtp" "$b")
  via=$(printf '%s\n' "$both" | sed '/^---$/,$d')
  direct=$(printf '%s\n' "$both" | sed '1,/^---$/d')
  check "$rt: the config was hardened" jqe '.annotations["org.hardshim.hardened"] | length > 0' "$b/config.json"
  check "$rt: the bare runtime ran the hardened config ('$(echo $direct)')" sh -c "echo '$direct' | grep -q '^0 '"
  check "$rt: the container sees the same fds as under the bare runtime ('$(echo $via)')" [ "$via" = "$direct" ]
  check "$rt: no fd points at hardshim's files" sh -c "! echo '$via' | grep -q 'config.json\|policy\|audit\|hardshim'"
done

# --- exec process files that are not plain files ---
b=$T/procfiles
make_bundle "$b" . '["sleep","1000"]'
id=$(new_id procfiles)
hs runc create --bundle "$b" "$id" && hs runc start "$id"
jq '.process | .args = ["true"]' "$b/config.json" > "$T/proc.json"
ln -s "$T/proc.json" "$T/proc-link.json"
mkfifo "$T/proc-fifo.json"
mkdir "$T/proc-dir.json"
for f in proc-link.json proc-fifo.json proc-dir.json missing.json; do
  timeout 20 sh -c '"$@"' sh env HARDSHIM_RUNTIME="$RUNC" HARDSHIM_POLICY="$POLICY" "$HARDSHIM" \
    --root "$STATE/runc" --log "$T/pf.log" --log-format json exec --process "$T/$f" "$id" 2>"$T/err"
  rc=$?
  check "exec --process $f: refused with exit 1, no hang (rc $rc)" [ $rc -eq 1 ]
  check "exec --process $f: says why ($(head -c 150 "$T/err"))" grep -q 'symbolic link\|not a regular file\|No such file' "$T/err"
done

# --- missing or read-only state directory: exec needs none (the hardened
# process reaches the runtime as a memfd), so it works and stores nothing ---
write_policy "{ \"state_dir\": \"$T/no/such/dir\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
hs runc exec --process "$T/proc.json" "$id" 2>"$T/err"
check "missing state_dir: exec works ($(head -c 150 "$T/err"))" [ $? -eq 0 ]
check "missing state_dir: nothing was created for it" [ ! -e "$T/no" ]
mkdir -p "$T/ro-state"
write_policy "{ \"state_dir\": \"$T/ro-state\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
out=$(unshare -m --propagation private sh -c '
  mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 3
  shift; "$@" 2>&1; echo "rc=$?"' sh "$T/ro-state" \
  env HARDSHIM_RUNTIME="$RUNC" HARDSHIM_POLICY="$POLICY" "$HARDSHIM" --root "$STATE/runc" exec --process "$T/proc.json" "$id")
check "read-only state_dir: exec works" sh -c "echo '$out' | grep -q '^rc=0$'"
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
hs runc delete --force "$id"

# --- 50 concurrent creates: all succeed ---
# The image lives where only root can enter, as engines keep theirs: only
# such a rootfs is idmapped (mount-races.sh checks a reachable one is not).
make_rootfs
mkdir -m 0700 "$T/images"
cp -a "$ROOTFS" "$T/images/rootfs"
make_bundle "$T/c50-base" ".root.path = \"$T/images/rootfs\"" '["sleep","1000"]'
id=$(new_id c50-base)
hs runc create --bundle "$T/c50-base" "$id" > /dev/null 2>&1
hs runc delete --force "$id" > /dev/null 2>&1
for i in $(seq 50); do
  mkdir -p "$T/c50/$i"
  cp "$T/c50-base/config.json" "$T/c50/$i/config.json"
done
pids=""
for i in $(seq 50); do
  hs runc create --bundle "$T/c50/$i" "${ID_PREFIX}-c50-$i" >"$T/c50/$i.out" 2>&1 &
  pids="$pids $!"
  CREATED_IDS="$CREATED_IDS ${ID_PREFIX}-c50-$i"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "50 concurrent creates all succeed ($fails failed)" [ "$fails" -eq 0 ]
n=$(real runc list -q | grep -c "^${ID_PREFIX}-c50-")
check "50 containers exist ($n)" [ "$n" -eq 50 ]
# The bundles hold copies of one hardened config: each create restored it
# and allocated its own user namespace block and idmapped rootfs.
blocks=$(for i in $(seq 50); do jq -r '.linux.uidMappings[0].hostID' "$T/c50/$i/config.json"; done | sort -u | grep -c '^[0-9]')
check "50 containers, 50 distinct user namespace blocks ($blocks)" [ "$blocks" -eq 50 ]
roots=$(for i in $(seq 50); do jq -r .root.path "$T/c50/$i/config.json"; done | sort -u | grep -c '/mnt/')
check "50 containers, 50 distinct idmapped rootfs mounts ($roots)" [ "$roots" -eq 50 ]
# through hardshim: delete gives the blocks back
for i in $(seq 50); do hs runc delete --force "${ID_PREFIX}-c50-$i" >/dev/null 2>&1; done

finish

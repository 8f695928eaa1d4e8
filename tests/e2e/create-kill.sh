#!/bin/sh
# A SIGKILL of hardshim at any point of a create leaves no process of it
# behind: every child it starts (the user-namespace holder born with
# CLONE_NEWUSER, the libseccomp validation, ...) dies with it. Real runc and
# crun creates with a user namespace and an idmapped rootfs; every process is
# tracked by pid and start time, so only our own are ever touched.
#
# 1. At a known point: strace holds hardshim for 2 s in the return of its
#    first clone, the holder's; hardshim is killed while the holder lives
#    (the kill lands when strace lets it go on).
# 2. At many points: hardshim is stopped (SIGSTOP) after a varying delay,
#    its children are listed, and it is killed; every child listed must end.
#
# One private mount namespace without the cgroup2 mount (crun, see
# ENVIRONMENT.md); hardshim and the runtimes all run in it.
if [ -z "${HS_KILL_PRIVATE_NS:-}" ]; then
  HS_KILL_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
. "$(dirname "$0")/lib.sh"
# The image lives where only root can enter, as engines keep theirs: only
# such a rootfs is idmapped, which is what the holder child is for.
mkdir -m 0700 "$T/images"
ROOTFS=$T/images/rootfs

rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
# policy STATE_DIR: a user namespace from a private pool, idmapped rootfs
policy () {
  write_policy "{ \"state_dir\": \"$1\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"userns\": { \"mode\": \"auto\", \"ownership\": \"auto\",
                  \"ranges\": [ { \"start\": 3000000, \"size\": 1048576 } ] } }"
}
TRACKED=""
kill_cleanup () {
  for k in $TRACKED; do kill_tracked "${k%:*}" "${k#*:}"; done
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do
    umount -l "$mp" 2>/dev/null
  done
  cleanup
}
trap kill_cleanup EXIT
track () { for p in "$@"; do TRACKED="$TRACKED $p:$(start_time "$p")"; done; }
# wait_for SECONDS CMD...: poll until CMD succeeds
wait_for () {
  _n=$(($1 * 20)); shift
  until "$@"; do
    [ "$_n" -gt 0 ] || return 1
    sleep 0.05; _n=$((_n - 1))
  done
}
has_child () { [ -n "$(children "$1")" ]; }
HS_EXE=$(readlink -f "$HARDSHIM")
MY_USERNS=$(readlink /proc/self/ns/user)
# holder_of PID: hardshim's child in another user namespace
holder_of () {
  for k in $(children "$1"); do
    [ "$(readlink /proc/"$k"/ns/user)" != "$MY_USERNS" ] && echo "$k"
  done
}
holder_appears () { [ -n "$(holder_of "$1")" ]; }

for rt in runc crun; do
  make_bundle "$T/$rt" . '["true"]'

  # 1. the holder, at a known point
  policy "$T/hs-$rt-known"
  id=$(new_id known)
  HARDSHIM_RUNTIME=$(rt_path $rt) HARDSHIM_POLICY=$POLICY \
    timeout 30 strace -f -qq -o /dev/null -e trace=clone -e inject=clone:delay_exit=2000000:when=1 \
    "$HARDSHIM" --root "$STATE/$rt" create --bundle "$T/$rt" "$id" >/dev/null 2>&1 &
  spid=$!
  wait_for 10 has_child "$spid"
  # timeout's child is strace, strace's is hardshim
  wait_for 10 has_child "$(children "$spid" | head -n1)"
  hpid=$(children "$(children "$spid" | head -n1)" | head -n1)
  check "$rt: hardshim runs under strace ($hpid)" \
    [ -n "$hpid" ] && [ "$(readlink /proc/"$hpid"/exe)" = "$HS_EXE" ]
  wait_for 10 holder_appears "$hpid"
  holder=$(holder_of "$hpid")
  hstart=$(start_time "$holder")
  track $holder
  check "$rt: a user-namespace holder was found" [ -n "$holder" ]
  check "$rt: the user-namespace holder lives (${holder:-none})" still_runs "$holder" "$hstart"
  kill -9 "$hpid"
  check "$rt: the holder died with hardshim" gone_within 6 "$holder" "$hstart"
  kill_tracked "$holder" "$hstart" # only if it outlived hardshim
  wait "$spid" 2>/dev/null
  real $rt delete --force "$id" >/dev/null 2>&1

  # 2. many points of a cold create (a fresh state directory each time:
  # validation and holder run every time)
  caught=0; seen=0; left=""
  for d in 0 1 2 3 4 5 6 8 10 12 15 18 22 26 30 35 40 50 60 80; do
    policy "$T/hs-$rt-$d"
    id=$(new_id "k$d")
    HARDSHIM_RUNTIME=$(rt_path $rt) HARDSHIM_POLICY=$POLICY \
      "$HARDSHIM" --root "$STATE/$rt" create --bundle "$T/$rt" "$id" >/dev/null 2>&1 &
    hpid=$!
    sleep "$(printf '0.%03d' "$d")"
    kill -STOP "$hpid" 2>/dev/null
    kids=""
    # still hardshim (not yet the runtime it execs): its children are its own
    if [ "$(readlink /proc/"$hpid"/exe)" = "$HS_EXE" ]; then
      seen=$((seen + 1))
      kids=$(children "$hpid")
      track $kids
    fi
    kill -9 "$hpid" 2>/dev/null
    wait "$hpid" 2>/dev/null
    for k in $kids; do
      caught=$((caught + 1))
      s=$(echo "$TRACKED" | tr ' ' '\n' | grep "^$k:" | tail -n1)
      gone_within 3 "$k" "${s#*:}" || left="$left $k"
      kill_tracked "$k" "${s#*:}"
    done
    real $rt delete --force "$id" >/dev/null 2>&1
  done
  echo "# $rt: hardshim stopped before its hand-over $seen times, with $caught children"
  check "$rt: no child outlived a killed hardshim (${left:-none left})" [ -z "$left" ]
done
finish

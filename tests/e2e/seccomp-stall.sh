#!/bin/sh
# One hostile create never stalls the others: a container whose
# linux.seccomp keeps libseccomp busy for the whole validation bound
# (tests/data/seccomp/libseccomp-slow.json: 62 socket allowances, each with
# four overlapping masked conditions, none inside another; libseccomp 2.5.4
# needs far more than 10 s for them) is validated without
# the cache lock, in a child that holds no lock or fd of hardshim's, has a
# CPU bound and dies with hardshim. While it validates, and after a SIGKILL
# of its hardshim, another create completes at once and the child is gone.
# Real runc and crun, real processes tracked by pid.
#
# One private mount namespace without the cgroup2 mount (crun, see
# ENVIRONMENT.md); hardshim and the runtimes all run in it.
if [ -z "${HS_STALL_PRIVATE_NS:-}" ]; then
  HS_STALL_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
. "$(dirname "$0")/lib.sh"

rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
hsx () {
  rt=$1; shift
  HARDSHIM_RUNTIME=$(rt_path "$rt") HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/$rt" "$@"
}
now_ms () { echo $(($(date +%s%N) / 1000000)); }
# timed_create RT BUNDLE ID: create within 20 s; prints the milliseconds taken
timed_create () {
  t0=$(now_ms)
  timeout 20 env HARDSHIM_RUNTIME="$(rt_path "$1")" HARDSHIM_POLICY="$POLICY" \
    "$HARDSHIM" --root "$STATE/$1" create --bundle "$2" "$3" >/dev/null 2>"$T/err" || return 1
  echo $(($(now_ms) - t0))
}
lt () { [ -n "$1" ] && [ "$1" -lt "$2" ]; }
# start_hostile RT ID: the hostile create in the background; sets hpid (its
# hardshim, not a subshell), kid and kstart (its validation child: a fork
# of hardshim, not an exec'd probe, in our user namespace, not the idmap
# holder)
start_hostile () {
  HARDSHIM_RUNTIME=$(rt_path "$1") HARDSHIM_POLICY=$POLICY \
    "$HARDSHIM" --root "$STATE/$1" create --bundle "$T/$1-hang" "$2" >/dev/null 2>"$T/hostile.err" &
  hpid=$!
  kid=""; _i=0
  while [ -z "$kid" ] && [ $_i -lt 200 ]; do
    for k in $(children "$hpid"); do
      if [ "$(readlink /proc/"$k"/exe)" = "$(readlink -f "$HARDSHIM")" ] &&
         [ "$(readlink /proc/"$k"/ns/user)" = "$(readlink /proc/self/ns/user)" ]; then kid=$k; fi
    done
    [ -n "$kid" ] || sleep 0.05
    _i=$((_i + 1))
  done
  kstart=$(start_time "$kid")
  KIDS="$KIDS $kid:$kstart"
}
# A create that takes longer than this waited for the hostile one (its
# validation runs for 5 s of CPU, at most 15 s).
PROMPT_MS=3000

HANG=$T/hang.json
cp "$top_srcdir/tests/data/seccomp/libseccomp-slow.json" "$HANG"
KIDS=""
stall_cleanup () {
  for k in $KIDS; do kill_tracked "${k%:*}" "${k#*:}"; done
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do
    umount -l "$mp" 2>/dev/null
  done
  cleanup
}
trap stall_cleanup EXIT

for rt in runc crun; do
  # a state directory each: the refusal the first runtime's run remembers
  # must not spare the second one's its validation
  HS=$T/hs-$rt
  write_policy "{ \"state_dir\": \"$HS\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  make_bundle "$T/$rt-hang" . '["true"]'
  jq --slurpfile s "$HANG" '.linux.seccomp = $s[0]' "$T/$rt-hang/config.json" > "$T/c.json" &&
    mv "$T/c.json" "$T/$rt-hang/config.json"
  for n in a b c; do make_bundle "$T/$rt-$n" . '["true"]'; done
  h=$(new_id hang); a=$(new_id a); b=$(new_id b); c=$(new_id c)

  # SIGKILL of a hostile create's hardshim while it validates: the child
  # goes with it and the lock is free
  start_hostile $rt "$h"
  check "$rt: the hostile create validates in a child ($kid)" still_runs "$kid" "$kstart"
  fds=$(ls /proc/"$kid"/fd | grep -v '^[0-2]$' | tr '\n' ' ')
  check "$rt: the child holds no fd but stdio and its pipe ($fds)" [ "$(echo $fds | wc -w)" -le 1 ]
  check "$rt: ... none of them the cache lock" sh -c "! ls -l /proc/$kid/fd | grep -q '\.lock'"
  kill -9 "$hpid"
  wait "$hpid" 2>/dev/null
  check "$rt: the validation child died with hardshim" gone_within 3 "$kid" "$kstart"
  check "$rt: nothing holds the cache lock" flock -n "$HS/seccomp/.lock" true
  ms=$(timed_create $rt "$T/$rt-a" "$a")
  check "$rt: a create after the kill completes at once (${ms:-timeout} ms)" lt "$ms" $PROMPT_MS
  kill_tracked "$kid" "$kstart" # only if the child outlived hardshim

  # while a hostile create validates, another completes at once; the
  # hostile one is refused when its bound is hit, never a hang
  t0=$(now_ms)
  start_hostile $rt "$h"
  ms=$(timed_create $rt "$T/$rt-b" "$b")
  check "$rt: another create completes while one validates (${ms:-timeout} ms)" lt "$ms" $PROMPT_MS
  check "$rt: ... the hostile one is still validating" still_runs "$kid" "$kstart"
  wait "$hpid"
  rc=$?
  t=$(($(now_ms) - t0))
  # 5 s of CPU, or 15 s of wall clock on a host too loaded to give it that
  check "$rt: the hostile create is refused after its bound (rc $rc, $t ms)" \
    sh -c "[ $rc -ne 0 ] && [ $t -lt 25000 ]"
  check "$rt: ... saying why" grep -q 'too complex to validate' "$T/hostile.err"
  by_cpu=0
  if grep -q 'more than 5 s of CPU' "$T/hostile.err"; then by_cpu=1; fi
  check "$rt: ... its child is gone" gone_within 1 "$kid" "$kstart"
  kill_tracked "$kid" "$kstart"
  ms=$(timed_create $rt "$T/$rt-c" "$c")
  check "$rt: ... and the others still create (${ms:-timeout} ms)" lt "$ms" $PROMPT_MS

  # the CPU bound is the profile's: once hit, the next create of the
  # profile is refused at once (the wall-clock bound is the host's: not
  # remembered)
  t0=$(now_ms)
  hsx $rt create --bundle "$T/$rt-hang" "$h" >/dev/null 2>"$T/hostile.err"
  rc=$?
  t=$(($(now_ms) - t0))
  if [ $by_cpu = 1 ]; then
    check "$rt: the same hostile profile again is refused at once (rc $rc, $t ms)" \
      sh -c "[ $rc -ne 0 ] && [ $t -lt $PROMPT_MS ]"
    check "$rt: ... saying an earlier create found it too complex" \
      grep -q 'too complex to validate (an earlier create' "$T/hostile.err"
  else
    echo "# $rt: the host gave the validation less than 5 s of CPU in 15 s: nothing remembered"
    check "$rt: the same hostile profile again is refused (rc $rc)" [ $rc -ne 0 ]
  fi
  for x in "$a" "$b" "$c"; do hsx $rt delete --force "$x" >/dev/null 2>&1; done
done
finish

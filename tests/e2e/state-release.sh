#!/bin/sh
# What a container holds is released only when it is really gone: hardshim
# execs the runtime and never sees its delete succeed, so a delete the
# runtime refuses (the container runs), or the engine's cleanup delete after
# a failed duplicate create, must not give the container's block of host
# ids to the next container. A delete of a stopped container releases at
# once; one of a live container leaves the block to a later create that
# finds it gone. Real runc and crun, real processes.
#
# One private mount namespace without the cgroup2 mount (crun, see
# ENVIRONMENT.md); hardshim and the runtimes all run in it.
if [ -z "${HS_RELEASE_PRIVATE_NS:-}" ]; then
  HS_RELEASE_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
. "$(dirname "$0")/lib.sh"

release_cleanup () {
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do
    umount -l "$mp" 2>/dev/null
  done
  cleanup
}
trap release_cleanup EXIT

rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
hsx () {
  rt=$1; shift
  HARDSHIM_RUNTIME=$(rt_path "$rt") HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/$rt" "$@"
}
rx () { rt=$1; shift; "$(rt_path "$rt")" --root "$STATE/$rt" "$@"; }
status () { rx "$1" state "$2" 2>/dev/null | jq -r .status; }
wait_stopped () {
  i=0
  while [ "$(status "$1" "$2")" = running ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
start_new () { hsx "$1" create --bundle "$2" "$3" && hsx "$1" start "$3"; }
block () { jq '.linux.uidMappings[0].hostID' "$1/config.json"; }
records () { ls "$HS"/userns/*.json 2>/dev/null | wc -l; }

BLOCK=65536
POOL=1000000
make_rootfs
for rt in runc crun; do
  HS=$T/hs-$rt
  write_policy "{ \"state_dir\": \"$HS\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"userns\": { \"mode\": \"auto\", \"ranges\": [ { \"start\": $POOL, \"size\": $((2 * BLOCK)) } ] } }"
  for n in a a2 b c d; do make_bundle "$T/$rt-$n" . '["sleep","1000"]'; done
  a=$(new_id a); b=$(new_id b); c=$(new_id c); d=$(new_id d)

  check "$rt: create and start A" start_new $rt "$T/$rt-a" "$a"
  check "$rt: A runs" [ "$(status $rt "$a")" = running ]
  ba=$(block "$T/$rt-a")

  # delete of a running container: the runtime refuses it
  hsx $rt delete "$a" 2>"$T/err"
  check "$rt: delete of running A is refused by the runtime" [ $? -ne 0 ]
  check "$rt: A still runs" [ "$(status $rt "$a")" = running ]
  check "$rt: A's block is still held" [ "$(records)" -eq 1 ]
  check "$rt: the audit log says why it stays" \
    grep -q "\"container\":\"$a\".*not verifiably gone" "$AUDIT"
  check "$rt: create B" hsx $rt create --bundle "$T/$rt-b" "$b"
  bb=$(block "$T/$rt-b")
  check "$rt: B does not get A's block ($bb, $ba)" [ -n "$bb" ] && [ "$bb" != "$ba" ]

  # a duplicate create of A fails, and the engine's cleanup deletes A
  hsx $rt create --bundle "$T/$rt-a2" "$a" 2>/dev/null
  check "$rt: a duplicate create of A fails in the runtime" [ $? -ne 0 ]
  hsx $rt delete "$a" 2>/dev/null
  check "$rt: ... and so does the engine's cleanup delete" [ "$(status $rt "$a")" = running ]
  hsx $rt create --bundle "$T/$rt-c" "$c" 2>"$T/err"
  rc=$?
  bc=$(block "$T/$rt-c")
  check "$rt: C does not get A's block (rc $rc, block $bc)" \
    sh -c "[ $rc -ne 0 ] || [ '$bc' != '$ba' ]"
  check "$rt: ... the pool is exhausted instead" grep -q 'pool is exhausted' "$T/err"
  check "$rt: A and B run with their own ids" \
    [ "$(hsx $rt exec "$a" cat /proc/self/uid_map | awk '{ print $2 }')" = "$ba" ]

  # a stopped container is gone for good: delete releases at once
  rx $rt kill "$a" KILL; wait_stopped $rt "$a"
  check "$rt: A stopped" [ "$(status $rt "$a")" = stopped ]
  check "$rt: delete of stopped A" hsx $rt delete "$a"
  check "$rt: A's block is back at once" [ "$(records)" -eq 1 ]
  check "$rt: create D" hsx $rt create --bundle "$T/$rt-d" "$d"
  check "$rt: D gets A's block" [ "$(block "$T/$rt-d")" = "$ba" ]

  # delete --force of a created container: the runtime kills and deletes
  # it, hardshim cannot know it will: the block waits for a later create
  hsx $rt delete --force "$d"
  check "$rt: delete --force of D removes it from the runtime" [ -z "$(status $rt "$d")" ]
  check "$rt: ... D's block stays held until a later create finds it gone" [ "$(records)" -eq 2 ]
  for f in "$HS"/userns/*.json; do jq -c '.created = 0' "$f" > "$f.tmp" && mv "$f.tmp" "$f"; done
  e=$(new_id e)
  make_bundle "$T/$rt-e" . '["sleep","1000"]'
  check "$rt: create E after the grace period" hsx $rt create --bundle "$T/$rt-e" "$e"
  check "$rt: E reclaims D's block (B's stays)" \
    [ "$(block "$T/$rt-e")" = "$ba" ] && [ "$(records)" -eq 2 ]
  for x in "$b" "$e"; do hsx $rt delete --force "$x" >/dev/null 2>&1; done
done
finish

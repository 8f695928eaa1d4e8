#!/bin/sh
# `update` on a running container, real runc and crun: what the engines
# send (docker update, podman update, containerd's task Update, the CRI's
# UpdateContainerResources) changes the limits the create-time controls
# set. hardshim judges it with the same rules: no pids limit lifted or
# raised past policy, no device rule policy does not list (crun applies
# them: allow-all gave the container every host device), no resources key
# or unified file it does not judge; what it judged is what the runtime
# reads (-r FILE and -r - from stdin alike).
. "$(dirname "$0")/lib.sh"

# pids_max RT ID: the container's pids.max, read through its init's cgroup
pids_max () {
  pid=$(real "$1" state "$2" | jq -r .pid)
  rel=$(awk -F: '$2 == "pids" || ($1 == "0" && $2 == "") { print $3; exit }' "/proc/$pid/cgroup")
  for base in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [ -f "$base$rel/pids.max" ] && { cat "$base$rel/pids.max"; return; }
  done
  echo unknown
}

# refused RT ID WANT ARGS...: update is refused with WANT, nothing changes
refused () {
  rt=$1 id=$2 want=$3; shift 3
  before=$(pids_max "$rt" "$id")
  hs "$rt" --log "$T/log.json" --log-format json update "$@" "$id" < "${STDIN:-/dev/null}" \
    > "$T/out" 2>&1
  rc=$?
  check "$rt: update $*: refused" [ "$rc" -ne 0 ]
  if grep -qF -- "$want" "$T/out"; then ok "$rt: update $*: says why"; else
    not_ok "$rt: update $*: says \`$want\`"; sed 's/^/# /' "$T/out"; fi
  check "$rt: update $*: --log says why" \
    jqe --arg w "$want" 'select(.level == "error") | .msg | contains($w)' "$T/log.json"
  check "$rt: update $*: pids.max unchanged" [ "$(pids_max "$rt" "$id")" = "$before" ]
}

for rt in runc crun; do
  id=$(new_id upd)
  make_bundle "$T/$rt" '.' '["sleep","1000"]'
  (cd "$T/$rt" && hs $rt run -d "$id") > /dev/null 2>&1
  check "$rt: the container runs" [ "$(real $rt state "$id" | jq -r .status)" = running ]
  check "$rt: create set the policy's pids limit" [ "$(pids_max $rt "$id")" = 4096 ]

  refused $rt "$id" "update would set the pids limit to -1 (no limit)" --pids-limit -1
  refused $rt "$id" "update would set the pids limit to 0 (no limit)" --pids-limit 0
  refused $rt "$id" "update would set the pids limit to 100000" --pids-limit 100000
  refused $rt "$id" "--pids-limit \`0x10\` is not a decimal integer" --pids-limit 0x10
  printf '{"devices":[{"allow":true,"access":"rwm"}]}' > "$T/all.json"
  refused $rt "$id" "a device cgroup rule allowing all devices is not allowed" -r "$T/all.json"
  printf '{"devices":[{"allow":true,"type":"c","major":1,"minor":11,"access":"rw"}]}' > "$T/kmsg.json"
  refused $rt "$id" "a device cgroup rule allowing c 1:11 is not allowed" -r "$T/kmsg.json"
  printf '{"pids":{"limit":-1}}' > "$T/nolimit.json"
  STDIN=$T/nolimit.json refused $rt "$id" "update would set the pids limit to -1" -r -
  printf '{"unified":{"pids.max":"max"}}' > "$T/umax.json"
  refused $rt "$id" "update would set pids.max to \`max\`" -r "$T/umax.json"
  printf '{"unified":{"cgroup.procs":"1"}}' > "$T/procs.json"
  refused $rt "$id" "unified key \`cgroup.procs\` changes the cgroup tree itself" -r "$T/procs.json"
  printf '{"unified":{"../../pids.max":"max"}}' > "$T/dotdot.json"
  refused $rt "$id" "is not a cgroup file name" -r "$T/dotdot.json"
  printf '{"futureKnob":{"x":1}}' > "$T/future.json"
  refused $rt "$id" "resources key \`futureKnob\` is not one hardshim judges" -r "$T/future.json"

  hs $rt update --pids-limit 100 "$id" > "$T/out" 2>&1
  check "$rt: update --pids-limit 100 within policy works" [ "$(pids_max $rt "$id")" = 100 ]
  printf '{"pids":{"limit":50},"cpu":{"shares":512},"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"}]}' \
    > "$T/ok.json"
  hs $rt update -r - "$id" < "$T/ok.json" > "$T/out" 2>&1
  check "$rt: update -r - (stdin) within policy works" [ "$(pids_max $rt "$id")" = 50 ]
  [ "$(pids_max $rt "$id")" = 50 ] || sed 's/^/# /' "$T/out"
  printf '{"pids":{"limit":60}}' > "$T/sixty.json"
  hs $rt update -r "$T/sixty.json" "$id" > "$T/out" 2>&1
  check "$rt: update -r FILE within policy works" [ "$(pids_max $rt "$id")" = 60 ]
  check "$rt: the container still runs" [ "$(real $rt state "$id" | jq -r .status)" = running ]
  real $rt delete -f "$id" > /dev/null 2>&1
done
finish

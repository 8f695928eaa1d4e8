#!/bin/sh
# exec never holds more than the hardened container allows: `exec --cap`,
# an exec process file asking for CAP_SYS_ADMIN, runc's
# --no-new-privs=false and crun's exec without --no-new-privs.
. "$(dirname "$0")/lib.sh"

ALLOWED=$((0xa00405fb))
SYS_ADMIN=$((1 << 21))
SETUID=$((1 << 7))
cap_val () { printf '%d' "0x$(status_field "$1" "$2")"; }
audit_has () { jq -s -e "any(.[]; $1)" "$AUDIT" >/dev/null; }

for rt in runc crun; do
  b=$T/$rt-box
  make_bundle "$b" '.process.noNewPrivileges = false | .process.capabilities.bounding += ["CAP_SYS_ADMIN","CAP_CHOWN"]' \
    '["sleep","1000"]'
  id=$(new_id box)
  check "$rt: create" hs $rt create --bundle "$b" "$id"
  check "$rt: start" hs $rt start "$id"

  # --cgroup: crun joins the value as given, so `..` left the container's
  # device cgroup for the host's root one (every device). Only a clean
  # sub-path is admitted, with a process file and without.
  for v in devices:../../.. pids:/ /abs ..; do
    hs $rt exec --cgroup "$v" "$id" sh -c 'cat /proc/self/cgroup' > "$T/cg" 2>"$T/err"
    check "$rt: exec --cgroup $v: refused" [ $? -ne 0 ]
    check "$rt: exec --cgroup $v: hardshim says why" grep -q "hardshim: exec .*--cgroup \`$v\`" "$T/err"
  done
  jq '.process | .args = ["true"]' "$b/config.json" > "$T/$rt-cgproc.json"
  hs $rt exec --cgroup devices:../.. --process "$T/$rt-cgproc.json" "$id" > /dev/null 2>"$T/err"
  check "$rt: exec --process with --cgroup devices:../..: refused" grep -q 'hardshim: exec .*--cgroup' "$T/err"
  hs $rt exec --cgroup hs-sub "$id" true > /dev/null 2>"$T/err"
  check "$rt: exec --cgroup hs-sub: not refused by hardshim (the runtime decides)" \
    sh -c '! grep -q "hardshim: exec" "$1"' sh "$T/err"

  # inline --cap CAP_SYS_ADMIN: removed from argv, recorded.
  hs $rt exec --cap CAP_SYS_ADMIN "$id" cat /proc/self/status > "$T/st" 2>"$T/err"
  check "$rt: exec --cap CAP_SYS_ADMIN runs" [ $? -eq 0 ]
  check "$rt: exec --cap CAP_SYS_ADMIN: not in CapEff" [ $(( $(cap_val "$T/st" CapEff) & SYS_ADMIN )) -eq 0 ]
  check "$rt: exec --cap CAP_SYS_ADMIN: not in CapBnd" [ $(( $(cap_val "$T/st" CapBnd) & SYS_ADMIN )) -eq 0 ]
  check "$rt: exec --cap: CapBnd within the allowed set" [ $(( $(cap_val "$T/st" CapBnd) & ~ALLOWED )) -eq 0 ]
  check "$rt: exec --cap: NoNewPrivs 1" [ "$(status_field "$T/st" NoNewPrivs)" = 1 ]
  check "$rt: exec --cap: the removal is in the audit log" \
    audit_has ".verb == \"exec\" and .container == \"$id\" and .control == \"capabilities\" and any(.before[]; . == \"CAP_SYS_ADMIN\")"

  # An allowed --cap outside the container's bounding set (SETUID: the
  # container has AUDIT_WRITE, KILL, NET_BIND_SERVICE, CHOWN) is removed too.
  hs $rt exec --cap CAP_SETUID --cap CAP_CHOWN "$id" cat /proc/self/status > "$T/st" 2>"$T/err"
  check "$rt: exec --cap within policy but not the container's: not in CapBnd" \
    [ $(( $(cap_val "$T/st" CapBnd) & SETUID )) -eq 0 ]

  # Process file holding CAP_SYS_ADMIN in every set and noNewPrivileges false.
  jq '.process | .args = ["cat","/proc/self/status"] | .noNewPrivileges = false
      | .capabilities = {bounding: ["CAP_SYS_ADMIN","CAP_KILL"], effective: ["CAP_SYS_ADMIN","CAP_KILL"],
                         permitted: ["CAP_SYS_ADMIN","CAP_KILL"], inheritable: ["CAP_SYS_ADMIN"], ambient: ["CAP_SYS_ADMIN"]}' \
    "$b/config.json" > "$T/$rt-proc.json"
  cp "$T/$rt-proc.json" "$T/$rt-proc.orig"
  hs $rt exec --process "$T/$rt-proc.json" "$id" > "$T/st" 2>"$T/err"
  check "$rt: exec --process with CAP_SYS_ADMIN runs" [ $? -eq 0 ]
  check "$rt: exec --process: no SYS_ADMIN in CapEff" [ $(( $(cap_val "$T/st" CapEff) & SYS_ADMIN )) -eq 0 ]
  check "$rt: exec --process: no SYS_ADMIN in CapBnd" [ $(( $(cap_val "$T/st" CapBnd) & SYS_ADMIN )) -eq 0 ]
  check "$rt: exec --process: only KILL left" [ "$(cap_val "$T/st" CapBnd)" -eq $((1 << 5)) ]
  check "$rt: exec --process: CapInh and CapAmb empty" \
    [ "$(cap_val "$T/st" CapInh)" -eq 0 -a "$(cap_val "$T/st" CapAmb)" -eq 0 ]
  check "$rt: exec --process: NoNewPrivs 1" [ "$(status_field "$T/st" NoNewPrivs)" = 1 ]
  check "$rt: exec --process: the engine's file is left as it was" cmp -s "$T/$rt-proc.json" "$T/$rt-proc.orig"

  # --cap beside --process: both runtimes ignore the flags then (measured
  # with runc 1.1.5 and crun 1.8.1); this keeps it so.
  hs $rt exec --cap CAP_SYS_ADMIN --process "$T/$rt-proc.json" "$id" > "$T/st" 2>"$T/err"
  check "$rt: exec --cap CAP_SYS_ADMIN --process: no SYS_ADMIN in CapBnd" \
    [ $(( $(cap_val "$T/st" CapBnd) & SYS_ADMIN )) -eq 0 ]

  # no_new_privs cannot be turned off inline.
  if [ $rt = runc ]; then
    out=$(hs $rt exec --no-new-privs=false "$id" grep NoNewPrivs /proc/self/status)
    check "runc: exec --no-new-privs=false still gets NoNewPrivs 1" [ "$(echo "$out" | awk '{print $2}')" = 1 ]
  fi
  out=$(hs $rt exec "$id" grep NoNewPrivs /proc/self/status)
  check "$rt: plain inline exec gets NoNewPrivs 1" [ "$(echo "$out" | awk '{print $2}')" = 1 ]

  # reject mode: the --cap exec is refused, and the process never runs.
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"capabilities\": { \"mode\": \"reject\" } }"
  hs $rt --log "$T/$rt-rej.log" --log-format json exec --cap CAP_SYS_ADMIN "$id" touch /tmp/ran 2>"$T/err"
  check "$rt: reject mode refuses exec --cap CAP_SYS_ADMIN" [ $? -eq 1 ]
  check "$rt: reject mode: reason in --log" \
    jq -s -e 'any(.[]; .level == "error" and (.msg | contains("removed CAP_SYS_ADMIN")))' "$T/$rt-rej.log" >/dev/null
  real $rt exec "$id" test -e /tmp/ran
  check "$rt: reject mode: the exec'd process never ran" [ $? -ne 0 ]
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"

  hs $rt kill "$id" KILL
  i=0; while [ "$(real $rt state "$id" 2>/dev/null | jq -r .status)" = running ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  hs $rt delete --force "$id"
done

finish

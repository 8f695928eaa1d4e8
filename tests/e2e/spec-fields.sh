#!/bin/sh
# The field inventory end to end, with real runc and crun: a field no
# control judges (linux.fooBar, a typo inside a known object, an unknown
# hook kind) and a field the inventory refuses (linux.netDevices,
# process.scheduler, linux.intelRdt, net_cls classID) are refused with a
# message naming the JSON path, on stderr and in --log, config.json
# untouched and the runtime never run; the same in an exec process file.
# `unknown_fields: audit` records and runs; `spec_fields.allow` grants a
# refused field. Engines' own fields keep working.
. "$(dirname "$0")/lib.sh"

DEFAULT_POLICY=$(cat "$POLICY")
audit_has () { jq -s -e "any(.[]; $1)" "$AUDIT" >/dev/null; }

# refused RT WHAT JQ_FILTER WANT: create refused with WANT, nothing ran.
refused () {
  rt=$1; what=$2; filter=$3; want=$4
  b=$T/b-$rt-$(printf '%s' "$what" | tr -c 'a-zA-Z0-9' '-')
  rm -rf "$b"
  make_bundle "$b" "$filter" '["sh","-c","true"]'
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id fld)
  rm -f "$T/log.json"
  hs "$rt" --log "$T/log.json" --log-format json create --bundle "$b" "$id" >/dev/null 2>"$T/err"
  rc=$?
  check "$rt: $what: refused (exit 1)" [ "$rc" -eq 1 ]
  check "$rt: $what: stderr names the field" grep -qF -- "$want" "$T/err"
  [ "$rc" -eq 1 ] && grep -qF -- "$want" "$T/err" || cat "$T/err"
  check "$rt: $what: --log says why" \
    jqe --arg w "$want" 'select(.level == "error") | .msg | contains($w)' "$T/log.json"
  check "$rt: $what: config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  if real "$rt" state "$id" >/dev/null 2>&1; then
    not_ok "$rt: $what: the runtime never created it"
    real "$rt" delete --force "$id" >/dev/null 2>&1
  else
    ok "$rt: $what: the runtime never created it"
  fi
}

# runs RT WHAT JQ_FILTER: `run` succeeds.
runs () {
  rt=$1; what=$2; filter=$3
  b=$T/b-$rt-$(printf '%s' "$what" | tr -c 'a-zA-Z0-9' '-')
  rm -rf "$b"
  make_bundle "$b" "$filter" '["sh","-c","echo ran"]'
  id=$(new_id fld)
  out=$(cd "$b" && hs "$rt" run "$id" 2>"$T/err")
  rc=$?
  check "$rt: $what: runs" [ "$rc" -eq 0 ] && [ "$out" = ran ]
  [ "$rc" -eq 0 ] || cat "$T/err"
}

for rt in runc crun; do
  write_policy "$DEFAULT_POLICY"
  refused $rt "unknown linux field" '.linux.fooBar = {"a": 1}' \
    '`linux.fooBar` is not a field hardshim knows'
  refused $rt "typo inside a known object" '.linux.resources.memory = {"limitt": 1000}' \
    '(control `spec_fields`, `linux.resources.memory.limitt`)'
  refused $rt "unknown field of a mount" '.mounts[0].copyUp = true' \
    '`mounts[0].copyUp` is not a field hardshim knows'
  refused $rt "unknown hook kind" '.hooks = {"preStop": [{"path": "/bin/true"}]}' \
    '`hooks.preStop` is not a field hardshim knows'
  refused $rt "linux.netDevices" '.linux.netDevices = {"lo": {"name": "lo2"}}' \
    '`linux.netDevices` is refused by host policy: moves host network interfaces'
  refused $rt "process.scheduler" '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 99}' \
    '`process.scheduler` is refused by host policy'
  refused $rt "process.ioPriority" '.process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 0}' \
    '`process.ioPriority` is refused by host policy'
  refused $rt "linux.intelRdt" '.linux.intelRdt = {"closID": "/"}' \
    '`linux.intelRdt` is refused by host policy'
  refused $rt "net_cls classID" '.linux.resources.network = {"classID": 1048577}' \
    '`linux.resources.network.classID` is refused by host policy'

  # What the spec defines and the runtimes act on harmlessly runs.
  runs $rt "harmless known fields" \
    '.linux.resources.memory = {"limit": 268435456} | .linux.resources.cpu = {"shares": 512}
     | .process.user.umask = 18 | .domainname = "example.org" | .x_engine = {"any": 1}'
  runs $rt "a refused field set to null" '.linux.netDevices = null'

  # unknown_fields: audit records the field and runs; refused fields stay refused.
  write_policy "$(printf '%s' "$DEFAULT_POLICY" | jq -c '. + {unknown_fields: "audit"}')"
  runs $rt "unknown field under unknown_fields audit" '.linux.fooBar = 1'
  check "$rt: unknown_fields audit: recorded as would-refuse" \
    audit_has '.control == "spec_fields" and .action == "would-refuse" and .path == "linux.fooBar"'
  refused $rt "netDevices under unknown_fields audit" '.linux.netDevices = {"lo": {"name": "lo2"}}' \
    '`linux.netDevices` is refused'

  # spec_fields.allow grants a refused field (the runtime then acts on it:
  # runc and crun fail on SCHED_FIFO without CAP_SYS_NICE semantics here,
  # so a harmless SCHED_OTHER is used).
  write_policy "$(printf '%s' "$DEFAULT_POLICY" | jq -c '. + {spec_fields: {allow: ["process.scheduler"]}}')"
  b=$T/b-$rt-allow
  rm -rf "$b"
  make_bundle "$b" '.process.scheduler = {"policy": "SCHED_OTHER"}' '["true"]'
  hs $rt create --bundle "$b" "$(new_id fld)" >/dev/null 2>"$T/err"
  check "$rt: spec_fields.allow: process.scheduler not refused by hardshim" \
    sh -c "! grep -q 'is refused by host policy' '$T/err'"

  # Exec process files are judged like config.json's process.
  write_policy "$DEFAULT_POLICY"
  b=$T/b-$rt-box
  rm -rf "$b"
  make_bundle "$b" . '["sleep","1000"]'
  id=$(new_id box)
  check "$rt: create a container to exec in" hs $rt create --bundle "$b" "$id"
  check "$rt: start" hs $rt start "$id"
  jq '.process | .args = ["echo","exec ran"]' "$b/config.json" > "$T/$rt-proc.json"
  out=$(hs $rt exec --process "$T/$rt-proc.json" "$id" 2>"$T/err")
  check "$rt: exec with a known process file runs" [ "$out" = "exec ran" ]
  [ "$out" = "exec ran" ] || cat "$T/err"
  jq '.newField = 1' "$T/$rt-proc.json" > "$T/$rt-proc-bad.json"
  out=$(hs $rt exec --process "$T/$rt-proc-bad.json" "$id" 2>"$T/err")
  check "$rt: exec process file with an unknown field refused" \
    grep -qF '`process.newField` is not a field hardshim knows' "$T/err"
  check "$rt: exec refused: nothing ran" [ -z "$out" ]
  jq '.scheduler = {"policy": "SCHED_FIFO", "priority": 1}' "$T/$rt-proc.json" > "$T/$rt-proc-bad.json"
  out=$(hs $rt exec --process "$T/$rt-proc-bad.json" "$id" 2>"$T/err")
  check "$rt: exec process file with process.scheduler refused" \
    grep -qF '`process.scheduler` is refused by host policy' "$T/err"
  real $rt delete --force "$id" >/dev/null 2>&1
done

finish

#!/bin/sh
# AppArmor and SELinux on a host that has neither (real detection): the
# default policy starts containers, sets no profile or label (both runtimes
# would fail the create) and records why; `required` refuses the container
# naming the module, before the runtime runs; `unconfined`/spc_t requests
# are refused; exec process files and flags are hardened.
. "$(dirname "$0")/lib.sh"

# audited ID JQ_CONDITION: some audit record of container ID meets it (jq -e
# alone judges only its last output, so slurp the log).
audited () {
  jq -e -s --arg id "$1" "any(.[]; .container == \$id and ($2))" "$AUDIT" >/dev/null
}

default_policy="{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"

# refused RT NAME POLICY JQ_FILTER WANT_MSG: create is refused with WANT_MSG
# in stderr and --log, config.json untouched, runtime never ran.
refused () {
  rt=$1 name=$2 pol=$3 filter=$4 want=$5
  write_policy "$pol"
  b=$T/$rt-$name
  make_bundle "$b" "$filter"
  cp "$b/config.json" "$T/$rt-$name.orig"
  id=$(new_id "$name")
  hs $rt --log "$T/$rt-$name.log" --log-format json create --bundle "$b" "$id" 2>"$T/err"
  rc=$?
  check "$rt $name: create exits 1" [ "$rc" -eq 1 ]
  check "$rt $name: stderr says: $want" grep -qF "$want" "$T/err"
  check "$rt $name: --log JSON error says: $want" \
    jq -e -s --arg w "$want" 'any(.[]; .level == "error" and (.msg | contains($w)))' \
      "$T/$rt-$name.log" >/dev/null
  check "$rt $name: config.json is byte-identical" cmp -s "$b/config.json" "$T/$rt-$name.orig"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt $name: the runtime never created the container" [ $? -ne 0 ]
  write_policy "$default_policy"
}

for rt in runc crun; do
  # Default policy: best-effort for both modules.
  write_policy "$default_policy"
  b=$T/$rt-default
  make_bundle "$b" . '["sh","-c","cat /proc/self/attr/current 2>/dev/null; echo started"]'
  id=$(new_id default)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  rc=$?
  check "$rt: default policy runs the container" [ "$rc" -eq 0 ]
  check "$rt: the container's process ran" sh -c "echo '$out' | grep -q started"
  check "$rt: no process.apparmorProfile is set" jqe '.process.apparmorProfile == null' "$b/config.json"
  check "$rt: no process.selinuxLabel is set" jqe '.process.selinuxLabel == null' "$b/config.json"
  check "$rt: no linux.mountLabel is set" jqe '.linux.mountLabel == null' "$b/config.json"
  check "$rt: audit log: AppArmor not enabled, skipped" \
    audited "$id" '.control == "apparmor" and .action == "note"
      and (.message | startswith("AppArmor not enabled, skipped"))'
  check "$rt: audit log: SELinux not enabled, skipped" \
    audited "$id" '.control == "selinux" and .action == "note"
      and (.message | startswith("SELinux not enabled, skipped"))'
  real $rt delete "$id" >/dev/null 2>&1

  refused $rt aa-required \
    "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"apparmor\": { \"mode\": \"required\" } }" \
    . "AppArmor is required by host policy (apparmor.mode), but AppArmor is not enabled on this host"
  refused $rt se-required \
    "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"selinux\": { \"mode\": \"required\" } }" \
    . "SELinux is required by host policy (selinux.mode), but SELinux is not enabled on this host"
  refused $rt aa-unconfined "$default_policy" '.process.apparmorProfile = "unconfined"' \
    "running without AppArmor confinement (\`unconfined\`) is not allowed by host policy"
  refused $rt se-spc "$default_policy" \
    '.process.selinuxLabel = "system_u:system_r:spc_t:s0"' "has an unconfined type (\`spc_t\`)"
  refused $rt se-bad-label "$default_policy" \
    '.process.selinuxLabel = "container_t"' "is not a valid SELinux label"

  # exec: a process file naming another profile or label loses it (the
  # process keeps the container's; here both runtimes would fail otherwise).
  b=$T/$rt-exec
  make_bundle "$b" . '["sleep","1000"]'
  id=$(new_id exec)
  hs $rt create --bundle "$b" "$id" && hs $rt start "$id"
  jq '.process | .args = ["echo","exec-ok"] | .apparmorProfile = "docker-default"
      | .selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"' "$b/config.json" > "$T/$rt-p.json"
  out=$(hs $rt exec --process "$T/$rt-p.json" "$id" 2>"$T/err")
  check "$rt: exec --process with a foreign profile and label runs" [ "$out" = exec-ok ]
  check "$rt: audit log: exec'd process keeps the container's profile" \
    audited "$id" '.verb == "exec" and .control == "apparmor" and .action == "changed"
      and .path == "process.apparmorProfile" and .before == "docker-default"'
  check "$rt: audit log: exec'd process keeps the container's label" \
    audited "$id" '.verb == "exec" and .control == "selinux" and .action == "changed"
      and .path == "process.selinuxLabel"'
  jq '.apparmorProfile = "unconfined"' "$T/$rt-p.json" > "$T/$rt-p2.json"
  hs $rt exec --process "$T/$rt-p2.json" "$id" >"$T/out" 2>"$T/err"
  check "$rt: exec --process with apparmorProfile unconfined is refused" \
    sh -c "[ $? -eq 1 ] && grep -q 'unconfined' '$T/err' && [ ! -s '$T/out' ]"
  hs $rt exec --apparmor unconfined "$id" echo no >"$T/out" 2>"$T/err"
  check "$rt: exec --apparmor unconfined is refused" \
    sh -c "[ $? -eq 1 ] && grep -q 'exec --apparmor' '$T/err' && [ ! -s '$T/out' ]"
  hs $rt exec --process-label system_u:system_r:spc_t:s0 "$id" echo no >"$T/out" 2>"$T/err"
  check "$rt: exec --process-label with spc_t is refused" \
    sh -c "[ $? -eq 1 ] && grep -q 'exec --process-label' '$T/err' && [ ! -s '$T/out' ]"
  out=$(hs $rt exec "$id" echo inline-ok)
  check "$rt: exec without LSM flags still works" [ "$out" = inline-ok ]
  hs $rt kill "$id" KILL
  hs $rt delete --force "$id" >/dev/null 2>&1
done

# delete releases the container's SELinux categories (a record as an
# SELinux host's create leaves it) and prints exactly what the runtime does.
HSSTATE=$T/hsstate
mkdir -m 0700 "$HSSTATE" "$HSSTATE/selinux"
for rt in runc crun; do
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"state_dir\": \"$HSSTATE\" }"
  b=$T/$rt-release
  make_bundle "$b" . '["sleep","1000"]'
  id=$(new_id release)
  other=$(new_id other)
  hs $rt create --bundle "$b" "$id"
  key=$(printf '%s\0%s' "$STATE/$rt" "$id" | sha256sum | cut -c1-32)
  okey=$(printf '%s\0%s' "$STATE/$rt" "$other" | sha256sum | cut -c1-32)
  for k in "$key:$id" "$okey:$other"; do
    printf '{"id":"%s","root":"%s","created":%s,"value":{"c":[3,4]}}' \
      "${k#*:}" "$STATE/$rt" "$(date +%s)" > "$HSSTATE/selinux/${k%%:*}.json"
  done
  # stopped first: only what is verifiably gone is released at delete
  # (a delete of a live container leaves it to a later create, doc/userns.md)
  hs $rt kill "$id" KILL
  i=0
  while [ "$(real $rt state "$id" 2>/dev/null | jq -r .status)" != stopped ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
  done
  hs $rt delete --force "$id" >"$T/del.out" 2>"$T/del.err"
  rc=$?
  check "$rt: delete through hardshim succeeds" [ "$rc" -eq 0 ]
  check "$rt: delete prints nothing, like the runtime" [ ! -s "$T/del.out" -a ! -s "$T/del.err" ]
  check "$rt: delete released the container's SELinux record" [ ! -e "$HSSTATE/selinux/$key.json" ]
  check "$rt: another container's record stays" [ -e "$HSSTATE/selinux/$okey.json" ]
  rm -f "$HSSTATE/selinux/$okey.json"
done
write_policy "$default_policy"

# The rendered profile compiles (no AppArmor in the kernel needed).
"$HARDSHIMCTL" profile apparmor --policy "$POLICY" > "$T/profile"
check "hardshimctl profile apparmor prints a profile named by its digest" \
  grep -qE '^profile hardshim-[0-9a-f]{16} ' "$T/profile"
check "the rendered profile compiles with apparmor_parser -Q -K" \
  sh -c "apparmor_parser -Q -K -o '$T/profile.bin' '$T/profile' 2>'$T/aa.err' || { cat '$T/aa.err'; false; }"
make_bundle "$T/ctl-bundle"
"$HARDSHIMCTL" profile apparmor --policy "$POLICY" --config "$T/ctl-bundle/config.json" \
  > "$T/profile2"
check "hardshimctl profile apparmor --config prints a profile" \
  grep -qE '^profile hardshim-[0-9a-f]{16} ' "$T/profile2"
check "the profile for that config compiles" \
  sh -c "apparmor_parser -Q -K -o '$T/profile2.bin' '$T/profile2' 2>'$T/aa.err' || { cat '$T/aa.err'; false; }"
"$HARDSHIMCTL" profile apparmor --config "$T/nonexistent.json" --policy "$POLICY" \
  >/dev/null 2>"$T/ctl.err"
check "hardshimctl profile apparmor with a missing config exits 2" [ $? -eq 2 ]

finish

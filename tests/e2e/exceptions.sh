#!/bin/sh
# Per-container exceptions with real runc and crun: an annotation turns an
# overridable control off only inside a policy scope; every other exception
# annotation is ignored and audited; a policy that contradicts itself
# refuses every container.
. "$(dirname "$0")/lib.sh"

# audit_has JQ_TEST: some record of the audit log passes the test.
audit_has () { jq -e -s "any(.[]; $1)" "$AUDIT" >/dev/null; }

EXC=org.hardshim.exception.no_new_privileges
policy_with () { # policy_with NNP_SETTINGS
  write_policy "{ \"no_new_privileges\": $1,
    \"exceptions\": { \"ci\": { \"scope\": { \"namespace\": [\"ci-*\"] },
                               \"allow\": { \"no_new_privileges\": { \"off\": true } } } },
    \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
}
# run_with ANNOTATIONS_JSON: run the bundle with these annotations; sets
# $id, $rc and $nnp (the container's NoNewPrivs).
run_with () {
  jq --argjson a "$1" '.annotations = $a' "$T/$rt.orig" > "$b/config.json"
  id=$(new_id exc)
  out=$(cd "$b" && hs $rt --log "$T/log.json" --log-format json run "$id" 2>"$T/err")
  rc=$?
  nnp=$(echo "$out" | awk '{print $2}')
}
# rec ACTION: the audit record of this container about the annotation.
rec () {
  jq -c "select(.container == \"$id\" and .action == \"$1\"
                and .path == \"annotations[\\\"$EXC\\\"]\")" "$AUDIT"
}

# has ACTION JQ_TEST: that record exists and passes the test.
has () { [ -n "$(rec "$1")" ] && rec "$1" | jq -e "$2" >/dev/null; }

for rt in runc crun; do
  b=$T/$rt-exc
  make_bundle "$b" '.process.noNewPrivileges = false' \
    '["sh","-c","grep NoNewPrivs /proc/self/status"]'
  cp "$b/config.json" "$T/$rt.orig"

  # In scope and overridable: honoured.
  policy_with '{ "mode": "enforce", "overridable": true }'
  run_with "{\"io.kubernetes.pod.namespace\": \"ci-42\", \"$EXC\": \"off\"}"
  check "$rt: honoured exception: container runs" [ "$rc" -eq 0 ]
  check "$rt: honoured exception: NoNewPrivs stays 0" [ "$nnp" = 0 ]
  check "$rt: honoured exception: config.json keeps noNewPrivileges false" \
    jqe '.process.noNewPrivileges == false' "$b/config.json"
  check "$rt: honoured exception: annotation left in config.json" \
    jqe ".annotations[\"$EXC\"] == \"off\"" "$b/config.json"
  check "$rt: honoured exception audited with control, path and policy exception" \
    has exception '.control == "no_new_privileges" and (.message | test("policy exception .ci."))'
  check "$rt: what it let through is audited as would-change" \
    audit_has ".container == \"$id\" and .action == \"would-change\" and .path == \"process.noNewPrivileges\""

  # Out of scope: ignored and audited, control enforced.
  run_with "{\"io.kubernetes.pod.namespace\": \"prod\", \"$EXC\": \"off\"}"
  check "$rt: out of scope: NoNewPrivs 1" [ "$nnp" = 1 ]
  check "$rt: out of scope: ignored with the reason" \
    has ignored '.message | test("no policy exception whose scope matches")'
  run_with "{\"$EXC\": \"off\"}"
  check "$rt: no scope annotation (docker/podman): NoNewPrivs 1" [ "$nnp" = 1 ]

  # A workload cannot outvote the engine's namespace annotation.
  run_with "{\"io.kubernetes.cri.sandbox-namespace\": \"prod\", \"io.kubernetes.pod.namespace\": \"ci-1\", \"$EXC\": \"off\"}"
  check "$rt: conflicting namespace annotations: NoNewPrivs 1" [ "$nnp" = 1 ]

  # Wrong value, unknown control: ignored and audited.
  run_with "{\"io.kubernetes.pod.namespace\": \"ci-42\", \"$EXC\": \"disabled\"}"
  check "$rt: value other than off: NoNewPrivs 1" [ "$nnp" = 1 ]
  check "$rt: value other than off: ignored with the reason" \
    has ignored '.message | test("only value")'
  run_with "{\"io.kubernetes.pod.namespace\": \"ci-42\", \"org.hardshim.exception.nosuch\": \"off\"}"
  check "$rt: unknown control: ignored and audited" \
    audit_has ".container == \"$id\" and .action == \"ignored\" and .control == \"exceptions\"
         and .path == \"annotations[\\\"org.hardshim.exception.nosuch\\\"]\""

  # Not overridable: ignored.
  write_policy "{ \"no_new_privileges\": { \"mode\": \"enforce\" },
    \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  run_with "{\"io.kubernetes.pod.namespace\": \"ci-42\", \"$EXC\": \"off\"}"
  check "$rt: not overridable: NoNewPrivs 1" [ "$nnp" = 1 ]
  check "$rt: not overridable: ignored with the reason" \
    has ignored '.message | test("not overridable")'

  # reject mode: the exception admits what would otherwise be refused.
  policy_with '{ "mode": "reject", "overridable": true }'
  run_with "{\"io.kubernetes.pod.namespace\": \"ci-42\", \"$EXC\": \"off\"}"
  check "$rt: reject mode + exception: admitted, NoNewPrivs 0" [ "$rc" -eq 0 -a "$nnp" = 0 ]
  run_with "{\"io.kubernetes.pod.namespace\": \"prod\", \"$EXC\": \"off\"}"
  check "$rt: reject mode, out of scope: refused" [ "$rc" -eq 1 ]
  check "$rt: ... and the ignored exception is audited too" \
    has ignored '.message | test("scope")'

  # A policy that lets containers opt out of a control it does not mark
  # overridable is contradictory: nothing runs, --log names the key.
  policy_with '{ "mode": "enforce" }'
  run_with "{\"io.kubernetes.pod.namespace\": \"ci-42\"}"
  check "$rt: conflicting policy: refused" [ "$rc" -eq 1 ]
  check "$rt: conflicting policy: --log names the key" \
    jqe 'select(.level == "error") | .msg | test("exceptions.ci.allow.no_new_privileges.*conflicts with `no_new_privileges.overridable`")' \
    "$T/log.json"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: conflicting policy: the runtime never created the container" [ $? -ne 0 ]
  rm -f "$T/log.json"
done

# ---- named exceptions of the seccomp, AppArmor and SELinux controls, and
# exec: the container's exceptions apply to its exec'd processes ----
SCD=$T/seccomp.d
mkdir -p "$SCD"
# extra: the default profile with keyctl allowed (sed, not jq: jq would
# round the profile's 64-bit masks).
sed -e 's/"keyctl", //' -e 's/"groups": \[/"groups": [ { "name": "keys", "allow": ["keyctl"] },/' \
  "$top_srcdir/profiles/seccomp/default.json" > "$SCD/extra.json"
named_policy () { # named_policy OVERRIDABLE(true|false)
  if [ "$1" = true ]; then
    exc=", \"exceptions\": { \"ci\": { \"scope\": { \"namespace\": [\"ci-*\"] }, \"allow\": {
      \"seccomp\": { \"profile\": [\"extra\"] }, \"apparmor\": { \"profile\": [\"unconfined\"] },
      \"selinux\": { \"type\": [\"spc_t\"] }, \"no_new_privileges\": { \"off\": true } } } }"
  else
    exc=
  fi
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"seccomp\": { \"profile_dir\": \"$SCD\", \"allowed_profiles\": [\"extra\"], \"overridable\": $1 },
    \"apparmor\": { \"overridable\": $1 }, \"selinux\": { \"overridable\": $1 },
    \"no_new_privileges\": { \"overridable\": $1 } $exc }"
}
# named ORIG ANNOTATIONS_JSON: run the bundle $b from ORIG with these
# annotations; sets $id and $rc.
named () {
  jq --argjson a "$2" '.annotations = $a' "$1" > "$b/config.json"
  id=$(new_id named)
  (cd "$b" && hs $rt --log "$T/log.json" --log-format json run "$id") >"$T/out" 2>"$T/err"
  rc=$?
}
# rec_of KEY ACTION JQ_TEST: this container's record about annotation KEY.
rec_of () {
  jq -e -s --arg id "$id" --arg p "annotations[\"$1\"]" --arg a "$2" \
    "any(.[]; .container == \$id and .path == \$p and .action == \$a and ($3))" "$AUDIT" >/dev/null
}
KEYCTL_ALLOWED='[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | index("keyctl") != null'
SC=org.hardshim.exception.seccomp.profile
AA=org.hardshim.exception.apparmor.profile
SE=org.hardshim.exception.selinux.type

for rt in runc crun; do
  b=$T/$rt-named
  make_bundle "$b" . '["true"]'
  cp "$b/config.json" "$T/$rt-plain.json"
  jq '.process.apparmorProfile = "unconfined"' "$b/config.json" > "$T/$rt-aa.json"
  jq '.process.selinuxLabel = "system_u:system_r:spc_t:s0"' "$b/config.json" > "$T/$rt-se.json"

  named_policy true
  # seccomp: the extra profile only through an allowed exception.
  named "$T/$rt-plain.json" "{\"io.kubernetes.pod.namespace\": \"ci-1\", \"$SC\": \"extra\"}"
  check "$rt: seccomp exception honoured: runs" [ "$rc" -eq 0 ]
  check "$rt: seccomp exception honoured: the extra profile (keyctl allowed)" \
    jqe "$KEYCTL_ALLOWED" "$b/config.json"
  check "$rt: seccomp exception honoured: audited as exception" \
    rec_of "$SC" exception '.control == "seccomp" and (.message | test("policy exception .ci."))'
  named "$T/$rt-plain.json" "{\"io.kubernetes.pod.namespace\": \"prod\", \"$SC\": \"extra\"}"
  check "$rt: seccomp exception out of scope: runs with the policy's profile" \
    sh -c "[ $rc -eq 0 ] && jq -e '($KEYCTL_ALLOWED) | not' '$b/config.json' >/dev/null"
  check "$rt: seccomp exception out of scope: audited as ignored" \
    rec_of "$SC" ignored '.message | test("no policy exception whose scope matches")'
  named "$T/$rt-plain.json" '{"io.kubernetes.pod.namespace": "ci-1", "org.hardshim.seccomp.profile": "extra"}'
  check "$rt: seccomp default (no exception): the policy's profile" \
    sh -c "[ $rc -eq 0 ] && jq -e '($KEYCTL_ALLOWED) | not' '$b/config.json' >/dev/null"

  # AppArmor unconfined: no AppArmor here, so an honoured `unconfined` is
  # dropped (both runtimes fail on any profile) and the container runs.
  named "$T/$rt-aa.json" "{\"io.kubernetes.pod.namespace\": \"ci-1\", \"$AA\": \"unconfined\"}"
  check "$rt: apparmor unconfined exception honoured: runs" [ "$rc" -eq 0 ]
  check "$rt: ... audited as exception" rec_of "$AA" exception '.control == "apparmor"'
  check "$rt: ... profile dropped on this host without AppArmor" \
    jqe '.process.apparmorProfile == null' "$b/config.json"
  named "$T/$rt-aa.json" "{\"io.kubernetes.pod.namespace\": \"prod\", \"$AA\": \"unconfined\"}"
  check "$rt: apparmor unconfined out of scope: refused" \
    sh -c "[ $rc -eq 1 ] && grep -q 'running without AppArmor confinement' '$T/err'"
  check "$rt: ... audited as ignored" rec_of "$AA" ignored '.message | test("scope")'
  named "$T/$rt-aa.json" '{"io.kubernetes.pod.namespace": "ci-1"}'
  check "$rt: apparmor unconfined without exception: refused" [ "$rc" -eq 1 ]

  # SELinux spc_t: the same.
  named "$T/$rt-se.json" "{\"io.kubernetes.pod.namespace\": \"ci-1\", \"$SE\": \"spc_t\"}"
  check "$rt: selinux spc_t exception honoured: runs" [ "$rc" -eq 0 ]
  check "$rt: ... audited as exception" rec_of "$SE" exception '.control == "selinux"'
  check "$rt: ... label dropped on this host without SELinux" \
    jqe '.process.selinuxLabel == null' "$b/config.json"
  named "$T/$rt-se.json" "{\"io.kubernetes.pod.namespace\": \"prod\", \"$SE\": \"spc_t\"}"
  check "$rt: selinux spc_t out of scope: refused" \
    sh -c "[ $rc -eq 1 ] && grep -q 'unconfined type' '$T/err'"
  check "$rt: ... audited as ignored" rec_of "$SE" ignored '.message | test("scope")'
  named "$T/$rt-se.json" '{"io.kubernetes.pod.namespace": "ci-1"}'
  check "$rt: selinux spc_t without exception: refused" [ "$rc" -eq 1 ]

  # Not overridable: every named exception ignored.
  named_policy false
  named "$T/$rt-plain.json" "{\"io.kubernetes.pod.namespace\": \"ci-1\", \"$SC\": \"extra\"}"
  check "$rt: seccomp not overridable: the policy's profile" \
    sh -c "[ $rc -eq 0 ] && jq -e '($KEYCTL_ALLOWED) | not' '$b/config.json' >/dev/null"
  check "$rt: ... audited as ignored" rec_of "$SC" ignored '.message | test("not overridable")'
  named "$T/$rt-aa.json" "{\"io.kubernetes.pod.namespace\": \"ci-1\", \"$AA\": \"unconfined\"}"
  check "$rt: apparmor not overridable: refused" [ "$rc" -eq 1 ]
  check "$rt: ... audited as ignored" rec_of "$AA" ignored '.message | test("not overridable")'
  named "$T/$rt-se.json" "{\"io.kubernetes.pod.namespace\": \"ci-1\", \"$SE\": \"spc_t\"}"
  check "$rt: selinux not overridable: refused" [ "$rc" -eq 1 ]
  check "$rt: ... audited as ignored" rec_of "$SE" ignored '.message | test("not overridable")'

  # exec: the container's exceptions follow its exec'd processes.
  named_policy true
  for ns in ci-1 prod; do
    b=$T/$rt-exec-$ns
    make_bundle "$b" ".process.noNewPrivileges = false | .annotations = {
      \"io.kubernetes.pod.namespace\": \"$ns\", \"$EXC\": \"off\", \"$AA\": \"unconfined\" }" \
      '["sleep","1000"]'
    id=$(new_id exec)
    hs $rt create --bundle "$b" "$id" 2>"$T/err" && hs $rt start "$id"
    jq '.process | .args = ["sh","-c","grep NoNewPrivs /proc/self/status"]
        | .apparmorProfile = "unconfined"' "$b/config.json" > "$T/$rt-p.json"
    out=$(hs $rt exec --process "$T/$rt-p.json" "$id" 2>"$T/err")
    rc=$?
    nnp=$(echo "$out" | awk '{print $2}')
    if [ $ns = ci-1 ]; then
      check "$rt: exec in an excepted container: process file with unconfined runs" [ "$rc" -eq 0 ]
      check "$rt: ... and keeps NoNewPrivs 0 (no_new_privileges off applies)" [ "$nnp" = 0 ]
      check "$rt: ... audited as exceptions on exec" \
        jq -e -s --arg id "$id" 'any(.[]; .container == $id and .verb == "exec" and .action == "exception"
          and .control == "apparmor") and any(.[]; .container == $id and .verb == "exec"
          and .action == "exception" and .control == "no_new_privileges")' "$AUDIT" >/dev/null
      hs $rt exec --apparmor unconfined "$id" true >"$T/out" 2>"$T/err"
      check "$rt: exec --apparmor unconfined in an excepted container: hardshim lets it through" \
        sh -c "! grep -q 'not allowed by host policy' '$T/err'"
      check "$rt: ... audited as exception (a second record, the flag's)" \
        jq -e -s --arg id "$id" '[.[] | select(.container == $id and .verb == "exec"
          and .action == "exception" and .control == "apparmor")] | length == 2' "$AUDIT" >/dev/null
    else
      check "$rt: exec in a container out of scope: process file with unconfined refused" \
        sh -c "[ $rc -eq 1 ] && grep -q 'unconfined' '$T/err'"
      jq '.apparmorProfile = null' "$T/$rt-p.json" > "$T/$rt-p2.json"
      out=$(hs $rt exec --process "$T/$rt-p2.json" "$id" 2>"$T/err")
      check "$rt: ... without the profile it runs with NoNewPrivs 1" [ "$(echo "$out" | awk '{print $2}')" = 1 ]
      hs $rt exec --apparmor unconfined "$id" true >"$T/out" 2>"$T/err"
      check "$rt: exec --apparmor unconfined out of scope: refused by hardshim" \
        sh -c "[ $? -eq 1 ] && grep -q 'exec --apparmor' '$T/err'"
    fi
    hs $rt kill "$id" KILL >/dev/null 2>&1
    hs $rt delete --force "$id" >/dev/null 2>&1
  done
done

finish

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

finish

#!/bin/sh
# hardshimctl end to end: check (dry run, exit 0 admitted / 1 refused /
# 2 error, text and JSON), policy show / validate, explain; bad policy input.
. "$(dirname "$0")/lib.sh"

ctl () { "$HARDSHIMCTL" "$@"; }
# status CMD...: the exit status of CMD, output discarded.
status () { "$@" >/dev/null 2>&1; echo $?; }
pol () { printf '%s\n' "$2" > "$T/$1.json"; chmod 0644 "$T/$1.json"; echo "$T/$1.json"; }

b=$T/bundle
make_bundle "$b" '.process.noNewPrivileges = false'
cfg=$b/config.json
cp "$cfg" "$T/config.orig"
enforce=$(pol enforce '{ "no_new_privileges": { "mode": "enforce" } }')
reject=$(pol reject '{ "no_new_privileges": { "mode": "reject" } }')

# ---- check ----
ctl check --policy "$enforce" "$cfg" > "$T/out" 2>&1
check "check: a config that needs changes is admitted (exit 0)" [ $? -eq 0 ]
check "check: prints the change with path, before and after" \
  grep -q '^changed  *no_new_privileges  *process.noNewPrivileges: false -> true$' "$T/out"
check "check: prints the verdict" grep -q '^verdict: admitted$' "$T/out"
check "check: is a dry run (config.json untouched)" cmp -s "$cfg" "$T/config.orig"

ctl check --policy "$reject" "$cfg" > "$T/out" 2>&1
check "check: reject mode refuses (exit 1)" [ $? -eq 1 ]
check "check: the verdict says why" \
  grep -q '^verdict: refused: .*control `no_new_privileges` is in reject mode' "$T/out"

ctl check --json --policy "$enforce" "$cfg" > "$T/out.json"
check "check --json: admitted with decisions and the hardened config" \
  jqe '.verdict == "admitted"
       and ([.decisions[] | select(.control == "no_new_privileges")] | length) == 1
       and ([.decisions[] | select(.control == "no_new_privileges")][0]
            | .action == "changed" and .path == "process.noNewPrivileges")
       and .config.process.noNewPrivileges == true' "$T/out.json"
check "check --json: policy digest is policy show's" \
  [ "$(jq -r .policy "$T/out.json")" = "$(ctl policy show --json --policy "$enforce" | jq -r .digest)" ]
ctl check --policy "$reject" --json "$cfg" > "$T/out.json"
check "check --json: refused, with the reason, exit 1" \
  [ $? -eq 1 -a "$(jq -r .verdict "$T/out.json")" = refused ]
check "check --json: refused has no config" jqe '.config == null and (.reason | test("reject mode"))' "$T/out.json"

jq '.process.noNewPrivileges = true' "$T/config.orig" > "$T/ok.json"
check "check: a compliant config under reject mode is admitted" \
  [ "$(status ctl check --policy "$reject" "$T/ok.json")" -eq 0 ]
check "check -: reads the config from stdin" \
  sh -c "'$HARDSHIMCTL' check --policy '$reject' - < '$T/ok.json' | grep -q '^verdict: admitted'"
check "check -: refused from stdin exits 1" \
  [ "$(status sh -c "'$HARDSHIMCTL' check --policy '$reject' - < '$cfg'")" -eq 1 ]

# A config hardshim cannot read as the runtime would: refused, or only
# recorded in audit mode; policy mode off admits without reading.
printf '{"ociVersion":"1.0.2","hostname":"a","hostname":"b"}' > "$T/dup.json"
ctl check --policy "$enforce" "$T/dup.json" > "$T/out" 2>&1
check "check: duplicate key is refused (exit 1)" [ $? -eq 1 ]
check "check: ... naming the key" grep -q 'duplicate key `hostname`' "$T/out"
check "check: policy mode audit admits it (exit 0) and records would-refuse" \
  sh -c "'$HARDSHIMCTL' check --policy '$(pol audit '{ "mode": "audit" }')' '$T/dup.json' | grep -q '^would-refuse  *spec'"
check "check: policy mode audit admits a config needing changes" \
  sh -c "'$HARDSHIMCTL' check --policy '$T/audit.json' '$cfg' | grep -q '^would-change  *no_new_privileges'"
check "check: policy mode off admits anything (exit 0)" \
  [ "$(status ctl check --policy "$(pol off '{ "mode": "off" }')" "$T/dup.json")" -eq 0 ]

# Exceptions in check.
exc=$(pol exc '{ "no_new_privileges": { "overridable": true },
  "exceptions": { "ci": { "scope": { "namespace": ["ci-*"] }, "allow": { "no_new_privileges": { "off": true } } } } }')
jq '.annotations = {"io.kubernetes.pod.namespace": "ci-1", "org.hardshim.exception.no_new_privileges": "off"}' \
  "$T/config.orig" > "$T/exc-config.json"
ctl check --policy "$exc" "$T/exc-config.json" > "$T/out"
check "check: shows the honoured exception" \
  grep -q '^exception  *no_new_privileges  *annotations\["org.hardshim.exception.no_new_privileges"\] = "off"$' "$T/out"
check "check: ... and what it lets through" grep -q '^would-change  *no_new_privileges' "$T/out"
jq '.annotations["io.kubernetes.pod.namespace"] = "prod"' "$T/exc-config.json" > "$T/exc-config2.json"
ctl check --policy "$exc" "$T/exc-config2.json" > "$T/out"
check "check: shows an ignored exception with the reason" \
  grep -q 'ignored: no policy exception whose scope matches this container' "$T/out"

# Errors: exit 2.
check "check: missing config exits 2" [ "$(status ctl check --policy "$enforce" "$T/nope.json")" -eq 2 ]
check "check: no config exits 2" [ "$(status ctl check)" -eq 2 ]
check "check: unknown option exits 2" [ "$(status ctl check --frobnicate "$cfg")" -eq 2 ]
check "check: two configs exit 2" [ "$(status ctl check "$cfg" "$cfg")" -eq 2 ]
check "check: --policy without a value exits 2" [ "$(status ctl check "$cfg" --policy)" -eq 2 ]

# ---- bad policy input: check exits 2, validate exits 1, the key is named ----
bad_policy () { # bad_policy DESC JSON EXPECTED_MESSAGE
  f=$(pol bad "$2")
  ctl policy validate "$f" > "$T/v.out" 2>&1
  rc=$?
  check "validate $1: exit 1" [ $rc -eq 1 ]
  check "validate $1: names it" grep -q -- "$3" "$T/v.out"
  ctl check --policy "$f" "$cfg" > "$T/c.out" 2>&1
  rc=$?
  check "check with $1: exit 2" [ $rc -eq 2 ]
  check "check with $1: names it" grep -q -- "$3" "$T/c.out"
}
bad_policy "unknown control" '{ "no_new_privilege": {} }' 'policy key `no_new_privilege`: no such control'
bad_policy "unknown control setting" '{ "no_new_privileges": { "force": true } }' \
  'policy key `no_new_privileges.force`: unknown setting'
bad_policy "control not an object" '{ "no_new_privileges": true }' \
  'policy key `no_new_privileges`: expected an object, got boolean'
bad_policy "bad control mode" '{ "no_new_privileges": { "mode": "strict" } }' \
  'policy key `no_new_privileges.mode`: expected one of enforce, reject, audit, off'
bad_policy "bad policy mode" '{ "mode": "reject" }' 'policy key `mode`: `reject` is not one of enforce, audit, off'
bad_policy "wrong type of overridable" '{ "no_new_privileges": { "overridable": "yes" } }' \
  'policy key `no_new_privileges.overridable`: expected true or false, got string'
bad_policy "wrong type of audit_log.required" '{ "audit_log": { "required": 1 } }' \
  'policy key `audit_log.required`: expected true or false'
bad_policy "relative runtime" '{ "runtime": "runc" }' 'policy key `runtime`: `runc` is not an absolute path'
bad_policy "unknown preset" '{ "preset": "lax" }' 'policy key `preset`: `lax` is not a built-in preset'
bad_policy "conflicting settings (exception for a non-overridable control)" \
  '{ "exceptions": { "ci": { "scope": {}, "allow": { "no_new_privileges": { "off": true } } } } }' \
  'policy key `exceptions.ci.allow.no_new_privileges`: conflicts with `no_new_privileges.overridable`'
bad_policy "exceptions as an array" '{ "exceptions": [] }' 'policy key `exceptions`: expected an object'
bad_policy "exception without scope" \
  '{ "no_new_privileges": { "overridable": true }, "exceptions": { "ci": { "allow": { "no_new_privileges": { "off": true } } } } }' \
  'policy key `exceptions.ci.scope`: missing'
bad_policy "exception for an unknown control" \
  '{ "exceptions": { "ci": { "scope": {}, "allow": { "nosuch": { "off": true } } } } }' \
  'policy key `exceptions.ci.allow.nosuch`: no such control'
bad_policy "unknown scope criterion" \
  '{ "no_new_privileges": { "overridable": true }, "exceptions": { "ci": { "scope": { "pod": ["x"] }, "allow": { "no_new_privileges": { "off": true } } } } }' \
  'policy key `exceptions.ci.scope.pod`: unknown'
bad_policy "unknown capability name" '{ "capabilities": { "allow": ["CAP_CHOWN", "CAP_FROBNICATE"] } }' \
  'policy key `capabilities.allow\[1\]`: unknown capability `CAP_FROBNICATE`'
bad_policy "seccomp exception for a non-overridable control" \
  '{ "exceptions": { "ci": { "scope": {}, "allow": { "seccomp": { "profile": ["x"] } } } } }' \
  'policy key `exceptions.ci.allow.seccomp`: conflicts with `seccomp.overridable`'
bad_policy "exception name a control does not define" \
  '{ "apparmor": { "overridable": true }, "exceptions": { "ci": { "scope": {}, "allow": { "apparmor": { "type": ["x"] } } } } }' \
  'policy key `exceptions.ci.allow.apparmor.type`: control `apparmor` has no exception `type` (it has: off, profile)'
bad_policy "JSON syntax error" '{ "mode": ' 'policy `'
bad_policy "top level not an object" '[]' 'the top level must be an object'

# ---- policy validate / show ----
ctl policy validate "$exc" > "$T/out"
check "validate: a valid policy exits 0 with its digest" [ $? -eq 0 ]
check "validate: prints valid and the digest" grep -q "^$exc: valid (sha256:[0-9a-f]*)$" "$T/out"
chmod 0666 "$exc"
check "validate: a policy file writable by others is refused (exit 1)" \
  [ "$(status ctl policy validate "$exc")" -eq 1 ]
check "validate: ... saying so" sh -c "'$HARDSHIMCTL' policy validate '$exc' 2>&1 | grep -q 'writable by group or others'"
chmod 0644 "$exc"
check "validate: a missing file exits 2" [ "$(status ctl policy validate "$T/nope.json")" -eq 2 ]
check "validate: no file exits 2" [ "$(status ctl policy validate)" -eq 2 ]

ctl policy show --policy "$exc" > "$T/show"
check "show: each value with its source (file)" \
  grep -q "^no_new_privileges.overridable = true    # $exc$" "$T/show"
check "show: each value with its source (preset)" \
  grep -q '^audit_log.path = "/var/log/hardshim/audit.jsonl"    # built-in preset `restricted`$' "$T/show"
check "show: exceptions are shown" grep -q "^exceptions.ci.scope.namespace = \[\"ci-\*\"\]    # $exc$" "$T/show"
check "show: defaults for unset keys" grep -q '^state_dir = "/run/hardshim"    # hardshim default$' "$T/show"
check "show: sources line" grep -q "^# sources: built-in preset \`restricted\` + $exc$" "$T/show"
check "show via HARDSHIM_POLICY" \
  sh -c "HARDSHIM_POLICY='$exc' '$HARDSHIMCTL' policy show | grep -q 'no_new_privileges.overridable = true'"
ctl policy show --json --policy "$(pol ao '{ "preset": "audit-only", "no_new_privileges": { "mode": "reject" } }')" > "$T/show.json"
check "show --json: a file overrides a preset key by key" \
  jqe '.policy.mode == "audit" and .policy.no_new_privileges.mode == "reject"
       and .origins.mode == "built-in preset `audit-only`"
       and (.origins.no_new_privileges.mode | endswith("ao.json"))
       and (.policy.audit_log.path == "/var/log/hardshim/audit.jsonl")' "$T/show.json"
check "show --preset prints a built-in preset" \
  sh -c "'$HARDSHIMCTL' policy show --preset audit-only | grep -q '\"mode\": \"audit\"'"
check "show --preset unknown exits 2" [ "$(status ctl policy show --preset lax)" -eq 2 ]
check "show with a bad policy exits 2" [ "$(status ctl policy show --policy "$T/bad.json")" -eq 2 ]
check "policy without a subcommand exits 2" [ "$(status ctl policy)" -eq 2 ]

# ---- explain ----
check "explain lists the controls" sh -c "'$HARDSHIMCTL' explain | grep -q '^  no_new_privileges '"
ctl explain no_new_privileges > "$T/out"
check "explain CONTROL exits 0" [ $? -eq 0 ]
check "explain CONTROL shows the doc, the modes and the exception annotation" \
  sh -c "grep -q 'noNewPrivileges' '$T/out' && grep -q 'reject' '$T/out' &&
         grep -q 'org.hardshim.exception.no_new_privileges = \"off\"' '$T/out'"
check "explain unknown control exits 2" [ "$(status ctl explain nosuch)" -eq 2 ]
ctl explain cgroups > "$T/out"
check "explain CONTROL lists the config fields the inventory gives it" \
  sh -c "sed -n '/^Config fields it judges/,/^\$/p' '$T/out' | grep -qx '  linux.cgroupsPath'"

# ---- the command itself ----
check "no command exits 2" [ "$(status ctl)" -eq 2 ]
check "unknown command exits 2" [ "$(status ctl frobnicate)" -eq 2 ]
check "help exits 0" [ "$(status ctl --help)" -eq 0 ]
check "--version" sh -c "'$HARDSHIMCTL' --version | grep -q '^hardshimctl version '"

finish

#!/bin/sh
# Bad policy input (unknown capability name, wrong type, conflicting
# settings) and bad capability names in a config: a clear error naming the
# key, and the container is refused before the runtime runs.
. "$(dirname "$0")/lib.sh"

A="\"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }"

# bad_policy RT POLICY EXPECTED DESC
bad_policy () {
  rt=$1 pol=$2 want=$3 desc=$4
  write_policy "{ $A, $pol }"
  b=$T/$rt-bundle
  [ -d "$b" ] || make_bundle "$b" . '["true"]'
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id pol)
  rm -f "$T/$rt.log"
  hs $rt --log "$T/$rt.log" --log-format json run --bundle "$b" "$id" 2>"$T/err"
  rc=$?
  check "$rt: $desc: refused (exit 1)" [ "$rc" -eq 1 ]
  check "$rt: $desc: stderr names the key" grep -qF "$want" "$T/err"
  check "$rt: $desc: --log names the key" \
    jq -s -e --arg w "$want" 'any(.[]; .level == "error" and (.msg | contains($w)))' "$T/$rt.log" >/dev/null
  check "$rt: $desc: config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: $desc: the runtime never created it" [ $? -ne 0 ]
}

for rt in runc crun; do
  bad_policy $rt '"capabilities": { "allow": ["CAP_CHOWN", "CAP_NOPE"] }' \
    'policy key `capabilities.allow[1]`: unknown capability `CAP_NOPE`' "unknown capability name"
  bad_policy $rt '"capabilities": { "allow": "CAP_CHOWN" }' \
    'policy key `capabilities.allow`: expected an array of strings, got string' "allow of the wrong type"
  bad_policy $rt '"capabilities": { "keep_inheritable": "yes" }' \
    'policy key `capabilities.keep_inheritable`: expected true or false' "keep_inheritable of the wrong type"
  bad_policy $rt '"capabilities": { "keep_ambient": true }' \
    'policy key `capabilities.keep_ambient`: conflicts with `capabilities.keep_inheritable`' "conflicting settings"
  bad_policy $rt '"capabilities": { "alow": [] }' \
    'policy key `capabilities.alow`: unknown setting' "misspelt setting"
  bad_policy $rt '"runtime_annotations": { "allow": ["*"] }' \
    'policy key `runtime_annotations.allow[0]`' "allow-everything annotation pattern"
  bad_policy $rt '"privileged": "off"' \
    'policy key `privileged`: expected an object, got string' "control of the wrong type"
  bad_policy $rt '"non_root_user": { "mode": "warn" }' \
    'policy key `non_root_user.mode`: expected one of enforce, reject, audit, off' "unknown mode"

  # An unknown capability name in the config itself.
  write_policy "{ $A }"
  b=$T/$rt-badcap
  make_bundle "$b" '.process.capabilities.bounding += ["CAP_NOPE"]' '["true"]'
  n=$(jq '.process.capabilities.bounding | index("CAP_NOPE")' "$b/config.json")
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id badcap)
  hs $rt --log "$T/$rt.log" --log-format json run --bundle "$b" "$id" 2>"$T/err"
  check "$rt: unknown capability in config.json refused" [ $? -eq 1 ]
  check "$rt: the refusal names process.capabilities.bounding[$n]" \
    grep -qF "unknown capability \`CAP_NOPE\` (control \`capabilities\`, \`process.capabilities.bounding[$n]\`)" "$T/err"
  check "$rt: config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: the runtime never created it" [ $? -ne 0 ]
done

finish

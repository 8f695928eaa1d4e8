#!/bin/sh
# exec without --process: runc takes the process (capabilities, user,
# rlimits, LSM labels, noNewPrivileges) from the bundle's config.json at
# exec time, crun from its own copy. An edit of config.json after the
# create never reaches an exec: hardshim hardens the process the runtime
# will really run, and refuses the exec when the config changed since it
# hardened it. Real runc and crun.
. "$(dirname "$0")/lib.sh"

HS=$T/hs
write_policy "{ \"state_dir\": \"$HS\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
# The edit keeps every other byte's meaning (jq would turn the seccomp
# filter's 64-bit arguments into floats).
escalate () {
  python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
for k in c["process"]["capabilities"]:
    c["process"]["capabilities"][k] += ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_NET_ADMIN"]
c["process"]["noNewPrivileges"] = False
json.dump(c, open(sys.argv[1] + ".new", "w"))
' "$1" && mv "$1.new" "$1"
}
nnp_on () { printf '%s\n' "$1" | grep -q '^NoNewPrivs:.1'; }
refused_or_nnp () { [ "$1" -ne 0 ] || nnp_on "$2"; }
for rt in runc crun; do
  b=$T/$rt
  make_bundle "$b" . '["sleep","1000"]'
  id=$(new_id exec)
  (cd "$b" && hs $rt run -d "$id" > /dev/null 2>"$T/err") 
  check "$rt: the container runs" [ "$(real $rt state "$id" | jq -r .status)" = running ]
  out=$(hs $rt exec "$id" grep -E '^(CapEff|NoNewPrivs):' /proc/self/status 2>&1)
  check "$rt: an exec of the hardened container works" nnp_on "$out"
  eff=$(printf '%s\n' "$out" | awk '/^CapEff/ { print $2 }')
  # what is not the process may change (an engine adds annotations)
  python3 -c '
import json, sys
c = json.load(open(sys.argv[1])); c.setdefault("annotations", {})["x"] = "y"
json.dump(c, open(sys.argv[1] + ".new", "w"))' "$b/config.json" && mv "$b/config.json.new" "$b/config.json"
  check "$rt: an edit outside the process leaves exec working" hs $rt exec "$id" true
  escalate "$b/config.json"
  out=$(hs $rt exec "$id" grep -E '^(CapEff|NoNewPrivs):' /proc/self/status 2>&1)
  rc=$?
  printf '%s\n' "$out" | sed "s/^/# $rt: /"
  now=$(printf '%s\n' "$out" | awk '/^CapEff/ { print $2 }')
  check "$rt: after config.json gained capabilities: the exec is refused or gets none of them" \
    [ $rc -ne 0 -o "$now" = "$eff" ]
  check "$rt: ... and keeps no_new_privs" refused_or_nnp $rc "$out"
  if [ $rt = runc ]; then
    check "runc: the exec is refused: config.json's process changed since it was hardened" \
      [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q "changed since hardshim hardened it at create"
    out=$(hs $rt exec "$id" --cap CAP_SYS_ADMIN true 2>&1)
    check "runc: ... also with flags" [ $? -ne 0 ]
  fi
  real $rt kill "$id" KILL > /dev/null 2>&1; sleep 0.3
  hs $rt delete -f "$id" > /dev/null 2>&1
  check "$rt: delete releases the record" sh -c "! ls '$HS/config/' 2>/dev/null | grep -q json"
done
finish

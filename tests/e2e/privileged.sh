#!/bin/sh
# privileged configs (what docker/podman run --privileged produce) are
# refused before the runtime runs, with the reason in the --log JSON; restore
# goes through the same hardening as create.
. "$(dirname "$0")/lib.sh"

MSG="privileged containers are not allowed by host policy"
ALL=$(grep -E '^#define CAP_[A-Z_]+[[:space:]]+[0-9]+$' /usr/include/linux/capability.h \
        | awk -v last="$(cat /proc/sys/kernel/cap_last_cap)" '$3 <= last { printf "%s\"%s\"", sep, $2; sep="," }')

# refused RT BUNDLE DESC VERB...: the create/run/restore is refused with MSG
# in --log, config.json stays byte-identical and the runtime never ran.
refused () {
  rt=$1 b=$2 desc=$3; shift 3
  id=$(new_id priv)
  cp "$b/config.json" "$T/orig.json"
  rm -f "$T/$rt.log" "$ROOTFS/ran"
  hs $rt --log "$T/$rt.log" --log-format json "$@" --bundle "$b" "$id" 2>"$T/err"
  rc=$?
  check "$rt: $desc: refused (exit 1)" [ "$rc" -eq 1 ]
  check "$rt: $desc: stderr says why" grep -q "$MSG" "$T/err"
  check "$rt: $desc: --log JSON carries the reason" \
    jq -s -e "any(.[]; .level == \"error\" and (.msg | contains(\"$MSG\")))" "$T/$rt.log" >/dev/null
  check "$rt: $desc: config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: $desc: the runtime never created it" [ $? -ne 0 ]
  check "$rt: $desc: the process never ran" [ ! -e "$ROOTFS/ran" ]
}

for rt in runc crun; do
  # docker run --privileged: every capability, no masking, no seccomp, all devices.
  b=$T/$rt-docker
  make_bundle "$b" ".process.capabilities = {bounding: [$ALL], effective: [$ALL], permitted: [$ALL]}
    | .root.readonly = false | del(.linux.maskedPaths, .linux.readonlyPaths, .linux.seccomp)
    | .linux.resources.devices = [{allow: true, access: \"rwm\"}]" '["touch","/ran"]'
  refused $rt "$b" "every capability (docker --privileged)" run

  # podman run --privileged --cap-drop all: no capabilities, yet unconfined.
  b=$T/$rt-podman
  make_bundle "$b" ".process.capabilities = {bounding: [], effective: [], permitted: []}
    | .root.readonly = false | del(.linux.maskedPaths, .linux.readonlyPaths, .linux.seccomp)
    | .linux.resources.devices = [{allow: false, access: \"rwm\"}, {allow: true, access: \"rwm\"}]" \
    '["touch","/ran"]'
  refused $rt "$b" "no masking, no seccomp, all devices" create

  # restore is hardened like create: refused before CRIU is ever asked.
  refused $rt "$b" "restore of a privileged config" restore --image-path "$T/no-such-image"

  # An ordinary config restored, its checkpoints trusted by host policy
  # (control `restore`, tests/e2e/restore.sh): hardened in place first (the
  # restore itself then fails in the runtime: there is no checkpoint image).
  b=$T/$rt-restore
  make_bundle "$b" '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.noNewPrivileges = false
    | .annotations["org.hardshim.exception.restore.checkpoint"] = "trusted"' '["true"]'
  id=$(new_id rst)
  mkdir -p "$T/empty-image"
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"restore\": { \"overridable\": true },
    \"exceptions\": { \"ckpt\": { \"scope\": {}, \"allow\": { \"restore\": { \"checkpoint\": [\"trusted\"] } } } } }"
  hs $rt restore --image-path "$T/empty-image" --bundle "$b" "$id" >/dev/null 2>&1
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  check "$rt: restore hardened config.json (no CAP_SYS_ADMIN)" \
    jqe '.process.capabilities.bounding | all(. != "CAP_SYS_ADMIN")' "$b/config.json"
  check "$rt: restore hardened config.json (noNewPrivileges true)" \
    jqe '.process.noNewPrivileges == true' "$b/config.json"
  check "$rt: restore marked the config hardened" \
    jqe '.annotations["org.hardshim.hardened"] | startswith("version=")' "$b/config.json"
done

finish

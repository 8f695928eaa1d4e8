#!/bin/sh
# capabilities, no_new_privileges, runtime_annotations and non_root_user
# under the default policy, with real runc and crun: a deliberately
# over-privileged config runs with only the allowed capabilities.
. "$(dirname "$0")/lib.sh"

# The restricted preset's 12 capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID
# KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT AUDIT_WRITE SETFCAP.
ALLOWED=$((0xa00405fb))
SYS_ADMIN=$((1 << 21))

ALLOW12='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_SETFCAP","CAP_AUDIT_WRITE"'
BAD='"CAP_SYS_ADMIN","CAP_NET_ADMIN","CAP_SYS_PTRACE","CAP_SYS_MODULE","CAP_NET_RAW","CAP_MKNOD","CAP_DAC_READ_SEARCH","CAP_SYS_RAWIO","CAP_BPF"'
OVER="[$ALLOW12,$BAD]"

# audit_has JQ_CONDITION: some audit record matches (jq 1.6's -e only
# looks at the last input, so slurp).
audit_has () { jq -s -e "any(.[]; $1)" "$AUDIT" >/dev/null; }

# cap_val FILE FIELD: the field's value as a number
cap_val () { printf '%d' "0x$(status_field "$1" "$2")"; }

for rt in runc crun; do
  b=$T/$rt-over
  make_bundle "$b" ".process.noNewPrivileges = false
    | .process.capabilities = {bounding: $OVER, effective: $OVER, permitted: $OVER,
                               inheritable: $OVER, ambient: $OVER}
    | .annotations = {\"run.oci.seccomp_bpf_data\": \"AAAA\", \"run.oci.keep_original_groups\": \"1\",
                      \"org.systemd.property.DeviceAllow\": \"char-* rwm\", \"keep.me\": \"yes\"}" \
    '["cat","/proc/self/status"]'
  id=$(new_id over)
  hs $rt run --bundle "$b" "$id" > "$T/$rt-status" 2>"$T/$rt-err"
  rc=$?
  check "$rt: over-privileged config runs (exit 0)" [ "$rc" -eq 0 ]
  [ "$rc" -eq 0 ] || cat "$T/$rt-err"
  for f in CapBnd CapEff CapPrm; do
    check "$rt: $f holds exactly the allowed capabilities" [ "$(cap_val "$T/$rt-status" $f)" -eq "$ALLOWED" ]
  done
  check "$rt: CapInh is empty" [ "$(cap_val "$T/$rt-status" CapInh)" -eq 0 ]
  check "$rt: CapAmb is empty" [ "$(cap_val "$T/$rt-status" CapAmb)" -eq 0 ]
  check "$rt: no CAP_SYS_ADMIN in CapEff" [ $(( $(cap_val "$T/$rt-status" CapEff) & SYS_ADMIN )) -eq 0 ]
  check "$rt: NoNewPrivs 1" [ "$(status_field "$T/$rt-status" NoNewPrivs)" = 1 ]
  check "$rt: config.json bounding has no CAP_SYS_ADMIN" \
    jqe '.process.capabilities.bounding | index("CAP_SYS_ADMIN") == null' "$b/config.json"
  check "$rt: config.json inheritable and ambient emptied" \
    jqe '.process.capabilities.inheritable == [] and .process.capabilities.ambient == []' "$b/config.json"
  check "$rt: weakening annotations removed, others kept" \
    jqe '.annotations | has("run.oci.seccomp_bpf_data") == false and has("run.oci.keep_original_groups") == false and has("org.systemd.property.DeviceAllow") == false and .["keep.me"] == "yes"' "$b/config.json"
  check "$rt: audit log has before/after of the bounding set" \
    audit_has ".container == \"$id\" and .control == \"capabilities\" and .path == \"process.capabilities.bounding\" and .action == \"changed\" and any(.before[]; . == \"CAP_SYS_ADMIN\") and all(.after[]; . != \"CAP_SYS_ADMIN\")"
  check "$rt: audit log records the removed annotation" \
    audit_has ".container == \"$id\" and .control == \"runtime_annotations\" and .path == \"annotations.run.oci.seccomp_bpf_data\" and .before == \"AAAA\""
  check "$rt: non_root_user (audit by default) recorded a would-refuse" \
    audit_has ".container == \"$id\" and .control == \"non_root_user\" and .action == \"would-refuse\""

  # non_root_user enforced: a root container is refused, a uid 1000 one runs.
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"non_root_user\": { \"mode\": \"enforce\" } }"
  b=$T/$rt-root
  make_bundle "$b" . '["true"]'
  id=$(new_id root)
  hs $rt --log "$T/$rt-root.log" --log-format json run --bundle "$b" "$id" 2>"$T/err"
  check "$rt: non_root_user enforce refuses uid 0" [ $? -eq 1 ]
  check "$rt: the refusal names process.user.uid" \
    jqe 'select(.level == "error") | .msg | contains("`process.user.uid`")' "$T/$rt-root.log"
  b=$T/$rt-user
  make_bundle "$b" '.process.user = {"uid": 1000, "gid": 1000}' '["sh","-c","id -u"]'
  id=$(new_id user)
  check "$rt: non_root_user enforce admits uid 1000" [ "$(hs $rt run --bundle "$b" "$id")" = 1000 ]
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"

  # The baseline preset keeps NET_RAW and MKNOD (Docker's defaults).
  write_policy "{ \"preset\": \"baseline\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  b=$T/$rt-baseline
  make_bundle "$b" ".process.capabilities = {bounding: $OVER, effective: $OVER, permitted: $OVER}" \
    '["cat","/proc/self/status"]'
  id=$(new_id base)
  hs $rt run --bundle "$b" "$id" > "$T/$rt-status" 2>"$T/err"
  check "$rt: baseline: NET_RAW (13) and MKNOD (27) kept, SYS_ADMIN gone" \
    [ "$(cap_val "$T/$rt-status" CapBnd)" -eq $((ALLOWED | (1 << 13) | (1 << 27))) ]
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
done

finish

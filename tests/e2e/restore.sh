#!/bin/sh
# restore: hardshim cannot see inside a CRIU checkpoint (its processes come
# back with the uids, capabilities, seccomp filters and labels they were
# dumped with), so a restore is refused unless host policy trusts the
# container's checkpoints for its scope (exception restore.checkpoint =
# trusted). A trusted restore is still refused with every flag that would
# reach past its config: --manage-cgroups-mode full/strict (or unknown),
# --ext-unix-sk, --lsm-mount-context other than the config's or unconfined,
# --lsm-profile unconfined or not what policy allows, an option hardshim
# does not know (--external), and a checkpoint directory others may write
# (or that does not exist yet, where others could make it). Each refusal comes before the runtime runs;
# what is allowed reaches the real runc and crun (which then fail: there is
# no checkpoint image on this machine). Real runc and crun.
. "$(dirname "$0")/lib.sh"

BASE="\"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }"
TRUST="{ $BASE, \"restore\": { \"overridable\": true },
  \"exceptions\": { \"ckpt\": { \"scope\": { \"annotations\": { \"example.com/team\": [\"blue\"] } },
    \"allow\": { \"restore\": { \"checkpoint\": [\"trusted\"] } } } } }"
UNTRUSTED="hardshim cannot see inside a CRIU checkpoint"
make_rootfs

# refused RT BUNDLE DESC EXPECT FLAGS...: hardshim refuses, says EXPECT on
# stderr and in --log, leaves config.json alone, the runtime never runs.
refused () {
  rt=$1 b=$2 what=$3 expect=$4; shift 4
  id=$(new_id rst)
  cp "$b/config.json" "$T/orig.json"
  rm -f "$T/log.json"
  hs $rt --log "$T/log.json" --log-format json restore --image-path "$T/img" "$@" --bundle "$b" "$id" \
    >"$T/out" 2>"$T/err"
  rc=$?
  check "$rt: $what: refused (exit 1)" [ "$rc" -eq 1 ]
  check "$rt: $what: says why ($(head -c 160 "$T/err"))" grep -qF -- "$expect" "$T/err"
  check "$rt: $what: --log has it" \
    jqe -s --arg m "$expect" 'any(.[]; .level == "error" and (.msg | contains($m)))' "$T/log.json"
  check "$rt: $what: config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: $what: the runtime never ran" [ $? -ne 0 ]
}

# reached RT BUNDLE DESC FLAGS...: hardshim admits; the runtime itself fails
reached () {
  rt=$1 b=$2 what=$3; shift 3
  id=$(new_id rst)
  hs $rt restore --image-path "$T/img" "$@" --bundle "$b" "$id" >"$T/out" 2>"$T/err"
  check "$rt: $what: hardshim admits it, the runtime has it ($(head -c 160 "$T/err"))" \
    sh -c "! grep -q '^hardshim:' '$T/err'"
  check "$rt: $what: config.json hardened first" \
    jqe '.annotations["org.hardshim.hardened"] | startswith("version=")' "$b/config.json"
  real $rt delete --force "$id" >/dev/null 2>&1
}

mkdir -p "$T/img"
for rt in runc crun; do
  b=$T/$rt-plain
  make_bundle "$b" . '["true"]'
  write_policy "{ $BASE }"
  refused $rt "$b" "default policy: any restore" "$UNTRUSTED"
  check "$rt: ... the message says how to trust checkpoints" \
    grep -q 'restore.checkpoint.*trusted' "$T/err"
  check "$rt: ... audited" jqe "select(.control == \"restore\" and .action == \"refused\")" "$AUDIT"
  b=$T/$rt-claims
  make_bundle "$b" '.annotations["org.hardshim.exception.restore.checkpoint"] = "trusted"' '["true"]'
  refused $rt "$b" "the annotation alone (not overridable)" "$UNTRUSTED"

  write_policy "$TRUST"
  refused $rt "$b" "the annotation out of the policy's scope" "$UNTRUSTED"
  b=$T/$rt-blue
  make_bundle "$b" '.annotations["org.hardshim.exception.restore.checkpoint"] = "trusted"
    | .annotations["example.com/team"] = "blue"' '["true"]'
  cp "$b/config.json" "$T/$rt-blue.json"
  reached $rt "$b" "a trusted checkpoint"
  for ok in "--manage-cgroups-mode soft" "--manage-cgroups-mode ignore" "--tcp-established" \
      "--file-locks" "--shell-job"; do
    cp "$T/$rt-blue.json" "$b/config.json"
    # shellcheck disable=SC2086
    reached $rt "$b" "trusted with $ok" $ok
  done
  for mode in full strict bogus; do
    cp "$T/$rt-blue.json" "$b/config.json"
    case $mode in bogus) why="is not one hardshim knows" ;; *) why="--manage-cgroups-mode $mode\` has CRIU restore the checkpoint's cgroup properties" ;; esac
    refused $rt "$b" "trusted, --manage-cgroups-mode $mode" "$why" --manage-cgroups-mode $mode
  done
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, --ext-unix-sk" "\`--ext-unix-sk\` has CRIU reconnect" --ext-unix-sk
  for ctx in system_u:object_r:spc_t:s0 unconfined_u:unconfined_r:unconfined_t:s0; do
    cp "$T/$rt-blue.json" "$b/config.json"
    refused $rt "$b" "trusted, --lsm-mount-context $ctx" "has an unconfined type" --lsm-mount-context "$ctx"
  done
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, --lsm-mount-context not the config's" \
    "is not the container's linux.mountLabel" --lsm-mount-context system_u:object_r:container_file_t:s0:c1,c2
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, --lsm-mount-context not a label" "is not a valid SELinux context" \
    --lsm-mount-context container_file_t
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, --lsm-profile apparmor:unconfined" \
    "without AppArmor confinement (\`unconfined\`)" --lsm-profile apparmor:unconfined
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, --lsm-profile apparmor:another" "is not in apparmor.allowed_profiles" \
    --lsm-profile apparmor:another
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, --lsm-profile selinux:...spc_t" "has an unconfined type" \
    --lsm-profile selinux:system_u:system_r:spc_t:s0
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, --lsm-profile bogus:x" "expected apparmor:PROFILE or selinux:LABEL" \
    --lsm-profile bogus:x
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, --external (unknown to hardshim)" "unknown option" --external "mnt[x]:y"
  # the trusted checkpoint must be where only root can write it
  mkdir -p "$T/img-open" "$T/open/img"
  chmod 0777 "$T/img-open" "$T/open"
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, a checkpoint directory others may write" \
    "checkpoint directory \`$T/img-open\` is writable by group or others (mode 0777)" --image-path "$T/img-open"
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, a checkpoint directory below one others may write" \
    "on the way to checkpoint directory" --image-path "$T/open/img"
  cp "$T/$rt-blue.json" "$b/config.json"
  refused $rt "$b" "trusted, a checkpoint directory that does not exist" \
    "checkpoint directory \`$T/no-such-img\` does not exist" --image-path "$T/no-such-img"

  # the control off: the host takes every checkpoint as it is
  write_policy "{ $BASE, \"restore\": { \"mode\": \"off\" } }"
  b=$T/$rt-off
  make_bundle "$b" . '["true"]'
  reached $rt "$b" "restore control off"
done
finish

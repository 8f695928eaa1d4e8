#!/bin/sh
# OCI hooks run as host root: under the default (restricted) preset a hook
# that is not on the allowlist is refused before the runtime runs it, with
# real runc and crun, for a config.json hook and for one podman adds from
# `--hooks-dir` (any podman user can pass one). Under audit-only the hook
# runs and the decision is recorded; `hooks.allow` admits a listed program;
# dockerd only as libnetwork-setkey.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engines-lib.sh"

BASE=$(printf '{"audit_log": {"path": "%s", "syslog": false}, "state_dir": "%s"}' "$AUDIT" "$HS_STATE")
MARK=$T/hook-ran
audit_has () { jq -s -e "any(.[]; $1)" "$AUDIT" >/dev/null; }
HOOK=$(jq -cn --arg m "$MARK" '{prestart: [{path: "/usr/bin/touch", args: ["touch", $m]}]}')

for rt in runc crun; do
  b=$T/b-$rt
  rm -rf "$b" "$MARK"
  make_bundle "$b" ".hooks = $HOOK" '["true"]'
  cp "$b/config.json" "$T/orig.json"

  write_policy "$BASE"
  id=$(new_id hook)
  rm -f "$T/log.json"
  hs $rt --log "$T/log.json" --log-format json create --bundle "$b" "$id" > /dev/null 2> "$T/err"
  check "$rt: restricted: a config.json hook not on the allowlist is refused" [ $? -eq 1 ]
  want='prestart hook /usr/bin/touch is not on the host policy'"'"'s hook allowlist (hooks run as root) (control `hooks`, `hooks.prestart[0].path`)'
  check "$rt: restricted: stderr says why" grep -qF -- "$want" "$T/err"
  check "$rt: restricted: --log says why" \
    jqe --arg w "$want" 'select(.level == "error") | .msg | contains($w)' "$T/log.json"
  check "$rt: restricted: the hook never ran" [ ! -e "$MARK" ]
  check "$rt: restricted: config.json untouched" cmp -s "$b/config.json" "$T/orig.json"

  write_policy "$(printf '%s' "$BASE" | jq -c '. + {preset: "baseline"}')"
  hs $rt create --bundle "$b" "$(new_id hook)" > /dev/null 2> "$T/err"
  check "$rt: baseline: refused too" grep -qF "is not on the host policy's hook allowlist" "$T/err"
  check "$rt: baseline: the hook never ran" [ ! -e "$MARK" ]

  # audit-only: the runtime runs the hook (as root on the host: what
  # restricted prevents), the audit log says it would be refused.
  write_policy "$(printf '%s' "$BASE" | jq -c '. + {preset: "audit-only"}')"
  id=$(new_id hook)
  hs $rt create --bundle "$b" "$id" > /dev/null 2> "$T/err"
  check "$rt: audit-only: created" [ $? -eq 0 ]
  check "$rt: audit-only: the hook ran on the host" [ -e "$MARK" ]
  check "$rt: audit-only: recorded as would-refuse" \
    audit_has ".container == \"$id\" and .control == \"hooks\" and .action == \"would-refuse\""
  real $rt delete --force "$id" > /dev/null 2>&1
  rm -f "$MARK"

  # hooks.allow: a listed program runs.
  write_policy "$(printf '%s' "$BASE" | jq -c '. + {hooks: {allow: ["/usr/bin/touch"]}}')"
  id=$(new_id hook)
  check "$rt: hooks.allow lists it: created" hs $rt create --bundle "$b" "$id"
  check "$rt: hooks.allow lists it: the hook ran" [ -e "$MARK" ]
  real $rt delete --force "$id" > /dev/null 2>&1
  rm -f "$MARK"

  # dockerd (allowed by default) with another argv[0] would start a second
  # daemon as root: refused.
  write_policy "$BASE"
  rm -rf "$b"
  make_bundle "$b" '.hooks = {"poststop": [{"path": "/usr/sbin/dockerd", "args": ["dockerd", "-H", "tcp://127.0.0.1:1"]}]}' '["true"]'
  hs $rt create --bundle "$b" "$(new_id hook)" > /dev/null 2> "$T/err"
  check "$rt: dockerd as a hook other than libnetwork-setkey refused" \
    grep -qF 'runs dockerd, which is allowed as a hook only as libnetwork-setkey' "$T/err"
done

# podman --hooks-dir: podman adds the hook to config.json; hardshim refuses it.
write_policy "$BASE"
PD=$T/podman
mkdir -p "$PD/bin" "$PD/hooks.d"
printf '#!/bin/sh\nHARDSHIM_POLICY=%s HARDSHIM_RUNTIME=%s exec %s "$@"\n' \
  "$POLICY" "$RUNC" "$HARDSHIM" > "$PD/bin/hardshim"
chmod 0755 "$PD/bin/hardshim"
HS=$PD/bin/hardshim
contrib_file podman/containers.conf "$HS" > "$PD/containers.conf"
export CONTAINERS_CONF="$PD/containers.conf"
jq -n --arg m "$MARK" '{version: "1.0.0", hook: {path: "/usr/bin/touch", args: ["touch", $m]},
  when: {always: true}, stages: ["prestart"]}' > "$PD/hooks.d/mark.json"
PODMAN_GLOBAL="--root $PD/root --runroot $PD/runroot --tmpdir $PD/tmp --cgroup-manager cgroupfs --events-backend file"
p () { podman $PODMAN_GLOBAL --runtime "$HS" "$@"; }
ENGINE_CLEANUP='p rm -af -t 0'
IMG=localhost/hardshim-e2e/busybox:latest
p import "$(rootfs_tar)" "$IMG" > /dev/null 2>&1
p --hooks-dir "$PD/hooks.d" run --rm --network none --ulimit nofile=20000:20000 \
  --ulimit nproc=32768:32768 "$IMG" true > "$T/pm.out" 2>&1
refused "podman --hooks-dir hook" "prestart hook /usr/bin/touch is not on the host policy's hook allowlist" \
  "$T/pm.out" $?
check "podman --hooks-dir: the hook never ran" [ ! -e "$MARK" ]
p run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 "$IMG" true \
  > "$T/pm.out" 2>&1
check "podman without --hooks-dir still runs" [ $? -eq 0 ]
p rm -af -t 0 > /dev/null 2>&1

finish

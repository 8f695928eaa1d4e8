#!/bin/sh
# Podman 4.3 with hardshim as its runtime (contrib/podman/containers.conf as
# it is, so podman passes --log-format=json --log): private --root,
# --runroot and --tmpdir under $T. Containers and exec are hardened, the
# lifecycle works, refusals reach the user with hardshim's reason, and the
# runtime calls podman makes behave as with runc.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engines-lib.sh"

PD=$T/podman
mkdir -p "$PD/bin"
# conmon hands the runtime a filtered environment (no HARDSHIM_POLICY), and
# this test must not write /etc/hardshim: a wrapper named hardshim (podman
# passes --log only to runtimes named in runtime_supports_json) gives the
# real binary this test's policy.
printf '#!/bin/sh\nHARDSHIM_POLICY=%s HARDSHIM_RUNTIME=%s exec %s "$@"\n' \
  "$POLICY" "$RUNC" "$HARDSHIM" > "$PD/bin/hardshim"
chmod 0755 "$PD/bin/hardshim"
HS=$PD/bin/hardshim
contrib_file podman/containers.conf "$HS" > "$PD/containers.conf"
export CONTAINERS_CONF="$PD/containers.conf"
PODMAN_GLOBAL="--root $PD/root --runroot $PD/runroot --tmpdir $PD/tmp --cgroup-manager cgroupfs --events-backend file"
p () { podman $PODMAN_GLOBAL --runtime "$HS" "$@"; }
pq () { p "$@" > /dev/null; }
ENGINE_CLEANUP='p rm -af -t 0'
# --ulimit: podman asks for nofile 1048576 otherwise, which root here may
# not raise to (no CAP_SYS_RESOURCE).
RUN="run --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
bundle () { echo "$PD/root/overlay-containers/$1/userdata/config.json"; }

IMG=localhost/hardshim-e2e/busybox:latest
p import "$(rootfs_tar)" "$IMG" > /dev/null 2>&1
check "podman import of the busybox rootfs" pq image exists "$IMG"

# A hardened container: probe on stdout (so also a logs test), then sleep.
CNAME=hs$$-main
id=$(p $RUN -d --name "$CNAME" "$IMG" sh -c "$PROBE; echo hardshim-log-line; exec sleep 1000")
check "podman run -d --runtime .../hardshim" [ -n "$id" ]
wait_for "the probe" sh -c 'podman $1 logs "$2" 2>&1 | grep -q hardshim-log-line' sh "$PODMAN_GLOBAL" "$CNAME"
p logs "$CNAME" > "$T/run.probe" 2>&1
check "podman logs shows the container's output" grep -q '^hardshim-log-line$' "$T/run.probe"
assert_hardened "podman: run" "$T/run.probe" "$(bundle "$id")"
check "podman: the audit log records the container's change" \
  grep -q "\"container\":\"$id\".*\"control\":\"no_new_privileges\".*\"action\":\"changed\"" "$AUDIT"
check "podman runs hardshim as its runtime" \
  [ "$(p inspect -f '{{.OCIRuntime}}' "$CNAME")" = "$HS" ]

# exec, plain and --privileged.
p exec "$CNAME" sh -c "$PROBE" > "$T/exec.probe" 2>&1
check "podman exec works" grep -q '^NoNewPrivs:' "$T/exec.probe"
assert_hardened "podman: exec" "$T/exec.probe"
p exec --privileged "$CNAME" sh -c "$PROBE" > "$T/priv.probe" 2>&1
assert_privileged_exec "podman: exec --privileged" "$T/priv.probe" "$T/exec.probe"
out=$(p exec "$CNAME" sh -c 'echo exec-out; exit 5')
check "podman exec passes output and exit status" [ $? -eq 5 -a "$out" = exec-out ]

# The runtime calls podman makes (no --root: runc's default root).
same_as_runc "runtime state as with runc" state "$id"
same_as_runc "runtime ps --format json as with runc" ps --format json "$id"
same_as_runc "runtime features as with runc" features
same_as_runc "runtime delete --force of an unknown container as with runc" \
  --log-format=json --log "$T/rt-log.json" delete --force "hs$$-no-such-container"
p info --format '{{.Host.OCIRuntime.Version}}' > "$T/info.out" 2>&1
check "podman info shows runc's version (runtime --version)" grep -q "^runc version" "$T/info.out"
check "podman info shows hardshim's version line" grep -q "^hardshim version" "$T/info.out"

# Lifecycle.
check "podman pause" pq pause "$CNAME"
check "podman pause: paused" [ "$(p inspect -f '{{.State.Status}}' "$CNAME")" = paused ]
check "podman unpause" pq unpause "$CNAME"
check "podman unpause: running" [ "$(p inspect -f '{{.State.Status}}' "$CNAME")" = running ]
check "podman kill -s USR1" pq kill -s USR1 "$CNAME"
check "podman stop" pq stop -t 1 "$CNAME"
check "podman stop: exited" [ "$(p inspect -f '{{.State.Status}}' "$CNAME")" = exited ]
check "podman start (created again through hardshim)" pq start "$CNAME"
check "podman start: running" [ "$(p inspect -f '{{.State.Status}}' "$CNAME")" = running ]
check "podman kill" pq kill "$CNAME"
# kill only sends the signal: the exit is reported later.
wait_for "the container to exit" sh -c '[ "$("$@" inspect -f "{{.State.Status}}" "$0")" = exited ]' "$CNAME" podman $PODMAN_GLOBAL
check "podman kill: exited" [ "$(p inspect -f '{{.State.Status}}' "$CNAME")" = exited ]
check "podman rm (runtime delete --force)" pq rm "$CNAME"
check "podman rm: gone from the runtime" sh -c '! "$1" state "$2" >/dev/null 2>&1' sh "$RUNC" "$id"
p $RUN --rm "$IMG" sh -c 'echo once; exit 7' > "$T/once.out" 2>&1
check "podman run --rm passes the exit status" [ $? -eq 7 ]
check "podman run --rm passes the output" grep -qx once "$T/once.out"
pq $RUN -d --name "$CNAME-f" "$IMG" sleep 1000
check "podman rm -f of a running container" pq rm -f -t 0 "$CNAME-f"
# The runtime by name, from containers.conf [engine.runtimes].
podman $PODMAN_GLOBAL --runtime hardshim $RUN --rm "$IMG" grep NoNewPrivs /proc/self/status > "$T/byname.out" 2>&1
check "podman --runtime hardshim (by name, from containers.conf)" grep -q 'NoNewPrivs:.1' "$T/byname.out"

# Refusals that work with this branch's controls: a policy whose
# no_new_privileges is in reject mode, and a malformed policy.
write_nnp_reject_policy
p $RUN --rm --name "$CNAME-r1" "$IMG" true > "$T/r1.out" 2>&1
refused "podman run, no_new_privileges rejected" "$NNP_REFUSAL" "$T/r1.out" $?
check "... the message is hardshim's" grep -q "hardshim: create \`[0-9a-f]*\`" "$T/r1.out"
# create + start keeps the container: podman gave hardshim --log.
pq create --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --name "$CNAME-r2" "$IMG" true
p start "$CNAME-r2" > "$T/r2.out" 2>&1
refused "podman start, no_new_privileges rejected" "$NNP_REFUSAL" "$T/r2.out" $?
r2=$(p inspect -f '{{.Id}}' "$CNAME-r2")
check "podman passed --log: hardshim's JSON error line is in oci-log" \
  jqe 'select(.level == "error") | .msg | startswith("hardshim: create")' \
  "$PD/runroot/overlay-containers/$r2/userdata/oci-log"
check "podman run --security-opt no-new-privileges runs under that policy" \
  pq $RUN --rm --security-opt no-new-privileges "$IMG" true
echo '{ "mode": "enforce", ' > "$POLICY"
p $RUN --rm --name "$CNAME-r3" "$IMG" true > "$T/r3.out" 2>&1
refused "podman run with a malformed host policy" "$POLICY_REFUSAL" "$T/r3.out" $?
write_default_policy
for c in r1 r2 r3; do p rm -f -t 0 "$CNAME-$c" > /dev/null 2>&1; done

# Refusals by controls written elsewhere (HARDENING_CHECKS).
guarded_refusal refuse-privileged "podman run --privileged" p $RUN --rm --privileged "$IMG" true
guarded_refusal refuse-hostnet "podman run --network host" \
  p run --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --rm --network host "$IMG" true
guarded_refusal refuse-rootbind "podman run -v /:/host" p $RUN --rm -v /:/host "$IMG" true

# Local volumes are judged by what they are: one made with
# o=bind,device=DIR reaches the config as <root>/volumes/NAME/_data.
lv=0
for dev_reason in "/|it is the host path / underneath" "/etc|it is the host path /etc underneath"; do
  dev=${dev_reason%%|*} reason=${dev_reason#*|} lv=$((lv + 1))
  pq volume create -o type=none -o o=bind -o device="$dev" "hs$$-lv$lv"
  p $RUN --rm -v "hs$$-lv$lv:/v" "$IMG" true > "$T/lv.out" 2>&1
  refused "podman run -v a local volume with device=$dev" "$reason" "$T/lv.out" $?
  pq volume rm -f "hs$$-lv$lv"
done
# A named volume in podman's root-only volume store is idmapped, so
# container root writes it (the test's --root is not the default, hence
# userns.volume_stores).
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"state_dir\": \"$HS_STATE\",
  \"userns\": { \"volume_stores\": [\"$PD/root/volumes\"] } }"
pq volume create "hs$$-named"
out=$(p $RUN --rm -v "hs$$-named:/data" "$IMG" sh -c 'echo kept > /data/f && stat -c %u /data/f' 2>&1)
check "podman run -v NAME:/data: container root writes its named volume ($out)" [ "$out" = 0 ]
out=$(p $RUN --rm -v "hs$$-named:/data" "$IMG" cat /data/f 2>&1)
check "... and the next container reads it" [ "$out" = kept ]
# podman's -v SRC:DST:idmap of a host directory others reach is refused.
mkdir -p "$T/pdir"
p $RUN --rm -v "$T/pdir:/data:idmap" "$IMG" true > "$T/idmap.out" 2>&1
refused "podman run -v DIR:/data:idmap of a directory others reach" "asks to be idmapped" "$T/idmap.out" $?
write_default_policy
pq volume rm -f "hs$$-named"
p rm -af -t 0 > /dev/null 2>&1
check "podman: no container is left" [ -z "$(p ps -aq)" ]

finish

#!/bin/sh
# Docker 20.10 with hardshim as runtime "hardened" (contrib/docker/daemon.json
# as it is): a private dockerd on a private containerd, all state under $T.
# Containers and exec are hardened, the lifecycle works, refusals reach the
# user with hardshim's reason, and the runtime calls Docker makes behave as
# with runc.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engines-lib.sh"

# docker.io's own client: another may come first on PATH.
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
DK=$T/docker
mkdir -p "$DK"
# Docker's exec-root outside /tmp: with --network host Docker passes the
# host's network namespace as <exec-root>/netns/default, and the namespaces
# control refuses any namespace path below a directory others may write
# (such as /tmp) before it gets to compare it with the host's.
DK_EXEC=$(mktemp -d /run/hardshim-e2e-docker.XXXXXX)
ENGINE_DIRS=$DK_EXEC
REFUSAL_REASON_hostnet="joining the host's network namespace ($DK_EXEC/netns/default) is not allowed by host policy"
contrib_file docker/daemon.json > "$DK/daemon.json"
# A private containerd rather than dockerd's managed one: dockerd would use
# a host containerd at /run/containerd/containerd.sock if there were one.
start_containerd "$DK/containerd"
start_daemon "$DK/dockerd.log" dockerd --config-file "$DK/daemon.json" \
  --add-runtime "hs-cli=$HARDSHIM" --containerd "$CONTAINERD_SOCK" --iptables=false --ip6tables=false --bridge=none \
  --data-root "$DK/data" --exec-root "$DK_EXEC" -H "unix://$DK/docker.sock" \
  --pidfile "$DK/docker.pid"
DOCKERD_PID=$DAEMON_PID
d () { "$DOCKER_CLI" -H "unix://$DK/docker.sock" "$@"; }
dq () { d "$@" > /dev/null; }
ENGINE_CLEANUP='for c in $(d ps -aq); do d rm -f "$c"; done'
wait_for dockerd d version
check "dockerd is up" sh -c '"$@" version > /dev/null' sh "$DOCKER_CLI" -H "unix://$DK/docker.sock"
[ "$(d info --format '{{json .Runtimes.hardened}}' 2>/dev/null)" != null ] ||
  { sed 's/^/# /' "$DK/dockerd.log"; }
check "docker lists the runtime hardened from daemon.json" \
  sh -c '[ "$("$@" info --format "{{(index .Runtimes \"hardened\").Path}}")" = "$HARDSHIM" ]' \
  sh "$DOCKER_CLI" -H "unix://$DK/docker.sock"

check "docker lists the runtime hs-cli from --add-runtime" \
  sh -c '[ "$("$@" info --format "{{(index .Runtimes \"hs-cli\").Path}}")" = "$HARDSHIM" ]' \
  sh "$DOCKER_CLI" -H "unix://$DK/docker.sock"

IMG=hardshim-e2e/busybox:latest
d import "$(rootfs_tar)" "$IMG" > /dev/null
check "docker import of the busybox rootfs" d image inspect "$IMG" > /dev/null
RUN="run --runtime=hardened --network none"
bundle () { echo "$CONTAINERD_STATE/io.containerd.runtime.v2.task/moby/$1/config.json"; }

# A hardened container: probe on stdout (so also a logs test), then sleep.
CNAME=hs$$-main
id=$(d $RUN -d --name "$CNAME" "$IMG" sh -c "$PROBE; echo hardshim-log-line; exec sleep 1000")
check "docker run -d --runtime=hardened" [ -n "$id" ]
wait_for "the probe" sh -c '"$@" logs "$0" 2>&1 | grep -q hardshim-log-line' "$CNAME" \
  "$DOCKER_CLI" -H "unix://$DK/docker.sock"
d logs "$CNAME" > "$T/run.probe" 2>&1
check "docker logs shows the container's output" grep -q '^hardshim-log-line$' "$T/run.probe"
assert_hardened "docker: run" "$T/run.probe" "$(bundle "$id")"
check "docker: the audit log records the container's change" \
  grep -q "\"container\":\"$id\".*\"control\":\"no_new_privileges\".*\"action\":\"changed\"" "$AUDIT"

# exec, plain and --privileged.
d exec "$CNAME" sh -c "$PROBE" > "$T/exec.probe" 2>&1
check "docker exec works" grep -q '^NoNewPrivs:' "$T/exec.probe"
assert_hardened "docker: exec" "$T/exec.probe"
d exec --privileged "$CNAME" sh -c "$PROBE" > "$T/priv.probe" 2>&1
assert_privileged_exec "docker: exec --privileged" "$T/priv.probe" "$T/exec.probe"
out=$(d exec "$CNAME" sh -c 'echo exec-out; exit 5')
check "docker exec passes output and exit status" [ $? -eq 5 -a "$out" = exec-out ]

# The runtime calls Docker makes, compared with runc's in the same state root.
RT_ROOT=$(dirname "$(find "$DK_EXEC" -maxdepth 3 -path '*/runtime-*/moby/*' -name "$id")")
check "docker keeps runtime state under its exec-root" [ -d "$RT_ROOT/$id" ]
RT_LOG=$T/rt-log.json
d top "$CNAME" > "$T/top.out" 2>&1
check "docker top (runtime ps --format json) lists the process" grep -q 'sleep 1000' "$T/top.out"
same_as_runc "runtime ps --format json as with runc" --root "$RT_ROOT" --log "$RT_LOG" --log-format json ps --format json "$id"
same_as_runc "runtime state as with runc" --root "$RT_ROOT" --log "$RT_LOG" --log-format json state "$id"
same_as_runc "runtime features as with runc" --root "$RT_ROOT" --log "$RT_LOG" --log-format json features
same_as_runc "runtime delete --force of an unknown container as with runc" \
  --root "$RT_ROOT" --log "$RT_LOG" --log-format json delete --force "hs$$-no-such-container"
same_as_runc "runtime list as with runc" --root "$RT_ROOT" list

# Lifecycle.
check "docker pause" dq pause "$CNAME"
check "docker pause: paused" [ "$(d inspect -f '{{.State.Status}}' "$CNAME")" = paused ]
check "docker unpause" dq unpause "$CNAME"
check "docker unpause: running" [ "$(d inspect -f '{{.State.Status}}' "$CNAME")" = running ]
check "docker kill -s USR1" dq kill -s USR1 "$CNAME"
check "docker stop" dq stop -t 1 "$CNAME"
check "docker stop: exited" [ "$(d inspect -f '{{.State.Status}}' "$CNAME")" = exited ]
check "docker start (created again through hardshim)" dq start "$CNAME"
check "docker start: running" [ "$(d inspect -f '{{.State.Status}}' "$CNAME")" = running ]
check "docker kill" dq kill "$CNAME"
# kill only sends the signal: the exit is reported later.
wait_for "the container to exit" sh -c '[ "$("$@" inspect -f "{{.State.Status}}" "$0")" = exited ]' "$CNAME" "$DOCKER_CLI" -H "unix://$DK/docker.sock"
check "docker kill: exited" [ "$(d inspect -f '{{.State.Status}}' "$CNAME")" = exited ]
check "docker rm" dq rm "$CNAME"
check "docker rm: gone from the runtime" sh -c '! "$1" --root "$2" state "$3" >/dev/null 2>&1' \
  sh "$RUNC" "$RT_ROOT" "$id"
d $RUN --rm "$IMG" sh -c 'echo once; exit 7' > "$T/once.out" 2>&1
check "docker run --rm passes the exit status" [ $? -eq 7 ]
check "docker run --rm passes the output" grep -qx once "$T/once.out"
d $RUN -d --name "$CNAME-f" "$IMG" sleep 1000 > /dev/null
check "docker rm -f of a running container (runtime delete --force)" dq rm -f "$CNAME-f"

# The runtime from --add-runtime works the same.
d run --runtime=hs-cli --network none --rm "$IMG" sh -c "$PROBE" > "$T/cli.probe" 2>&1
check "docker run --runtime=hs-cli (--add-runtime) works" grep -q '^NoNewPrivs:' "$T/cli.probe"
assert_hardened "docker: run --runtime=hs-cli" "$T/cli.probe"

# Refusals that work with this branch's controls: a policy whose
# no_new_privileges is in reject mode, and a malformed policy.
write_nnp_reject_policy
d $RUN --rm --name "$CNAME-r1" "$IMG" true > "$T/r1.out" 2>&1
refused "docker run, no_new_privileges rejected" "hardshim: create" "$T/r1.out" $?
check "... the reason is the control's" grep -qF -- "$NNP_REFUSAL" "$T/r1.out"
d $RUN --rm --name "$CNAME-r2" --security-opt no-new-privileges=false "$IMG" true > "$T/r2.out" 2>&1
refused "docker run --security-opt no-new-privileges=false" "$NNP_REFUSAL" "$T/r2.out" $?
check "docker run --security-opt no-new-privileges runs under that policy" \
  d $RUN --rm --name "$CNAME-r3" --security-opt no-new-privileges "$IMG" true
echo '{ "mode": "enforce", ' > "$POLICY"
d $RUN --rm --name "$CNAME-r4" "$IMG" true > "$T/r4.out" 2>&1
refused "docker run with a malformed host policy" "$POLICY_REFUSAL" "$T/r4.out" $?
write_default_policy
for c in r1 r2 r3 r4; do d rm -f "$CNAME-$c" > /dev/null 2>&1; done

# Refusals by controls written elsewhere (HARDENING_CHECKS).
guarded_refusal refuse-privileged "docker run --privileged" d $RUN --rm --privileged "$IMG" true
guarded_refusal refuse-hostnet "docker run --network host" \
  d run --runtime=hardened --rm --network host "$IMG" true
guarded_refusal refuse-rootbind "docker run -v /:/host" d $RUN --rm -v /:/host "$IMG" true

# Local volumes are judged by what they are: one made with
# o=bind,device=DIR reaches the config as <data-root>/volumes/NAME/_data.
lv=0
for dev_reason in "/|it is the host path / underneath" "/etc|it is the host path /etc underneath" \
  "$DK|it holds the container engine socket"; do
  dev=${dev_reason%%|*} reason=${dev_reason#*|} lv=$((lv + 1))
  dq volume create --driver local -o type=none -o o=bind -o device="$dev" "hs$$-lv$lv"
  d $RUN --rm -v "hs$$-lv$lv:/v" "$IMG" true > "$T/lv.out" 2>&1
  refused "docker run -v a local volume with device=$dev" "$reason" "$T/lv.out" $?
  dq volume rm "hs$$-lv$lv"
done
# A named volume works: in the engine's root-only volume store it is
# idmapped, so container root writes it (the test's data root is not the
# default /var/lib/docker, hence userns.volume_stores).
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"state_dir\": \"$HS_STATE\",
  \"userns\": { \"volume_stores\": [\"$DK/data/volumes\"] } }"
dq volume create "hs$$-named"
out=$(d $RUN --rm -v "hs$$-named:/data" "$IMG" sh -c 'echo kept > /data/f && stat -c %u /data/f' 2>&1)
check "docker run -v NAME:/data: container root writes its named volume ($out)" [ "$out" = 0 ]
out=$(d $RUN --rm -v "hs$$-named:/data" "$IMG" cat /data/f 2>&1)
check "... and the next container reads it" [ "$out" = kept ]
write_default_policy
out=$(d $RUN --rm -v "hs$$-named:/data" "$IMG" stat -c %u /data/f 2>&1)
check "... outside a volume store named in the policy it is not idmapped (nobody's: $out)" [ "$out" = 65534 ]
dq volume rm "hs$$-named"
check "docker: no container is left" [ -z "$(d ps -aq)" ]

# --version as Docker calls it: runc's output, then hardshim's line.
"$HARDSHIM" --version > "$T/v.out"
"$RUNC" --version > "$T/v.want"
check "runtime --version starts with runc's output" \
  [ "$(head -n "$(wc -l < "$T/v.want")" "$T/v.out")" = "$(cat "$T/v.want")" ]
check "runtime --version ends with hardshim's line" [ "$(tail -n 1 "$T/v.out" | cut -d' ' -f1-2)" = "hardshim version" ]

# Stop dockerd and containerd: both exit cleanly.
stop_pid "$DOCKERD_PID"
check "dockerd stopped" sh -c '! kill -0 "$1" 2>/dev/null' sh "$DOCKERD_PID"
finish

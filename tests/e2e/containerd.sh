#!/bin/sh
# containerd 1.6 with its runc v2 shim calling hardshim as the runc binary
# (`ctr run --runc-binary`): a private daemon with root, state, sockets and
# the runtime's --root under $T, and contrib/containerd/hardshim.toml in
# its config. Containers and `ctr task exec` are hardened, the lifecycle
# works, refusals reach the user with hardshim's reason, and the runtime
# calls the shim makes behave as with runc.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engines-lib.sh"

start_containerd "$T/containerd"
check "containerd is up" $CTR version > /dev/null
NS=hardshim-e2e
RT_ROOT=$T/runc-root
c () { $CTR --namespace "$NS" "$@"; }
cq () { c "$@" > /dev/null; }
ENGINE_CLEANUP='for t in $(c task ls -q); do c task kill -s KILL "$t"; c task delete -f "$t"; done
for x in $(c container ls -q); do c container rm "$x"; done'
RUN="run --runc-binary $HARDSHIM --runc-root $RT_ROOT"
IMG=docker.io/hardshim-e2e/busybox:latest
c image import "$(oci_layout_tar "$IMG")" > /dev/null
check "ctr image import of an OCI layout built from the busybox rootfs" \
  sh -c '"$@" | grep -qx "$0"' "$IMG" $CTR --namespace "$NS" image ls -q
bundle () { echo "$CONTAINERD_STATE/io.containerd.runtime.v2.task/$NS/$1/config.json"; }
status () { c task ls | awk -v id="$1" '$1 == id { print $3 }'; }

# A hardened container: probe into the log (so also a logs test), then sleep.
id=hs$$-main
c $RUN -d --log-uri "file://$T/main.log" "$IMG" "$id" sh -c "$PROBE; echo hardshim-log-line; exec sleep 1000" > /dev/null
check "ctr run -d --runc-binary hardshim" [ "$(status "$id")" = RUNNING ]
wait_for "the probe" grep -q hardshim-log-line "$T/main.log"
check "the container's output reaches --log-uri" grep -q '^hardshim-log-line$' "$T/main.log"
assert_hardened "containerd: run" "$T/main.log" "$(bundle "$id")"
# ctr asks for noNewPrivileges itself, so hardshim changes nothing the
# audit log would record: the annotation above is the proof it ran.

# ctr task exec (ctr has no exec --privileged).
c task exec --exec-id probe "$id" sh -c "$PROBE" > "$T/exec.probe" 2>&1
check "ctr task exec works" grep -q '^NoNewPrivs:' "$T/exec.probe"
assert_hardened "containerd: exec" "$T/exec.probe"
out=$(c task exec --exec-id e2 "$id" sh -c 'echo exec-out; exit 5')
check "ctr task exec passes output and exit status" [ $? -eq 5 -a "$out" = exec-out ]

# The runtime calls the shim makes, compared with runc's in the same root.
c task ps "$id" > "$T/ps.out" 2>&1
check "ctr task ps (runtime ps --format json) lists the init process" \
  grep -q "^$(c task ls | awk -v id="$id" '$1 == id { print $2 }') " "$T/ps.out"
L="--log $T/rt-log.json --log-format json"
same_as_runc "runtime ps --format json as with runc" --root "$RT_ROOT/$NS" $L ps --format json "$id"
same_as_runc "runtime state as with runc" --root "$RT_ROOT/$NS" $L state "$id"
same_as_runc "runtime features as with runc" --root "$RT_ROOT/$NS" $L features
same_as_runc "runtime delete --force of an unknown container as with runc" \
  --root "$RT_ROOT/$NS" $L delete --force "hs$$-no-such-container"

# Lifecycle.
check "ctr task pause" cq task pause "$id"
check "ctr task pause: PAUSED" [ "$(status "$id")" = PAUSED ]
check "ctr task resume" cq task resume "$id"
check "ctr task resume: RUNNING" [ "$(status "$id")" = RUNNING ]
check "ctr task kill -s USR1" cq task kill -s USR1 "$id"
check "ctr task kill -s KILL" cq task kill -s KILL "$id"
wait_for "the task to stop" sh -c '[ "$(ctr --address "$1" -n "$2" task ls | awk -v id="$3" "\$1 == id { print \$3 }")" = STOPPED ]' \
  sh "$CONTAINERD_SOCK" "$NS" "$id"
check "ctr task kill: STOPPED" [ "$(status "$id")" = STOPPED ]
check "ctr task delete" cq task delete "$id"
check "ctr task delete: gone from the runtime" \
  sh -c '! "$1" --root "$2" state "$3" >/dev/null 2>&1' sh "$RUNC" "$RT_ROOT/$NS" "$id"
check "ctr container rm" cq container rm "$id"
c $RUN --rm "$IMG" "$id-once" sh -c 'echo once; exit 7' > "$T/once.out" 2>&1
check "ctr run --rm passes the exit status" [ $? -eq 7 ]
check "ctr run --rm passes the output" grep -qx once "$T/once.out"
cq $RUN -d "$IMG" "$id-f" sleep 1000
check "ctr task delete --force of a running task" cq task delete --force "$id-f"
check "ctr container rm after delete --force" cq container rm "$id-f"

# Refusals that work with this branch's controls: a policy whose
# no_new_privileges is in reject mode (ctr asks for noNewPrivileges by
# default, so a spec file asks for false), and a malformed policy.
write_nnp_reject_policy
check "ctr run (noNewPrivileges by default) runs under that policy" \
  cq $RUN --rm "$IMG" "$id-r0" true
make_rootfs
jq --arg root "$ROOTFS" '.process.noNewPrivileges = false | .process.args = ["true"]
  | .root = { "path": $root, "readonly": true } | del(.linux.cgroupsPath)' \
  "$top_srcdir/tests/data/captures/containerd-1.6-ctr-config.json" > "$T/nnp-false.json"
c run --rm --config "$T/nnp-false.json" --runc-binary "$HARDSHIM" --runc-root "$RT_ROOT" "$id-r1" > "$T/r1.out" 2>&1
refused "ctr run --config (noNewPrivileges false), no_new_privileges rejected" "$NNP_REFUSAL" "$T/r1.out" $?
check "... the message is hardshim's" grep -q "hardshim: create \`$id-r1\`" "$T/r1.out"
echo '{ "mode": "enforce", ' > "$POLICY"
c $RUN --rm "$IMG" "$id-r2" true > "$T/r2.out" 2>&1
refused "ctr run with a malformed host policy" "$POLICY_REFUSAL" "$T/r2.out" $?
write_default_policy
for x in r0 r1 r2; do c task delete -f "$id-$x" > /dev/null 2>&1; c container rm "$id-$x" > /dev/null 2>&1; done

# Refusals by controls written elsewhere (HARDENING_CHECKS).
guarded_refusal refuse-privileged "ctr run --privileged" c $RUN --rm --privileged "$IMG" "$id-g1" true
guarded_refusal refuse-hostnet "ctr run --net-host" c $RUN --rm --net-host "$IMG" "$id-g2" true
guarded_refusal refuse-rootbind "ctr run --mount of /" \
  c $RUN --rm --mount type=bind,src=/,dst=/host,options=rbind:ro "$IMG" "$id-g3" true
for x in g1 g2 g3; do c task delete -f "$id-$x" > /dev/null 2>&1; c container rm "$id-$x" > /dev/null 2>&1; done
check "containerd: no task is left" [ -z "$(c task ls -q)" ]
check "containerd: no container is left" [ -z "$(c container ls -q)" ]

finish

#!/bin/sh
# containerd 1.6's CRI plugin (what Kubernetes uses) with the runtime
# handler "hardshim" from contrib/containerd/hardshim.toml as it is: the
# runc v2 shim runs hardshim because of BinaryName in the config file. A
# private daemon in its own mount and network namespaces (pod networks are
# CNI ptp links there; nothing touches the host's mounts or network), all
# state under $T; tests/e2e/cri.py plays the kubelet. CRI_REAL=crun
# (containerd-cri-crun.sh) makes crun the real runtime behind hardshim.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engines-lib.sh"

CRI="/usr/bin/python3 $(dirname "$0")/cri.py"
D=$T/cri
mkdir -p "$D/net.d" "$D/logs"
cat > "$D/net.d/10-hardshim-e2e.conf" <<CNI
{ "cniVersion": "0.4.0", "name": "hardshim-e2e", "type": "ptp", "ipMasq": false,
  "ipam": { "type": "host-local", "subnet": "10.211.77.0/24", "dataDir": "$D/ipam" } }
CNI
PAUSE=docker.io/hardshim-e2e/pause:latest
IMG=docker.io/hardshim-e2e/busybox:latest
{
  printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\n' "$D" "$D"
  printf '[grpc]\n  address = "%s/containerd.sock"\n' "$D"
  printf '[ttrpc]\n  address = "%s/containerd.sock.ttrpc"\n' "$D"
  printf '[debug]\n  address = ""\n[metrics]\n  address = ""\n'
  # restrict_oom_score_adj: the sandbox asks for -998, which root without
  # CAP_SYS_RESOURCE (the project's machines) may not set.
  printf '[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "%s"\n  restrict_oom_score_adj = true\n' "$PAUSE"
  printf '  [plugins."io.containerd.grpc.v1.cri".cni]\n    bin_dir = "/usr/lib/cni"\n    conf_dir = "%s/net.d"\n' "$D"
  # A node's config defines runc (`containerd config default` does): the
  # CRI plugin's runtimes table replaces the built-in one.
  printf '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
  contrib_file containerd/hardshim.toml
} > "$D/config.toml"
if [ "${CRI_REAL:-runc}" = crun ]; then
  # crun refuses the host's hybrid cgroup layout: containerd's own mount
  # namespace goes without the cgroup2 mount (in_crun_ns)
  start_daemon "$D/containerd.log" env HARDSHIM_RUNTIME="$CRUN" unshare -m -n --propagation private \
    sh -c 'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec "$@"' \
    sh containerd --config "$D/config.toml"
else
  start_daemon "$D/containerd.log" unshare -m -n --propagation private containerd --config "$D/config.toml"
fi
SOCK=$D/containerd.sock
CTR="ctr --address $SOCK --namespace k8s.io"
wait_for "containerd at $SOCK" $CTR version
check "containerd with the CRI plugin is up" $CTR version > /dev/null
# busybox's ping needs a raw socket: a ping as iputils' does it unprivileged
make_rootfs
gcc -static -O1 -o "$ROOTFS/bin/icmp_ping" "$top_srcdir/tests/e2e/icmp_ping.c" 2> "$T/gcc.err" ||
  sed 's/^/# gcc: /' "$T/gcc.err"
$CTR image import "$(oci_layout_tar "$PAUSE" '["sleep","2147483647"]')" > /dev/null
$CTR image import "$(oci_layout_tar "$IMG")" > /dev/null
check "images imported into k8s.io" sh -c '[ "$("$@" image ls -q | grep -c hardshim-e2e/)" = 2 ]' sh $CTR

POD=hs$$-pod
pod=$($CRI "$SOCK" runp "$POD" "uid-$$" "$D/logs" hardshim 2> "$T/runp.err")
check "RunPodSandbox with runtime handler hardshim" [ -n "$pod" ]
[ -n "$pod" ] || sed 's/^/# /' "$T/runp.err"
ENGINE_CLEANUP='$CRI "$SOCK" stopp "$pod"; $CRI "$SOCK" rmp "$pod"'
check "the sandbox (pause) container is hardened too" \
  annotation_ok "$D/state/io.containerd.runtime.v2.task/k8s.io/$pod/config.json"

cid=$($CRI "$SOCK" create "$pod" "$POD" "uid-$$" "$D/logs" "$IMG" main main.log \
  sh -c "$PROBE; echo hardshim-log-line; exec sleep 1000" 2> "$T/create.err")
check "CreateContainer" [ -n "$cid" ]
[ -n "$cid" ] || sed 's/^/# /' "$T/create.err"
check "StartContainer" $CRI "$SOCK" start "$cid"
[ -n "$cid" ] && wait_for "the probe" grep -q hardshim-log-line "$D/logs/main.log"
# CRI log lines: "TIME STREAM TAG text".
sed 's/^[^ ]* [^ ]* [^ ]* //' "$D/logs/main.log" > "$T/run.probe"
check "the container's output reaches its CRI log" grep -q '^hardshim-log-line$' "$T/run.probe"
# The pod's containers get a user namespace like every container (the
# userns row), whatever their annotations say (doc/engines.md).
assert_hardened "containerd CRI: run" "$T/run.probe" "$D/state/io.containerd.runtime.v2.task/k8s.io/$cid/config.json"
check "containerd CRI: the audit log records the container's change" \
  grep -q "\"container\":\"$cid\".*\"control\":\"no_new_privileges\".*\"action\":\"changed\"" "$AUDIT"

# runc before 1.2.1 joins the container's user namespace first and then
# cannot join the pod's namespaces (runc#4390): hardshim says so instead of
# runc's "error executing setns process". crun (and runc 1.2.1) can exec.
if [ "${CRI_REAL:-runc}" = runc ] && "$RUNC" --version | awk 'NR == 1 { split($3, v, "."); exit !(v[1] == 1 && (v[2] < 2 || (v[2] == 2 && v[3] + 0 < 1))) }'; then
  $CRI "$SOCK" exec "$cid" 60 sh -c "$PROBE" > "$T/exec.probe" 2>&1
  refused "ExecSync with runc before 1.2.1 into a pod container in its own user namespace" \
    "it cannot exec into this container (runc before 1.2.1, runc#4390); use crun or runc 1.2.1 or later" "$T/exec.probe" $?
else
  $CRI "$SOCK" exec "$cid" 60 sh -c "$PROBE" > "$T/exec.probe" 2>&1
  check "ExecSync works" grep -q '^NoNewPrivs:' "$T/exec.probe"
  assert_hardened "containerd CRI: exec" "$T/exec.probe"
  out=$($CRI "$SOCK" exec "$cid" 60 sh -c 'echo exec-out; exit 5')
  check "ExecSync passes output and exit status" [ $? -eq 5 -a "$out" = exec-out ]

fi
check "StopContainer" $CRI "$SOCK" stop "$cid" 1
check "RemoveContainer" $CRI "$SOCK" rm "$cid"

# Pod networking with the pod's containers in user namespaces of their own
# (containerd 1.6 makes the pod's network namespace in the host's user
# namespace): a server binding port 80, a client in another pod, ping.
not_identity () { [ -n "$1" ] && ! awk '$1 == 0 && $2 == 0 && $3 == 4294967295 { f = 1 } END { exit !f }' "/proc/$1/uid_map"; }
web=$($CRI "$SOCK" create "$pod" "$POD" "uid-$$" "$D/logs" "$IMG" web web.log \
  sh -c 'httpd -f -v -p 80 -h /etc; echo httpd=$?' 2> "$T/web.err")
check "CreateContainer: a server on port 80" [ -n "$web" ]
[ -n "$web" ] || sed 's/^/# /' "$T/web.err"
check "StartContainer: the server" $CRI "$SOCK" start "$web"
wpid=$($CRI "$SOCK" pid "$web")
check "the server runs in a user namespace (uid_map of pid ${wpid:-?} is not the identity)" not_identity "$wpid"
sed 's/^/# uid_map: /' "/proc/$wpid/uid_map" 2>/dev/null
check "... hardshim prepared the pod's network namespace from the host side (audit)" \
  grep -q "wrote net.ipv4.ip_unprivileged_port_start = .*0.* inside the network namespace" "$AUDIT"
check "... the sandbox's IPC namespace got hardshim's mqueue mount (the container cannot mount it)" \
  jqe '.mounts[] | select(.destination == "/dev/mqueue") | .type == "bind" and (.source | contains("/mnt/"))' \
  "$D/state/io.containerd.runtime.v2.task/k8s.io/$web/config.json"
check "... recorded in the audit log" grep -q "mqueue of the joined IPC namespace" "$AUDIT"
cpod=$($CRI "$SOCK" runp "$POD-client" "uid-c-$$" "$D/logs" hardshim 2> "$T/runpc.err")
check "RunPodSandbox: a client pod" [ -n "$cpod" ]
ENGINE_CLEANUP="$ENGINE_CLEANUP; \$CRI \"\$SOCK\" stopp \"\$cpod\"; \$CRI \"\$SOCK\" rmp \"\$cpod\""
ip=$($CRI "$SOCK" ip "$pod")
check "the server's pod has an IP address (${ip:-none})" [ -n "$ip" ]
# The client's own command, not an exec: it is the pod's network under test.
client=$($CRI "$SOCK" create "$cpod" "$POD-client" "uid-c-$$" "$D/logs" "$IMG" client client.log \
  sh -c "timeout 10 wget -q -O - http://$ip:80/hostname; echo wget=\$?; icmp_ping $ip; echo ping=\$?; exec sleep 1000")
check "the client container starts" $CRI "$SOCK" start "$client"
cpid=$($CRI "$SOCK" pid "$client")
check "the client runs in a user namespace too" not_identity "$cpid"
wait_for "the client's requests" grep -q ' ping=' "$D/logs/client.log"
sed 's/^[^ ]* [^ ]* [^ ]* //' "$D/logs/client.log" > "$T/client.out"
check "the client reaches the server on port 80" grep -qx "$POD" "$T/client.out"
check "ping from the client pod reaches the server's pod" grep -qx 'ping=0' "$T/client.out"
sed 's/^/# client: /' "$T/client.out"
[ "$(grep -c "=0$" "$T/client.out")" = 2 ] || sed "s/^/# web.log: /" "$D/logs/web.log"
$CRI "$SOCK" stop "$web" 1; $CRI "$SOCK" rm "$web"
$CRI "$SOCK" stop "$client" 1; $CRI "$SOCK" rm "$client"

# A refusal through the CRI: the error the kubelet gets carries hardshim's reason.
write_nnp_reject_policy
$CRI "$SOCK" create "$pod" "$POD" "uid-$$" "$D/logs" "$IMG" refused refused.log true > "$T/r1.id" 2> "$T/r1.err"
r1=$(cat "$T/r1.id")
$CRI "$SOCK" start "$r1" > "$T/r1.out" 2>&1
refused "StartContainer, no_new_privileges rejected" "$NNP_REFUSAL" "$T/r1.out" $?
check "... the message is hardshim's" grep -q "hardshim: create \`$r1\`" "$T/r1.out"
write_default_policy
$CRI "$SOCK" rm "$r1" > /dev/null 2>&1

# Refusals by controls written elsewhere (HARDENING_CHECKS). Each helper
# removes what it created and fails when any step failed.
cri_pod_in_node_network () {
  hp=$(CRI_HOST_NETWORK=1 $CRI "$SOCK" runp "$POD-hn" "uid-hn-$$" "$D/logs" hardshim) || return 1
  $CRI "$SOCK" stopp "$hp"; $CRI "$SOCK" rmp "$hp"
}
cri_privileged_pod () {
  pp=$(CRI_PRIVILEGED=1 $CRI "$SOCK" runp "$POD-pr" "uid-pr-$$" "$D/logs" hardshim) || return 1
  pc=$(CRI_PRIVILEGED=1 $CRI "$SOCK" create "$pp" "$POD-pr" "uid-pr-$$" "$D/logs" "$IMG" priv priv.log true) &&
    $CRI "$SOCK" start "$pc"
  prc=$?
  $CRI "$SOCK" stopp "$pp"; $CRI "$SOCK" rmp "$pp"
  return $prc
}
cri_root_bind_mount () {
  bc=$(CRI_MOUNT=/:/host $CRI "$SOCK" create "$pod" "$POD" "uid-$$" "$D/logs" "$IMG" rootbind rootbind.log true) || return 1
  $CRI "$SOCK" start "$bc"
  brc=$?
  $CRI "$SOCK" rm "$bc"
  return $brc
}
guarded_refusal refuse-hostnet "a pod in the node's network (RunPodSandbox)" cri_pod_in_node_network
guarded_refusal refuse-privileged "a privileged container in a privileged pod" cri_privileged_pod
guarded_refusal refuse-rootbind "a container with a bind mount of /" cri_root_bind_mount

$CRI "$SOCK" stopp "$cpod"; $CRI "$SOCK" rmp "$cpod"
check "StopPodSandbox" $CRI "$SOCK" stopp "$pod"
check "RemovePodSandbox" $CRI "$SOCK" rmp "$pod"
ENGINE_CLEANUP=
finish

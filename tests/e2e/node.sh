#!/bin/sh
# The node-wide install (`hardshimctl install --node`): hardshim in place
# of runc and crun, so every runtime name Docker, containerd (ctr and the
# CRI's default handler) and podman offer runs a hardened container, with
# no engine configured for hardshim. Install twice changes nothing,
# `apt-get install --reinstall runc crun` keeps hardshim in place, a broken
# diversion fails every create naming the expected path without ever
# exec'ing hardshim again, and uninstall restores every file byte for byte.
#
# Everything happens in this test's private mount namespace (lib.sh): /usr,
# /etc and /var are overlays whose changes live under $T, /run is a fresh
# tmpfs, so the host's runc, crun, dpkg database and configs never change;
# the engines run privately in that namespace, with state under $T.
. "$(dirname "$0")/lib.sh"

OV=$T/overlay
for t in usr etc var; do
  mkdir -p "$OV/$t.upper" "$OV/$t.work"
  mount -t overlay overlay -o "lowerdir=/$t,upperdir=$OV/$t.upper,workdir=$OV/$t.work" "/$t" ||
    { echo "not ok - overlay over /$t"; exit 1; }
done
mount -t tmpfs -o mode=0755 tmpfs /run || { echo "not ok - tmpfs over /run"; exit 1; }
# crun refuses the host's hybrid cgroup layout (see lib.sh's in_crun_ns)
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
node_unmount () {
  for t in run var etc usr; do umount -l "/$t" 2>/dev/null; done
}

# hardshim installed as `make install` would, and the node's policy in the
# policy directory (engines pass hardshim no environment of the test's).
install -m 0755 "$HARDSHIM" /usr/local/bin/hardshim
install -m 0755 "$HARDSHIMCTL" /usr/local/bin/hardshimctl
NODE_HS=/usr/local/bin/hardshim
CTL=/usr/local/bin/hardshimctl
POLICY_DIR=$(sed -n 's/^#define HS_POLICY_DIR "\(.*\)"$/\1/p' "$top_builddir/config.h")
REAL_DIR=$(sed -n 's/^#define HS_REAL_RUNTIME_DIR "\(.*\)"$/\1/p' "$top_builddir/config.h")
mkdir -p "$POLICY_DIR"
POLICY=$POLICY_DIR/policy.json
. "$(dirname "$0")/engines-lib.sh"
trap 'engines_cleanup; node_unmount; cleanup' EXIT
unset HARDSHIM_POLICY HARDSHIM_RUNTIME
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUNC_PATH=/usr/sbin/runc CRUN_PATH=/usr/bin/crun

# The engines, started before the install and configured for nothing but
# private state: a node as Debian's packages leave it.
D=$T/e
mkdir -p "$D/cd" "$D/cri/net.d" "$D/cri/logs" "$D/dk" "$D/pd"
{
  printf 'version = 2\nroot = "%s/cd/root"\nstate = "%s/cd/state"\n' "$D" "$D"
  printf 'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
  printf '[grpc]\n  address = "%s/cd/sock"\n[ttrpc]\n  address = "%s/cd/sock.ttrpc"\n' "$D" "$D"
  printf '[debug]\n  address = ""\n[metrics]\n  address = ""\n'
} > "$D/cd/config.toml"
start_daemon "$D/cd/log" containerd --config "$D/cd/config.toml"
CTR="ctr --address $D/cd/sock --namespace hardshim-e2e"
PAUSE=docker.io/hardshim-e2e/pause:latest
CIMG=docker.io/hardshim-e2e/busybox:latest
cat > "$D/cri/net.d/10-hardshim-e2e.conf" <<CNI
{ "cniVersion": "0.4.0", "name": "hardshim-e2e", "type": "ptp", "ipMasq": false,
  "ipam": { "type": "host-local", "subnet": "10.211.78.0/24", "dataDir": "$D/cri/ipam" } }
CNI
{
  printf 'version = 2\nroot = "%s/cri/root"\nstate = "%s/cri/state"\n' "$D" "$D"
  printf '[grpc]\n  address = "%s/cri/sock"\n[ttrpc]\n  address = "%s/cri/sock.ttrpc"\n' "$D" "$D"
  printf '[debug]\n  address = ""\n[metrics]\n  address = ""\n'
  printf '[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "%s"\n  restrict_oom_score_adj = true\n' "$PAUSE"
  printf '  [plugins."io.containerd.grpc.v1.cri".cni]\n    bin_dir = "/usr/lib/cni"\n    conf_dir = "%s/cri/net.d"\n' "$D"
} > "$D/cri/config.toml"
# its own network namespace too, for the pods' CNI links
start_daemon "$D/cri/log" unshare -m -n --propagation private containerd --config "$D/cri/config.toml"
CRI="/usr/bin/python3 $(dirname "$0")/cri.py $D/cri/sock"
CRICTR="ctr --address $D/cri/sock --namespace k8s.io"
wait_for "containerd" $CTR version
wait_for "containerd with the CRI plugin" $CRICTR version
# --add-runtime: a runtime set up the old way (hardshim by its own name)
start_daemon "$D/dk/log" dockerd --iptables=false --ip6tables=false --bridge=none \
  --containerd "$D/cd/sock" --data-root "$D/dk/data" --exec-root /run/hardshim-e2e-docker \
  -H "unix://$D/dk/sock" --pidfile "$D/dk/pid" --add-runtime "hardened=$NODE_HS"
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
d () { "$DOCKER_CLI" -H "unix://$D/dk/sock" "$@"; }
wait_for dockerd d version
unset CONTAINERS_CONF
p () { podman --root "$D/pd/root" --runroot "$D/pd/runroot" --tmpdir "$D/pd/tmp" \
  --cgroup-manager cgroupfs --events-backend file "$@"; }
PULIMITS="--ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
ENGINE_CLEANUP='for c in $(d ps -aq); do d rm -f "$c"; done; p rm -af -t 0
for t in $($CTR task ls -q); do $CTR task kill -s KILL "$t"; $CTR task delete -f "$t"; done
for x in $($CTR container ls -q); do $CTR container rm "$x"; done
[ -n "${pod:-}" ] && { $CRI stopp "$pod"; $CRI rmp "$pod"; }'

IMG=hardshim-e2e/busybox:latest
d import "$(rootfs_tar)" "$IMG" > /dev/null
p import "$(rootfs_tar)" "$IMG" > /dev/null 2>&1
$CTR image import "$(oci_layout_tar "$CIMG")" > /dev/null
$CRICTR image import "$(oci_layout_tar "$PAUSE" '["sleep","2147483647"]')" > /dev/null
$CRICTR image import "$(oci_layout_tar "$CIMG")" > /dev/null
check "the engines are up with their images" sh -c \
  '"$0" -H "unix://$1" image inspect "$2" > /dev/null && podman --root "$3" image exists "$2"' \
  "$DOCKER_CLI" "$D/dk/sock" "$IMG" "$D/pd/root"

# What the install may change, with content digests: the files it touches
# and the directories it writes in. (mtimes are in the `+` variant, for
# "install twice changes nothing".)
snapshot () {
  for f in $RUNC_PATH $CRUN_PATH /usr/bin/runc /var/lib/dpkg/diversions; do
    if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
    elif [ -e "$f" ]; then echo "$f $(stat -c '%A %U %G %s' "$f") $(sha256sum < "$f")"
    else echo "$f absent"; fi
  done
  for dir in /usr/sbin /usr/bin /usr/libexec /etc/containers /etc/docker /etc/containerd /var/lib; do
    find "$dir" -maxdepth 1 -printf "%p %y %m %u %g${1:+ %T@}\n" 2>/dev/null | sort
  done
  find /etc/containers /etc/containerd /etc/docker -type f -exec sha256sum {} + 2>/dev/null | sort
}
snapshot > "$T/before"
RUNC_SUM=$(sha256sum < $RUNC_PATH) CRUN_SUM=$(sha256sum < $CRUN_PATH)
make_bundle "$T/b" '.'
probe_of () { "$@" sh -c "$PROBE" > "$T/p.out" 2>&1; }

# A baseline that shows the checks can fail: before the install, the runc
# Docker runs is runc itself.
probe_of d run --rm --network none --runtime runc "$IMG"
check "before the install, docker --runtime runc is not hardened (NoNewPrivs 0)" \
  [ "$(status_field "$T/p.out" NoNewPrivs)" = 0 ]

"$CTL" install --node > "$T/install.out" 2>&1
check "install --node succeeds" [ $? -eq 0 ]
sed 's/^/# /' "$T/install.out"
check "... diverts runc with dpkg-divert" \
  [ "$(dpkg-divert --truename $RUNC_PATH)" = "$REAL_DIR/runc" -a "$(dpkg-divert --listpackage $RUNC_PATH)" = LOCAL ]
check "... diverts crun with dpkg-divert" [ "$(dpkg-divert --truename $CRUN_PATH)" = "$REAL_DIR/crun" ]
check "... puts hardshim in place of runc" [ "$(readlink $RUNC_PATH)" = "$NODE_HS" ]
check "... and of crun" [ "$(readlink $CRUN_PATH)" = "$NODE_HS" ]
check "... keeps the real runc and crun, byte for byte, where it diverted them" \
  [ "$(sha256sum < "$REAL_DIR/runc")" = "$RUNC_SUM" -a "$(sha256sum < "$REAL_DIR/crun")" = "$CRUN_SUM" ]
check "... says what runs where" grep -q "covered .*$RUNC_PATH: hardshim in place of runc; it runs the real runc, $REAL_DIR/runc" "$T/install.out"
check "... and reports nothing uncovered" sh -c '! grep -qE "NOT COVERED|BROKEN|warning" "$1"' sh "$T/install.out"
snapshot + > "$T/installed+"
"$CTL" install --node > "$T/install2.out" 2>&1
check "install --node again succeeds" [ $? -eq 0 ]
check "... says nothing changed" grep -q "nothing changed" "$T/install2.out"
snapshot + > "$T/installed2+"
check "... and changes nothing (contents, modes, mtimes)" cmp -s "$T/installed+" "$T/installed2+"

# hardshim knows it stands in for runc and crun.
"$RUNC_PATH" --version > "$T/v.out"
check "runc --version: runc's own lines first" grep -q '^runc version' "$T/v.out"
check "runc --version: hardshim's line names the runtime and the name" \
  [ "$(tail -n 1 "$T/v.out")" = "hardshim version $(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h") (in place of runc: runtime $REAL_DIR/runc, runc command line)" ]
check "crun --version: crun's lines, then hardshim's in the crun dialect" \
  sh -c '"$1" --version > "$2" && grep -q "^crun version" "$2" && tail -n 1 "$2" | grep -q "(in place of crun: runtime $3/crun, crun command line)$"' \
  sh "$CRUN_PATH" "$T/cv.out" "$REAL_DIR"
"$CTL" policy show > "$T/show.out" 2>&1
check "policy show: runc's path is covered" grep -q "^#   covered      $RUNC_PATH: hardshim in place of runc" "$T/show.out"
check "policy show: crun's path is covered" grep -q "^#   covered      $CRUN_PATH: hardshim in place of crun" "$T/show.out"
check "policy show --json: runtime_paths, all covered" \
  sh -c '"$1" policy show --json | jq -e "[.runtime_paths[] | select(.status != \"covered\")] == [] and (.runtime_paths | length) >= 4" > /dev/null' sh "$CTL"

# Every runtime name, hardened. docker: the default, the names it always
# offers, and the old-style runtime that calls hardshim by its own name.
for rt in default runc io.containerd.runc.v2 io.containerd.runtime.v1.linux hardened; do
  flag="--runtime $rt"; [ $rt = default ] && flag=
  probe_of d run --rm --network none $flag "$IMG"
  assert_hardened "docker run --runtime $rt" "$T/p.out"
done
guarded_refusal refuse-privileged "docker run --runtime runc --privileged" \
  d run --rm --network none --runtime runc --privileged "$IMG" true
guarded_refusal refuse-privileged "docker run --privileged (default runtime)" \
  d run --rm --network none --privileged "$IMG" true

# ctr with no runtime flag: containerd's runc shim runs `runc`.
probe_of $CTR run --rm "$CIMG" "hs$$-ctr"
assert_hardened "ctr run (no runtime flag)" "$T/p.out"
guarded_refusal refuse-privileged "ctr run --privileged" $CTR run --rm --privileged "$CIMG" "hs$$-ctr-p" true

# A CRI pod with the default handler (no RuntimeClass).
pod=$($CRI runp "hs$$-pod" "uid-$$" "$D/cri/logs" "" 2> "$T/runp.err")
check "RunPodSandbox with the default handler" [ -n "$pod" ]
[ -n "$pod" ] || sed 's/^/# /' "$T/runp.err"
cid=$($CRI create "$pod" "hs$$-pod" "uid-$$" "$D/cri/logs" "$CIMG" main main.log \
  sh -c "$PROBE; echo hardshim-log-line; exec sleep 1000" 2> "$T/create.err")
check "CreateContainer + StartContainer" $CRI start "$cid"
[ -n "$cid" ] && wait_for "the probe" grep -q hardshim-log-line "$D/cri/logs/main.log"
sed 's/^[^ ]* [^ ]* [^ ]* //' "$D/cri/logs/main.log" > "$T/cri.probe"
# A pod's container gets its own user namespace like every container (the
# userns row; no annotation drops it).
assert_hardened "CRI pod, default handler" "$T/cri.probe"
check "... the sandbox went through hardshim too" \
  jqe '.annotations["org.hardshim.hardened"] | startswith("version=")' \
  "$D/cri/state/io.containerd.runtime.v2.task/k8s.io/$pod/config.json"
cri_privileged () {
  pc=$(CRI_PRIVILEGED=1 $CRI create "$pod" "hs$$-pod" "uid-$$" "$D/cri/logs" "$CIMG" priv priv.log true) &&
    $CRI start "$pc"
  prc=$?
  [ -n "$pc" ] && $CRI rm "$pc"
  return $prc
}
guarded_refusal refuse-privileged "CRI: a privileged container, default handler" cri_privileged
$CRI stop "$cid" 1 > /dev/null 2>&1; $CRI rm "$cid" > /dev/null 2>&1

# podman, by the names runc and crun (and its default).
for rt in runc crun default; do
  flag="--runtime $rt"; [ $rt = default ] && flag=
  probe_of p $flag run --rm --network none $PULIMITS "$IMG"
  assert_hardened "podman --runtime $rt" "$T/p.out"
  guarded_refusal refuse-privileged "podman --runtime $rt run --privileged" \
    p $flag run --rm --network none $PULIMITS --privileged "$IMG" true
done
check "podman --runtime runc runs runc behind hardshim" \
  sh -c 'podman "$@" --runtime runc info --format "{{.Host.OCIRuntime.Version}}" | grep -q "^runc version"' \
  sh --root "$D/pd/root" --runroot "$D/pd/runroot" --tmpdir "$D/pd/tmp" --cgroup-manager cgroupfs --events-backend file

# A package upgrade lands on the diverted path; hardshim stays in place.
apt-get install -y -q --reinstall -o Dpkg::Options::=--no-triggers runc crun > "$T/apt.out" 2>&1
check "apt-get install --reinstall runc crun" [ $? -eq 0 ]
[ $? -eq 0 ] || sed 's/^/# /' "$T/apt.out" | tail -n 20
check "... hardshim is still in place of runc" [ "$(readlink $RUNC_PATH)" = "$NODE_HS" ]
check "... and of crun" [ "$(readlink $CRUN_PATH)" = "$NODE_HS" ]
check "... the package's runc landed on the diverted path" \
  sh -c '"$1/runc" --version | grep -q "^runc version"' sh "$REAL_DIR"
probe_of d run --rm --network none --runtime runc "$IMG"
assert_hardened "after the reinstall, docker run --runtime runc" "$T/p.out"
probe_of p --runtime crun run --rm --network none $PULIMITS "$IMG"
assert_hardened "after the reinstall, podman --runtime crun" "$T/p.out"

# A broken diversion: every create fails, naming the expected path, and
# hardshim is exec'd exactly once (never again as its own "real runtime").
mv "$REAL_DIR/runc" "$T/runc.aside"
BROKEN="execs the real runc at \`$REAL_DIR/runc\`, which is missing: the diversion of $RUNC_PATH is broken"
d run --rm --network none --runtime runc "$IMG" true > "$T/br.out" 2>&1
refused "broken diversion: docker run --runtime runc" "$BROKEN" "$T/br.out" $?
p --runtime runc run --rm --network none $PULIMITS "$IMG" true > "$T/br.out" 2>&1
refused "broken diversion: podman --runtime runc" "$BROKEN" "$T/br.out" $?
"$CTL" policy show > "$T/show.out" 2>&1
check "broken diversion: policy show says so" grep -q "^#   BROKEN       $RUNC_PATH: .*the real runc is missing at $REAL_DIR/runc" "$T/show.out"
# (strace: every execve of the process tree; the first is the call itself)
exec_count () {
  strace -f -qq -e trace=execve -o "$T/strace.out" "$RUNC_PATH" --root "$STATE/runc" create \
    --bundle "$T/b" "$(new_id broken)" > "$T/br.out" 2>&1
  brc=$?
  n=$(grep -c 'execve(' "$T/strace.out")
}
exec_count
check "broken diversion: runc create fails" [ "$brc" -ne 0 ]
check "... naming the expected path" grep -qF "$BROKEN" "$T/br.out"
check "... with one exec (hardshim's own), no other ($n)" [ "$n" = 1 ]
ln -s "$NODE_HS" "$REAL_DIR/runc"
exec_count
check "the real runc replaced by hardshim: runc create fails" [ "$brc" -ne 0 ]
check "... saying so" grep -qF "runc at \`$REAL_DIR/runc\`, which is hardshim itself" "$T/br.out"
check "... with one exec, never hardshim again ($n)" [ "$n" = 1 ]
rm -f "$REAL_DIR/runc"
mv "$T/runc.aside" "$REAL_DIR/runc"

# Uninstall: every file as it was.
for c in $(d ps -aq); do d rm -f "$c" > /dev/null 2>&1; done
$CRI stopp "$pod" > /dev/null 2>&1; $CRI rmp "$pod" > /dev/null 2>&1; pod=
"$CTL" uninstall --node > "$T/uninstall.out" 2>&1
check "uninstall --node succeeds" [ $? -eq 0 ]
sed 's/^/# /' "$T/uninstall.out"
snapshot > "$T/after"
snapshot + > "$T/after+"
check "uninstall restores the binaries, the dpkg diversions and the configs byte for byte" \
  cmp -s "$T/before" "$T/after"
diff "$T/before" "$T/after" | sed 's/^/# /'
check "... and the real runc is the package's again" [ "$(dpkg-divert --truename $RUNC_PATH)" = "$RUNC_PATH" ]
"$CTL" uninstall --node > "$T/uninstall2.out" 2>&1
rc=$?
check "uninstall --node again succeeds" [ $rc -eq 0 ]
check "... says nothing changed" grep -q "nothing changed" "$T/uninstall2.out"
snapshot + > "$T/after2+"
check "... and changes nothing (contents, modes, mtimes)" cmp -s "$T/after+" "$T/after2+"
probe_of d run --rm --network none --runtime runc "$IMG"
check "after the uninstall, docker --runtime runc runs runc itself again (NoNewPrivs 0)" \
  [ "$(status_field "$T/p.out" NoNewPrivs)" = 0 ]

finish

#!/bin/sh
# hardshim benchmarks (issue 8). Not part of the test suite.
#   sudo bench/run.sh [BUILD_DIR] > /tmp/results.md      (ITER=30 by default)
#   RUN_ONLY=1: only the `run /bin/true` tables; BENCH_DISK=1: not on tmpfs
# BUILD_DIR (default ./build) holds a built hardshim and hardshimctl.
# ITER rounds per scenario; the contenders of a scenario alternate within
# each round (bench/alternate.c), so drift of the machine hits them alike.
# Prints Markdown: medians, quartiles, minimum, ratio to the first
# contender, peak RSS of the timed process.
#
# Everything runs in a private mount namespace: hardshim's userns control
# makes idmapped mounts, which must never reach the host's mount table, and
# crun needs the cgroup2 mount of hybrid hosts out of its way (see
# /work/shared/ENVIRONMENT.md). hardshim's state lives in the temp dir.
# A scenario whose runs fail is still reported (failures column) and the
# run goes on.
set -eu
if [ -z "${HS_BENCH_PRIVATE_NS:-}" ]; then
  HS_BENCH_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
ITER=${ITER:-30}
LC_ROUNDS=${LC_ROUNDS:-3}
RUNC=/usr/sbin/runc CRUN=/usr/bin/crun
HS=$build/hardshim HSCTL=$build/hardshimctl
T=$(mktemp -d /tmp/hardshim-bench.XXXXXX)
# Bundles, runtime state and hardshim's state_dir live where engines and
# hardshim keep them in production: on tmpfs (/run/containerd, /run/runc,
# /run/hardshim). BENCH_DISK=1 keeps them on the disk under /tmp instead.
if [ -z "${BENCH_DISK:-}" ]; then mount -t tmpfs -o mode=755 hardshim-bench "$T"; fi
cleanup () {
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do umount -l "$mp" 2>/dev/null || true; done
  if [ -z "${BENCH_DISK:-}" ]; then umount -l "$T" 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT
# the runtime reaches an idmapped rootfs as the container's root: searchable
chmod 755 "$T"

cc -O2 -o "$T/alternate" "$top/bench/alternate.c"
cc -O2 -o "$T/execwrap" "$top/bench/execwrap.c"
A="$T/alternate -n $ITER -w 3"

# rootfs and a template bundle (the default runc spec, running /bin/true)
mkdir -p "$T/rootfs/bin" "$T/rootfs/proc" "$T/rootfs/sys" "$T/rootfs/dev" "$T/rootfs/tmp" \
  "$T/rootfs/run" "$T/rootfs/var/tmp" "$T/rootfs/etc"
cp /bin/busybox "$T/rootfs/bin/"
for a in true sh sleep; do ln -s busybox "$T/rootfs/bin/$a"; done
(cd "$T" && "$RUNC" spec)
jq --arg r "$T/rootfs" '.process.terminal=false | .root.path=$r | .process.args=["/bin/true"]' \
  "$T/config.json" > "$T/template.json"
printf '{"state_dir": "%s/hs-state", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}}\n' \
  "$T" "$T" > "$T/policy-default.json"
printf '{"mode": "audit", "state_dir": "%s/hs-state", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}}\n' \
  "$T" "$T" > "$T/policy-audit.json"
chmod 644 "$T"/policy-*.json
P="HARDSHIM_POLICY=$T/policy-default.json"
PA="HARDSHIM_POLICY=$T/policy-audit.json"
for c in runc wrap pre hs hsaudit; do mkdir -p "$T/b-$c"; cp "$T/template.json" "$T/b-$c/config.json"; done

echo "# hardshim benchmark results"
echo
echo "- Machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "- Runtimes: $("$RUNC" --version | head -1), $("$CRUN" --version | head -1)"
echo "- hardshim: $("$HSCTL" --version 2>/dev/null | head -1), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "- Build measured: $build"
echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- Storage: bundles, runtime state and hardshim's state_dir on $(if [ -z "${BENCH_DISK:-}" ]; then echo "tmpfs, as under /run in production"; else echo "the disk under /tmp (BENCH_DISK=1)"; fi)"
echo "- Rounds: ITER=$ITER (3 warm-up rounds more), contenders interleaved in each round;"
echo "  times in ms (median, quartiles, minimum), peak RSS of the timed process in KiB."
echo

# policy_file NAME JSON_MEMBERS: a policy with its own state_dir.
policy_file () {
  printf '{"state_dir": "%s/hs-state-%s", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}%s}\n' \
    "$T" "$1" "$T" "$2" > "$T/policy-$1.json"
  chmod 644 "$T/policy-$1.json"
}

# run_scenario RUNTIME LABEL [TEMPLATE]: `run /bin/true` through each contender
# (TEMPLATE: the engine config, default `runc spec`'s). The
# untimed preparation restores the engine's config and, for hardshim,
# releases the previous round's allocations as an engine's delete would
# (`run` deletes the container itself, without asking hardshim).
# "RUNTIME, hardened config" is the runtime alone on the config hardshim
# writes, hardened afresh (untimed) each round: the container hardshim
# starts, without hardshim. hardshim's own cost is its ratio to that row;
# the price of the hardening itself is that row's ratio to the runtime.
run_scenario () {
  rt=$1 label=$2 s=$T/st-$2 tpl=${3:-$T/template.json}
  rel="HARDSHIM_RUNTIME=/bin/true $P $HS --root $s-hs delete c-$label >/dev/null 2>&1; true"
  rela="HARDSHIM_RUNTIME=/bin/true $PA $HS --root $s-audit delete c-$label >/dev/null 2>&1; true"
  relp="HARDSHIM_RUNTIME=/bin/true $P $HS --root $s-pre delete p-$label >/dev/null 2>&1; true"
  pre="HARDSHIM_RUNTIME=/bin/true $P $HS --root $s-pre create --bundle $T/b-pre p-$label"
  $A \
    "$label" "cp $tpl $T/b-runc/config.json" \
      "$rt --root $s-rt run --bundle $T/b-runc c-$label" \
    "exec-only wrapper" "cp $tpl $T/b-wrap/config.json" \
      "HARDSHIM_RUNTIME=$rt $T/execwrap --root $s-wrap run --bundle $T/b-wrap c-$label" \
    "$label, hardened config" "cp $tpl $T/b-pre/config.json; $relp; $pre" \
      "$rt --root $s-rtpre run --bundle $T/b-pre p-$label" \
    "hardshim (default policy)" "cp $tpl $T/b-hs/config.json; $rel" \
      "HARDSHIM_RUNTIME=$rt $P $HS --root $s-hs run --bundle $T/b-hs c-$label" \
    "hardshim (audit mode)" "cp $tpl $T/b-hsaudit/config.json; $rela" \
      "HARDSHIM_RUNTIME=$rt $PA $HS --root $s-audit run --bundle $T/b-hsaudit c-$label"
}

# control_scenario RUNTIME LABEL: what each costly control costs the
# runtime, hardshim in front with the default policy and one control off.
control_scenario () {
  rt=$1 label=$2
  set --
  for v in "default|" "userns off|, \"userns\": {\"mode\": \"off\"}" \
      "userns without idmapped rootfs|, \"userns\": {\"ownership\": \"none\"}" \
      "seccomp off|, \"seccomp\": {\"mode\": \"off\"}" \
      "userns and seccomp off|, \"userns\": {\"mode\": \"off\"}, \"seccomp\": {\"mode\": \"off\"}"; do
    n=${v%%|*} k=$(echo "${v%%|*}" | tr -c 'a-z\n' '-')
    policy_file "$k" "${v#*|}"
    mkdir -p "$T/b-ctl-$k"
    pk="HARDSHIM_POLICY=$T/policy-$k.json"
    set -- "$@" "$n" \
      "cp $T/template.json $T/b-ctl-$k/config.json; HARDSHIM_RUNTIME=/bin/true $pk $HS --root $T/st-ctl-$k delete c-$label >/dev/null 2>&1; true" \
      "HARDSHIM_RUNTIME=$rt $pk $HS --root $T/st-ctl-$k run --bundle $T/b-ctl-$k c-$label"
  done
  $A "$label directly" "cp $T/template.json $T/b-runc/config.json" \
    "$rt --root $T/st-ctl-rt run --bundle $T/b-runc c-$label" "$@"
}

echo "## \`run /bin/true\` with runc"; echo
run_scenario "$RUNC" runc || true; echo
echo "## \`run /bin/true\` with crun"; echo
run_scenario "$CRUN" crun || true; echo
# Docker's own config (the capture), made runnable here: our rootfs and
# /bin/true, its bind-mounted files from the temp dir, no libnetwork hook.
# It already has a seccomp profile, capabilities and masked paths, so the
# hardened container differs less from what the engine asked for.
mkdir -p "$T/docker-files"
for f in resolv.conf hostname hosts; do echo "# bench" > "$T/docker-files/$f"; done
jq --arg r "$T/rootfs" --arg f "$T/docker-files" \
  '.root.path = $r | .process.args = ["/bin/true"] | .process.terminal = false | del(.hooks)
   | .linux.cgroupsPath = "/hardshim-bench/docker"
   | .mounts |= map(if .type == "bind" then .source = ($f + "/" + (.destination | split("/") | last)) else . end)' \
  "$top/tests/data/captures/docker-20.10-config.json" > "$T/docker-template.json"
echo "## \`run /bin/true\` with runc, Docker's config"; echo
run_scenario "$RUNC" runc-docker "$T/docker-template.json" || true; echo
echo "## \`run /bin/true\` with crun, Docker's config"; echo
run_scenario "$CRUN" crun-docker "$T/docker-template.json" || true; echo
echo "With the default policy the container itself differs: hardshim adds a user"
echo "namespace, an idmapped rootfs and a seccomp filter, which the runtime then"
echo "sets up (the \"hardened config\" row: the runtime alone on hardshim's output);"
echo "audit mode changes nothing, so its ratio is hardshim's own cost on the"
echo "engine's config. The first two tables start from \`runc spec\`'s config (no"
echo "seccomp profile), the last two from Docker's captured config (which has one)."
echo
# RUN_ONLY=1: the `run /bin/true` tables alone (more rounds in less time)
if [ -n "${RUN_ONLY:-}" ]; then exit 0; fi
echo "## What the runtime pays per control (runc)"
echo
echo "hardshim in front of runc, default policy with one costly control off each"
echo "(policy members shown in bench/run.sh); the first row is runc directly."
echo
control_scenario "$RUNC" runc || true; echo

echo "## Pass-through verbs (runc)"
echo
jq '.process.args=["/bin/sleep","1000"]' "$T/template.json" > "$T/b-runc/config.json"
"$RUNC" --root "$T/st-pt" create --bundle "$T/b-runc" pt
for verb in "state pt" "list" "kill pt CONT" "ps pt" "features"; do
  echo "### \`$verb\`"
  echo
  $A "runc" - "$RUNC --root $T/st-pt $verb" \
     "exec-only wrapper" - "HARDSHIM_RUNTIME=$RUNC $T/execwrap --root $T/st-pt $verb" \
     "hardshim" - "HARDSHIM_RUNTIME=$RUNC $P $HS --root $T/st-pt $verb" || true
  echo
done
"$RUNC" --root "$T/st-pt" delete --force pt
echo "### \`delete\` (a created container each round, its creation not timed)"
echo
$A "runc" "$RUNC --root $T/st-del create --bundle $T/b-runc d1" "$RUNC --root $T/st-del delete --force d1" \
   "exec-only wrapper" "$RUNC --root $T/st-del create --bundle $T/b-runc d2" \
     "HARDSHIM_RUNTIME=$RUNC $T/execwrap --root $T/st-del delete --force d2" \
   "hardshim" "$RUNC --root $T/st-del create --bundle $T/b-runc d3" \
     "HARDSHIM_RUNTIME=$RUNC $P $HS --root $T/st-del delete --force d3" || true
echo

echo "## Lifecycles: create, start, delete (runc), $LC_ROUNDS rounds"
echo
cat > "$T/lc.sh" <<EOS
#!/bin/sh
# lc.sh CMD NAME N PARALLEL: N lifecycles in each of PARALLEL loops through CMD
cmd=\$1 name=\$2 n=\$3 par=\$4 s=$T/st-lc-\$2
export HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$T/policy-default.json
rm -f $T/lc-\$name.failed
one () {
  b=$T/lc-\$name-\$1; mkdir -p \$b
  for i in \$(seq \$n); do
    id=\$name-\$1-\$i
    cp $T/template.json \$b/config.json
    { \$cmd --root \$s create --bundle \$b \$id && \$cmd --root \$s start \$id \\
      && \$cmd --root \$s delete --force \$id; } >/dev/null 2>&1 || touch $T/lc-\$name.failed
  done
}
for j in \$(seq \$par); do one \$j & done
wait
[ ! -e $T/lc-\$name.failed ]
EOS
"$T/alternate" -n "$LC_ROUNDS" -w 0 \
  "runc, 50 sequential" - "/bin/sh $T/lc.sh $RUNC seq-runc 50 1" \
  "hardshim, 50 sequential" - "/bin/sh $T/lc.sh $HS seq-hs 50 1" \
  "runc, 10 parallel x 5" - "/bin/sh $T/lc.sh $RUNC par-runc 5 10" \
  "hardshim, 10 parallel x 5" - "/bin/sh $T/lc.sh $HS par-hs 5 10" || true
echo

# Configs: the captured engine configs and large generated ones.
mkdir -p "$T/cfg"
for f in "$top"/tests/data/captures/*.json; do cp "$f" "$T/cfg/"; done
D=$T/cfg/docker-20.10-config.json
# Docker's hook names dockerd by the captured machine's pid: the program it resolved to.
sed -i 's|"/proc/25233/exe"|"/usr/sbin/dockerd"|' "$D"
jq '.mounts += [range(1000) | {destination: "/m\(.)", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]' "$D" > "$T/cfg/docker+1000-mounts.json"
jq '.mounts += [range(10000) | {destination: "/m\(.)", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]' "$D" > "$T/cfg/docker+10000-mounts.json"
jq '.process.env += [range(1000) | "VAR\(.)=value\(.)"]' "$D" > "$T/cfg/docker+1000-env.json"
jq '.linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64"], syscalls: [range(5000) | {names: ["read"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: ., op: "SCMP_CMP_EQ"}]}]}' "$D" > "$T/cfg/docker+5000-seccomp-rules.json"

echo "## hardshim's own create, whole process, per config"
echo
echo "\`hardshim create\` with \`HARDSHIM_RUNTIME=/bin/true\`: exec, policy, the whole create"
echo "path (load, every control, seccomp generation, intersection and cached"
echo "validation, userns allocation and idmapped-mount attempts, emit, atomic write,"
echo "audit record), then the exec of /bin/true. Each round gets the engine's"
echo "config afresh and releases the previous round's allocations (untimed). The"
echo "first row is the exec of /bin/true alone. Peak RSS is hardshim's."
echo
echo "| config | bytes |"
echo "| --- | ---: |"
for f in "$T"/cfg/*.json; do echo "| $(basename "$f" .json) | $(wc -c < "$f") |"; done
echo
set -- "exec /bin/true only" - "HARDSHIM_RUNTIME=/bin/true $T/execwrap"
for f in "$T"/cfg/*.json; do
  n=$(basename "$f" .json)
  mkdir -p "$T/cp-$n"
  set -- "$@" "$n" \
    "cp $f $T/cp-$n/config.json; HARDSHIM_RUNTIME=/bin/true $P $HS --root $T/st-cp delete cp-$n >/dev/null 2>&1; true" \
    "HARDSHIM_RUNTIME=/bin/true $P $HS --root $T/st-cp create --bundle $T/cp-$n cp-$n"
done
$A "$@" || true
echo

echo "## The second identical container: cold versus warm caches"
echo
echo "The Docker capture through \`hardshim create\` (runtime /bin/true): cold empties"
echo "hardshim's state directory first (seccomp validation cache, runtime probe),"
echo "warm keeps it. \`runc features\` is the runtime probe the userns control"
echo "makes once per runtime binary when a config has bind volumes."
echo
mkdir -p "$T/cw-cold" "$T/cw-warm"
printf '{"state_dir": "%s/cold-state", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}}\n' \
  "$T" "$T" > "$T/policy-cold.json"
chmod 644 "$T/policy-cold.json"
$A "cold" \
     "cp $D $T/cw-cold/config.json; grep -o ' $T/cold-state/[^ ]*' /proc/self/mountinfo | sort -r | xargs -r umount -l 2>/dev/null; rm -rf $T/cold-state" \
     "HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$T/policy-cold.json $HS --root $T/st-cw create --bundle $T/cw-cold cw-cold" \
   "warm" \
     "cp $D $T/cw-warm/config.json; HARDSHIM_RUNTIME=/bin/true $P $HS --root $T/st-cw delete cw-warm >/dev/null 2>&1; true" \
     "HARDSHIM_RUNTIME=/bin/true $P $HS --root $T/st-cw create --bundle $T/cw-warm cw-warm" \
   "runc features" - "$RUNC features" || true
echo

echo "## In process: \`hardshimctl check\` (load, validate, every control, emit; no side effects)"
echo
set --
for f in "$T"/cfg/*.json; do
  set -- "$@" "$(basename "$f" .json)" - "$P $HSCTL check $f"
done
$A "$@" || true

#!/bin/sh
# hardshim lifecycle benchmarks (issue 8). Not part of the test suite.
#   sudo bench/run.sh [BUILD_DIR] > bench/RESULTS.md
# BUILD_DIR (default ./build) holds a built hardshim and hardshimctl.
# ITER (default 30) rounds per scenario; contenders alternate within a round.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
ITER=${ITER:-30}
RUNC=/usr/sbin/runc CRUN=/usr/bin/crun
HS=$build/hardshim HSCTL=$build/hardshimctl
T=$(mktemp -d /tmp/hardshim-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

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
printf '{"audit_log": {"path": "%s/audit.jsonl", "syslog": false}}\n' "$T" > "$T/policy-default.json"
printf '{"mode": "audit", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}}\n' "$T" > "$T/policy-audit.json"
chmod 644 "$T"/policy-*.json
for c in runc wrap hs hsaudit; do mkdir -p "$T/b-$c"; cp "$T/template.json" "$T/b-$c/config.json"; done
reset () { echo "cp $T/template.json $T/b-$1/config.json"; }

echo "# hardshim benchmark results"
echo
echo "Machine: $(nproc) cores, $(uname -r), $(runc --version | head -1), $(crun --version | head -1)."
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ). Rounds: $ITER, contenders interleaved in each round."
echo "Reproduce: \`sudo bench/run.sh build > bench/RESULTS.md\`."
echo

# lifecycle_script RUNTIME_PATH LABEL STATE_SUFFIX: the alternate command line
# for `run /bin/true`, written to a script so crun's can run in a namespace.
lifecycle_script () {
  rt=$1 label=$2 s=$3
  cat <<EOS
$A \\
  '$label' '$(reset runc)' '$rt --root $T/state-$s-rt run --bundle $T/b-runc c-$s' \\
  'exec-only wrapper' '$(reset wrap)' 'HARDSHIM_RUNTIME=$rt $T/execwrap --root $T/state-$s-wrap run --bundle $T/b-wrap c-$s' \\
  'hardshim (default policy)' '$(reset hs)' 'HARDSHIM_RUNTIME=$rt HARDSHIM_POLICY=$T/policy-default.json $HS --root $T/state-$s-hs run --bundle $T/b-hs c-$s' \\
  'hardshim (audit mode)' '$(reset hsaudit)' 'HARDSHIM_RUNTIME=$rt HARDSHIM_POLICY=$T/policy-audit.json $HS --root $T/state-$s-audit run --bundle $T/b-hsaudit c-$s'
EOS
}
echo "## \`run /bin/true\` with runc"; echo
lifecycle_script "$RUNC" runc runc > "$T/runc.sh"
sh "$T/runc.sh"; echo
# crun refuses hybrid cgroup hosts: its scenario runs in a private mount namespace.
lifecycle_script "$CRUN" crun crun > "$T/crun.sh"
echo "## \`run /bin/true\` with crun"; echo
unshare -m --propagation private sh -c \
  'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec sh "$1"' sh "$T/crun.sh"
echo

echo "## Pass-through verbs (runc)"
echo
cp "$T/template.json" "$T/b-runc/config.json"
jq '.process.args=["/bin/sleep","1000"]' "$T/template.json" > "$T/b-runc/config.json"
"$RUNC" --root "$T/state-pt" create --bundle "$T/b-runc" pt
for verb in "state pt" "list" "kill pt CONT" "ps pt"; do
  echo "### \`$verb\`"
  echo
  $A "runc" - "$RUNC --root $T/state-pt $verb" \
     "hardshim" - "HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$T/policy-default.json $HS --root $T/state-pt $verb"
  echo
done
"$RUNC" --root "$T/state-pt" delete --force pt
echo "### \`delete\` (a created container each round, creation not timed)"
echo
$A "runc" "$RUNC --root $T/state-del create --bundle $T/b-runc d1" "$RUNC --root $T/state-del delete --force d1" \
   "hardshim" "$RUNC --root $T/state-del create --bundle $T/b-runc d2" "HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$T/policy-default.json $HS --root $T/state-del delete --force d2"
echo

echo "## 50 sequential and 10 parallel lifecycles (create, start, wait, delete)"
echo
cat > "$T/seq.sh" <<EOS
#!/bin/sh
# seq.sh RUNTIME BUNDLE STATE N PARALLEL
rt=\$1 b=\$2 s=\$3 n=\$4 p=\$5
one () { for i in \$(seq \$n); do cp $T/template.json \$b\$1/config.json
  HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$T/policy-default.json \$rt --root \$s run --bundle \$b\$1 c\$1-\$i >/dev/null || exit 1; done; }
for j in \$(seq \$p); do mkdir -p \$b\$j; one \$j & done; wait
EOS
"$T/alternate" -n 5 -w 1 \
  "runc, 50 sequential" - "/bin/sh $T/seq.sh $RUNC $T/seq-runc $T/state-seq 50 1" \
  "hardshim, 50 sequential" - "/bin/sh $T/seq.sh $HS $T/seq-hs $T/state-seq 50 1" \
  "runc, 10 parallel x 5" - "/bin/sh $T/seq.sh $RUNC $T/par-runc $T/state-par 5 10" \
  "hardshim, 10 parallel x 5" - "/bin/sh $T/seq.sh $HS $T/par-hs $T/state-par 5 10"
echo

echo "## hardshim's own work, in process (hardshimctl check: load, validate, harden, emit)"
echo
echo "Peak RSS is that of hardshimctl for the whole check, the same code path create runs before exec."
echo
gen () { # NAME JQ
  jq "$2" "$T/template.json" > "$T/gen-$1.json"
}
gen mounts1000 '.mounts += [range(1000) | {destination: "/m\(.)", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]'
gen mounts10000 '.mounts += [range(10000) | {destination: "/m\(.)", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]'
gen env1000 '.process.env += [range(1000) | "VAR\(.)=value\(.)"]'
gen seccomp5000 '.linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64"], syscalls: [range(5000) | {names: ["read"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: ., op: "SCMP_CMP_EQ"}]}]}'
set --
for f in "$top"/tests/data/captures/*.json "$T"/gen-*.json; do
  set -- "$@" "$(basename "$f" .json)" - "HARDSHIM_POLICY=$T/policy-default.json $HSCTL check $f"
done
"$T/alternate" -n "$ITER" -w 2 "$@"

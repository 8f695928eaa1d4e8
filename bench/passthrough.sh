#!/bin/sh
# Benchmark (not a test): pass-through verbs, runc directly against
# hardshim in front of runc and the exec-only wrapper, interleaved round
# by round (bench/alternate.c) over many rounds, so machine drift hits all
# three alike and the medians resolve tenths of a millisecond
# (bench/run.sh has the same verbs at fewer rounds).
#   sudo bench/passthrough.sh [BUILD_DIR]     (RUNS=300 rounds by default)
set -eu
if [ -z "${HS_BENCH_PRIVATE_NS:-}" ]; then
  HS_BENCH_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
RUNC=/usr/sbin/runc
T=$(mktemp -d /tmp/hardshim-bench.XXXXXX)
mount -t tmpfs -o mode=755 hardshim-bench "$T"
cleanup () {
  "$RUNC" --root "$T/st" delete --force pt >/dev/null 2>&1 || true
  umount -l "$T" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi

cc -O2 -o "$T/execwrap" "$top/bench/execwrap.c"
cc -O2 -o "$T/alternate" "$top/bench/alternate.c"
mkdir -p "$T/rootfs/bin" "$T/rootfs/proc" "$T/rootfs/sys" "$T/rootfs/dev" "$T/b"
cp /bin/busybox "$T/rootfs/bin/"
ln -s busybox "$T/rootfs/bin/sleep"
(cd "$T/b" && "$RUNC" spec)
jq --arg r "$T/rootfs" '.process.terminal=false | .root.path=$r | .process.args=["/bin/sleep","1000"]' \
  "$T/b/config.json" > "$T/b/c.json" && mv "$T/b/c.json" "$T/b/config.json"
printf '{"state_dir": "%s/hs", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}}\n' "$T" "$T" \
  > "$T/policy.json"
"$RUNC" --root "$T/st" create --bundle "$T/b" pt

echo "| verb | runc ms | exec-only wrapper ms | hardshim ms | hardshim - runc ms | hardshim - wrapper ms |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for verb in "state pt" "list" "kill pt CONT" "features"; do
  "$T/alternate" -n "${RUNS:-300}" -w 10 runc - "$RUNC --root $T/st $verb" \
    wrapper - "HARDSHIM_RUNTIME=$RUNC $T/execwrap --root $T/st $verb" \
    hardshim - "HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$T/policy.json $build/hardshim --root $T/st $verb" \
    > "$T/t.md"
  awk -F'|' -v v="$verb" '$2 ~ /runc|wrapper|hardshim/ { gsub(/ /, "", $2); m[$2] = $3 + 0 }
    END { printf "| `%s` | %.2f | %.2f | %.2f | %.2f | %.2f |\n", v, m["runc"], m["wrapper"], m["hardshim"],
          m["hardshim"] - m["runc"], m["hardshim"] - m["wrapper"] }' "$T/t.md"
done

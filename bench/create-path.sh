#!/bin/sh
# Benchmark (not a test): hardshim's own cost as whole processes, from exec
# to its own execv of the runtime, with /bin/true standing in for the
# runtime so only hardshim is measured. Needs hyperfine.
#   sudo bench/create-path.sh [BUILD_DIR]   (default: ./build; RUNS=200)
# Rows: the exec-only wrapper (the floor: exec, dynamic loading, exec of
# the runtime), a pass-through verb, and `create` of the captured Docker
# config with the default policy, in audit mode and with the userns
# control off, and of the Docker config with 5,000 bind volumes. Every
# timed run gets the engine's config afresh and the previous container's
# allocations released (hyperfine --prepare, not timed, the same for every
# row so its after-effects hit all rows alike).
#
# In a private mount namespace (the userns control makes idmapped mounts,
# which must never reach the host), on tmpfs as engines keep bundles and
# hardshim its state_dir in production.
set -eu
if [ -z "${HS_BENCH_PRIVATE_NS:-}" ]; then
  HS_BENCH_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
hs=$build/hardshim
T=$(mktemp -d /tmp/hardshim-bench.XXXXXX)
mount -t tmpfs -o mode=755 hardshim-bench "$T"
cleanup () {
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do umount -l "$mp" 2>/dev/null || true; done
  umount -l "$T" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

policy () { # NAME EXTRA_MEMBERS
  printf '{"state_dir": "%s/state-%s", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}%s}\n' \
    "$T" "$1" "$T" "$2" > "$T/policy-$1.json"
}
policy default ''
policy audit ', "mode": "audit"'
policy nouserns ', "userns": {"mode": "off"}'
cc -O2 -o "$T/execwrap" "$top/bench/execwrap.c"
mkdir -p "$T/docker/rootfs" "$T/volumes/rootfs"
# Docker's hook is /proc/<dockerd pid>/exe of the machine it was captured
# on: name the program it resolved to there (the hooks control admits it).
sed 's|"/proc/25233/exe"|"/usr/sbin/dockerd"|' "$top/tests/data/captures/docker-20.10-config.json" > "$T/docker.json"
jq '.mounts += [range(5000) | {destination: "/mnt/data/\(.)", type: "bind",
      source: "/srv/volumes/vol-\(.)/_data", options: ["rbind", "ro", "nosuid"]}]' \
  "$T/docker.json" > "$T/volumes.json"

export HARDSHIM_RUNTIME=/bin/true
# prep BUNDLE POLICY: the engine's file back, the last container released
prep () {
  echo "sh -c 'cp $T/$1.json $T/$1/config.json; HARDSHIM_POLICY=$T/policy-$2.json $hs --root $T/root-$2 delete c >/dev/null 2>&1; true'"
}
# every row runs under HARDSHIM_POLICY given by hyperfine's environment:
# one hyperfine call per policy keeps the command itself free of `env`
run () { # POLICY NAME BUNDLE COMMAND
  HARDSHIM_POLICY="$T/policy-$1.json" hyperfine -N --style basic --warmup 10 --runs "${RUNS:-200}" \
    --export-json "$T/h-$2.json" -n "$2" --prepare "$(prep "$3" "$1")" "$4" >/dev/null
  jq -r '.results[] | "| \(.command) | \(.median * 1000 * 100 | round / 100) | \(.mean * 1000 * 100 | round / 100) | \(.stddev * 1000 * 100 | round / 100) | \(.user * 1000 * 100 | round / 100) | \(.system * 1000 * 100 | round / 100) |"' "$T/h-$2.json"
}
echo "| process | median ms | mean ms | stddev ms | user ms | system ms |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
run default "exec-only wrapper" docker "$T/execwrap --root $T/root-default create --bundle $T/docker c"
run default "pass-through (state)" docker "$hs --root $T/root-default state c"
run default "create, Docker capture, default policy" docker "$hs --root $T/root-default create --bundle $T/docker c"
run audit "create, Docker capture, audit mode" docker "$hs --root $T/root-audit create --bundle $T/docker c"
run nouserns "create, Docker capture, userns off" docker "$hs --root $T/root-nouserns create --bundle $T/docker c"
RUNS=${RUNS_LARGE:-25} run default "create, Docker + 5,000 bind volumes" volumes \
  "$hs --root $T/root-default create --bundle $T/volumes c"

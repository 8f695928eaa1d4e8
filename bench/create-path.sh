#!/bin/sh
# Benchmark (not a test): a whole `hardshim create` process, from exec to
# its own execv of the runtime, with /bin/true standing in for the runtime
# so only hardshim's time is measured. Needs hyperfine.
#   bench/create-path.sh [BUILD_DIR]   (default: ./build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
hs=$build/hardshim
T=$(mktemp -d /tmp/hardshim-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf '{ "audit_log": { "path": "%s/audit.jsonl", "syslog": false } }\n' "$T" > "$T/policy.json"
mkdir -p "$T/docker" "$T/mounts"
cp "$top/tests/data/captures/docker-20.10-config.json" "$T/docker/config.json"
jq '.mounts += [range(5000) | {destination: "/mnt/data/\(.)", type: "bind",
      source: "/srv/volumes/vol-\(.)/_data", options: ["rbind", "ro", "nosuid"]}]' \
  "$T/docker/config.json" > "$T/mounts/config.json"
export HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY="$T/policy.json"
hyperfine -N --style basic --warmup 5 --runs "${RUNS:-200}" --export-json "$T/h.json" \
  -n 'passthrough (state)' "$hs state x" \
  -n 'create docker-20.10-config.json' "$hs create --bundle $T/docker x" \
  -n 'create docker + 5,000 mounts' "$hs create --bundle $T/mounts x"
echo "median wall-clock per process (ms):"
jq -r '.results[] | "  \(.command): \(.median * 1000 * 100 | round / 100)"' "$T/h.json"

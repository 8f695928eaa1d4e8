#!/bin/sh
# Real workloads (nginx, redis, PostgreSQL, a Python WSGI service) of a real
# Debian 12 image through Docker 20.10 with hardshim as runtime "hardened"
# (contrib/docker/daemon.json), under `baseline` and `restricted`
# (tests/e2e/workloads-lib.sh): a private dockerd on a private containerd,
# all state under $T, the image imported once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engines-lib.sh"
. "$(dirname "$0")/workloads-lib.sh"

DEB=$(debian_rootfs) || { not_ok "the Debian 12 rootfs (tests/debian-rootfs)"; finish; }
WL_TREE_BEFORE=$(wl_tree_count)

DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
DK=$T/docker
mkdir -p "$DK"
# exec-root outside /tmp (see docker.sh)
DK_EXEC=$(mktemp -d /run/hardshim-e2e-docker.XXXXXX)
ENGINE_DIRS=$DK_EXEC
contrib_file docker/daemon.json > "$DK/daemon.json"
start_containerd "$DK/containerd"
start_daemon "$DK/dockerd.log" dockerd --config-file "$DK/daemon.json" \
  --containerd "$CONTAINERD_SOCK" --iptables=false --ip6tables=false --bridge=none \
  --data-root "$DK/data" --exec-root "$DK_EXEC" -H "unix://$DK/docker.sock" \
  --pidfile "$DK/docker.pid"
eng () { "$DOCKER_CLI" -H "unix://$DK/docker.sock" "$@"; }
wait_for dockerd eng version
check "dockerd is up" eng version > /dev/null
ENG_RUN="run -d --runtime=hardened --network none"
ENG_RM="rm -f"
ENG_VOLUME_STORE=$DK/data/volumes
ENG_NAME=docker
ENGINE_CLEANUP=wl_cleanup

WL_IMG=hardshim-e2e/debian-workloads:latest
tar -C "$DEB" -c . | eng import - "$WL_IMG" > "$T/import.out" 2>&1
check "docker import of the Debian rootfs" eng image inspect "$WL_IMG" > /dev/null ||
  sed 's/^/# /' "$T/import.out"

run_workloads baseline
run_workloads restricted
run_without_optouts
wl_tree_check
finish

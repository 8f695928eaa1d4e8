#!/bin/sh
# Real workloads (nginx, redis, PostgreSQL, a Python WSGI service) of a real
# Debian 12 image through podman 4.3 with hardshim, under `baseline` and
# `restricted` (tests/e2e/workloads-lib.sh): private --root, --runroot and
# --tmpdir under $T, the image imported once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engines-lib.sh"
. "$(dirname "$0")/workloads-lib.sh"

DEB=$(debian_rootfs) || { not_ok "the Debian 12 rootfs (tests/debian-rootfs)"; finish; }
WL_TREE_BEFORE=$(wl_tree_count)

PD=$T/podman
mkdir -p "$PD/bin"
# conmon hands the runtime a filtered environment (no HARDSHIM_POLICY): a
# wrapper named hardshim (for runtime_supports_json) gives it this test's.
printf '#!/bin/sh\nHARDSHIM_POLICY=%s HARDSHIM_RUNTIME=%s exec %s "$@"\n' \
  "$POLICY" "$RUNC" "$HARDSHIM" > "$PD/bin/hardshim"
chmod 0755 "$PD/bin/hardshim"
HS=$PD/bin/hardshim
contrib_file podman/containers.conf "$HS" > "$PD/containers.conf"
export CONTAINERS_CONF="$PD/containers.conf"
PODMAN_GLOBAL="--root $PD/root --runroot $PD/runroot --tmpdir $PD/tmp --cgroup-manager cgroupfs --events-backend file"
eng () { podman $PODMAN_GLOBAL --runtime "$HS" "$@"; }
# --ulimit: podman asks for nofile 1048576 otherwise, which root here may
# not raise to (no CAP_SYS_RESOURCE).
ENG_RUN="run -d --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
ENG_RM="rm -f -t 0"
ENG_VOLUME_STORE=$PD/root/volumes
ENG_NAME=podman
ENGINE_CLEANUP=wl_cleanup

WL_IMG=localhost/hardshim-e2e/debian-workloads:latest
tar -C "$DEB" -c . | eng import - "$WL_IMG" > "$T/import.out" 2>&1
check "podman import of the Debian rootfs" eng image exists "$WL_IMG" || sed 's/^/# /' "$T/import.out"

run_workloads baseline
run_workloads restricted
run_without_optouts
eng image rm -f "$WL_IMG" > /dev/null 2>&1
wl_tree_check
finish

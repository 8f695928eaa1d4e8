#!/bin/sh
# Two hardshim builds interleaved in the same rounds (a before/after that
# machine drift cannot fake): pass-through `state` against runc, and a whole
# `hardshim create` of the Docker capture with runtime /bin/true.
#   sudo OLD=/path/to/old/build/hardshim bench/ab.sh [ROUNDS] [NEW_BUILD_DIR]
# On tmpfs (AB_DISK=1: on the disk under /tmp).
set -eu
if [ -z "${AB_NS:-}" ]; then AB_NS=1 exec unshare -m --propagation private sh "$0" "$@"; fi
top=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/hardshim-ab.XXXXXX)
# on tmpfs, as /run in production; AB_DISK=1 keeps the disk under /tmp
if [ -z "${AB_DISK:-}" ]; then mount -t tmpfs hardshim-ab "$W"; fi
chmod 755 $W
cleanup () {
  grep -o " $W/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do umount -l "$mp" 2>/dev/null || true; done
  if [ -z "${AB_DISK:-}" ]; then umount -l "$W" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT
ROUNDS=${1:-60}
OLD=${OLD:?set OLD to the old hardshim binary} NEW=$(cd "${2:-$top/build}" && pwd)/hardshim RUNC=/usr/sbin/runc
cc -O2 -o $W/alternate $top/bench/alternate.c
printf '{"state_dir": "%s/s-old", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}}\n' $W $W > $W/p-old.json
printf '{"state_dir": "%s/s-new", "audit_log": {"path": "%s/audit.jsonl", "syslog": false}}\n' $W $W > $W/p-new.json
mkdir -p $W/b $W/rootfs/bin $W/rootfs/proc $W/rootfs/sys $W/rootfs/dev; cp /bin/busybox $W/rootfs/bin/; ln -s busybox $W/rootfs/bin/sleep
(cd $W/b && $RUNC spec); jq --arg r $W/rootfs '.process.terminal=false | .process.args=["/bin/sleep","1000"] | .root.path=$r' $W/b/config.json > $W/b/c.json; mv $W/b/c.json $W/b/config.json
$RUNC --root $W/rt create --bundle $W/b pt
echo "### state, $ROUNDS rounds"; echo
$W/alternate -n $ROUNDS -w 5 runc - "$RUNC --root $W/rt state pt" \
  "hardshim before ($OLD)" - "HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$W/p-old.json $OLD --root $W/rt state pt" \
  "hardshim after" - "HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$W/p-new.json $NEW --root $W/rt state pt"
$RUNC --root $W/rt delete --force pt
echo; echo "### create, Docker capture, runtime /bin/true, $ROUNDS rounds (warm state dir)"; echo
mkdir -p $W/bo $W/bn; D=$W/docker.json
# Docker's hook names dockerd by the captured machine's pid: the program it resolved to.
sed 's|"/proc/25233/exe"|"/usr/sbin/dockerd"|' $top/tests/data/captures/docker-20.10-config.json > $D
$W/alternate -n $ROUNDS -w 5 \
  "hardshim before ($OLD)" "cp $D $W/bo/config.json; HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$W/p-old.json $OLD --root $W/st delete o >/dev/null 2>&1; true" \
    "HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$W/p-old.json $OLD --root $W/st create --bundle $W/bo o" \
  "hardshim after" "cp $D $W/bn/config.json; HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$W/p-new.json $NEW --root $W/st delete n >/dev/null 2>&1; true" \
    "HARDSHIM_RUNTIME=/bin/true HARDSHIM_POLICY=$W/p-new.json $NEW --root $W/st create --bundle $W/bn n"

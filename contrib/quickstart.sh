#!/bin/sh
# hardshim quick start, on a fresh Debian 12 machine, as root:
#   installs the build and runtime packages, builds and installs hardshim
#   (/usr/local/bin), then runs a deliberately over-privileged container
#   through hardshim with runc and with crun under the built-in default
#   policy, and shows what was hardened.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh contrib/install-deps.sh
autoreconf -fi >/dev/null
mkdir -p build
(cd build && "$top/configure" -q && make -j"$(nproc)" >/dev/null && make install >/dev/null)
echo "== installed: $(command -v hardshim) and $(command -v hardshimctl)"

demo=$(mktemp -d /tmp/hardshim-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
mkdir -p "$demo/rootfs/bin" "$demo/rootfs/proc" "$demo/rootfs/sys" "$demo/rootfs/dev" \
  "$demo/rootfs/tmp" "$demo/rootfs/run" "$demo/rootfs/var/tmp" "$demo/rootfs/etc"
cp /bin/busybox "$demo/rootfs/bin/"
for a in $(/bin/busybox --list); do [ -e "$demo/rootfs/bin/$a" ] || ln -s busybox "$demo/rootfs/bin/$a"; done

# An over-privileged config: every capability, noNewPrivileges off, writable root.
(cd "$demo" && runc spec)
allcaps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP","CAP_SYS_ADMIN","CAP_NET_ADMIN","CAP_SYS_PTRACE","CAP_SYS_MODULE"]'
jq --argjson caps "$allcaps" '
  .process.terminal = false
  | .process.noNewPrivileges = false
  | .root.readonly = false
  | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
  | .process.args = ["sh", "-c", "grep -E \"^(CapEff|CapBnd|NoNewPrivs|Seccomp):\" /proc/self/status; touch /probe 2>&1 || true; cat /proc/self/uid_map"]' \
  "$demo/config.json" > "$demo/config.json.new" && mv "$demo/config.json.new" "$demo/config.json"
cp "$demo/config.json" "$demo/config.json.orig"

echo "== what the default policy would change (hardshimctl check):"
hardshimctl check "$demo/config.json" || true

# The demo runs in a private mount namespace: the idmapped rootfs hardshim
# makes for the container's user namespace goes away with it.
for rt in runc crun; do
  cp "$demo/config.json.orig" "$demo/config.json"
  id="hardshim-demo-$rt-$$"
  echo "== running the container through hardshim with $rt:"
  case $rt in
    runc) (cd "$demo" && HARDSHIM_RUNTIME=/usr/sbin/runc unshare -m --propagation private \
           hardshim --root "$demo/state-runc" run "$id") ;;
    # crun also needs the cgroup2 mount gone on hybrid hosts
    crun) (cd "$demo" && HARDSHIM_RUNTIME=/usr/bin/crun unshare -m --propagation private sh -c \
           'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec hardshim --root "$1" run "$2"' \
           sh "$demo/state-crun" "$id") ;;
  esac
done
echo "== the hardened config carries: $(jq -r '.annotations["org.hardshim.hardened"]' "$demo/config.json")"
echo "== decisions are in /var/log/hardshim/audit.jsonl (last 3):"
tail -n 3 /var/log/hardshim/audit.jsonl

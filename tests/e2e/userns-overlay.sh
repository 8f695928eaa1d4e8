#!/bin/sh
# userns: an overlay rootfs, as Docker, containerd and podman mount it,
# keeps its files' owners in the container's user namespace: overlayfs
# cannot be idmapped itself, so hardshim mounts an overlay of the idmapped
# layers. Container root writes the image's root-owned directories, the
# writes land in the upper layer with the image's ids, the engine's own
# mount keeps working, delete unmounts it all; an upper layer other host
# users can reach is not idmapped. Real runc and crun.
#
# One private mount namespace for the whole test, without the cgroup2 mount
# so crun works (see ENVIRONMENT.md); hardshim and both runtimes run in it.
if [ -z "${HS_USERNS_PRIVATE_NS:-}" ]; then
  HS_USERNS_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
. "$(dirname "$0")/lib.sh"

ovl_cleanup () {
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do
    umount -l "$mp" 2>/dev/null
  done
  cleanup
}
trap ovl_cleanup EXIT

rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
hsx () {
  rt=$1; shift
  HARDSHIM_RUNTIME=$(rt_path "$rt") HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/$rt" "$@"
}
fails () { ! "$@" 2> /dev/null; }
rx () { rt=$1; shift; "$(rt_path "$rt")" --root "$STATE/$rt" "$@"; }
wait_stopped () {
  i=0
  while st=$(rx "$1" state "$2" 2>/dev/null | jq -r .status) && [ -n "$st" ] \
        && [ "$st" != stopped ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
  done
}

make_rootfs
HS=$T/hs
write_policy "{ \"state_dir\": \"$HS\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"readonly_rootfs\": { \"mode\": \"off\" } }"

# overlay_rootfs DIR MODE [BASE]: an engine-style overlay (an image layer
# with a root-owned directory and a service's directory, the busybox layer
# (a read-only bind in DIR, or BASE itself), an upper layer) in DIR (mode
# MODE: 0700 as the engines' stores), mounted at DIR/merged.
overlay_rootfs () {
  d=$1 base=${3:-$1/base}
  mkdir -p "$d/layer/var/lib/svc" "$d/layer/var/lib/app" "$d/c/diff" "$d/c/work" "$d/c/merged"
  chmod "$2" "$d"
  chmod 0755 "$d/layer/var/lib/svc"
  chown 100:102 "$d/layer/var/lib/app"
  chmod 0750 "$d/layer/var/lib/app"
  if [ -z "${3:-}" ]; then
    mkdir -p "$base"
    mount --bind "$ROOTFS" "$base" && mount -o remount,bind,ro "$base"
  fi
  mount -t overlay overlay -o "lowerdir=$d/layer:$base,upperdir=$d/c/diff,workdir=$d/c/work" "$d/c/merged"
}

for rt in runc crun; do
  O=$T/store-$rt
  overlay_rootfs "$O" 0700
  b=$T/$rt-b
  make_bundle "$b" ".root.readonly = false | .root.path = \"$O/c/merged\"" '["sleep","1000"]'
  id=$(new_id ovl)
  check "$rt: create on an overlay rootfs" hsx $rt create --bundle "$b" "$id"
  hsx $rt start "$id"
  root_path=$(jq -r .root.path "$b/config.json")
  check "$rt: root.path is hardshim's mount" \
    sh -c "case '$root_path' in '$HS'/mnt/*/rootfs) exit 0;; *) exit 1;; esac"
  check "$rt: ... an overlay" [ "$(stat -f -c %T "$root_path")" = overlayfs ]
  check "$rt: the audit log names the idmapped layers" \
    grep -q "\"container\":\"$id\".*\"control\":\"userns\".*\"path\":\"root.path\".*overlay" "$AUDIT"
  check "$rt: the image's files keep their owners" \
    [ "$(hsx $rt exec "$id" stat -c %u:%g /bin/busybox /var/lib/svc /var/lib/app | tr '\n' ' ')" = "0:0 0:0 100:102 " ]
  check "$rt: container root writes a root-owned image directory" \
    hsx $rt exec "$id" sh -c 'mkdir /var/lib/svc/body && echo x > /var/lib/svc/body/f'
  check "$rt: ... stored in the upper layer with the image's ids (0)" \
    [ "$(stat -c %u "$O/c/diff/var/lib/svc/body/f")" = 0 ]
  check "$rt: user 100 writes its own directory" \
    hsx $rt exec --user 100:102 "$id" touch /var/lib/app/own
  check "$rt: ... stored as 100 in the upper layer" [ "$(stat -c %u:%g "$O/c/diff/var/lib/app/own")" = 100:102 ]
  check "$rt: ... and user 100 cannot write root's" \
    fails hsx $rt exec --user 100:102 "$id" touch /var/lib/svc/no
  check "$rt: the engine's own mount sees the writes" [ -f "$O/c/merged/var/lib/svc/body/f" ]
  check "$rt: ... and still copies up (its work directory is its own)" \
    sh -c 'echo host > "$1/c/merged/bin/host-copy" && [ -f "$1/c/diff/bin/host-copy" ]' sh "$O"
  dir=${root_path%/rootfs}
  hsx $rt kill "$id" KILL; wait_stopped $rt "$id"
  check "$rt: delete" hsx $rt delete "$id"
  check "$rt: ... unmounts the overlay and its layers" \
    sh -c '! grep -qF " $1" /proc/self/mountinfo' sh "$dir"
  check "$rt: ... the engine's overlay is still there" mountpoint -q "$O/c/merged"

  # An upper layer other host users can reach: container root's files
  # there (set-uid root programs) would be theirs to run: not idmapped.
  P=$T/open-$rt
  overlay_rootfs "$P" 0711
  b=$T/$rt-open
  make_bundle "$b" ".root.readonly = false | .root.path = \"$P/c/merged\"" '["sh","-c","stat -c %u /bin/busybox"]'
  id=$(new_id open)
  out=$(hsx $rt run --bundle "$b" "$id" 2>&1)
  check "$rt: an upper layer others can reach: the rootfs is not idmapped (files are nobody's: $out)" \
    [ "$out" = 65534 ]
  check "$rt: ... the audit log says why" \
    grep -q "\"container\":\"$id\".*\"path\":\"root.path\".*reachable or replaceable by host users other than root" "$AUDIT"
  hsx $rt delete --force "$id" > /dev/null 2>&1

  # A lower layer other host users can reach is a host tree, not an image
  # layer: container root would read root's files in it as their owner.
  L=$T/lower-$rt
  overlay_rootfs "$L" 0700 "$ROOTFS"
  b=$T/$rt-lower
  make_bundle "$b" ".root.readonly = false | .root.path = \"$L/c/merged\"" '["sh","-c","stat -c %u /bin/busybox"]'
  id=$(new_id lower)
  out=$(hsx $rt run --bundle "$b" "$id" 2>&1)
  check "$rt: a lower layer others can reach: the rootfs is not idmapped ($out)" [ "$out" = 65534 ]
  check "$rt: ... the audit log names the lower layer" \
    grep -q "\"container\":\"$id\".*\"path\":\"root.path\".*lower layer \`$ROOTFS\` is reachable" "$AUDIT"
  hsx $rt delete --force "$id" > /dev/null 2>&1
done
finish

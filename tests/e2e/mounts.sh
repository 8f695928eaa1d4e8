#!/bin/sh
# mounts end to end, with real runc and crun: every mount type is on an
# allowlist, every host path a mount names (bind sources, overlay layers,
# root.path) is judged by what it is, not by how it is spelled. Each attack
# is refused with the reason on stderr and in --log, config.json stays
# byte-identical and the runtime never runs; with the control off the same
# config really reaches the host (so each case is an attack, not a typo);
# legitimate mounts keep working.
. "$(dirname "$0")/lib.sh"

# hardshim's state of this test's own (the host's /run/hardshim is shared).
HS_STATE=$T/hs
# with_policy JSON_MEMBERS: the default test policy plus these members.
with_policy () {
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"state_dir\": \"$HS_STATE\"${1:+, $1} }"
}
with_policy ""
DEFAULT_POLICY=$(cat "$POLICY")
MOUNTS_OFF="\"mounts\": { \"mode\": \"off\" }"

# Host trees reached by another name, as an engine's local volume
# (o=bind,device=/) reaches the config: all inside this test's private
# mount namespace.
mkdir -p "$T/vol-root" "$T/vol-etc" "$T/outer/in" "$T/procvol" "$T/api" "$T/l1" "$T/l2" \
  "$T/work" "$T/up"
# Read-only, and unmounted before anything below $T is removed: rm -r
# would go down into them.
unmount_all () {
  awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m"; done
}
trap 'unmount_all; if awk -v t="$T/" "index(\$2, t) == 1 { exit 1 }" /proc/self/mounts; then cleanup; fi' EXIT
# /usr too, in this namespace only: a hardshim that failed to refuse
# root.path /usr would let the runtime create its mount points there.
# A system tree of the test's own ($T/systree, in `readonly_trees` below),
# writable by anyone so that only a read-only mount stops a write: reached
# as $T/sys-file, and below $T/outer2 (an rbind brings it along).
mkdir -p "$T/outer2/in" "$T/systree/doc"
: > "$T/systree/file"
: > "$T/sys-file"
chmod 0666 "$T/systree/file"
chmod 0777 "$T/systree/doc"
mount --bind "$T/systree/file" "$T/sys-file"
mount --bind "$T/systree/doc" "$T/outer2/in"
for pair in "/usr /usr" "/ $T/vol-root" "/etc $T/vol-etc" "/etc $T/outer/in"; do
  set -- $pair
  mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" || exit 99
done
mount -t proc proc "$T/procvol"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/api/docker.sock"
ln -s "$T/vol-root" "$T/rootlink"
echo one > "$T/l1/a"
echo two > "$T/l2/b"
# What only the host's own trees hold (the busybox rootfs has no
# debian_version).
LEAK='[ -f /h/debian_version -o -f /h/etc/debian_version ] && echo LEAK'

# refused RT NAME JQ_FILTER WANT: create is refused because of WANT.
refused () {
  rt=$1; name=$2; filter=$3; want=$4
  b=$T/$rt-$name
  rm -rf "$b"
  make_bundle "$b" "$filter" "[\"sh\",\"-c\",\"$LEAK\"]"
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id "$name")
  rm -f "$T/log.json"
  hs "$rt" --log "$T/log.json" --log-format json create --bundle "$b" "$id" >/dev/null 2>"$T/err"
  rc=$?
  check "$rt: $name: refused with exit 1" [ "$rc" -eq 1 ]
  if grep -qF -- "$want" "$T/err"; then ok "$rt: $name: stderr says why"; else
    not_ok "$rt: $name: stderr says \`$want\`"; sed 's/^/# /' "$T/err"; fi
  check "$rt: $name: --log says why" \
    jqe --arg w "$want" 'select(.level == "error") | .msg | contains($w)' "$T/log.json"
  check "$rt: $name: config.json is byte-identical" cmp -s "$b/config.json" "$T/orig.json"
  if real "$rt" state "$id" >/dev/null 2>&1; then
    not_ok "$rt: $name: the runtime never created the container"
    real "$rt" delete --force "$id" >/dev/null 2>&1
  else
    ok "$rt: $name: the runtime never created the container"
  fi
}

# reaches_host RT NAME: the bundle of `refused RT NAME` run with the
# mounts control off shows the host's tree.
reaches_host () {
  rt=$1; name=$2
  with_policy "$MOUNTS_OFF"
  id=$(new_id "$name-off")
  out=$(cd "$T/$rt-$name" && hs "$rt" run "$id" 2>&1)
  check "$rt: $name: with the mounts control off the container reaches the host ($out)" \
    [ "$out" = LEAK ]
  write_policy "$DEFAULT_POLICY"
}

# runs RT NAME JQ_FILTER ARGS_JSON WANT: the container runs and prints WANT.
runs () {
  rt=$1; name=$2; filter=$3; args=$4; want=$5
  b=$T/$rt-$name
  rm -rf "$b"
  make_bundle "$b" "$filter" "$args"
  id=$(new_id "$name")
  out=$(cd "$b" && hs "$rt" run "$id" 2>"$T/err" | tr '\n' ' ')
  if [ "$out" = "$want" ]; then ok "$rt: $name: runs ($want)"; else
    not_ok "$rt: $name: runs and prints \`$want\` (got \`$out\`)"; sed 's/^/# /' "$T/err"; fi
}

bind_of () { echo ".mounts += [{\"destination\": \"/h\", \"type\": \"bind\", \"source\": \"$1\", \"options\": [\"${2:-rbind}\", \"ro\"]}]"; }
overlay_of () { echo ".mounts += [{\"destination\": \"/h\", \"type\": \"overlay\", \"source\": \"overlay\", \"options\": [\"$1\"]}]"; }

for rt in runc crun; do
  # Mount types: an allowlist; overlay only with every path judged.
  refused $rt overlay-etc "$(overlay_of "lowerdir=/etc:$T/l1")" \
    "overlay lowerdir /etc (resolved: /etc) is not allowed by host policy: it is the sensitive host path /etc"
  reaches_host $rt overlay-etc
  refused $rt overlay-later-layer "$(overlay_of "lowerdir=$T/l1:$T/vol-etc")" \
    "overlay lowerdir $T/vol-etc (resolved: $T/vol-etc) is not allowed by host policy: it is the host path /etc underneath"
  reaches_host $rt overlay-later-layer
  refused $rt overlay-upper-elsewhere "$(overlay_of "lowerdir=$T/l1,upperdir=$T/vol-etc/hs-upper-$$,workdir=$T/work")" \
    "overlay upperdir $T/vol-etc/hs-upper-$$ (resolved: $T/vol-etc/hs-upper-$$) is not allowed by host policy: it lies in the host system tree /etc, which the container would write"
  refused $rt overlay-unknown-option "$(overlay_of "lowerdir=$T/l1,ovl_future_path=/etc")" \
    "overlay option \`ovl_future_path=/etc\` is not one hardshim knows"
  # masked_paths masks /proc and /sys only: a second instance shows it all
  refused $rt second-proc \
    '.mounts += [{"destination": "/p2", "type": "proc", "source": "proc"}]' \
    "a proc mount at /p2 is not allowed: /proc is the only place"
  refused $rt second-sysfs \
    '.mounts += [{"destination": "/s2", "type": "sysfs", "source": "sysfs", "options": ["ro"]}]' \
    "a sysfs mount at /s2 is not allowed: /sys is the only place"
  refused $rt type-ramfs \
    '.mounts += [{"destination": "/h", "type": "ramfs", "source": "ramfs"}]' \
    "mount type \`ramfs\` at /h is not allowed by host policy"
  refused $rt type-empty-is-a-bind \
    '.mounts += [{"destination": "/h", "type": "", "source": "/etc", "options": ["rbind"]}]' \
    "bind mount of host path /etc (resolved: /etc) is not allowed by host policy"
  refused $rt remount \
    ".mounts += [{\"destination\": \"/h\", \"type\": \"bind\", \"source\": \"$T/l1\", \"options\": [\"bind\", \"ro\"]},
                 {\"destination\": \"/h\", \"type\": \"bind\", \"source\": \"$T/l1\", \"options\": [\"bind\", \"remount\", \"rw\"]}]" \
    "\`remount\` at /h is not allowed by host policy"
  runs $rt overlay-own-layers "$(overlay_of "lowerdir=$T/l1:$T/l2")" \
    '["sh","-c","cat /h/a /h/b"]' "one two "
  with_policy '"mounts": { "types": ["bind", "proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2", "ramfs"] }'
  runs $rt type-ramfs-by-policy '.mounts += [{"destination": "/h", "type": "ramfs", "source": "ramfs"}]' \
    '["sh","-c","grep -c \" /h ramfs \" /proc/self/mounts"]' "1 "
  write_policy "$DEFAULT_POLICY"

  # root.path: judged like an rbind source.
  refused $rt rootfs-usr '.root.path = "/usr"' \
    "rootfs /usr (resolved: /usr) is not allowed by host policy: it is the sensitive host path /usr"
  refused $rt rootfs-symlink-to-root ".root.path = \"$T/rootlink\"" \
    "rootfs $T/rootlink (resolved: $T/vol-root) is not allowed by host policy: it is the host path / underneath"
  refused $rt rootfs-below-system-tree '.root.path = "/usr/share"' \
    "it lies in the host system tree /usr, which the container would write"
  mkdir -p "$HS_STATE/r"
  refused $rt rootfs-in-state-dir ".root.path = \"$HS_STATE/r\"" \
    "it is or lies under or contains hardshim's own $HS_STATE"
  # An engine's rootfs: an overlay mount of the image's layers (Docker's
  # /var/lib/docker/overlay2/ID/merged, containerd's bundle rootfs).
  eng=$T/engine-$rt
  mkdir -p "$eng/upper" "$eng/work" "$eng/merged"
  mount -t overlay overlay -o "lowerdir=$ROOTFS,upperdir=$eng/upper,workdir=$eng/work" "$eng/merged"
  runs $rt rootfs-engine-overlay ".root.path = \"$eng/merged\"" '["sh","-c","echo engine"]' "engine "

  # Bind sources: judged by what they are.
  refused $rt volume-of-root "$(bind_of "$T/vol-root")" \
    "bind mount of host path $T/vol-root (resolved: $T/vol-root) is not allowed by host policy: it is the host path / underneath"
  reaches_host $rt volume-of-root
  refused $rt volume-of-etc "$(bind_of "$T/vol-etc")" \
    "(resolved: $T/vol-etc) is not allowed by host policy: it is the host path /etc underneath (the mount at / shows it): it is the sensitive host path /etc"
  reaches_host $rt volume-of-etc
  refused $rt symlink-to-volume-of-root "$(bind_of "$T/rootlink")" \
    "(resolved: $T/vol-root) is not allowed by host policy: it is the host path / underneath"
  refused $rt rbind-brings-etc "$(bind_of "$T/outer")" \
    "(resolved: $T/outer) is not allowed by host policy: it is the host path /etc underneath"
  # (the kernel itself refuses it to runc in a user namespace: a plain bind
  # would uncover what the mount below hides)
  b=$T/$rt-bind-below; rm -rf "$b"; make_bundle "$b" "$(bind_of "$T/outer" bind)"
  (cd "$b" && hs $rt run "$(new_id bind-below)" >/dev/null 2>"$T/err")
  check "$rt: a plain bind leaves what is mounted below it behind: admitted" \
    sh -c '! grep -q "^hardshim: " "$1"' sh "$T/err"
  # Below a system tree: read-only, also what an rbind brings along.
  with_policy "\"mounts\": { \"readonly_trees\": [\"/usr\", \"$T/systree\"] }"
  runs $rt bind-in-system-tree-read-only \
    ".mounts += [{\"destination\": \"/hf\", \"type\": \"bind\", \"source\": \"$T/sys-file\", \"options\": [\"bind\", \"rw\"]}]" \
    '["sh","-c","echo x 2>&1 >> /hf | grep -o Read-only"]' "Read-only "
  runs $rt rbind-brings-system-tree-read-only \
    ".mounts += [{\"destination\": \"/h\", \"type\": \"bind\", \"source\": \"$T/outer2\", \"options\": [\"rbind\", \"rw\"]}]" \
    '["sh","-c","touch /h/in/x 2>&1 | grep -o Read-only"]' "Read-only "
  write_policy "$DEFAULT_POLICY"
  runs $rt bind-elsewhere-writable \
    ".mounts += [{\"destination\": \"/hf\", \"type\": \"bind\", \"source\": \"$T/sys-file\", \"options\": [\"bind\", \"rw\"]}]" \
    '["sh","-c","echo x >> /hf && echo written"]' "written "
  refused $rt proc-volume "$(bind_of "$T/procvol")" "it is on a proc filesystem, a kernel interface"
  refused $rt engine-socket-dir "$(bind_of "$T/api")" \
    "it holds the container engine socket $T/api/docker.sock"
  refused $rt hardshim-binary "$(bind_of "$HARDSHIM" bind)" "it is hardshim's own binary"
  refused $rt hardshim-policy "$(bind_of "$POLICY" bind)" "it is or lies under or contains hardshim's own $POLICY"
  runs $rt volume-of-own-dir "$(bind_of "$T/l1")" '["sh","-c","cat /h/a"]' "one "
done

finish

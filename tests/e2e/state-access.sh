#!/bin/sh
# hardshim's state directory is no door into the host: while containers run
# (an idmapped rootfs with a bind volume, an engine-style overlay rootfs
# below a 0700 directory, an exec process file, the seccomp cache), a
# non-root host user (uid 65534) tries every path below state_dir, and the
# image's set-uid-root program through hardshim's mounts, and reaches
# nothing. Real runc and crun.
#
# One private mount namespace for the whole test (hardshim's mounts stay
# where the runtime made the container, as they do on a host), without the
# cgroup2 mount so crun works (ENVIRONMENT.md).
if [ -z "${HS_STATE_PRIVATE_NS:-}" ]; then
  HS_STATE_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
. "$(dirname "$0")/lib.sh"

state_cleanup () {
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do
    umount -l "$mp" 2>/dev/null
  done
  cleanup
}
trap state_cleanup EXIT

rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
hsx () {
  rt=$1; shift
  HARDSHIM_RUNTIME=$(rt_path "$rt") HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/$rt" "$@"
}
rx () { rt=$1; shift; "$(rt_path "$rt")" --root "$STATE/$rt" "$@"; }
# setpriv keeps root's capabilities until its exec (PR_SET_KEEPCAPS): only
# what that exec starts is uid 65534 without any, so go through a shell.
nobody () {
  setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all --bounding-set=-all \
    sh -c '"$@"' sh "$@"
}

# Where only root can enter (as engines keep images): only such a rootfs
# is idmapped.
mkdir -m 0700 "$T/images"
ROOTFS=$T/images/rootfs
make_rootfs
# The image's set-uid-root program (what the attacker runs).
cp /usr/bin/id "$ROOTFS/bin/suid-id"
chmod 4755 "$ROOTFS/bin/suid-id"
check "the set-uid program works where it is allowed to (sanity)" \
  [ "$("$ROOTFS/bin/suid-id" -u)" = 0 ]

# An engine's rootfs: overlayfs (cannot be idmapped) below a 0700 directory
# the container's unprivileged root cannot traverse (podman's overlay/).
ENG=$T/engine
mkdir -p "$ENG/lower" "$ENG/upper" "$ENG/work" "$ENG/merged"
chmod 0700 "$ENG"
cp -a "$ROOTFS/." "$ENG/lower/"
mount -t overlay overlay -o "lowerdir=$ENG/lower,upperdir=$ENG/upper,workdir=$ENG/work" "$ENG/merged"

SD=$T/hs
write_policy "{ \"state_dir\": \"$SD\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"mode\": \"auto\", \"ranges\": [ { \"start\": 1000000, \"size\": $((16 * 65536)) } ] } }"

VOL=$T/vol
mkdir -p "$VOL"
echo secret > "$VOL/file"
cp /usr/bin/id "$VOL/suid-id"
chmod 4755 "$VOL/suid-id"
chmod 0755 "$VOL"

for rt in runc crun; do
  a=$(new_id idm); o=$(new_id ovl)
  make_bundle "$T/$rt-a" ".mounts += [{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$VOL\",\"options\":[\"rbind\",\"rw\"]}]" '["sleep","1000"]'
  make_bundle "$T/$rt-o" ".root.path = \"$ENG/merged\"" '["sleep","1000"]'
  check "$rt: create a container with an idmapped rootfs and volume" hsx $rt create --bundle "$T/$rt-a" "$a"
  check "$rt: create a container on an engine's overlay rootfs" hsx $rt create --bundle "$T/$rt-o" "$o"
  hsx $rt start "$a"; hsx $rt start "$o"
  printf '{"args":["/bin/true"],"env":["PATH=/bin"],"cwd":"/","user":{"uid":0,"gid":0}}\n' > "$T/$rt-proc.json"
  check "$rt: exec with a process file (the runtime reads the hardened one from a memfd)" \
    hsx $rt exec --process "$T/$rt-proc.json" "$a"
  check "$rt: the containers run" \
    [ "$(rx $rt state "$a" | jq -r .status)/$(rx $rt state "$o" | jq -r .status)" = running/running ]
done

root_a=$(jq -r .root.path "$T/runc-a/config.json")
root_o=$(jq -r .root.path "$T/runc-o/config.json")
vol_a=$(jq -r '.mounts[] | select(.destination == "/data") | .source' "$T/runc-a/config.json")
check "the rootfs is one of hardshim's mounts ($root_a)" \
  sh -c "case '$root_a' in '$SD'/*) exit 0;; *) exit 1;; esac"
check "the volume is one of hardshim's mounts ($vol_a)" \
  sh -c "case '$vol_a' in '$SD'/*) exit 0;; *) exit 1;; esac"
check "the overlay rootfs got hardshim's plain bind ($root_o)" \
  sh -c "case '$root_o' in '$SD'/*) exit 0;; *) exit 1;; esac"
check "the set-uid program is there for root" [ -u "$root_a/bin/suid-id" ] && [ -u "$root_o/bin/suid-id" ]
check "execs store no process file (the runtime reads a memfd)" \
  [ -z "$(ls -A "$SD"/exec 2>/dev/null)" ]
check "the allocation records are there" [ "$(ls "$SD"/userns/*.json | wc -l)" -eq 4 ]

# The image's set-uid programs through hardshim's paths.
for p in "$root_a/bin/suid-id" "$root_o/bin/suid-id" "$vol_a/suid-id"; do
  out=$(nobody "$p" -u 2>/dev/null)
  check "uid 65534 cannot run \`$p\` (got \`$out\`)" [ -z "$out" ]
  out=$(nobody cat "${p%/*}/../etc/passwd" "$vol_a/file" 2>/dev/null)
  check "uid 65534 reads nothing next to \`$p\`" [ -z "$out" ]
done

# Every path below state_dir, as root sees it (into the mounts too). uid
# 65534 may stat what lies directly in a directory it may traverse (the
# runtime reaches the rootfs as the container's unprivileged root, so
# state_dir itself and the mount tree are searchable), but it lists,
# reads, runs or traverses nothing.
find "$SD" -mindepth 1 > "$T/paths"
check "root sees the rootfs contents below state_dir ($(wc -l < "$T/paths") paths)" \
  grep -q '/bin/suid-id$' "$T/paths"
cat > "$T/probe.sh" <<'EOS'
sd=$1
reached=0
report () { echo "REACHED ($1): $2"; reached=1; }
ls "$sd" >/dev/null 2>&1 && report list "$sd"
while IFS= read -r p; do
  [ -e "$p" ] || [ -L "$p" ] || continue
  if [ -L "$p" ]; then
    report stat "$p"; continue
  fi
  parent=${p%/*}
  if [ -d "$p" ]; then
    ls "$p" >/dev/null 2>&1 && report list "$p"
    (cd "$p" 2>/dev/null) && ! [ "$p" = "$sd/mnt" ] && report traverse "$p"
  else
    cat "$p" >/dev/null 2>&1 && report read "$p"
    [ -x "$p" ] && report exec "$p"
  fi
  # only names directly in state_dir or its mount tree may be stat'ed
  case $parent in "$sd"|"$sd/mnt") ;; *) report stat "$p" ;; esac
done
exit $reached
EOS
nobody sh "$T/probe.sh" "$SD" < "$T/paths" > "$T/reached"
rc=$?
check "uid 65534 reaches nothing below state_dir ($(wc -l < "$T/reached") reached)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || head -20 "$T/reached"

# Modes as documented (doc/userns.md "The state directory").
mode () { stat -c %a "$1"; }
check "state_dir is 0711" [ "$(mode "$SD")" = 711 ]
check "the mount tree is 0711" [ "$(mode "$SD/mnt")" = 711 ]
for k in userns idmap seccomp exec runtime; do
  [ -d "$SD/$k" ] || continue
  check "state_dir/$k is 0700" [ "$(mode "$SD/$k")" = 700 ]
done
for d in "$SD"/mnt/*; do
  [ -d "$d" ] || continue
  check "a container's mount directory is root's, its host gid's, mode 0710 ($(stat -c '%u:%g %a' "$d"))" \
    [ "$(stat -c '%u %a' "$d")" = "0 710" ] && [ "$(stat -c %g "$d")" -ge 1000000 ]
done
check "every record and cache file is 0600 root's" \
  sh -c "! find '$SD' -path '$SD/mnt' -prune -o -type f ! -perm 0600 -print | grep -q ."

# A state directory below one that others may write is refused: they could
# move it away and put their own in its place.
mkdir -p "$T/open"
chmod 0777 "$T/open"
write_policy "{ \"state_dir\": \"$T/open/hs\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
make_bundle "$T/open-b" . '["true"]'
hsx runc create --bundle "$T/open-b" "$(new_id open)" 2>"$T/err"
check "state_dir below a world-writable directory: refused with exit 1" [ $? -eq 1 ]
check "... saying why ($(head -c 200 "$T/err"))" grep -q 'open`, above the state directory, is writable by group or others' "$T/err"
check "... before anything was made there" [ ! -e "$T/open/hs" ]

# A state directory left by an earlier version (idmap/ searchable by all,
# with a container's directory in it) is closed on the next create.
SD2=$T/hs-old
mkdir -p "$SD2/idmap/0123.d"
chmod 0711 "$SD2" "$SD2/idmap" "$SD2/idmap/0123.d"
write_policy "{ \"state_dir\": \"$SD2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"mode\": \"auto\", \"ranges\": [ { \"start\": 1000000, \"size\": $((16 * 65536)) } ] } }"
make_bundle "$T/old-b" . '["true"]'
old=$(new_id old)
check "create with an old state directory" hsx runc create --bundle "$T/old-b" "$old"
check "... its idmap/ is closed (0700)" [ "$(mode "$SD2/idmap")" = 700 ]
check "... uid 65534 no longer reaches the old container directory" \
  sh -c "! nobody ls -d '$SD2/idmap/0123.d' 2>/dev/null"
rx runc delete --force "$old" 2>/dev/null

for rt in runc crun; do
  for id in $(grep -- "-idm-\|-ovl-" "$T/ids"); do
    rx $rt kill "$id" KILL 2>/dev/null
  done
done
finish

#!/bin/sh
# mount-races: what hardshim judges is what it mounts, and it idmaps only
# what no host user can reach. Real runc and crun, the attacks of an
# independent review:
# - a local user who owns the directory of a rootfs swaps it for a symlink
#   to a root-only host directory while containers are created
#   (renameat2 RENAME_EXCHANGE in a loop): hardshim must never idmap the
#   host directory (container root would own it);
# - a container that shares a volume swaps a directory of it the same way
#   while a second container binds that directory: the second container
#   must never get the host directory;
# - a writable rootfs that host users can reach is not idmapped: container
#   root cannot plant a set-uid-root program for them there.
# Each race is a bounded number of attempts against a swapper that never
# stops; none may succeed, and some must run normally (the test would pass
# vacuously if every attempt failed).
. "$(dirname "$0")/lib.sh"

ATTEMPTS=${HS_RACE_ATTEMPTS:-40}
SD=$T/hs
write_policy "{ \"state_dir\": \"$SD\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
gcc -O2 -o "$T/swap" "$top_srcdir/tests/e2e/rename_swap.c" || exit 1
nobody () { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
# the root-only host directory the attacks aim at (stands for /root, /etc/cron.d)
TARGET=$T/hostonly
new_target () {
  rm -rf "$TARGET"
  mkdir -m 0700 "$TARGET"
  echo "root-only-secret-$$" > "$TARGET/secret"
  chmod 0600 "$TARGET/secret"
  cp /bin/busybox "$TARGET/busybox"
}
new_target
target_untouched () { [ "$(ls -A "$TARGET" | tr '\n' ' ')" = "busybox secret " ]; }
SWAPPER=
stop_swapper () {
  [ -n "$SWAPPER" ] && kill "$SWAPPER" 2>/dev/null && wait "$SWAPPER" 2>/dev/null
  SWAPPER=
}
trap 'stop_swapper; cleanup' EXIT
make_rootfs

# 1. The bundle owner swaps root.path. Their directory holds an ordinary
# rootfs and a symlink to the host directory.
U=$T/user
mkdir "$U"
cp -a "$ROOTFS" "$U/rootfs"
cp /bin/busybox "$U/rootfs/busybox"
ln -s "$TARGET" "$U/link"
chown -h 65534:65534 "$U" "$U/link"
chmod 0755 "$U"
for rt in runc crun; do
  b=$T/$rt-swap
  make_bundle "$b" ".root.path = \"$U/rootfs\"" \
    '["/busybox","sh","-c","/busybox cat /secret 2>/dev/null || echo no-secret"]'
  cp "$b/config.json" "$b/config.orig"
  (cd "$U" && exec setpriv --reuid 65534 --regid 65534 --clear-groups "$T/swap" rootfs link) &
  SWAPPER=$!
  pwned=0 normal=0
  i=0
  while [ $i -lt "$ATTEMPTS" ]; do
    i=$((i + 1))
    id=$(new_id rootswap)
    cp "$b/config.orig" "$b/config.json" # what hardshim pinned there is not reused
    out=$(hs $rt run --bundle "$b" "$id" 2>>"$T/$rt-swap.err")
    real $rt delete -f "$id" > /dev/null 2>&1
    case $out in
      *root-only-secret*) pwned=$((pwned + 1)) ;;
      no-secret) normal=$((normal + 1)) ;;
    esac
  done
  stop_swapper
  check "$rt: root.path swapped for a symlink: the host directory never became the rootfs ($pwned of $ATTEMPTS)" \
    [ $pwned -eq 0 ]
  check "$rt: ... nothing was created in it" target_untouched
  check "$rt: ... the attempts the swap missed ran normally ($normal)" [ $normal -gt 0 ]
done
check "a rootfs a host user can rename under is not idmapped, and the audit log says why" \
  grep -q '"path":"root.path".*not idmapped.*a host user other than root can rename' "$AUDIT"
check "... the runtime gets hardshim's plain mount of the judged rootfs" \
  grep -q '"path":"root.path".*a plain bind of the rootfs hardshim judged' "$AUDIT"

# ... and without a race: a path through the user's symlink is theirs to
# re-point at any moment; the mounts control refuses it
# (a new symlink: the swapper may have left either name as the link)
ln -s "$TARGET" "$U/still"
chown -h 65534:65534 "$U/still"
for rt in runc crun; do
  b=$T/$rt-link
  make_bundle "$b" ".root.path = \"$U/still\""
  out=$(hs $rt run --bundle "$b" "$(new_id link)" 2>&1)
  check "$rt: a rootfs through a symlink a host user can re-point is refused" [ $? -ne 0 ]
  check "$rt: ... saying why" \
    sh -c 'printf "%s" "$1" | grep -q "leads through a symlink that a host user other than root can replace or re-point"' sh "$out"
done

# 2. A volume in an engine store only root can enter (idmapped for every
# container that uses it): container A swaps two names in it, container B
# binds one of them.
new_target # (what phase 1 left there is not phase 2's doing)
STORE=$T/store
mkdir -m 0700 "$STORE"
V=$STORE/vol1/_data
mkdir -p "$V"
chmod 0755 "$V"
mkdir "$V/sub"
ln -s "$TARGET" "$V/lnk"
write_policy "{ \"state_dir\": \"$SD\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"volume_stores\": [\"$STORE\"] } }"
gcc -static -O2 -o "$ROOTFS/swap" "$top_srcdir/tests/e2e/rename_swap.c" || exit 1
BINDS=8
mkdir -p "$ROOTFS/data"
for n in $(seq 1 $BINDS); do mkdir -p "$ROOTFS/x$n"; done
# bind_sub N: a jq filter adding N binds of the volume's directory
bind_sub () {
  for n in $(seq 1 "$1"); do
    printf '| .mounts += [{"destination":"/x%s","type":"bind","source":"%s","options":["rbind","rw"]}] ' "$n" "$V/sub"
  done | sed 's/^| //'
}
for rt in runc crun; do
  make_bundle "$T/$rt-a" ".mounts += [{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$V\",\"options\":[\"rbind\",\"rw\"]}]" \
    '["/swap","/data/sub","/data/lnk"]'
  # B1 binds the directory once (it must run when the swap misses); BN
  # binds it at $BINDS places, each a chance for the race
  make_bundle "$T/$rt-b1" "$(bind_sub 1)" \
    '["sh","-c","cat /x1/secret 2>/dev/null || echo no-secret; echo planted > /x1/planted 2>/dev/null; true"]'
  make_bundle "$T/$rt-bn" "$(bind_sub "$BINDS")" \
    '["sh","-c","for d in /x*; do cat $d/secret 2>/dev/null && echo planted > $d/planted; done; echo no-secret"]'
  cp "$T/$rt-b1/config.json" "$T/$rt-b1/config.orig"
  cp "$T/$rt-bn/config.json" "$T/$rt-bn/config.orig"
  a=$(new_id swapper)
  hs $rt run -d --bundle "$T/$rt-a" "$a" < /dev/null > /dev/null 2>"$T/$rt-a.err"
  check "$rt: container A (the swapper) runs" \
    [ "$(real $rt state "$a" 2>/dev/null | jq -r .status)" = running ]
  check "$rt: A's volume is idmapped (its root renames in it as on-disk root)" \
    grep -q "\"container\":\"$a\".*an idmapped mount of bind volume" "$AUDIT"
  pwned=0 normal=0
  i=0
  while [ $i -lt "$ATTEMPTS" ]; do
    i=$((i + 1))
    id=$(new_id victim)
    b=$T/$rt-bn
    [ $((i % 2)) -eq 1 ] && b=$T/$rt-b1
    cp "$b/config.orig" "$b/config.json"
    out=$(hs $rt run --bundle "$b" "$id" 2>>"$T/$rt-b.err")
    real $rt delete -f "$id" > /dev/null 2>&1
    case $out in
      *root-only-secret*) pwned=$((pwned + 1)) ;;
      no-secret) [ "$b" = "$T/$rt-b1" ] && normal=$((normal + 1)) ;;
    esac
  done
  real $rt kill "$a" KILL > /dev/null 2>&1
  real $rt delete -f "$a" > /dev/null 2>&1
  check "$rt: a volume directory swapped by another container: B never got the host directory ($pwned of $ATTEMPTS)" \
    [ $pwned -eq 0 ]
  check "$rt: ... nothing was planted in it" target_untouched
  check "$rt: ... the attempts the swap missed ran normally ($normal)" [ $normal -gt 0 ]
  rm -f "$V/sub/planted" "$V/lnk/planted" 2>/dev/null
done

# 3. A writable rootfs in a directory every host user can pass through
# (podman --rootfs DIR, a bundle under /srv): container root writes there
# as its own unprivileged host uid, never as host root.
write_policy "{ \"preset\": \"baseline\", \"state_dir\": \"$SD\",
  \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
SHARE=$T/share
mkdir -m 0755 "$SHARE"
cp -a "$ROOTFS" "$SHARE/rootfs"
cp /usr/bin/id "$SHARE/rootfs/id" # the image's program; it becomes root if set-uid root
for rt in runc crun; do
  rm -f "$SHARE/rootfs/suidsh"
  make_bundle "$T/$rt-suid" ".root.path = \"$SHARE/rootfs\" | .root.readonly = false" \
    '["sh","-c","cp /id /suidsh; chmod 4755 /suidsh; true"]'
  id=$(new_id suid)
  hs $rt run --bundle "$T/$rt-suid" "$id" > /dev/null 2>"$T/$rt-suid.err"
  real $rt delete -f "$id" > /dev/null 2>&1
  check "$rt: a rootfs host users can reach is not idmapped, and the audit log says why" \
    grep -q "\"container\":\"$id\".*\"path\":\"root.path\".*not idmapped.*host users other than root can reach it" "$AUDIT"
  out=$(nobody "$SHARE/rootfs/suidsh" -u 2>/dev/null)
  check "$rt: container root planted no set-uid-root program for host users (got \`$out\`)" \
    [ "$out" != 0 ]
  check "$rt: ... no file in the rootfs is set-uid host root" \
    [ -z "$(find "$SHARE/rootfs" -xdev -user 0 -perm -4000 2>/dev/null)" ]
done
finish

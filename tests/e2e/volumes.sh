#!/bin/sh
# Which bind volumes are idmapped, with real runc and crun: an idmapped bind
# makes container root the owner of the host's files in it, so only a
# volume no other host user can reach is idmapped (in an engine volume
# store only root can traverse, or in a tree the policy names as the
# containers' own). A container cannot plant a set-uid root program in a
# host directory others reach, a config cannot ask the runtime to idmap
# such a bind itself, and the sensitive host files stay out of reach.
. "$(dirname "$0")/lib.sh"

HS_STATE=$T/hs
# with_policy USERNS_MEMBERS: the test policy, with these userns settings.
with_policy () {
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"state_dir\": \"$HS_STATE\",
    \"readonly_rootfs\": { \"mode\": \"off\" }, \"userns\": { $1 } }"
}

# A root-owned host directory others can reach (-v /srv/data:/vol style).
SRV=$T/srv
mkdir -p "$SRV"
echo data > "$SRV/data"
chmod 0755 "$SRV"
# An engine volume store only root can traverse, with a volume of its own
# and a "local volume" that is a mount of $SRV (o=bind,device=$SRV).
STORE=$T/store
mkdir -p "$STORE/v1/_data" "$STORE/v2/_data"
chmod 0700 "$STORE"
echo data > "$STORE/v1/_data/data"
mount --bind "$SRV" "$STORE/v2/_data"
trap 'umount -l "$STORE/v2/_data" 2>/dev/null; cleanup' EXIT

# The attack: container root writes a file into the volume and sets its
# set-uid bit (a stand-in without execute bits: the real attack copies a
# static program); prints what the container sees of the volume's files.
PLANT='echo x > /vol/sh 2>/dev/null && chmod 4644 /vol/sh 2>/dev/null; stat -c %u /vol/data'
vol () { echo ".mounts += [{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$1\", \"options\": [\"rbind\", \"rw\"${2:+, \"$2\"}]}]"; }
# NO_SETUID_ROOT DIR: no set-uid file owned by host root below DIR.
NO_SETUID_ROOT='[ -z "$(find "$1" -user 0 -perm -4000)" ]'

# run_vol RT NAME SOURCE: run PLANT with SOURCE at /vol; output in $out.
run_vol () {
  b=$T/$1-$2; rm -rf "$b"
  make_bundle "$b" "$(vol "$3")" "[\"sh\",\"-c\",\"$PLANT\"]"
  id=$(new_id "$2")
  out=$(cd "$b" && hs "$1" run "$id" 2>"$T/err")
}

for rt in runc crun; do
  with_policy "\"mode\": \"auto\""

  # A host directory others reach: not idmapped, container root is nobody there.
  run_vol $rt srv "$SRV"
  check "$rt: a volume others can reach: its files show as nobody inside ($out)" [ "$out" = 65534 ]
  check "$rt: ... no set-uid root program was planted in it" sh -c "$NO_SETUID_ROOT" sh "$SRV"
  check "$rt: ... nothing was written there" [ ! -e "$SRV/sh" ]
  b=$T/$rt-flags; rm -rf "$b"
  make_bundle "$b" "$(vol "$SRV")" '["sh","-c","grep \" /vol \" /proc/self/mountinfo"]'
  out=$(cd "$b" && hs $rt run "$(new_id flags)" 2>&1)
  check "$rt: ... it is nosuid,nodev inside (crun keeps them on hardshim's mount: $out)" \
    sh -c 'case "$1" in *nosuid,nodev*) exit 0;; *) exit 1;; esac' sh "$out"
  check "$rt: ... it is hardshim's plain mount (keeping nosuid, nodev with crun), not an idmapped one" \
    jqe ".mounts[] | select(.destination == \"/vol\") | (.source | startswith(\"$HS_STATE/mnt/\")) and .uidMappings == null" "$b/config.json"
  check "$rt: ... the audit log says why" \
    grep -q "\"container\":\"$id\".*bind volume \`$SRV\` is not idmapped: it is not in an engine volume store" "$AUDIT"

  # The config asks the runtime to idmap it (crun's option; podman -v SRC:DST:idmap).
  b=$T/$rt-asks; rm -rf "$b"
  make_bundle "$b" "$(vol "$SRV" idmap)"
  cp "$b/config.json" "$T/orig.json"
  hs $rt --log "$T/asks.log" --log-format json create --bundle "$b" "$(new_id asks)" >/dev/null 2>"$T/err"
  check "$rt: a config asking to idmap such a volume is refused (exit 1)" [ $? -eq 1 ]
  check "$rt: ... saying why" grep -qF "bind volume \`$SRV\` asks to be idmapped, which would make container root the owner of its host files" "$T/err"
  check "$rt: ... in --log too" jqe 'select(.level == "error") | .msg | contains("asks to be idmapped")' "$T/asks.log"
  check "$rt: ... config.json is byte-identical" cmp -s "$b/config.json" "$T/orig.json"

  # A volume of the root-only store: idmapped, container root owns it.
  with_policy "\"volume_stores\": [\"$STORE\"]"
  run_vol $rt store "$STORE/v1/_data"
  check "$rt: a volume in a root-only engine store is idmapped: root's inside ($out)" [ "$out" = 0 ]
  check "$rt: ... container root wrote to it" [ -e "$STORE/v1/_data/sh" ]
  rm -f "$STORE/v1/_data/sh"
  # A store volume that is a mount of a directory others reach.
  run_vol $rt store-mount "$STORE/v2/_data"
  check "$rt: a store volume mounted from elsewhere is not idmapped ($out)" [ "$out" = 65534 ]
  check "$rt: ... no set-uid root program was planted through it" sh -c "$NO_SETUID_ROOT" sh "$SRV"
  check "$rt: ... the audit log says why" \
    grep -q "\"container\":\"$id\".*is not idmapped: it is a mount of its own" "$AUDIT"

  # The policy names the tree as the containers' own: idmapped.
  with_policy "\"own_volumes\": [\"$SRV\"]"
  run_vol $rt own "$SRV"
  check "$rt: a volume in own_volumes is idmapped: root's inside ($out)" [ "$out" = 0 ]
  check "$rt: ... container root wrote to it" [ -e "$SRV/sh" ]
  rm -f "$SRV/sh"
  with_policy "\"mode\": \"auto\""
done

# Sensitive host files are never volumes, idmapped or not.
with_policy "\"mode\": \"auto\""
for rt in runc crun; do
  for src in /etc/shadow /etc/gshadow /etc/sudoers.d /etc/cron.d /etc/systemd/system /etc/ssh /root/.ssh /root; do
    b=$T/$rt-sensitive; rm -rf "$b"
    make_bundle "$b" "$(vol "$src")"
    hs $rt create --bundle "$b" "$(new_id sensitive)" >/dev/null 2>"$T/err"
    check "$rt: a bind of $src is refused" grep -q "bind mount of host path $src .*is not allowed by host policy: it is or lies under or contains the sensitive host path" "$T/err"
  done
done

finish

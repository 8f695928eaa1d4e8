#!/bin/sh
# A config's own uid/gid mapping, with real runc and crun: kept only inside
# the ranges host policy names for engines (userns.engine_ranges), else
# replaced by hardshim's block. Without that, a config that maps container
# root to a host user (here uid 4242) owns that user's files through an
# ordinary bind: it reads a 0600 secret and plants a .bashrc.
. "$(dirname "$0")/lib.sh"

VICTIM_UID=4242
HOME_DIR=$T/home-$VICTIM_UID
mkdir -m 0700 "$HOME_DIR"
echo "private-to-uid-$VICTIM_UID-$$" > "$HOME_DIR/secret"
chmod 0600 "$HOME_DIR/secret"
chown -R $VICTIM_UID:$VICTIM_UID "$HOME_DIR"
make_rootfs
mkdir -p "$ROOTFS/home"
write_policy "{ \"state_dir\": \"$T/hs\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
for rt in runc crun; do
  make_bundle "$T/$rt" ".linux.namespaces += [{\"type\":\"user\"}]
    | .linux.uidMappings = [{\"containerID\":0,\"hostID\":$VICTIM_UID,\"size\":1}]
    | .linux.gidMappings = [{\"containerID\":0,\"hostID\":$VICTIM_UID,\"size\":1}]
    | .mounts |= map(if .type == \"devpts\" then .options -= [\"gid=5\"] else . end)
    | .mounts += [{\"destination\":\"/home\",\"type\":\"bind\",\"source\":\"$HOME_DIR\",\"options\":[\"rbind\",\"rw\"]}]" \
    '["sh","-c","cat /proc/self/uid_map; cat /home/secret; echo planted > /home/.bashrc && echo wrote"]'
  out=$(hs $rt run --bundle "$T/$rt" "$(new_id map)" 2> "$T/err")
  check "$rt: a mapping onto a host user outside engine_ranges runs" [ -n "$out" ]
  check "$rt: ... container root is not host uid $VICTIM_UID" \
    [ "$(echo "$out" | awk 'NR == 1 { print $2 }')" != "$VICTIM_UID" ]
  check "$rt: ... the user's secret stays unread" [ "${out#*private-to-uid-}" = "$out" ]
  check "$rt: ... no .bashrc planted" [ ! -e "$HOME_DIR/.bashrc" ]
  check "$rt: ... the audit log says why" \
    grep -q "is replaced by a block of hardshim's: its host ids are outside the ranges host policy names for engines" "$AUDIT"
done
finish

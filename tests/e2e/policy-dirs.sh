#!/bin/sh
# The policy directories are held to the files' rules: /etc/hardshim,
# policy.d and a seccomp profile directory must be root's and writable only
# by root, every directory above them root's (world-writable only with the
# sticky bit). With policy.d writable by another user, that user renames a
# root-owned drop-in away: hardshim refuses every create (fail closed, the
# message says what to chmod) instead of admitting what the drop-in
# refused. Real runc and crun; /etc gets a private overlay inside a mount
# namespace, the host's /etc is never touched.
. "$(dirname "$0")/lib.sh"

rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
cat > "$T/in-ns.sh" <<'EOS'
# Runs inside `unshare -m`: $1 = T, then a command. /etc gets a private overlay.
T=$1; shift
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc || exit 99
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
exec "$@"
EOS
mkdir -p "$T/etc-up" "$T/etc-work"
etc_hs () {
  rt=$1; shift
  unshare -m --propagation private env -u HARDSHIM_POLICY HARDSHIM_RUNTIME="$(rt_path $rt)" \
    sh "$T/in-ns.sh" "$T" "$HARDSHIM" --root "$STATE/$rt" "$@"
}
# as uid 65534 without capabilities, in the same overlay
etc_nobody () {
  unshare -m --propagation private sh "$T/in-ns.sh" "$T" \
    setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all --bounding-set=-all \
    sh -c "$1"
}

etc=$T/etc-up/hardshim
mkdir -p "$etc/policy.d"
chmod 0755 "$etc" "$etc/policy.d"
printf '{ "audit_log": { "path": "%s", "syslog": false } }\n' "$AUDIT" > "$etc/policy.json"
printf '{ "non_root_user": { "mode": "enforce" } }\n' > "$etc/policy.d/50-non-root.json"
chmod 0644 "$etc/policy.json" "$etc/policy.d/50-non-root.json"
b=$T/bundle
make_bundle "$b"
cp "$b/config.json" "$T/orig.json"

# create_rc RT ID: exit status of a create through the /etc policy
create_rc () {
  (cd "$b" && etc_hs "$1" --log "$T/log.json" --log-format json create "$2") >"$T/out" 2>"$T/err"
  echo $?
}

for rt in runc crun; do
  id=$(new_id sane)
  check "$rt: the drop-in refuses a root container (sanity)" [ "$(create_rc $rt "$id")" -eq 1 ]
  check "$rt: ... naming non_root_user" grep -q 'non-root user' "$T/err"
done

# policy.d writable by others: the attack of the review
chmod 0777 "$etc/policy.d"
etc_nobody 'mv /etc/hardshim/policy.d/50-non-root.json /etc/hardshim/policy.d/50-non-root.json.off'
check "uid 65534 renamed the root-owned drop-in away (the attack works on the files)" \
  [ -e "$etc/policy.d/50-non-root.json.off" ] && [ ! -e "$etc/policy.d/50-non-root.json" ]
for rt in runc crun; do
  id=$(new_id wdir)
  rm -f "$T/log.json"
  check "$rt: writable policy.d: the create is refused, not admitted" [ "$(create_rc $rt "$id")" -eq 1 ]
  check "$rt: ... the message names the directory and what to chmod" \
    grep -q "policy directory \`/etc/hardshim/policy.d\` is writable by group or others (mode 0777).*chmod go-w /etc/hardshim/policy.d" "$T/err"
  check "$rt: ... and --log has it" \
    jqe 'select(.level == "error") | .msg | contains("chmod go-w /etc/hardshim/policy.d")' "$T/log.json"
  check "$rt: ... config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: ... the runtime never ran" [ $? -ne 0 ]
  # other verbs still pass through, so engines can stop and delete
  (cd "$b" && etc_hs $rt list) >/dev/null 2>"$T/err"
  check "$rt: list still passes through, with a warning" grep -q 'warning: .*policy.d' "$T/err"
done
chmod 1777 "$etc/policy.d"
for rt in runc crun; do
  id=$(new_id sticky)
  check "$rt: sticky policy.d is refused too (others could add files)" [ "$(create_rc $rt "$id")" -eq 1 ]
done
mv "$etc/policy.d/50-non-root.json.off" "$etc/policy.d/50-non-root.json"
chown 65534 "$etc/policy.d"; chmod 0755 "$etc/policy.d"
for rt in runc crun; do
  id=$(new_id owned)
  check "$rt: policy.d owned by uid 65534 is refused" [ "$(create_rc $rt "$id")" -eq 1 ]
  check "$rt: ... saying whom it belongs to and what to chown" \
    grep -q "belongs to uid 65534, not root.*chown root /etc/hardshim/policy.d" "$T/err"
done
chown 0 "$etc/policy.d"

# /etc/hardshim itself writable: policy.json or policy.d could be renamed away
chmod 0775 "$etc"
for rt in runc crun; do
  id=$(new_id etcdir)
  check "$rt: group-writable /etc/hardshim is refused" [ "$(create_rc $rt "$id")" -eq 1 ]
  check "$rt: ... naming it" grep -q "policy directory \`/etc/hardshim\` is writable by group or others (mode 0775)" "$T/err"
done
chmod 0755 "$etc"
for rt in runc crun; do
  id=$(new_id fixed)
  check "$rt: fixed modes: the drop-in applies again" [ "$(create_rc $rt "$id")" -eq 1 ]
  check "$rt: ... refusing by non_root_user" grep -q 'non-root user' "$T/err"
done

# a seccomp profile directory writable by others (HARDSHIM_POLICY as the
# other tests use it); its directory above the same
SCD=$T/scd
mkdir -p "$SCD"
cp "$top_srcdir/profiles/seccomp/default.json" "$SCD/extra.json" 2>/dev/null ||
  printf '{ "defaultAction": "SCMP_ACT_ALLOW" }\n' > "$SCD/extra.json"
chmod 0644 "$SCD/extra.json"
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"seccomp\": { \"profile\": \"extra\", \"profile_dir\": \"$SCD\", \"allowed_profiles\": [\"extra\"] } }"
for mode in 0777 0775; do
  chmod $mode "$SCD"
  for rt in runc crun; do
    id=$(new_id scd)
    cp "$T/orig.json" "$b/config.json"
    hs $rt --log "$T/log.json" --log-format json create --bundle "$b" "$id" >"$T/out" 2>"$T/err"
    check "$rt: seccomp profile directory mode $mode: refused" [ $? -eq 1 ]
    check "$rt: ... naming it and what to chmod" \
      grep -q "seccomp profile directory \`$SCD\` is writable by group or others (mode $mode).*chmod go-w" "$T/err"
  done
done
chmod 0755 "$SCD"; chmod 0666 "$SCD/extra.json"
for rt in runc crun; do
  id=$(new_id scf)
  cp "$T/orig.json" "$b/config.json"
  hs $rt create --bundle "$b" "$id" >"$T/out" 2>"$T/err"
  check "$rt: a world-writable seccomp profile file is refused" [ $? -eq 1 ]
  check "$rt: ... naming it" grep -q "seccomp profile \`$SCD/extra.json\` is writable by group or others" "$T/err"
done
finish

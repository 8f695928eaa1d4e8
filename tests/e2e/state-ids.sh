#!/bin/sh
# Container ids are judged before anything is allocated for them: an id
# the runtimes refuse, or one too long to be a file name (70,000 bytes),
# is refused by hardshim on create, run, restore and exec, leaves no
# record, mount directory or runtime state behind, and never stops the
# next container's create. A record an earlier version wrote for such an
# id is readable and reclaimed. Real runc and crun.
if [ -z "${HS_IDS_PRIVATE_NS:-}" ]; then
  HS_IDS_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
. "$(dirname "$0")/lib.sh"

ids_cleanup () {
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do
    umount -l "$mp" 2>/dev/null
  done
  cleanup
}
trap ids_cleanup EXIT

rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
hsx () {
  rt=$1; shift
  HARDSHIM_RUNTIME=$(rt_path "$rt") HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/$rt" "$@"
}
rx () { rt=$1; shift; "$(rt_path "$rt")" --root "$STATE/$rt" "$@"; }
records () { ls "$HS"/userns/*.json 2>/dev/null | wc -l; }
state_entries () { ls -A "$STATE/$1" 2>/dev/null | wc -l; }

long_id=$(head -c 70000 /dev/zero | tr '\0' a)
make_rootfs
for rt in runc crun; do
  HS=$T/hs-$rt
  write_policy "{ \"state_dir\": \"$HS\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"userns\": { \"mode\": \"auto\", \"ranges\": [ { \"start\": 1000000, \"size\": 393216 } ] } }"
  make_bundle "$T/$rt-b" . '["sleep","1000"]'
  cp "$T/$rt-b/config.json" "$T/$rt-orig.json"

  for verb in create run; do
    hsx $rt --log "$T/log.json" --log-format json $verb --bundle "$T/$rt-b" "$long_id" \
      </dev/null >"$T/out" 2>"$T/err"
    check "$rt $verb: a 70,000-byte id is refused (exit 1)" [ $? -eq 1 ]
    check "$rt $verb: ... saying why" grep -q 'is longer than 255 bytes' "$T/err"
    check "$rt $verb: ... the message is bounded" [ "$(wc -c < "$T/err")" -lt 400 ]
    check "$rt $verb: ... and in --log" \
      jqe 'select(.level == "error") | .msg | contains("longer than 255 bytes")' "$T/log.json"
    check "$rt $verb: ... nothing allocated" [ "$(records)" -eq 0 ]
    check "$rt $verb: ... no mount directory" [ -z "$(ls -A "$HS/mnt" 2>/dev/null)" ]
    check "$rt $verb: ... config.json untouched" cmp -s "$T/$rt-b/config.json" "$T/$rt-orig.json"
  done
  for bad in ../../../etc . .. 'a/b' 'a b' "$(printf 'a\nb')" ''; do
    hsx $rt create --bundle "$T/$rt-b" "$bad" </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    check "$rt: id \`$bad\` is refused before anything is allocated" \
      sh -c "[ $rc -eq 1 ] && grep -q 'container id' '$T/err' && [ $(records) -eq 0 ]"
  done
  check "$rt: the runtime got no state for any refused id" [ "$(state_entries $rt)" -eq 0 ]
  hsx $rt exec "$long_id" true </dev/null >"$T/out" 2>"$T/err"
  rc=$?
  check "$rt exec: a 70,000-byte id is refused by hardshim" \
    sh -c "[ $rc -eq 1 ] && grep -q 'hardshim: exec: container id' '$T/err'"
  hsx $rt exec ../x true </dev/null >"$T/out" 2>"$T/err"
  check "$rt exec: \`../x\` is refused by hardshim" grep -q 'hardshim: exec: container id' "$T/err"
  hsx $rt restore --image-path "$T/none" --bundle "$T/$rt-b" "$long_id" </dev/null >"$T/out" 2>"$T/err"
  check "$rt restore: a 70,000-byte id is refused" grep -q 'hardshim: restore: container id' "$T/err"

  # the next container is not held up by any of it
  id=$(new_id next)
  check "$rt: a normal create right after" hsx $rt create --bundle "$T/$rt-b" "$id"
  check "$rt: ... it holds one block" [ "$(records)" -eq 1 ]
  hsx $rt delete --force "$id" >/dev/null 2>&1

  # a record an earlier version wrote for a 70,000-byte id: read, judged
  # gone (no runtime keeps state for such an id), reclaimed
  printf '{"id":"%s","root":"%s","created":0,"seen":null,"value":{"uid":1000000,"gid":1000000,"size":65536}}' \
    "$long_id" "$STATE/$rt" > "$HS/userns/0123456789abcdef0123456789abcdef.json"
  chmod 0600 "$HS/userns/0123456789abcdef0123456789abcdef.json"
  cp "$T/$rt-orig.json" "$T/$rt-b/config.json"
  id=$(new_id after)
  hsx $rt create --bundle "$T/$rt-b" "$id" 2>"$T/err"
  check "$rt: a create next to an oversized old record (got: $(head -c 200 "$T/err"))" [ $? -eq 0 ]
  check "$rt: ... the old record is reclaimed" \
    [ ! -e "$HS/userns/0123456789abcdef0123456789abcdef.json" ]
  hsx $rt delete --force "$id" >/dev/null 2>&1
  cp "$T/$rt-orig.json" "$T/$rt-b/config.json"

  # the record of a live container becomes unreadable (over the reader's
  # limit, or torn): it still holds exactly its block, by the claim beside
  # it, and the next create goes on with another one
  a=$(new_id held)
  make_bundle "$T/$rt-held" . '["sleep","1000"]'
  check "$rt: create A" hsx $rt create --bundle "$T/$rt-held" "$a"
  ba=$(jq '.linux.uidMappings[0].hostID' "$T/$rt-held/config.json")
  rec=$(grep -l "\"$a\"" "$HS"/userns/*.json)
  check "$rt: ... its block is claimed beside its record" \
    [ -e "${rec%.json}.b$ba-65536" ]
  head -c 2000000 /dev/zero | tr '\0' x > "$rec"
  c=$(new_id next)
  hsx $rt create --bundle "$T/$rt-b" "$c" 2>"$T/err"
  check "$rt: a create next to an unreadable record goes on (got: $(head -c 200 "$T/err"))" [ $? -eq 0 ]
  bc=$(jq '.linux.uidMappings[0].hostID' "$T/$rt-b/config.json")
  check "$rt: ... with another block than the unreadable record's ($bc, $ba)" [ "$bc" != "$ba" ]
  hsx $rt delete --force "$c" >/dev/null 2>&1
  rx $rt delete --force "$a" >/dev/null 2>&1
  cp "$T/$rt-orig.json" "$T/$rt-b/config.json"
done
finish

#!/bin/sh
# exec --user: every spelling of tests/data/exec_user/spellings.json is
# first run through the real runtime (the table's runc and crun columns are
# what this runc and crun make of it: `+0`, `00000000000`, `4294967296` are
# uid 0 to both, ` 0`, `` and `4294967295` to crun), then through hardshim
# with non_root_user enforced: only a canonical non-root uid runs, every
# other spelling is refused before the runtime runs. A process file or a
# config with uid 4294967295 ((uid_t) -1: crun stays uid 0) is refused too.
# Real runc and crun.
. "$(dirname "$0")/lib.sh"

TABLE=$top_srcdir/tests/data/exec_user/spellings.json
N=$(jq length "$TABLE")
# The table's runtime columns are what each runtime does without a user
# namespace (in one, an id it does not map fails instead).
ENFORCE="{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"non_root_user\": { \"mode\": \"enforce\" },
  \"userns\": { \"mode\": \"off\" } }"
write_policy "$ENFORCE"
make_rootfs

for rt in runc crun; do
  b=$T/$rt-bundle
  make_bundle "$b" '.process.user = { uid: 1000, gid: 1000 }' '["sleep","1000"]'
  id=$(new_id user)
  hs $rt create --bundle "$b" "$id" && hs $rt start "$id"
  check "$rt: a uid 1000 container runs through hardshim" \
    [ "$(real $rt state "$id" | jq -r .status)" = running ]
  i=0
  while [ $i -lt "$N" ]; do
    u=$(jq -r ".[$i].user" "$TABLE")
    want=$(jq -r ".[$i].$rt // \"refused\"" "$TABLE")
    canonical=$(jq -r ".[$i].canonical" "$TABLE")
    got=$(real $rt exec --user "$u" "$id" id -u 2>/dev/null) || got=refused
    check "$rt itself: --user \`$u\` runs as $want (got $got)" [ "$got" = "$want" ]
    rm -f "$T/log.json"
    out=$(hs $rt --log "$T/log.json" --log-format json exec --user "$u" "$id" id -u 2>"$T/err")
    rc=$?
    if [ "$canonical" = true ] && [ "$want" != 0 ]; then
      check "$rt hardshim: canonical --user \`$u\` is admitted, runs as the runtime reads it (got $out)" \
        sh -c "[ '$out' = '$want' ] || { [ '$want' = refused ] && ! grep -q hardshim '$T/err'; }"
    elif [ "$canonical" = true ]; then
      check "$rt hardshim: --user \`$u\` (root) is refused" sh -c "[ $rc -eq 1 ] && [ -z '$out' ]"
      check "$rt hardshim: ... as root" grep -q 'runs as root (uid 0)' "$T/err"
    else
      check "$rt hardshim: non-canonical --user \`$u\` is refused (rc $rc, out $out)" \
        sh -c "[ $rc -eq 1 ] && [ -z '$out' ]"
      check "$rt hardshim: ... saying why, on stderr and in --log" \
        sh -c "grep -q 'is not a plain decimal UID\[:GID\]' '$T/err' &&
          jq -e 'select(.level == \"error\") | .msg | contains(\"not a plain decimal UID\")' '$T/log.json' >/dev/null"
    fi
    i=$((i + 1))
  done

  # a process file with uid 4294967295: crun keeps uid 0
  jq -n '{ args: ["id", "-u"], cwd: "/", user: { uid: 4294967295, gid: 0 }, env: ["PATH=/bin"] }' \
    > "$T/proc.json"
  got=$(real $rt exec -p "$T/proc.json" "$id" 2>/dev/null) || got=refused
  echo "# $rt itself: process file uid 4294967295 runs as $got"
  if [ $rt = crun ]; then
    check "crun itself: a process file with uid 4294967295 runs as uid 0 (got $got)" [ "$got" = 0 ]
  fi
  out=$(hs $rt exec -p "$T/proc.json" "$id" 2>"$T/err")
  check "$rt hardshim: process file uid 4294967295 is refused (got $out)" \
    sh -c "[ -z '$out' ] && grep -q 'uid 4294967295 is (uid_t) -1' '$T/err'"
  jq -n '{ args: ["id", "-u"], cwd: "/", user: { uid: 0, gid: 0 }, env: ["PATH=/bin"] }' > "$T/proc.json"
  out=$(hs $rt exec -p "$T/proc.json" "$id" 2>"$T/err")
  check "$rt hardshim: process file uid 0 is refused" \
    sh -c "[ -z '$out' ] && grep -q 'runs as root' '$T/err'"
  real $rt delete --force "$id" >/dev/null 2>&1

  # a container whose config says uid 4294967295
  make_bundle "$T/$rt-minus1" '.process.user = { uid: 4294967295, gid: 0 }' '["id","-u"]'
  id=$(new_id minus1)
  out=$(hs $rt run --bundle "$T/$rt-minus1" "$id" 2>"$T/err")
  check "$rt hardshim: config uid 4294967295 is refused (got $out)" \
    sh -c "[ -z '$out' ] && grep -q 'uid 4294967295 is (uid_t) -1' '$T/err'"
done
finish

#!/bin/sh
# Runtime advisories end to end: `hardshimctl doctor` on this host's real
# runc and crun (Debian 12: runc 1.1.5+ds1-1+deb12u1, crun 1.8.1), its JSON
# and exit status; the runtime_advisories control refusing, recording or
# admitting real runc and crun containers on a stand-in runtime (a script
# that reports an old version and execs the real one) judged against a
# test table; the per-binary cache of runtime facts.
. "$(dirname "$0")/lib.sh"

ADV=$top_srcdir/profiles/advisories
SD=$T/hsstate
ctl () { "$HARDSHIMCTL" "$@"; }
pol () { printf '%s\n' "$2" > "$T/$1.json"; chmod 0644 "$T/$1.json"; echo "$T/$1.json"; }

# ---- doctor on the host's real runtimes ----
host=$(pol host "{ \"runtime_advisories\": { \"mode\": \"audit\", \"dir\": \"$ADV\" } }")
ctl doctor --policy "$host" --runtime "$RUNC" --runtime "$CRUN" > "$T/doctor.txt" 2>&1
st=$?
check "doctor: exit status 0, 1 or 2 (got $st)" [ $st -le 2 ]
check "doctor: names runc and its version" grep -q "^runtime $RUNC: runc " "$T/doctor.txt"
check "doctor: names crun and its version" grep -q "^runtime $CRUN: crun " "$T/doctor.txt"
ctl doctor --policy "$host" --runtime "$RUNC" --runtime "$CRUN" --json > "$T/doctor.json"
check "doctor --json: parses, one entry per runtime" \
  jqe ".runtimes | length == 2 and (map(.name) == [\"runc\", \"crun\"])" "$T/doctor.json"
check "doctor --json: status is the exit status" [ "$(jq .status "$T/doctor.json")" -eq "$st" ]
check "doctor --json: every open advisory names the rules that cover it (or none) and their state" \
  jqe '[.runtimes[].advisories[] | select(.status == "open")
        | (.covered_by | type == "array") and all(.covered_by[]; (.active | type == "boolean") and (.mode | type == "string"))]
       | all' "$T/doctor.json"

runc_deb=$(dpkg-query -W -f '${Version}' runc 2>/dev/null)
crun_deb=$(dpkg-query -W -f '${Version}' crun 2>/dev/null)
if [ "$runc_deb" = 1.1.5+ds1-1+deb12u1 ] && [ "$RUNC" = /usr/sbin/runc ]; then
  r='.runtimes[0]'
  check "doctor: runc is Debian's 1.1.5+ds1-1+deb12u1, read from dpkg and its changelog" \
    jqe "$r.version == \"1.1.5+ds1\" and $r.debian.version == \"1.1.5+ds1-1+deb12u1\"
         and ($r.debian.changelog | test(\"changelog.Debian.gz\$\"))" "$T/doctor.json"
  check "doctor: runc's open advisories are the five published after its backport" \
    jqe "[$r.advisories[] | select(.status == \"open\") | .id]
         == [\"CVE-2024-45310\", \"CVE-2025-31133\", \"CVE-2025-52565\", \"CVE-2025-52881\", \"CVE-2026-41579\"]" \
    "$T/doctor.json"
  check "doctor: CVE-2024-21626 is fixed by Debian's backport (and the changelog names it)" \
    jqe "$r.advisories[] | select(.id == \"CVE-2024-21626\") | .status == \"fixed-debian\"
         and .because == \"1.1.5+ds1-1+deb12u1\" and .debian_changelog_names == \"1.1.5+ds1-1+deb12u1\"" \
    "$T/doctor.json"
  check "doctor: each open runc advisory has a covering rule" \
    jqe "[$r.advisories[] | select(.status == \"open\") | .covered_by | length > 0] | all" "$T/doctor.json"
  check "doctor: the text lists each open one with its covering rules" \
    sh -c "grep -q '^  CVE-2025-31133 .*masked paths' '$T/doctor.txt' &&
           grep -q '^      [+-] rootfs_shape' '$T/doctor.txt' && grep -q '^      [+-] fresh_dev' '$T/doctor.txt' &&
           grep -q '^      + userns (partial): active' '$T/doctor.txt'"
  check "doctor: fixed ones are summed up" grep -q '^  fixed: .*CVE-2024-21626 (Debian 1.1.5+ds1-1+deb12u1)' "$T/doctor.txt"
else
  ok "# SKIP runc is not Debian's 1.1.5+ds1-1+deb12u1 here ($runc_deb)"
fi
if [ "$crun_deb" = 1.8.1-1+deb12u1 ] && [ "$CRUN" = /usr/bin/crun ]; then
  c='.runtimes[1]'
  check "doctor: crun is Debian's 1.8.1 with its build features" \
    jqe "$c.version == \"1.8.1\" and $c.debian.version == \"1.8.1-1+deb12u1\" and ($c.features | index(\"+SECCOMP\"))" \
    "$T/doctor.json"
  check "doctor: crun's open advisories are the /dev/console and /dev/null symlink follows" \
    jqe "[$c.advisories[] | select(.status == \"open\") | .id] == [\"CVE-2026-88264\", \"CVE-2026-88265\"]" \
    "$T/doctor.json"
  check "doctor: each covered by rootfs_shape and fresh_dev" \
    jqe "[$c.advisories[] | select(.status == \"open\") | [.covered_by[].rule] == [\"rootfs_shape\", \"fresh_dev\"]] | all" \
    "$T/doctor.json"
  check "doctor: the krun advisory does not apply to a crun built without +LIBKRUN" \
    jqe "$c.advisories[] | select(.id == \"CVE-2025-24965\") | .status == \"not-applicable\" and .because == \"+LIBKRUN\"" \
    "$T/doctor.json"
else
  ok "# SKIP crun is not Debian's 1.8.1-1+deb12u1 here ($crun_deb)"
fi

# ---- a stand-in runtime and a test table: exit status and the control ----
mkdir -p "$T/bin" "$T/adv"
for name in runc crun; do
  real_rt=$RUNC; [ $name = crun ] && real_rt=$CRUN
  printf '#!/bin/sh\n[ "$1" = --version ] && { echo "%s version 1.1.4"; exit 0; }\nexec %s "$@"\n' \
    "$name" "$real_rt" > "$T/bin/$name"
  chmod 0755 "$T/bin/$name"
done
# table COVERED_BY-JSON: one advisory affecting < 1.1.5, for both runtimes
table () {
  for name in runc crun; do
    cat > "$T/adv/$name.json" <<EOF
{ "schema": 1, "runtime": "$name", "advisories": [
  { "id": "TEST-0001", "title": "a test escape", "severity": "high",
    "affected": [ { "fixed": "1.1.5" } ], "covered_by": $1, "sources": [ "tests/e2e/advisories.sh" ] } ] }
EOF
    chmod 0644 "$T/adv/$name.json"
  done
}
base="\"state_dir\": \"$SD\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }"
refuse=$(pol refuse "{ $base, \"runtime_advisories\": { \"mode\": \"refuse\", \"dir\": \"$T/adv\" } }")
audit=$(pol audit "{ $base, \"runtime_advisories\": { \"mode\": \"audit\", \"dir\": \"$T/adv\" } }")
nnp_off=$(pol nnpoff "{ $base, \"no_new_privileges\": { \"mode\": \"off\" },
  \"runtime_advisories\": { \"mode\": \"refuse\", \"dir\": \"$T/adv\" } }")
strict=$(pol strict "{ $base, \"runtime_advisories\": { \"mode\": \"refuse\", \"dir\": \"$T/adv\", \"refuse_partial\": true } }")

table '[]'
ctl doctor --policy "$refuse" --runtime "$T/bin/runc" > "$T/out" 2>&1
check "doctor: an open advisory nothing covers exits 1" [ $? -eq 1 ]
check "doctor: ... and says NOT COVERED" grep -q '^  TEST-0001 .*NOT COVERED' "$T/out"
table '[ { "rule": "no_new_privileges" } ]'
ctl doctor --policy "$refuse" --runtime "$T/bin/runc" > "$T/out" 2>&1
check "doctor: covered by an active rule exits 0" [ $? -eq 0 ]
ctl doctor --policy "$nnp_off" --runtime "$T/bin/runc" > "$T/out" 2>&1
check "doctor: the covering rule off in policy exits 1" [ $? -eq 1 ]
check "doctor: ... and shows the rule not active" grep -q '^      - no_new_privileges: not active (off)' "$T/out"
ctl doctor --policy "$refuse" --runtime "$T/nonexistent" > "$T/out" 2>&1
check "doctor: a runtime that is not there exits 2" [ $? -eq 2 ]
check "doctor: usage error exits 2" [ "$(ctl doctor --bogus >/dev/null 2>&1; echo $?)" -eq 2 ]
check "doctor: a relative --runtime is a usage error" [ "$(ctl doctor --runtime runc >/dev/null 2>&1; echo $?)" -eq 2 ]

# run_on RUNTIME POLICY NAME: `run` through hardshim on the stand-in
run_on () {
  on=$1 p=$2 id=$(new_id "$3")
  b=$T/b-$id
  make_bundle "$b"
  if [ "$on" = runc ]; then
    (cd "$b" && HARDSHIM_RUNTIME=$T/bin/runc HARDSHIM_POLICY=$p unshare -m --propagation private \
      "$HARDSHIM" --root "$STATE/runc" run "$id") > "$T/run.out" 2>&1
  else
    (cd "$b" && HARDSHIM_RUNTIME=$T/bin/crun HARDSHIM_POLICY=$p in_crun_ns \
      "$HARDSHIM" --root "$STATE/crun" run "$id") > "$T/run.out" 2>&1
  fi
}

for rt in runc crun; do
  table '[]'
  : > "$AUDIT"
  run_on $rt "$refuse" refuse
  check "$rt: refuse mode refuses a container on a runtime with an uncovered open advisory" [ $? -ne 0 ]
  check "$rt: ... naming the advisory, the runtime and the control" \
    grep -q "hardshim: run .*runtime \`$T/bin/$rt\` ($rt 1.1.4) has open advisories that no active rule covers: TEST-0001 \[no hardshim rule\].*control \`runtime_advisories\`" "$T/run.out"
  check "$rt: ... before the runtime ran (no container state)" \
    [ -z "$(real $rt list -q 2>/dev/null | grep "^$id\$")" ]
  check "$rt: ... recorded as refused" \
    jqe 'select(.control == "runtime_advisories") | .action == "refused"' "$AUDIT"
  run_on $rt "$audit" audit
  check "$rt: audit mode runs it" [ $? -eq 0 ]
  check "$rt: ... recording would-refuse" \
    jqe "select(.control == \"runtime_advisories\" and .container == \"$id\") | .action == \"would-refuse\"" "$AUDIT"
  table '[ { "rule": "no_new_privileges" } ]'
  run_on $rt "$refuse" covered
  check "$rt: covered by an active rule: admitted" [ $? -eq 0 ]
  run_on $rt "$nnp_off" uncovered
  check "$rt: the covering rule off: refused" [ $? -ne 0 ]
  check "$rt: ... naming the rule and its mode" grep -q 'TEST-0001 \[no_new_privileges (off)\]' "$T/run.out"
  table '[ { "rule": "no_new_privileges", "partial": true } ]'
  run_on $rt "$refuse" partial
  check "$rt: only partly covered: admitted, with a note" \
    sh -c "[ $? -eq 0 ] && jq -e 'select(.control == \"runtime_advisories\" and .container == \"$id\") | .action == \"note\"' '$AUDIT' >/dev/null"
  run_on $rt "$strict" strict
  check "$rt: only partly covered under refuse_partial: refused" [ $? -ne 0 ]
done

# the facts of each stand-in were cached under state_dir/advisories, root only
check "cache: one record per runtime binary, mode 0600 in a 0700 directory" \
  sh -c "[ \$(ls '$SD/advisories' | wc -l) -eq 2 ] && [ \$(stat -c %a '$SD/advisories') = 700 ] &&
         [ \"\$(stat -c %a '$SD'/advisories/* | sort -u)\" = 600 ]"
check "cache: the records name the runtimes and their version" \
  sh -c "cat '$SD'/advisories/*.json | jq -s -e 'map(.version) == [\"1.1.4\", \"1.1.4\"] and (map(.name) | sort) == [\"crun\", \"runc\"]' >/dev/null"
check "cache: the judgement is kept with the facts, naming the table it came from" \
  sh -c "cat '$SD'/advisories/*.json | jq -s -e 'all(.judged.table | test(\"/adv/(runc|crun).json\$\")) and all(.judged.open[0].id == \"TEST-0001\")' >/dev/null"
# a new binary at the same path is judged anew
printf '#!/bin/sh\n[ "$1" = --version ] && { echo "runc version 1.1.5"; exit 0; }\nexec %s "$@"\n' "$RUNC" > "$T/bin/runc.new"
chmod 0755 "$T/bin/runc.new" && mv "$T/bin/runc.new" "$T/bin/runc"
table '[]'
run_on runc "$refuse" upgraded
check "cache: an upgraded runtime (out of the affected range) is admitted" [ $? -eq 0 ]

# no table: refuse fails closed, audit notes it
rm -f "$T/adv/runc.json"
run_on runc "$refuse" notable
check "no table: refuse mode refuses (cannot tell)" \
  sh -c "[ $? -ne 0 ] && grep -q 'cannot tell which advisories are open for runtime' '$T/run.out'"
run_on runc "$audit" notable-audit
check "no table: audit mode runs it, with a note" \
  sh -c "[ $? -eq 0 ] && jq -e 'select(.control == \"runtime_advisories\" and .container == \"$id\") | .action == \"note\"' '$AUDIT' >/dev/null"
# a table others may write is not trusted
table '[]'
chmod 0666 "$T/adv/runc.json"
run_on runc "$refuse" writable
check "a world-writable table: refused" \
  sh -c "[ $? -ne 0 ] && grep -q 'writable by users other than root' '$T/run.out'"

# policy validation
check "policy: an unknown mode is refused" \
  sh -c "! '$HARDSHIMCTL' policy validate '$(pol badmode '{ "runtime_advisories": { "mode": "reject" } }')' >/dev/null 2>&1"
check "policy: a relative dir is refused" \
  sh -c "'$HARDSHIMCTL' policy validate '$(pol baddir '{ "runtime_advisories": { "dir": "adv" } }')' 2>&1 | grep -q 'runtime_advisories.dir'"
check "policy: an unknown key is refused" \
  sh -c "'$HARDSHIMCTL' policy validate '$(pol badkey '{ "runtime_advisories": { "tables": "/x" } }')' 2>&1 | grep -q 'runtime_advisories.tables'"

finish

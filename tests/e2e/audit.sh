#!/bin/sh
# The audit trail with real runc and crun: complete records in the audit
# log, the default path, a one-line syslog summary, and what happens when
# the audit log cannot be written (warning, or refusal when required).
. "$(dirname "$0")/lib.sh"

FIELDS='["time","container","bundle","verb","control","path","before","after","action","message","policy"]'
# records ID: the audit records of one container, one JSON per line.
# The records of one container from no_new_privileges, the control these
# tests drive (the other controls record their own decisions too).
records () { jq -c --arg id "$1" 'select(.container == $id and .control == "no_new_privileges")' "$AUDIT"; }

for rt in runc crun; do
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  digest=$(HARDSHIM_POLICY=$POLICY "$HARDSHIMCTL" policy show --json | jq -r .digest)

  # Complete records for create and exec.
  b=$T/$rt-audit
  make_bundle "$b" '.process.noNewPrivileges = false' '["sleep","100"]'
  id=$(new_id audit)
  check "$rt: create" hs $rt create --bundle "$b" "$id"
  records "$id" > "$T/recs"
  check "$rt: create recorded one decision" [ "$(wc -l < "$T/recs")" -eq 1 ]
  check "$rt: record has every field" \
    jqe --argjson f "$FIELDS" '[keys[] as $k | $k] as $have | all($f[]; . as $x | $have | index($x))' "$T/recs"
  check "$rt: record: time is RFC 3339 UTC" \
    jqe '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{9}Z$")' "$T/recs"
  check "$rt: record: container, absolute bundle, verb" \
    jqe --arg b "$b" --arg id "$id" '.container == $id and .bundle == $b and .verb == "create"' "$T/recs"
  check "$rt: record: control, JSON path, before, after, action" \
    jqe '.control == "no_new_privileges" and .path == "process.noNewPrivileges"
           and .before == false and .after == true and .action == "changed"' "$T/recs"
  check "$rt: record: policy digest is the effective policy's" \
    jqe --arg d "$digest" '.policy == $d and ($d | startswith("sha256:"))' "$T/recs"
  jq '.process | .args = ["true"] | .noNewPrivileges = false' "$b/config.json" > "$T/proc.json"
  # started first: crun 1.8.1 cannot exec into a created container that has
  # a user namespace (setns EPERM; doc/userns.md)
  check "$rt: start" hs $rt start "$id"
  check "$rt: exec" hs $rt exec --process "$T/proc.json" "$id"
  check "$rt: exec record: verb exec, bundle null, same fields" \
    sh -c "jq -c --arg id '$id' 'select(.container == \$id and .verb == \"exec\" and .control == \"no_new_privileges\")' '$AUDIT' |
           jq -e --argjson f '$FIELDS' '.bundle == null and .action == \"changed\" and ([keys[]] as \$have | all(\$f[]; . as \$x | \$have | index(\$x)))' >/dev/null"
  hs $rt delete --force "$id" >/dev/null 2>&1

  # An audit log that cannot be written (a path under a regular file):
  # the container still runs, with a warning on stderr...
  touch "$T/not-a-dir"
  write_policy "{ \"audit_log\": { \"path\": \"$T/not-a-dir/audit.jsonl\", \"syslog\": false } }"
  b=$T/$rt-nolog
  make_bundle "$b" '.process.noNewPrivileges = false' '["sh","-c","grep NoNewPrivs /proc/self/status"]'
  cp "$b/config.json" "$T/nolog.orig"
  id=$(new_id nolog)
  out=$(cd "$b" && hs $rt --log "$T/log.json" --log-format json run "$id" 2>"$T/err")
  rc=$?
  check "$rt: unwritable audit log, not required: container runs hardened" \
    [ "$rc" -eq 0 -a "$(echo "$out" | awk '{print $2}')" = 1 ]
  check "$rt: ... with a warning on stderr naming the file" \
    grep -q "hardshim: warning: open audit log \`$T/not-a-dir/audit.jsonl\`: Not a directory" "$T/err"

  # ...unless the policy requires the audit log: then refused, and --log
  # (all that containerd and Docker show) says why.
  write_policy "{ \"audit_log\": { \"path\": \"$T/not-a-dir/audit.jsonl\", \"required\": true, \"syslog\": false } }"
  cp "$T/nolog.orig" "$b/config.json"
  rm -f "$T/log.json"
  id=$(new_id nolog-req)
  (cd "$b" && hs $rt --log "$T/log.json" --log-format json run "$id" 2>"$T/err")
  rc=$?
  check "$rt: unwritable audit log, required: refused (exit 1)" [ "$rc" -eq 1 ]
  check "$rt: ... --log JSON says the audit log is required" \
    jqe -s 'any(.[]; .level == "error" and (.msg | test("audit log is required by policy \\(audit_log.required\\): open audit log .*Not a directory")))' "$T/log.json"
  check "$rt: ... config.json untouched" cmp -s "$b/config.json" "$T/nolog.orig"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: ... the runtime never created the container" [ $? -ne 0 ]
done

# Default audit log path, in a private mount namespace with a tmpfs over
# /var/log (the host's /var/log is never touched).
write_policy '{ "audit_log": { "syslog": false }, "no_new_privileges": { "mode": "reject" } }'
b=$T/default-log
make_bundle "$b" '.process.noNewPrivileges = false'
id=$(new_id deflog)
unshare -m --propagation private sh -c '
  mount -t tmpfs none /var/log || exit 99
  cd "$1" && HARDSHIM_RUNTIME=/usr/sbin/runc HARDSHIM_POLICY="$2" "$3" --root "$4" run "$5" 2>/dev/null
  cp /var/log/hardshim/audit.jsonl "$6" 2>/dev/null
  stat -c %a /var/log/hardshim/audit.jsonl > "$6.mode"
  exit 0' sh "$b" "$POLICY" "$HARDSHIM" "$STATE/runc" "$id" "$T/default.jsonl"
check "default audit log /var/log/hardshim/audit.jsonl gets the record" \
  jqe -s --arg id "$id" 'any(.[]; .container == $id and .action == "refused")' "$T/default.jsonl"
check "the audit log is created mode 0600" [ "$(cat "$T/default.jsonl.mode")" = 600 ]

# One syslog line per decision, through a private /dev/log (busybox syslogd
# in a private mount namespace; the host's /dev is never touched).
# A refusal, so the runtime never needs the private /dev.
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": true },
  \"no_new_privileges\": { \"mode\": \"reject\" } }"
id=$(new_id syslog)
# /dev becomes a private tmpfs; /dev/null points into a bind of the real
# /dev (device nodes on a new tmpfs may not open here).
mkdir -p "$T/hostdev"
unshare -m --propagation private sh -c '
  T=$1
  mount --rbind /dev "$T/hostdev" && mount -t tmpfs none /dev && ln -s "$T/hostdev/null" /dev/null || exit 99
  busybox syslogd -n -O "$T/syslog.txt" & pid=$!
  i=0; while [ ! -S /dev/log ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  cd "$2" && HARDSHIM_RUNTIME=/usr/sbin/runc HARDSHIM_POLICY="$3" "$4" --root "$5" run "$6" >/dev/null 2>&1
  i=0; while ! grep -q "$6" "$T/syslog.txt" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  kill $pid; wait $pid 2>/dev/null
  exit 0' sh "$T" "$b" "$POLICY" "$HARDSHIM" "$STATE/runc" "$id"
check "syslog gets one summary line for the container" \
  [ "$(grep -c "hardshim\[[0-9]*\]: run $id: refused; [0-9]* changed, 1 refused" "$T/syslog.txt")" -eq 1 ]
check "the syslog line names the policy digest" grep -q "$id: .*policy sha256:" "$T/syslog.txt"

finish

#!/bin/sh
# Policy and runtime problems refuse the container (never a silent
# fallback); `mode: off` is a pure pass-through; `mode: audit` changes only
# the annotation and records would-change; --log-format text gets a
# logrus-style line. Real runc and crun.
. "$(dirname "$0")/lib.sh"

nnp_args='["sh","-c","grep NoNewPrivs /proc/self/status"]'
nnp_of () { echo "$1" | awk '/NoNewPrivs/ {print $2}'; }
rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }

# refused DESC RT EXPECT ENV...: create through hardshim with extra
# environment; checks exit 1, the message on stderr and in --log, config
# untouched, runtime never ran.
refused () {
  desc=$1 rt=$2 expect=$3; shift 3
  id=$(new_id ref)
  rm -f "$T/log.json"
  cp "$b/config.json" "$T/orig.json"
  if [ "$rt" = runc ]; then
    env HARDSHIM_RUNTIME="$RUNC" HARDSHIM_POLICY="$POLICY" "$@" \
      "$HARDSHIM" --root "$STATE/runc" --log "$T/log.json" --log-format json create --bundle "$b" "$id" \
      </dev/null >"$T/out" 2>"$T/err"
  else
    env HARDSHIM_RUNTIME="$CRUN" HARDSHIM_POLICY="$POLICY" "$@" \
      unshare -m --propagation private sh -c \
      'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec "$@"' sh \
      "$HARDSHIM" --root "$STATE/crun" --log "$T/log.json" --log-format json create --bundle "$b" "$id" \
      </dev/null >"$T/out" 2>"$T/err"
  fi
  rc=$?
  check "$rt $desc: exit 1 (got $rc)" [ "$rc" -eq 1 ]
  check "$rt $desc: stderr says: $expect" grep -qF -- "$expect" "$T/err"
  check "$rt $desc: --log has the JSON error" \
    jqe --arg e "$expect" -s 'length == 1 and .[0].level == "error" and (.[0].msg | startswith("hardshim: ") and contains($e))' \
    "$T/log.json"
  check "$rt $desc: nothing on stdout" [ ! -s "$T/out" ]
  check "$rt $desc: config untouched" cmp -s "$b/config.json" "$T/orig.json"
  real "$rt" state "$id" >/dev/null 2>&1
  check "$rt $desc: the runtime never ran" [ $? -ne 0 ]
}

good_policy=$(cat "$POLICY")
printf '{ "mode": "audit", \n' > "$T/malformed.json"
mkfifo "$T/fifo.json"
mkdir "$T/dir.json"
printf '{ "mode": "permissive" }\n' > "$T/badmode.json"
printf '{ "no_new_privileges": { "mode": "enforce", "colour": "red" } }\n' > "$T/badkey.json"
printf '{}\n' > "$T/writable.json"
chmod 0666 "$T/writable.json"
ln -s "$POLICY" "$T/link.json"
ln -s "$HARDSHIM" "$T/runc"

for rt in runc crun; do
  b=$T/$rt-pol
  make_bundle "$b" '.process.noNewPrivileges = false' "$nnp_args"
  refused "malformed policy" $rt "invalid host policy, no container is created or exec'd until it is fixed" \
    HARDSHIM_POLICY="$T/malformed.json"
  check "$rt malformed policy: the error names the file" grep -qF "policy \`$T/malformed.json\`" "$T/err"
  # ...but engines can still inspect, stop and delete what exists.
  saved_policy=$POLICY; POLICY=$T/malformed.json
  hs $rt list > "$T/out" 2>"$T/err"
  rc=$?
  POLICY=$saved_policy
  check "$rt malformed policy: list still passes through (exit $rc)" [ "$rc" -eq 0 ]
  check "$rt malformed policy: list output is the runtime's" [ "$(cat "$T/out")" = "$(real $rt list)" ]
  check "$rt malformed policy: a warning on stderr names the pass-through" \
    grep -q "warning: invalid host policy.*\`list\` passes through" "$T/err"
  refused "policy is a FIFO" $rt "\`fifo.json\` is not a regular file" HARDSHIM_POLICY="$T/fifo.json"
  refused "policy is a directory" $rt "\`dir.json\` is not a regular file" HARDSHIM_POLICY="$T/dir.json"
  refused "policy missing" $rt "No such file or directory" HARDSHIM_POLICY="$T/missing.json"
  refused "policy symlinked" $rt "is a symbolic link" HARDSHIM_POLICY="$T/link.json"
  refused "policy world-writable" $rt "writable by group or others" HARDSHIM_POLICY="$T/writable.json"
  refused "bad mode" $rt "policy key \`mode\`: \`permissive\` is not one of enforce, audit, off" \
    HARDSHIM_POLICY="$T/badmode.json"
  refused "unknown setting" $rt "policy key \`no_new_privileges.colour\`: unknown setting" \
    HARDSHIM_POLICY="$T/badkey.json"
  refused "missing runtime" $rt "runtime \`/nonexistent\` (from HARDSHIM_RUNTIME): No such file" \
    HARDSHIM_RUNTIME=/nonexistent
  refused "runtime is hardshim" $rt "is hardshim itself: point it at the real runc or crun" \
    HARDSHIM_RUNTIME="$HARDSHIM"
  refused "runtime is a symlink to hardshim" $rt "runtime \`$T/runc\` (from HARDSHIM_RUNTIME) is hardshim itself" \
    HARDSHIM_RUNTIME="$T/runc"
  # the policy key `runtime` is checked the same way
  printf '{ "runtime": "%s", "audit_log": { "path": "%s", "syslog": false } }\n' "$T/runc" "$AUDIT" \
    > "$T/selfrt.json"
  refused "policy runtime is hardshim" $rt "(from policy key \`runtime\`) is hardshim itself" \
    HARDSHIM_POLICY="$T/selfrt.json" HARDSHIM_RUNTIME=
  # a required audit log that cannot be written refuses the container
  printf '{ "audit_log": { "path": "/proc/hardshim-no/audit.jsonl", "required": true, "syslog": false } }\n' \
    > "$T/auditreq.json"
  refused "required audit log unwritable" $rt "the audit log is required by policy (audit_log.required)" \
    HARDSHIM_POLICY="$T/auditreq.json"

  # mode off: config.json not read, byte-identical, the container runs as asked.
  write_policy '{ "mode": "off", "audit_log": { "path": "'"$AUDIT"'", "syslog": false } }'
  cp "$b/config.json" "$T/orig.json"
  : > "$AUDIT"
  id=$(new_id off)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  rc=$?
  check "$rt mode off: the container runs (exit 0)" [ "$rc" -eq 0 ]
  check "$rt mode off: nothing hardened (NoNewPrivs 0)" [ "$(nnp_of "$out")" = 0 ]
  check "$rt mode off: config.json byte-identical" cmp -s "$b/config.json" "$T/orig.json"
  check "$rt mode off: no audit records" [ ! -s "$AUDIT" ]

  # mode audit: config.json byte for byte as the engine wrote it; would-change recorded.
  write_policy '{ "mode": "audit", "audit_log": { "path": "'"$AUDIT"'", "syslog": false } }'
  id=$(new_id aud)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  rc=$?
  check "$rt mode audit: the container runs (exit 0)" [ "$rc" -eq 0 ]
  check "$rt mode audit: nothing enforced (NoNewPrivs 0)" [ "$(nnp_of "$out")" = 0 ]
  check "$rt mode audit: config.json byte-identical (not even the annotation)" \
    cmp -s "$b/config.json" "$T/orig.json"
  check "$rt mode audit: audit log has the would-change record" \
    jqe --arg id "$id" -s 'map(select(.container == $id and .control == "no_new_privileges")) | length == 1 and .[0].action == "would-change"
      and .[0].control == "no_new_privileges" and .[0].path == "process.noNewPrivileges"
      and .[0].before == false and .[0].after == true' "$AUDIT"
  cp "$T/orig.json" "$b/config.json"
  write_policy "$good_policy"

  # --log-format text (and no --log-format, runc's default): logrus text.
  b=$T/$rt-text
  make_bundle "$b"
  sed -i 's/"ociVersion"/"hostname":"a","hostname":"b","ociVersion"/' "$b/config.json"
  for fmt in text default; do
    rm -f "$T/log.txt"
    id=$(new_id txt)
    if [ $fmt = text ]; then
      hs $rt --log "$T/log.txt" --log-format text create --bundle "$b" "$id" 2>/dev/null
    else
      hs $rt --log "$T/log.txt" create --bundle "$b" "$id" 2>/dev/null
    fi
    check "$rt --log-format $fmt: one logrus text line" \
      grep -qE '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z" level=error msg="hardshim: create `[^`]+`: .*duplicate key `hostname`.*"$' \
      "$T/log.txt"
    check "$rt --log-format $fmt: exactly one line" [ "$(wc -l < "$T/log.txt")" -eq 1 ]
  done
done

# policy.json + policy.d/*.json from /etc/hardshim: only inside a private
# mount namespace with an overlay on /etc, so the host's /etc is untouched.
b=$T/etc-bundle
make_bundle "$b" '.process.noNewPrivileges = false' "$nnp_args"
cp "$b/config.json" "$T/etc-orig.json"
mkdir -p "$T/etc-up" "$T/etc-work"
cat > "$T/in-ns.sh" <<'EOF'
# Runs inside `unshare -m`: $1 = T, then a command. /etc gets a private overlay.
T=$1; shift
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc || exit 99
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
exec "$@"
EOF
etc_hs () {
  rt=$1; shift
  unshare -m --propagation private env -u HARDSHIM_POLICY HARDSHIM_RUNTIME="$(rt_path $rt)" \
    sh "$T/in-ns.sh" "$T" "$HARDSHIM" --root "$STATE/$rt" "$@"
}
etc=$T/etc-up/hardshim
mkdir -p "$etc/policy.d"
printf '// host policy\n{ "audit_log": { "path": "%s", "syslog": false } }\n' "$AUDIT" > "$etc/policy.json"
printf '{ "mode": "audit" }\n' > "$etc/policy.d/10-audit.json"
printf '{ "mode": "off" }\n' > "$etc/policy.d/20-off.json"
printf '{ broken\n' > "$etc/policy.d/.30-hidden.json"
printf '{ broken\n' > "$etc/policy.d/README"
printf '{ broken\n' > "$etc/policy.d/40-x.json.disabled"
chmod 0644 "$etc/policy.json" "$etc/policy.d"/*
for rt in runc crun; do
  id=$(new_id etc)
  out=$(cd "$b" && etc_hs $rt run "$id" 2>"$T/err")
  rc=$?
  check "$rt /etc/hardshim: the container runs (got $rc: $(head -c 200 "$T/err"))" [ "$rc" -eq 0 ]
  check "$rt /etc/hardshim: policy.d in name order, last (mode off) wins" [ "$(nnp_of "$out")" = 0 ]
  check "$rt /etc/hardshim: mode off leaves config.json byte-identical" cmp -s "$b/config.json" "$T/etc-orig.json"
done
check "the host's /etc has no hardshim directory from this test" [ ! -e /etc/hardshim/policy.d/20-off.json ]
rm "$etc/policy.d/20-off.json"
for rt in runc crun; do
  id=$(new_id etc)
  out=$(cd "$b" && etc_hs $rt run "$id" 2>"$T/err")
  check "$rt /etc/hardshim: 10-audit.json applies when 20-off.json is gone" \
    jq -s -e --arg id "$id" 'any(.[]; .container == $id and .action == "would-change")' "$AUDIT"
  cp "$T/etc-orig.json" "$b/config.json"
done
printf '{ "mode": "enforce" }\n' > "$etc/policy.d/15-good.json"
printf '{ "mode": "enforce", }\n' > "$etc/policy.d/25-bad.json"
printf '{ "mode": "enforce" }\n' > "$etc/policy.d/35-good.json"
chmod 0644 "$etc/policy.d"/*
for rt in runc crun; do
  id=$(new_id etcbad)
  rm -f "$T/log.json"
  (cd "$b" && etc_hs $rt --log "$T/log.json" --log-format json create "$id") >"$T/out" 2>"$T/err"
  rc=$?
  check "$rt bad drop-in among good ones: refused with exit 1" [ "$rc" -eq 1 ]
  check "$rt bad drop-in: stderr names the file" grep -qF '/etc/hardshim/policy.d/25-bad.json' "$T/err"
  check "$rt bad drop-in: --log names the file" \
    jqe 'select(.level == "error") | .msg | contains("policy.d/25-bad.json")' "$T/log.json"
  check "$rt bad drop-in: config untouched" cmp -s "$b/config.json" "$T/etc-orig.json"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt bad drop-in: the runtime never ran" [ $? -ne 0 ]
done

finish

#!/bin/sh
# hardshim is a drop-in runtime: run, create/start/state/exec/kill/delete,
# list, --version, exit codes, pid files and inherited fds behave as the
# runtime's, with real runc and real crun; refusals reach --log as JSON.
. "$(dirname "$0")/lib.sh"

for rt in runc crun; do
  # run: the container is hardened and its exit status is the runtime's.
  b=$T/$rt-run
  make_bundle "$b" '.process.noNewPrivileges = false' \
    '["sh","-c","grep NoNewPrivs /proc/self/status; exit 7"]'
  id=$(new_id run)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  rc=$?
  check "$rt: run exits with the container's status (7)" [ "$rc" -eq 7 ]
  check "$rt: run process has NoNewPrivs 1" [ "$(echo "$out" | awk '{print $2}')" = 1 ]
  check "$rt: config.json records noNewPrivileges true" \
    [ "$(jq .process.noNewPrivileges "$b/config.json")" = true ]
  check "$rt: config.json carries the hardened annotation" \
    jqe '.annotations["org.hardshim.hardened"] | startswith("version=")' "$b/config.json"
  check "$rt: audit log records the change" \
    grep -q "\"container\":\"$id\".*\"control\":\"no_new_privileges\".*\"action\":\"changed\"" "$AUDIT"

  # create / start / state / exec / kill / delete, with --bundle and --pid-file.
  b=$T/$rt-life
  make_bundle "$b" . '["sleep","1000"]'
  id=$(new_id life)
  check "$rt: create --bundle --pid-file" hs $rt create --bundle "$b" --pid-file "$T/$rt.pid" "$id"
  check "$rt: pid file holds the container's init pid" \
    [ "$(hs $rt state "$id" | jq .pid)" = "$(cat "$T/$rt.pid")" ]
  check "$rt: state says created" [ "$(hs $rt state "$id" | jq -r .status)" = created ]
  hs $rt state "$id" > "$T/state.json"
  check "$rt: state shows the hardened annotation" \
    jqe '.annotations["org.hardshim.hardened"] | startswith("version=")' "$T/state.json"
  st=$(hs $rt state "$id")
  check "$rt: state output is byte-identical to the runtime's" \
    [ "$st" = "$(real $rt state "$id")" ]
  check "$rt: start" hs $rt start "$id"
  check "$rt: state says running" [ "$(hs $rt state "$id" | jq -r .status)" = running ]
  check "$rt: list output is byte-identical to the runtime's" \
    [ "$(hs $rt list)" = "$(real $rt list)" ]

  # exec with a process file asking for noNewPrivileges false: hardened.
  jq '.process | .args = ["grep","NoNewPrivs","/proc/self/status"] | .noNewPrivileges = false' \
    "$b/config.json" > "$T/$rt-process.json"
  cp "$T/$rt-process.json" "$T/$rt-process.orig"
  out=$(hs $rt exec --process "$T/$rt-process.json" "$id")
  check "$rt: exec --process gets NoNewPrivs 1" [ "$(echo "$out" | awk '{print $2}')" = 1 ]
  check "$rt: the engine's process file is left as it was" cmp -s "$T/$rt-process.json" "$T/$rt-process.orig"
  out=$(hs $rt exec "$id" sh -c 'echo inline; exit 3')
  rc=$?
  check "$rt: inline exec passes output and exit status" [ "$out" = inline -a "$rc" -eq 3 ]
  check "$rt: kill" hs $rt kill "$id" KILL
  i=0; while [ "$(hs $rt state "$id" | jq -r .status)" != stopped ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  check "$rt: state says stopped after kill" [ "$(hs $rt state "$id" | jq -r .status)" = stopped ]
  check "$rt: delete" hs $rt delete "$id"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: container gone after delete" [ $? -ne 0 ]

  # Inherited fds pass through exec: --preserve-fds 1 hands fd 3 to the container.
  b=$T/$rt-fds
  make_bundle "$b" . '["sh","-c","echo through-fd3 >&3"]'
  id=$(new_id fds)
  (cd "$b" && hs $rt run --preserve-fds 1 "$id" 3>"$T/$rt-fd3.out")
  check "$rt: --preserve-fds fd reaches the container" [ "$(cat "$T/$rt-fd3.out")" = through-fd3 ]

  # A refusal: config.json with a duplicate key. Runtime never runs,
  # config untouched, reason in --log as runc-style JSON.
  b=$T/$rt-dup
  make_bundle "$b"
  sed -i 's/"ociVersion"/"hostname":"a","hostname":"b","ociVersion"/' "$b/config.json"
  cp "$b/config.json" "$T/dup.orig"
  id=$(new_id dup)
  hs $rt --log "$T/$rt-log.json" --log-format json create --bundle "$b" "$id" 2>"$T/err"
  rc=$?
  check "$rt: refused create exits 1" [ "$rc" -eq 1 ]
  check "$rt: stderr names the duplicate key" grep -q 'duplicate key `hostname`' "$T/err"
  check "$rt: --log has a JSON error line from hardshim" \
    jqe 'select(.level == "error") | .msg | startswith("hardshim: create")' "$T/$rt-log.json"
  check "$rt: --log time is RFC 3339" \
    jqe '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")' "$T/$rt-log.json"
  check "$rt: config.json is byte-identical after the refusal" cmp -s "$b/config.json" "$T/dup.orig"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: the runtime never created the container" [ $? -ne 0 ]
done

# --version: the runtime's output unchanged, then hardshim's line.
HARDSHIM_RUNTIME=$RUNC "$HARDSHIM" --version > "$T/v.out"
"$RUNC" --version > "$T/v.want"
check "--version starts with the runtime's output" \
  [ "$(head -n "$(wc -l < "$T/v.want")" "$T/v.out")" = "$(cat "$T/v.want")" ]
check "--version ends with hardshim's line" grep -q '^hardshim version ' "$T/v.out"

finish

#!/bin/sh
# rlimits, oom_score_adj and the seccomp listener end to end, with real
# runc and crun: every RLIMIT_* has a maximum (RLIMIT_MSGQUEUE and
# RLIMIT_SIGPENDING are capped in the running container, not only the five
# of old), an unknown type is refused; a negative process.oomScoreAdj (the
# host's OOM killer would kill host processes first) is raised to 0 in the
# container; linux.seccomp.listenerPath (the runtime hands the container's
# seccomp notify fd to that host socket) is refused unless the policy
# names the socket.
. "$(dirname "$0")/lib.sh"

BASE=$(cat "$POLICY")

# limit FILE NAME: soft and hard of one /proc/PID/limits row ("Max msgqueue size").
limit () { awk -v n="$2" 'index($0, n) == 1 { sub(n, ""); print $1, $2 }' "$1"; }

for rt in runc crun; do
  # (a policy maximum for SIGPENDING: the built-in one is above what root
  # here may raise to without CAP_SYS_RESOURCE)
  write_policy "$(printf '%s' "$BASE" | jq -c '. + {rlimits: {max: {RLIMIT_SIGPENDING: 1000}}}')"
  b=$T/b-$rt-rl
  rm -rf "$b"
  make_bundle "$b" '.process.rlimits = [
      {"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024},
      {"type": "RLIMIT_MSGQUEUE", "hard": 819200, "soft": 819200},
      {"type": "RLIMIT_SIGPENDING", "hard": 5000, "soft": 5000}]
    | .process.oomScoreAdj = -999' \
    '["sh","-c","cat /proc/self/limits; echo oom $(cat /proc/self/oom_score_adj)"]'
  # Ask for more than the maxima (hardshim caps them; both runtimes would
  # set them as root).
  jq '.process.rlimits[1].hard = 1073741824 | .process.rlimits[1].soft = 1073741824
      | .process.rlimits[2].hard = 5000 | .process.rlimits[2].soft = 5000' \
    "$b/config.json" > "$b/c.new" && mv "$b/c.new" "$b/config.json"
  (cd "$b" && hs $rt run "$(new_id rl)") > "$T/out" 2>"$T/err"
  check "$rt: rlimits above the maxima: runs" [ $? -eq 0 ]
  [ -s "$T/out" ] || cat "$T/err"
  check "$rt: RLIMIT_MSGQUEUE capped at 819200 (soft and hard)" \
    [ "$(limit "$T/out" "Max msgqueue size")" = "819200 819200" ]
  check "$rt: RLIMIT_SIGPENDING capped at the policy's 1000 (soft and hard)" \
    [ "$(limit "$T/out" "Max pending signals")" = "1000 1000" ]
  check "$rt: a negative oomScoreAdj is raised to 0" grep -qx "oom 0" "$T/out"

  b=$T/b-$rt-rlbad
  rm -rf "$b"
  make_bundle "$b" '.process.rlimits = [{"type": "RLIMIT_FOO", "hard": 1, "soft": 1}]' '["true"]'
  hs $rt create --bundle "$b" "$(new_id rl)" >/dev/null 2>"$T/err"
  check "$rt: an unknown rlimit type is refused" \
    grep -qF 'unknown rlimit type `RLIMIT_FOO` (control `rlimits`, `process.rlimits[0]`)' "$T/err"

  write_policy "$(printf '%s' "$BASE" | jq -c '. + {rlimits: {mode: "reject"}}')"
  b=$T/b-$rt-oom
  rm -rf "$b"
  make_bundle "$b" '.process.oomScoreAdj = -500' '["true"]'
  hs $rt create --bundle "$b" "$(new_id rl)" >/dev/null 2>"$T/err"
  check "$rt: rlimits in reject mode: a negative oomScoreAdj is refused" \
    grep -qF 'oom_score_adj -500 raised to 0 by host policy' "$T/err"

  # The seccomp listener: refused by default, admitted when the policy
  # names the socket (here a socket that is not there: the runtime fails
  # to connect, after hardshim let it through).
  write_policy "$BASE"
  b=$T/b-$rt-listener
  rm -rf "$b"
  make_bundle "$b" ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$T/agent.sock\",
      \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}" '["true"]'
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id lis)
  hs $rt --log "$T/log.json" --log-format json create --bundle "$b" "$id" >/dev/null 2>"$T/err"
  check "$rt: seccomp listenerPath refused by default (exit 1)" [ $? -eq 1 ]
  check "$rt: ... says why" \
    grep -qF "seccomp listener socket $T/agent.sock is not allowed by host policy" "$T/err"
  check "$rt: ... config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  write_policy "$(printf '%s' "$BASE" | jq -c --arg s "$T/agent.sock" '. + {seccomp: {listener_paths: [$s]}}')"
  hs $rt create --bundle "$b" "$(new_id lis)" >/dev/null 2>"$T/err"
  check "$rt: a listenerPath the policy names passes hardshim" \
    sh -c "! grep -q 'seccomp listener socket' '$T/err'"
done

finish

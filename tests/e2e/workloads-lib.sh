# Sourced (after lib.sh and engines-lib.sh) by the workload tests
# (workloads-podman.sh, workloads-docker.sh): real services of a real
# Debian 12 image (tests/debian-rootfs) answer a real client request in a
# container an engine runs through hardshim. Under `baseline` each runs
# exactly as it would without hardshim; under `restricted` each runs either
# the same or with the opt-out the README lists for it ("Real workloads"),
# and with exactly that opt-out: without it the workload fails, so a stale
# opt-out in the README fails the test too.
#
# The engine test defines, before calling run_workloads:
#   eng ARGS...       the engine's command line (private state)
#   ENG_RUN           flags for a detached container (`run -d ...`)
#   ENG_RM            the remove-by-name command (`rm -f`, `rm -f -t 0`)
#   ENG_VOLUME_STORE  the engine's volume store (for userns.volume_stores)
#   ENG_NAME          "podman" or "docker", for messages
#   WL_IMG            the imported image

WORKLOADS="nginx redis postgresql python"

# Per workload: wl_flags_W (engine flags in both presets: the user the
# image's service runs as, its environment), wl_optout_W (what restricted
# needs on top; README "Real workloads"; VOL is replaced by a unique volume
# name), wl_cmd_W (the service), wl_ready_W (a quick probe run by exec until
# it succeeds) and wl_client_W (the client request; prints what is compared
# with wl_want_W).
#
# nginx as Debian configures it: the master as root, workers as www-data,
# logs in /var/log/nginx, temp files in /var/lib/nginx. On a read-only root
# it cannot open its logs: both directories get a tmpfs.
wl_flags_nginx=""
wl_optout_nginx="--tmpfs /var/lib/nginx --tmpfs /var/log/nginx"
wl_cmd_nginx () { "$@" nginx -g 'daemon off;'; }
wl_ready_nginx () { "$@" curl -fsS -o /dev/null http://127.0.0.1/; }
wl_client_nginx () { "$@" sh -c 'curl -fsS http://127.0.0.1/ | grep -o "Welcome to nginx!" | head -n 1'; }
wl_want_nginx="Welcome to nginx!"

# redis as user redis in its data directory; SAVE writes dump.rdb there,
# which on a read-only root needs a volume.
wl_flags_redis="--user redis --workdir /var/lib/redis"
wl_optout_redis="-v VOL:/var/lib/redis"
wl_cmd_redis () { "$@" redis-server --bind 127.0.0.1 --dir /var/lib/redis; }
wl_ready_redis () { "$@" sh -c '[ "$(redis-cli -h 127.0.0.1 PING)" = PONG ]'; }
wl_client_redis () {
  "$@" sh -c 'redis-cli -h 127.0.0.1 PING && redis-cli -h 127.0.0.1 SET hardshim works &&
    redis-cli -h 127.0.0.1 GET hardshim && redis-cli -h 127.0.0.1 SAVE' | tr '\n' ' '
}
wl_want_redis="PONG OK works OK "

# PostgreSQL 15 as user postgres: initdb of a new cluster under
# /var/lib/postgresql, then the server, its socket in /run/postgresql (the
# image's directory, which restricted's tmpfs on /run hides: a tmpfs of its
# own there) and TCP on 127.0.0.1; psql creates, fills and reads a table.
wl_flags_postgresql="--user postgres --env PGDATA=/var/lib/postgresql/data"
wl_optout_postgresql="-v VOL:/var/lib/postgresql --tmpfs /run/postgresql"
wl_cmd_postgresql () {
  "$@" sh -c 'set -e; [ -s "$PGDATA/PG_VERSION" ] ||
    /usr/lib/postgresql/15/bin/initdb -D "$PGDATA" -U postgres --auth=trust > /dev/null
    exec /usr/lib/postgresql/15/bin/postgres -D "$PGDATA" -c listen_addresses=127.0.0.1'
}
wl_ready_postgresql () { "$@" /usr/lib/postgresql/15/bin/pg_isready -q -h 127.0.0.1; }
wl_client_postgresql () {
  "$@" /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtAc \
    "CREATE TABLE hs (v text); INSERT INTO hs VALUES ('works'); SELECT v FROM hs;"
}
wl_want_postgresql="works"

# A small WSGI service on Python's own server, as nobody.
WL_WSGI_APP='from wsgiref.simple_server import make_server
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("hello " + environ["PATH_INFO"]).encode()]
make_server("127.0.0.1", 8000, app).serve_forever()'
wl_flags_python="--user nobody"
wl_optout_python=""
wl_cmd_python () { "$@" python3 -c "$WL_WSGI_APP"; }
wl_ready_python () { "$@" curl -fsS -o /dev/null http://127.0.0.1:8000/; }
wl_client_python () { "$@" curl -fsS http://127.0.0.1:8000/wsgi; }
wl_want_python="hello /wsgi"

# How long a service may take to answer (initdb on a busy 2-core machine).
: "${WL_READY_TIMEOUT:=300}"

# wl_policy PRESET: the test policy with PRESET as its base (audit log and
# state under $T; the engine's private volume store is a volume store).
wl_policy () {
  write_policy "{ \"preset\": \"$1\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"state_dir\": \"$HS_STATE\", \"userns\": { \"volume_stores\": [\"$ENG_VOLUME_STORE\"] } }"
}

# wl_running NAME: the container is still running.
wl_running () { [ "$(eng inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }

# wl_wait W NAME: until W's ready probe succeeds in NAME (0), NAME stops
# running (1) or WL_READY_TIMEOUT seconds pass (1).
wl_wait () {
  start=$(date +%s)
  while :; do
    if wl_ready_$1 eng exec "$2" > /dev/null 2>&1; then return 0; fi
    wl_running "$2" || return 1
    [ $(($(date +%s) - start)) -lt "$WL_READY_TIMEOUT" ] || return 1
    sleep 1
  done
}

# wl_flags W PRESET [no-optout]: the engine flags of W under PRESET; its
# volume is hs<pid>-W (wl_cleanup removes it by that name).
wl_flags () {
  eval "f=\$wl_flags_$1 o=\$wl_optout_$1"
  if [ "$2" = restricted ] && [ "${3:-}" != no-optout ] && [ -n "$o" ]; then
    f="$f $(echo "$o" | sed "s/VOL/hs$$-$1/g")"
  fi
  echo "$f"
}

wl_dump () {
  eng logs "$1" 2>&1 | tail -n 20 | sed 's/^/#   /'
}

# run_workloads PRESET: every workload under PRESET, all four started at
# once (the waits overlap), then each one's client request.
run_workloads () {
  preset=$1
  wl_policy "$preset"
  for w in $WORKLOADS; do
    name=hs$$-$preset-$w
    # shellcheck disable=SC2046 # flags are words
    wl_cmd_$w eng $ENG_RUN --name "$name" $(wl_flags "$w" "$preset") "$WL_IMG" \
      > "$T/$name.run" 2>&1 || sed 's/^/#   /' "$T/$name.run"
  done
  for w in $WORKLOADS; do
    name=hs$$-$preset-$w
    eval "o=\$wl_optout_$w want=\$wl_want_$w"
    how="unchanged"
    [ "$preset" = restricted ] && [ -n "$o" ] && how="with its opt-out ($o)"
    if wl_wait "$w" "$name"; then
      ok "$ENG_NAME $preset: $w starts and answers, $how"
    else
      not_ok "$ENG_NAME $preset: $w starts and answers, $how"
      wl_dump "$name"
    fi
    got=$(wl_client_$w eng exec "$name" 2>&1)
    if [ "$got" = "$want" ]; then ok "$ENG_NAME $preset: $w client request ($got)"; else
      not_ok "$ENG_NAME $preset: $w client request: got \`$got\`, want \`$want\`"; wl_dump "$name"; fi
  done
  # The hardening really applies: read-only root, own user namespace
  # (restricted); no new privileges in both.
  name=hs$$-$preset-nginx
  eng exec "$name" sh -c "$PROBE" > "$T/$name.probe" 2>&1
  check "$ENG_NAME $preset: the workload runs with NoNewPrivs 1" [ "$(status_field "$T/$name.probe" NoNewPrivs)" = 1 ]
  check "$ENG_NAME $preset: ... and a seccomp filter" [ "$(status_field "$T/$name.probe" Seccomp)" = 2 ]
  check "$ENG_NAME $preset: ... in a user namespace" [ "$(status_field "$T/$name.probe" UidMap0)" != 0 ]
  # the engine's overlay rootfs is idmapped (through its layers)
  out=$(eng exec "$name" stat -c %u:%g /etc/passwd /var/lib/redis 2>&1 | tr '\n' ' ')
  check "$ENG_NAME $preset: ... where the image's files keep their owners ($out)" [ "$out" = "0:0 100:102 " ]
  if [ "$preset" = restricted ]; then
    check "$ENG_NAME $preset: ... on a read-only root" [ "$(status_field "$T/$name.probe" RootFs)" = ro ]
  fi
  for w in $WORKLOADS; do eng $ENG_RM "hs$$-$preset-$w" > /dev/null 2>&1; done
}

# run_without_optouts: under restricted, each workload that has an opt-out
# fails without it (the README's list is not stale).
run_without_optouts () {
  wl_policy restricted
  for w in $WORKLOADS; do
    eval "o=\$wl_optout_$w"
    [ -n "$o" ] || continue
    name=hs$$-bare-$w
    # shellcheck disable=SC2046
    wl_cmd_$w eng $ENG_RUN --name "$name" $(wl_flags "$w" restricted no-optout) "$WL_IMG" \
      > "$T/$name.run" 2>&1
  done
  for w in $WORKLOADS; do
    eval "o=\$wl_optout_$w want=\$wl_want_$w"
    [ -n "$o" ] || continue
    name=hs$$-bare-$w
    wl_wait "$w" "$name"
    got=$(wl_client_$w eng exec "$name" 2>&1)
    check "$ENG_NAME restricted: $w fails without its opt-out ($o)" [ "$got" != "$want" ]
    eng $ENG_RM "$name" > /dev/null 2>&1
  done
}

# The shared Debian tree is read-only by contract: count its files before
# and after (a container or cleanup writing through to it fails the test).
wl_tree_count () { find "$DEB" -xdev | wc -l; }
wl_tree_check () {
  after=$(wl_tree_count)
  check "the shared Debian tree is unchanged ($WL_TREE_BEFORE files before, $after after)" \
    [ "$after" = "$WL_TREE_BEFORE" ]
}

# wl_cleanup: the containers and volumes this test made, by name.
wl_cleanup () {
  for p in baseline restricted bare; do
    for w in $WORKLOADS; do eng $ENG_RM "hs$$-$p-$w"; done
  done
  for w in $WORKLOADS; do eng volume rm -f "hs$$-$w"; done
}

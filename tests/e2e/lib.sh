# Sourced by every end-to-end test: real runc and crun containers through
# hardshim. Each test gets its own temp dir, runtime --root, policy and
# audit log, and unique container ids, so tests can run in parallel with
# each other and with anything else on the machine.
set -u

# Every test runs in a private mount namespace: hardshim makes mounts (the
# idmapped rootfs of the userns control) and the host's mount table must
# never see them.
if [ -z "${HS_E2E_PRIVATE_NS:-}" ]; then
  HS_E2E_PRIVATE_NS=1 exec unshare -m --propagation private /bin/sh "$0" "$@"
fi

: "${HARDSHIM:?run through make check, or set HARDSHIM=/path/to/hardshim}"
: "${HARDSHIMCTL:=$(dirname "$HARDSHIM")/hardshimctl}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

RUNC=${RUNC:-/usr/sbin/runc}
CRUN=${CRUN:-/usr/bin/crun}
T=$(mktemp -d /tmp/hardshim-e2e.XXXXXX)
# Searchable (not listable): in a user namespace the runtime resolves the
# rootfs as the container's unprivileged root.
chmod 0711 "$T"
STATE=$T/state
POLICY=$T/policy.json
AUDIT=$T/audit.jsonl
ROOTFS=$T/rootfs
ID_PREFIX="hs$$"
PASSED=0
FAILED=0
CREATED_IDS=""

mkdir -p "$STATE"

cleanup () {
  for id in $CREATED_IDS $(cat "$T/ids" 2>/dev/null); do
    "$RUNC" --root "$STATE/runc" delete --force "$id" >/dev/null 2>&1 || true
    in_crun_ns "$CRUN" --root "$STATE/crun" delete --force "$id" >/dev/null 2>&1 || true
  done
  if [ -n "${PINS:-}" ]; then
    for f in "$PINS"/*; do umount "$f" 2>/dev/null; done
    rm -rf "$PINS"
  fi
  rm -rf "$T"
}
trap cleanup EXIT

# pin_ns PID NS: the namespace NS (net, pid, ...) of process PID bound
# onto a file in a root-only directory, as engines pin a pod's network
# namespace (/run/netns/cni-...): hardshim admits joining another
# process's namespace through /proc only for a container's init. The
# mount is in this test's private mount namespace; /tmp (where $T is) is
# writable by anyone, so the file is under /run.
PINS=""
pin_ns () {
  if [ -z "$PINS" ]; then
    PINS=$(mktemp -d /run/hardshim-e2e-ns.XXXXXX) || return 1
  fi
  touch "$PINS/$1-$2" && mount --bind "/proc/$1/ns/$2" "$PINS/$1-$2" && echo "$PINS/$1-$2"
}

ok () { PASSED=$((PASSED + 1)); echo "ok $PASSED - $*"; }
not_ok () { FAILED=$((FAILED + 1)); echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check () {
  desc=$1; shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

finish () {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit $?
}

# A unique container id; remembered for cleanup.
new_id () {
  id="${ID_PREFIX}-$1-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
  CREATED_IDS="$CREATED_IDS $id"
  # new_id usually runs in $(...): the file outlives the subshell
  echo "$id" >> "$T/ids"
  echo "$id"
}

# crun refuses the host's hybrid cgroup layout: give it a private mount
# namespace without the cgroup2 mount (see ENVIRONMENT.md). Never touches
# the host's own mounts.
in_crun_ns () {
  unshare -m --propagation private sh -c \
    'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec "$@"' \
    sh "$@"
}

# write_policy JSON: the policy every hardshim call of this test uses.
write_policy () {
  printf '%s\n' "$1" > "$POLICY"
  chmod 0644 "$POLICY"
}
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"

# hs RUNTIME ARGS...: hardshim in front of runc or crun, own state root.
hs () {
  rt=$1; shift
  case $rt in
    # A private mount namespace for runc too: the idmapped mounts hardshim
    # makes (userns control) must never land on the host's mount table.
    runc) HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$POLICY \
            unshare -m --propagation private "$HARDSHIM" --root "$STATE/runc" "$@" ;;
    crun) HARDSHIM_RUNTIME=$CRUN HARDSHIM_POLICY=$POLICY in_crun_ns "$HARDSHIM" --root "$STATE/crun" "$@" ;;
    *) echo "unknown runtime $rt" >&2; return 2 ;;
  esac
}

# real RUNTIME ARGS...: the runtime itself, same state root.
real () {
  rt=$1; shift
  case $rt in
    runc) "$RUNC" --root "$STATE/runc" "$@" ;;
    crun) in_crun_ns "$CRUN" --root "$STATE/crun" "$@" ;;
  esac
}

make_rootfs () {
  [ -d "$ROOTFS" ] && return 0
  mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" "$ROOTFS/tmp" \
    "$ROOTFS/etc" "$ROOTFS/run" "$ROOTFS/var/tmp"
  cp /bin/busybox "$ROOTFS/bin/busybox"
  for applet in $("$ROOTFS/bin/busybox" --list); do
    [ -e "$ROOTFS/bin/$applet" ] || ln -s busybox "$ROOTFS/bin/$applet"
  done
  echo "root:x:0:0:root:/root:/bin/sh" > "$ROOTFS/etc/passwd"
  echo "root:x:0:" > "$ROOTFS/etc/group"
}

# debian_rootfs: the path of the shared, cached real Debian 12 rootfs
# (nginx, redis, postgresql, python3), built on first use; never write into
# it (see tests/debian-rootfs).
debian_rootfs () { "$top_srcdir/tests/debian-rootfs"; }

# make_bundle DIR [JQ_FILTER] [ARGS_JSON]: a runc-spec bundle on the shared
# busybox rootfs, edited with jq.
make_bundle () {
  dir=$1; filter=${2:-.}; args=${3:-'["sh","-c","true"]'}
  make_rootfs
  mkdir -p "$dir"
  (cd "$dir" && "$RUNC" spec)
  jq --arg root "$ROOTFS" --argjson args "$args" \
     '.process.terminal = false | .root.path = $root | .process.args = $args' \
     "$dir/config.json" | jq "$filter" > "$dir/config.json.new"
  mv "$dir/config.json.new" "$dir/config.json"
}

# status_field FILE NAME: a /proc/PID/status line's value from a capture.
status_field () { awk -v k="$2:" '$1 == k { print $2 }' "$1"; }

# Process tracking by pid and start time, so a test only ever touches the
# processes it started (a pid may be reused by a stranger).
# children PID: the pids of a process's children.
children () { cat /proc/"$1"/task/*/children 2>/dev/null | tr -s ' ' '\n' | grep .; }
# start_time PID: when the process started (clock ticks since boot); empty
# when it is gone or a zombie.
start_time () {
  sed 's/.*) //' /proc/"$1"/stat 2>/dev/null | awk '$1 != "Z" { print $20 }'
}
# still_runs PID START: the process that started at START still runs.
still_runs () { [ -n "$2" ] && [ "$(start_time "$1")" = "$2" ]; }
# gone_within SECONDS PID START: it ends within that time.
gone_within () {
  _n=$(($1 * 10))
  while still_runs "$2" "$3" && [ "$_n" -gt 0 ]; do sleep 0.1; _n=$((_n - 1)); done
  ! still_runs "$2" "$3"
}
# kill_tracked PID START: SIGKILL it only if it is still that process.
kill_tracked () { if still_runs "$1" "$2"; then kill -9 "$1" 2>/dev/null; fi; }

# jqe FILTER FILE: jq -e without printing the result.
jqe () { jq -e "$@" >/dev/null; }

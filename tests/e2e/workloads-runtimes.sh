#!/bin/sh
# Real workloads (nginx, redis, PostgreSQL, a Python WSGI service) of a real
# Debian 12 image with plain hardshim in front of real runc and real crun,
# no engine, under `baseline` and `restricted` (tests/e2e/workloads-lib.sh).
# A small engine in shell stands in for podman and Docker: each container
# gets an engine-style overlay rootfs over the shared, read-only Debian tree
# (both layers in a 0700 store), the config an engine would write (its own
# network namespace, Docker's default capabilities, a writable root), named
# volumes in a 0700 volume store, and the same opt-outs as with the engines.
#
# One private mount namespace for the whole test, without the cgroup2 mount
# so crun works (see ENVIRONMENT.md); hardshim and both runtimes run in it.
if [ -z "${HS_USERNS_PRIVATE_NS:-}" ]; then
  HS_USERNS_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
. "$(dirname "$0")/lib.sh"
# its cleanup unmounts everything under $T before lib.sh removes it (the
# overlays and hardshim's layer clones show the shared Debian tree)
. "$(dirname "$0")/engines-lib.sh"
. "$(dirname "$0")/workloads-lib.sh"

DEB=$(debian_rootfs) || { not_ok "the Debian 12 rootfs (tests/debian-rootfs)"; finish; }
WL_TREE_BEFORE=$(wl_tree_count)

STORE=$T/store
VOLS=$T/volumes
LOGS=$T/logs
mkdir -p "$STORE/image" "$VOLS" "$LOGS"
chmod 0700 "$STORE" "$VOLS"
# The image layer as the engines keep theirs: in root-only storage (only
# such layers are idmapped), and read-only (the tree is shared).
mount --bind "$DEB" "$STORE/image" && mount -o remount,bind,ro "$STORE/image"
ENG_VOLUME_STORE=$VOLS
ENG_RUN="run -d"
ENG_RM="rm -f"
WL_IMG=debian
ENGINE_CLEANUP=wl_cleanup
CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'

rt_path () { if [ "$RT" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
hsx () { HARDSHIM_RUNTIME=$(rt_path) HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/$RT" "$@"; }
rx () { "$(rt_path)" --root "$STATE/$RT" "$@"; }
# ids NAME: "uid gid" of a user of the image
ids () { awk -F: -v u="$1" '$1 == u { print $3, $4 }' "$DEB/etc/passwd"; }
cid () { echo "$RT-$1"; }

# run -d --name N [--user U] [--workdir D] [--env K=V] [--tmpfs P] [-v VOL:P] IMG CMD...
eng_run () {
  shift 2 # run -d
  n="" uid=0 gid=0 cwd=/ env='[]' mounts='[]'
  while [ $# -gt 0 ]; do
    case $1 in
      --name) n=$2; shift 2 ;;
      --user) set -- "$@"; u=$(ids "$2"); uid=${u% *} gid=${u#* }; shift 2 ;;
      --workdir) cwd=$2; shift 2 ;;
      --env) env=$(echo "$env" | jq --arg e "$2" '. + [$e]'); shift 2 ;;
      --tmpfs) mounts=$(echo "$mounts" | jq --arg d "$2" \
                 '. + [{destination: $d, type: "tmpfs", source: "tmpfs", options: ["nosuid","nodev","noexec"]}]')
               shift 2 ;;
      -v) vol=${2%%:*} dest=${2#*:}
          # a named volume as the engines make one: the image's directory's
          # owner and mode
          if [ ! -d "$VOLS/$vol" ]; then
            mkdir -p "$VOLS/$vol"
            chown "$(stat -c %u:%g "$DEB$dest")" "$VOLS/$vol"
            chmod "$(stat -c %a "$DEB$dest")" "$VOLS/$vol"
          fi
          mounts=$(echo "$mounts" | jq --arg s "$VOLS/$vol" --arg d "$dest" \
                   '. + [{destination: $d, type: "bind", source: $s, options: ["rbind","rw"]}]')
          shift 2 ;;
      *) break ;;
    esac
  done
  shift # the image
  c=$STORE/$(cid "$n")
  mkdir -p "$c/diff" "$c/work" "$c/merged"
  mount -t overlay overlay -o "lowerdir=$STORE/image,upperdir=$c/diff,workdir=$c/work" "$c/merged" || return 1
  mkdir -p "$T/b-$n"
  (cd "$T/b-$n" && rm -f config.json && "$RUNC" spec)
  args=$(jq -n '$ARGS.positional' --args -- "$@")
  jq --arg root "$c/merged" --argjson args "$args" --argjson env "$env" --argjson m "$mounts" \
     --argjson caps "$CAPS" --arg cwd "$cwd" --argjson uid "$uid" --argjson gid "$gid" \
     '.process.terminal = false | .root = {path: $root, readonly: false} | .process.args = $args
      | .process.env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + $env
      | .process.cwd = $cwd | .process.user = {uid: $uid, gid: $gid}
      | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
      | .mounts += $m' "$T/b-$n/config.json" > "$T/b-$n/c.json" &&
    mv "$T/b-$n/c.json" "$T/b-$n/config.json"
  echo "$(cid "$n")" >> "$T/ids"
  hsx create --bundle "$T/b-$n" "$(cid "$n")" < /dev/null > "$LOGS/$n" 2>&1 &&
    hsx start "$(cid "$n")"
}

eng_rm () {
  n=$2
  hsx kill "$(cid "$n")" KILL > /dev/null 2>&1
  i=0
  while [ "$(rx state "$(cid "$n")" 2>/dev/null | jq -r .status)" = running ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
  done
  hsx delete --force "$(cid "$n")" > /dev/null 2>&1
  c=$STORE/$(cid "$n")
  # never remove files through the overlay: its lower layer is the shared tree
  umount -l "$c/merged" 2>/dev/null
  if [ -d "$c" ] && ! mountpoint -q "$c/merged"; then rm -rf "$c"; fi
}

eng () {
  case $1 in
    run) eng_run "$@" ;;
    exec) shift; n=$1; shift; hsx exec "$(cid "$n")" "$@" ;;
    inspect) [ "$(rx state "$(cid "$4")" 2>/dev/null | jq -r .status)" = running ] && echo true || echo false ;;
    logs) cat "$LOGS/$2" ;;
    rm) eng_rm "$@" ;;
    volume) rm -rf "${VOLS:?}/$4" ;;
  esac
}

for RT in runc crun; do
  ENG_NAME=$RT
  run_workloads baseline
  run_workloads restricted
  run_without_optouts
  wl_cleanup > /dev/null 2>&1
done
wl_tree_check
finish

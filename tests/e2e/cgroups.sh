#!/bin/sh
# cgroups and the cgroup namespace end to end, with real runc and crun:
# linux.cgroupsPath in a host slice, escaping with `..`, naming a top-level
# cgroup or the cgroup of a running container is refused before the
# runtime runs (without hardshim runc puts the second container's
# processes in the first one's cgroup); unified cgroup.procs and pids.max
# are refused; a container without a cgroup namespace (Docker's default on
# cgroup v1) gets one of its own, a config that has one keeps it.
. "$(dirname "$0")/lib.sh"

CG=/hs-e2e-$$
HOST_CGNS=$(readlink /proc/self/ns/cgroup)

refused () {
  rt=$1; what=$2; filter=$3; want=$4
  b=$T/b-$rt-$(printf '%s' "$what" | tr -c 'a-zA-Z0-9' '-')
  rm -rf "$b"
  make_bundle "$b" "$filter" '["true"]'
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id cg)
  rm -f "$T/log.json"
  hs "$rt" --log "$T/log.json" --log-format json create --bundle "$b" "$id" >/dev/null 2>"$T/err"
  rc=$?
  check "$rt: $what: refused (exit 1)" [ "$rc" -eq 1 ]
  check "$rt: $what: stderr says why" grep -qF -- "$want" "$T/err"
  [ "$rc" -eq 1 ] && grep -qF -- "$want" "$T/err" || cat "$T/err"
  check "$rt: $what: --log says why" \
    jqe --arg w "$want" 'select(.level == "error") | .msg | contains($w)' "$T/log.json"
  check "$rt: $what: config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  if real "$rt" state "$id" >/dev/null 2>&1; then
    not_ok "$rt: $what: the runtime never created it"
    real "$rt" delete --force "$id" >/dev/null 2>&1
  else
    ok "$rt: $what: the runtime never created it"
  fi
}

for rt in runc crun; do
  refused $rt "cgroupsPath in system.slice" ".linux.cgroupsPath = \"/system.slice/hs-$$\"" \
    "cgroups path \`/system.slice/hs-$$\` is not allowed by host policy: it is in a host slice (control \`cgroups\`, \`linux.cgroupsPath\`)"
  refused $rt "cgroupsPath escaping with .." ".linux.cgroupsPath = \"$CG/../../init.scope\"" \
    "it has a \`.\` or \`..\` component, which leaves the cgroup parent"
  refused $rt "cgroupsPath of a top-level cgroup" ".linux.cgroupsPath = \"$CG\"" \
    "it is a top-level cgroup, not one below a parent"
  refused $rt "cgroupsPath of a host service" '.linux.cgroupsPath = "/system-x/containerd.service"' \
    "it names a host unit's cgroup"
  refused $rt "unified cgroup.procs" '.linux.resources.unified = {"cgroup.procs": "1"}' \
    "cgroup file \`cgroup.procs\` is not allowed by host policy"
  refused $rt "unified pids.max" '.linux.resources.unified = {"pids.max": "max"}' \
    "cgroup file \`pids.max\` is not allowed by host policy"

  # Another container's cgroup: the first runs in $CG/p-$rt/a, a second
  # asking for the same path is refused, and so is its parent $CG/p-$rt
  # (no processes of its own, but its limits would bind the first).
  b=$T/b-$rt-a
  rm -rf "$b"
  make_bundle "$b" ".linux.cgroupsPath = \"$CG/p-$rt/a\"" '["sleep","1000"]'
  ida=$(new_id cga)
  check "$rt: a container in its own cgroup below a parent: created" hs $rt create --bundle "$b" "$ida"
  check "$rt: ... started" hs $rt start "$ida"
  refused $rt "the cgroupsPath of a running container" ".linux.cgroupsPath = \"$CG/p-$rt/a\"" \
    "that cgroup holds processes or cgroups already (another container's, or a parent of others)"
  refused $rt "the cgroupsPath of a parent of a running container" ".linux.cgroupsPath = \"$CG/p-$rt\"" \
    "that cgroup holds processes or cgroups already"
  real $rt delete --force "$ida" >/dev/null 2>&1

  # cgroup namespace: added when absent, kept when present.
  b=$T/b-$rt-ns
  rm -rf "$b"
  make_bundle "$b" '.linux.namespaces |= map(select(.type != "cgroup"))' \
    '["readlink","/proc/self/ns/cgroup"]'
  id=$(new_id cgns)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  check "$rt: without a cgroup namespace in the config: runs" [ -n "$out" ]
  [ -n "$out" ] || cat "$T/err"
  check "$rt: ... in a cgroup namespace of its own ($out, host $HOST_CGNS)" \
    [ -n "$out" ] && [ "$out" != "$HOST_CGNS" ]
  b=$T/b-$rt-ns2
  rm -rf "$b"
  make_bundle "$b" '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])' \
    '["readlink","/proc/self/ns/cgroup"]'
  out=$(cd "$b" && hs $rt run "$(new_id cgns)" 2>"$T/err")
  check "$rt: a config with a cgroup namespace runs in it" [ -n "$out" ] && [ "$out" != "$HOST_CGNS" ]
  check "$rt: ... its cgroup namespace entry is kept, not doubled" \
    [ "$(jq '[.linux.namespaces[] | select(.type == "cgroup")] | length' "$b/config.json")" = 1 ]
done
for d in /sys/fs/cgroup/*$CG /sys/fs/cgroup$CG; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
done

finish

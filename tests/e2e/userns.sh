#!/bin/sh
# userns: every container gets its own block of host ids (disjoint while
# they run, released on delete and reused), the rootfs and bind volumes are
# idmapped so files keep their owners, an exhausted pool refuses, engine
# mappings are kept unless they make container root host root; netns by
# path, sysfs, cgroupns, /dev, capabilities and seccomp still work. Real runc
# and crun.
#
# The whole test runs in one private mount namespace (the idmapped mounts
# hardshim makes never reach the host's mount table), without the cgroup2
# mount so crun works there too (see ENVIRONMENT.md); hardshim, runc and
# crun all run in it, so delete's unmounting can be checked.
if [ -z "${HS_USERNS_PRIVATE_NS:-}" ]; then
  HS_USERNS_PRIVATE_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
. "$(dirname "$0")/lib.sh"

# Unmount what a failed check may have left before lib.sh removes $T.
userns_cleanup () {
  grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mp; do
    umount -l "$mp" 2>/dev/null
  done
  cleanup
}
trap userns_cleanup EXIT

# hardshim and the runtimes, directly in this namespace.
rt_path () { if [ "$1" = runc ]; then echo "$RUNC"; else echo "$CRUN"; fi; }
hsx () {
  rt=$1; shift
  HARDSHIM_RUNTIME=$(rt_path "$rt") HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/$rt" "$@"
}
rx () { rt=$1; shift; "$(rt_path "$rt")" --root "$STATE/$rt" "$@"; }
host_start () { hsx "$1" exec "$2" cat /proc/self/uid_map | awk '{ print $2 }'; }
wait_stopped () {
  i=0
  while st=$(rx "$1" state "$2" 2>/dev/null | jq -r .status) && [ -n "$st" ] \
        && [ "$st" != stopped ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
  done
}
readable () { hsx "$1" exec "$2" cat /etc/passwd | grep -q '^root:'; }
has_line () { printf '%s\n' "$1" | grep -Fqx -- "$2"; }
records () { ls "$1"/userns/*.json 2>/dev/null | wc -l; }

# The image lives where only root can enter (as engines keep theirs): only
# such a rootfs is idmapped (tests/e2e/mount-races.sh checks one host users
# can reach is not).
mkdir -m 0700 "$T/images"
ROOTFS=$T/images/rootfs
make_rootfs
mkdir -p "$ROOTFS/data"
# busybox's ping needs a raw socket: a ping as iputils' does it unprivileged
gcc -static -O1 -o "$ROOTFS/bin/icmp_ping" "$top_srcdir/tests/e2e/icmp_ping.c" 2> "$T/gcc.err" ||
  sed 's/^/# gcc: /' "$T/gcc.err"
# a copy the container's unprivileged root can traverse to, for the runs
# where hardshim gives it no mount of its own
OPEN_ROOTFS=$T/rootfs-open
cp -a "$ROOTFS" "$OPEN_ROOTFS"
BLOCK=65536
POOL=1000000

# Phase 1: allocation, ownership, release and reuse. A pool of two blocks.
HS1=$T/hs1
# readonly_rootfs off: container root writes its rootfs through the idmapped
# mount. The volumes are named the containers' own (only those are idmapped;
# tests/e2e/volumes.sh checks which).
write_policy "{ \"state_dir\": \"$HS1\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"readonly_rootfs\": { \"mode\": \"off\" },
  \"userns\": { \"mode\": \"auto\", \"ranges\": [ { \"start\": $POOL, \"size\": $((2 * BLOCK)) } ],
    \"own_volumes\": [\"$T/vol-runc\", \"$T/vol-crun\", \"$T/hosts-runc\", \"$T/hosts-crun\"] } }"

for rt in runc crun; do
  vol=$T/vol-$rt
  mkdir -p "$vol"
  echo data > "$vol/owned"
  mkdir -p "$vol/sub"
  mount -t tmpfs -o size=1m,mode=0755 hs-sub "$vol/sub" # below the volume: rbind brings it
  vol_mount="{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$vol\",\"options\":[\"rbind\",\"rw\"]}"
  echo "127.0.0.1 hs-$rt" > "$T/hosts-$rt"
  file_mount="{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"$T/hosts-$rt\",\"options\":[\"rbind\",\"rprivate\"]}"
  ba=$T/$rt-a; bb=$T/$rt-b; bc=$T/$rt-c; bd=$T/$rt-d
  make_bundle "$ba" ".root.readonly = false | .mounts += [$vol_mount, $file_mount]" '["sleep","1000"]'
  for b in "$bb" "$bc" "$bd"; do make_bundle "$b" . '["sleep","1000"]'; done
  a=$(new_id a); b=$(new_id b); c=$(new_id c); d=$(new_id d)

  check "$rt: create A" hsx $rt create --bundle "$ba" "$a"
  check "$rt: create B while A exists" hsx $rt create --bundle "$bb" "$b"
  hsx $rt start "$a"; hsx $rt start "$b"
  sa=$(host_start $rt "$a"); sb=$(host_start $rt "$b")
  check "$rt: A's uid_map maps root to a pool id ($sa)" \
    [ -n "$sa" ] && [ "$sa" -ge $POOL ] && [ "$sa" -lt $((POOL + 2 * BLOCK)) ]
  check "$rt: A and B have disjoint ranges ($sa, $sb)" \
    [ -n "$sb" ] && [ $((sa - sb)) -ge $BLOCK -o $((sb - sa)) -ge $BLOCK ]
  check "$rt: gid_map matches uid_map" \
    [ "$(hsx $rt exec "$a" cat /proc/self/gid_map | awk '{ print $2, $3 }')" = "$sa $BLOCK" ]
  pid=$(rx $rt state "$a" | jq .pid)
  check "$rt: the host sees A's init as uid $sa (ps)" [ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "$sa" ]
  check "$rt: the host sees A's init as uid $sa (/proc status)" \
    [ "$(awk '/^Uid:/ { print $2 }' /proc/"$pid"/status)" = "$sa" ]
  check "$rt: the rootfs is readable" readable $rt "$a"
  check "$rt: idmapped rootfs: files show their real owner 0:0" \
    [ "$(hsx $rt exec "$a" stat -c %u:%g /bin/busybox)" = 0:0 ]
  root_path=$(jq -r .root.path "$ba/config.json")
  check "$rt: root.path points to hardshim's idmapped mount" \
    sh -c "case '$root_path' in '$HS1'/mnt/*/rootfs) exit 0;; *) exit 1;; esac"
  check "$rt: container root can create a file in the rootfs" hsx $rt exec "$a" touch /new-$rt
  check "$rt: ... owned by root inside" [ "$(hsx $rt exec "$a" stat -c %u /new-$rt)" = 0 ]
  check "$rt: ... owned by the mapped host uid seen through the idmapped mount" \
    [ "$(stat -c %u "$root_path/new-$rt")" = "$sa" ]
  check "$rt: ... stored with the image's ids (0) on the rootfs itself" \
    [ "$(stat -c %u "$ROOTFS/new-$rt")" = 0 ]
  check "$rt: writable bind volume: container root writes it" hsx $rt exec "$a" touch /data/new
  check "$rt: volume files show their real owner inside" \
    [ "$(hsx $rt exec "$a" stat -c %u /data/owned)" = 0 ]
  # crun 1.8.1 drops the mounts below an rbind volume in any user namespace,
  # idmapped or not (see doc/userns.md); runc keeps them.
  if [ $rt = runc ]; then
    check "runc: rbind volume: the mount below it comes along, writable by container root" \
      hsx $rt exec "$a" sh -c 'grep -q " /data/sub tmpfs " /proc/mounts && touch /data/sub/new'
  fi
  check "$rt: the new volume file is stored as 0 on the host directory" \
    [ "$(stat -c %u "$vol/new")" = 0 ]
  check "$rt: a bind-mounted file (as engines mount /etc/hosts) is readable and root's" \
    [ "$(hsx $rt exec "$a" sh -c 'cat /etc/hosts; stat -c %u /etc/hosts')" = "127.0.0.1 hs-$rt
0" ]
  # by hardshim for crun too: crun 1.8.1 would drop the mount's nosuid,
  # nodev and noexec in a user namespace (controls-b.sh checks them)
  check "$rt: the volume is idmapped by hardshim" \
    jqe ".mounts[] | select(.destination == \"/data\") | (.source | startswith(\"$HS1/mnt/\")) and .uidMappings == null" \
    "$ba/config.json"
  check "$rt: two allocation records" [ "$(records "$HS1")" -eq 2 ]

  # Exhausted: both blocks are held.
  hsx $rt --log "$T/$rt-d.log" --log-format json create --bundle "$bd" "$d" 2>"$T/err"
  rc=$?
  check "$rt: a third container is refused (pool exhausted)" [ "$rc" -eq 1 ]
  check "$rt: the refusal says the pool is exhausted" grep -q 'pool is exhausted' "$T/err"
  check "$rt: ... and reaches --log" jqe 'select(.level == "error") | .msg | contains("exhausted")' "$T/$rt-d.log"
  rx $rt state "$d" >/dev/null 2>&1
  check "$rt: the runtime never created it" [ $? -ne 0 ]

  # delete releases the block and the mounts; the next container reuses it.
  dir=${root_path%/rootfs}
  hsx $rt kill "$a" KILL; wait_stopped $rt "$a"
  check "$rt: delete A" hsx $rt delete "$a"
  check "$rt: delete removed A's idmapped mounts" sh -c "! grep -q ' $dir' /proc/self/mountinfo"
  check "$rt: delete removed A's mount directory" [ ! -e "$dir" ]
  check "$rt: delete released A's block" [ "$(records "$HS1")" -eq 1 ]
  check "$rt: create C after delete" hsx $rt create --bundle "$bc" "$c"
  hsx $rt start "$c"
  sc=$(jq '.linux.uidMappings[0].hostID' "$bc/config.json")
  check "$rt: C reuses A's block ($sc, $sa)" [ "$sc" = "$sa" ]
  sc=$(host_start $rt "$c")
  check "$rt: ... and runs with it ($sc)" [ "$sc" = "$sa" ]
  for x in "$b" "$c"; do hsx $rt kill "$x" KILL; wait_stopped $rt "$x"; hsx $rt delete "$x"; done
  check "$rt: every block is back" [ "$(records "$HS1")" -eq 0 ]
  check "$rt: no idmapped mount is left" sh -c "! grep -q ' $HS1/mnt/' /proc/self/mountinfo"

  # The same hardened config again (runc run twice on one bundle, an engine
  # re-creating a container from the config it keeps): A's idmapped mounts
  # are gone, so what userns replaced comes back from its annotations and
  # each container gets its own mounts and block.
  be=$T/$rt-e; bf=$T/$rt-f; e=$(new_id e); f=$(new_id f)
  mkdir -p "$be" "$bf"
  cp "$ba/config.json" "$be/config.json"
  check "$rt: A's hardened config records the original rootfs" \
    jqe ".annotations[\"org.hardshim.userns.rootfs\"] == \"$ROOTFS\"" "$ba/config.json"
  check "$rt: ... the original volume source by destination" \
    jqe ".annotations[\"org.hardshim.userns.volumes\"] | fromjson | .[\"/data\"] == \"$vol\"" "$ba/config.json"
  check "$rt: ... and that the mapping is hardshim's" \
    jqe ".annotations[\"org.hardshim.userns.mapping\"] | fromjson | .hostID == $sa" "$ba/config.json"
  HARDSHIM_POLICY=$POLICY "$HARDSHIMCTL" check --json "$ba/config.json" > "$T/check-again.json"
  check "$rt: hardshimctl check of A's hardened config admits it" [ $? -eq 0 ]
  check "$rt: ... with no change (a hardened config is a fixed point)" \
    jqe '[.decisions[] | select(.action == "changed")] | length == 0' "$T/check-again.json"
  check "$rt: ... hardshim's own mapping is kept, with a note" \
    jqe 'any(.decisions[]; .control == "userns" and .action == "note" and (.message | contains("org.hardshim.userns.mapping")))' "$T/check-again.json"
  check "$rt: create E from A's hardened config" hsx $rt create --bundle "$be" "$e"
  hsx $rt start "$e"
  ep=$(jq -r .root.path "$be/config.json")
  check "$rt: E's rootfs is a new idmapped mount ($ep)" \
    sh -c "[ '$ep' != '$root_path' ] && grep -q ' $ep ' /proc/self/mountinfo"
  check "$rt: E runs, files show their real owner" [ "$(hsx $rt exec "$e" stat -c %u:%g /bin/busybox)" = 0:0 ]
  check "$rt: E's volume is there and root's" [ "$(hsx $rt exec "$e" stat -c %u /data/owned)" = 0 ]
  cp "$be/config.json" "$bf/config.json"
  check "$rt: create F from E's hardened config while E runs" hsx $rt create --bundle "$bf" "$f"
  hsx $rt start "$f"
  se=$(host_start $rt "$e"); sf=$(host_start $rt "$f")
  check "$rt: E and F have disjoint blocks ($se, $sf)" \
    [ -n "$se" ] && [ -n "$sf" ] && [ $((se - sf)) -ge $BLOCK -o $((sf - se)) -ge $BLOCK ]
  check "$rt: F's config records F's block" \
    jqe ".annotations[\"org.hardshim.userns.mapping\"] | fromjson | .hostID == $sf" "$bf/config.json"
  check "$rt: E still runs" readable $rt "$e"
  for x in "$e" "$f"; do hsx $rt kill "$x" KILL; wait_stopped $rt "$x"; hsx $rt delete "$x"; done
  check "$rt: every block is back after E and F" [ "$(records "$HS1")" -eq 0 ]
  check "$rt: no idmapped mount is left after E and F" sh -c "! grep -q ' $HS1/mnt/' /proc/self/mountinfo"
done

HOST_PORT_START=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
# Phase 2: namespaces and host trees. A bigger pool; `run` leaves records.
HS2=$T/hs2
write_policy "{ \"state_dir\": \"$HS2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] } }"
unshare -n sleep 1000 &
netpid=$!
# Another pid namespace that is not the host's (a pod sandbox's).
unshare -p -f sleep 1000 &
pidns_holder=$!
sleep 0.2
pidpid=$(pgrep -P "$pidns_holder" sleep)
NETNS=$(pin_ns "$netpid" net)
PIDNS=$(pin_ns "$pidpid" pid)
for rt in runc crun; do
  b=$T/$rt-ns
  make_bundle "$b" "
    .linux.namespaces |= map(if .type == \"network\" then .path = \"$NETNS\" else . end)
    | .linux.namespaces += [{\"type\": \"cgroup\"}]
    | .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
        \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}" \
    '["sh","-c","cat /proc/self/uid_map; ls /sys/kernel >/dev/null && echo sys-ok; grep -q \" /sys sysfs ro,\" /proc/mounts && echo sys-ro; readlink /proc/self/ns/net; readlink /proc/self/ns/cgroup; grep -c . /proc/self/cgroup; echo x > /dev/null && head -c 4 /dev/zero | wc -c; grep CapEff /proc/self/status; mkdir /tmp/denied 2>/dev/null; echo mkdir=$?"]'
  out=$(cd "$b" && hsx $rt run "$(new_id ns)" 2>"$T/err")
  rc=$?
  check "$rt: netns by path + cgroupns + seccomp in the user namespace: runs" [ "$rc" -eq 0 ]
  [ "$rc" -eq 0 ] || cat "$T/err"
  check "$rt: it runs in a user namespace" [ "$(echo "$out" | awk 'NR == 1 { print $2 }')" -ge $POOL ]
  check "$rt: /sys is readable" has_line "$out" sys-ok
  check "$rt: /sys is read-only" has_line "$out" sys-ro
  check "$rt: it joined the netns given by path" has_line "$out" "$(readlink /proc/$netpid/ns/net)"
  cg=$(printf '%s\n' "$out" | grep '^cgroup:')
  check "$rt: it has its own cgroup namespace" \
    [ -n "$cg" ] && [ "$cg" != "$(readlink /proc/self/ns/cgroup)" ]
  check "$rt: /dev/null and /dev/zero work" has_line "$out" 4
  check "$rt: capabilities stay the config's (CapEff 0000000020000420)" \
    has_line "$out" "CapEff:	0000000020000420"
  check "$rt: seccomp still denies mkdir" has_line "$out" mkdir=1
  check "$rt: sysfs became a read-only bind of /sys (the userns does not own the netns)" \
    jqe '.mounts[] | select(.destination == "/sys") | .type == "bind" and .source == "/sys"
         and (.options | index("ro")) and (.options | index("rro"))' "$b/config.json"

  # A config that claims to be a Kubernetes pod's container and joins a
  # network namespace that the host's user namespace owns (as containerd
  # 1.6 makes pod networks): the annotation changes nothing, it gets a user
  # namespace like every container (once it got none: uid_map 0 0
  # 4294967295), and hardshim prepares that network namespace from the host
  # side so container root binds port 80 and pings there.
  nsenter -t "$netpid" -n ip link set lo up
  nsenter -t "$netpid" -n sh -c 'echo 1024 > /proc/sys/net/ipv4/ip_unprivileged_port_start; echo "1 0" > /proc/sys/net/ipv4/ping_group_range'
  b=$T/$rt-pod
  make_bundle "$b" "
    .annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.cri.sandbox-id\": \"x\"}
    | .linux.namespaces |= map(if .type == \"network\" then .path = \"$NETNS\" else . end)" \
    '["sh","-c","cat /proc/self/uid_map; httpd -p 80 -h /etc && sleep 0.3 && wget -q -O - http://127.0.0.1:80/passwd && echo port80-ok; icmp_ping 127.0.0.1 && echo ping-ok"]'
  out=$(cd "$b" && hsx $rt run "$(new_id pod)" 2>"$T/err")
  rc=$?
  check "$rt: a crafted pod config (CRI annotation, host-owned netns by path) runs" [ "$rc" -eq 0 ]
  [ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
  check "$rt: ... in a user namespace (uid_map is not the identity)" \
    [ "$(echo "$out" | awk 'NR == 1 { print $1 " " $2 }')" != "0 0" ] && [ "$(echo "$out" | awk 'NR == 1 { print $2 }')" -ge $POOL ]
  check "$rt: ... container root serves on port 80" has_line "$out" port80-ok
  check "$rt: ... and pings" has_line "$out" ping-ok
  printf '%s\n' "$out" | sed 's/^/# pod: /'
  check "$rt: ... the netns was prepared from the host side (ip_unprivileged_port_start 0)" \
    [ "$(nsenter -t "$netpid" -n cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = 0 ]
  check "$rt: ... the host's own network namespace is untouched" \
    [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = "$HOST_PORT_START" ]

  # A pod's shared process namespace: proc cannot be mounted for it from a
  # user namespace of the container's own, so it is refused with the reason,
  # unless host policy grants `userns` off for the pod's scope.
  b=$T/$rt-sharedpid
  make_bundle "$b" "
    .annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.pod.namespace\": \"legacy-1\",
                    \"org.hardshim.exception.userns\": \"off\"}
    | .linux.namespaces |= map(if .type == \"pid\" then .path = \"$PIDNS\" else . end)" \
    '["sh","-c","cat /proc/self/uid_map"]'
  out=$(cd "$b" && hsx $rt run "$(new_id sharedpid)" 2>"$T/err")
  rc=$?
  check "$rt: a joined pid namespace (shareProcessNamespace) is refused" [ "$rc" -ne 0 ]
  check "$rt: ... with the reason" grep -q "cannot mount /proc for a pid namespace it does not own" "$T/err"
  write_policy "{ \"state_dir\": \"$HS2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"userns\": { \"overridable\": true, \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] },
    \"exceptions\": { \"legacy\": { \"scope\": { \"namespace\": [\"legacy-*\"] }, \"allow\": { \"userns\": { \"off\": true } } } } }"
  out=$(cd "$b" && hsx $rt run "$(new_id sharedpid)" 2>"$T/err")
  rc=$?
  check "$rt: ... admitted without a user namespace where host policy grants userns off for the scope" \
    [ "$rc" -eq 0 ] && [ "$(echo "$out" | awk 'NR == 1 { print $2 }')" = 0 ]
  [ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
  write_policy "{ \"state_dir\": \"$HS2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"userns\": { \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] } }"

  b=$T/$rt-ownnet
  make_bundle "$b" . '["sh","-c","ls /sys/class/net"]'
  out=$(cd "$b" && hsx $rt run "$(new_id ownnet)" 2>"$T/err")
  check "$rt: a new netns (owned by the userns) keeps a real sysfs" \
    jqe '.mounts[] | select(.destination == "/sys") | .type == "sysfs"' "$b/config.json"
  check "$rt: ... that shows only the container's interfaces" [ "$out" = lo ]

  # `run` twice on one bundle: the second run hardens the first's output.
  b=$T/$rt-twice
  make_bundle "$b" . '["sh","-c","cat /proc/self/uid_map; stat -c %u:%g /bin/busybox"]'
  out1=$(cd "$b" && hsx $rt run "$(new_id twice)" 2>"$T/err")
  check "$rt: run on a bundle succeeds" [ $? -eq 0 ]
  out2=$(cd "$b" && hsx $rt run "$(new_id twice)" 2>"$T/err")
  rc=$?
  check "$rt: run again on the same bundle (its config now hardened) succeeds" [ "$rc" -eq 0 ]
  [ "$rc" -eq 0 ] || cat "$T/err"
  s1=$(echo "$out1" | awk 'NR == 1 { print $2 }'); s2=$(echo "$out2" | awk 'NR == 1 { print $2 }')
  check "$rt: ... with its own block (the first run's record is still held: $s1, $s2)" \
    [ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" != "$s2" ]
  check "$rt: ... and an idmapped rootfs of its own (files are 0:0)" has_line "$out2" 0:0

  # Engines' own mappings.
  b=$T/$rt-hostroot
  make_bundle "$b" '.linux.namespaces += [{"type":"user"}]
    | .linux.uidMappings = [{"containerID":0,"hostID":0,"size":65536}]
    | .linux.gidMappings = [{"containerID":0,"hostID":0,"size":65536}]'
  cp "$b/config.json" "$T/hostroot.orig"
  (cd "$b" && hsx $rt run "$(new_id hostroot)") 2>"$T/err"
  check "$rt: a mapping of container root to host root is refused" [ $? -eq 1 ]
  check "$rt: ... saying why" grep -q 'maps a container id to host root' "$T/err"
  check "$rt: ... config.json untouched" cmp -s "$b/config.json" "$T/hostroot.orig"

  b=$T/$rt-engine
  make_bundle "$b" '.linux.namespaces += [{"type":"user"}]
    | .linux.uidMappings = [{"containerID":0,"hostID":6000000,"size":65536}]
    | .linux.gidMappings = [{"containerID":0,"hostID":6000000,"size":65536}]' \
    '["cat","/proc/self/uid_map"]'
  out=$(cd "$b" && hsx $rt run "$(new_id engine)")
  check "$rt: a config's own mapping outside userns.engine_ranges is replaced by a pool block" \
    [ "$(echo "$out" | awk '{ print $2 }')" -ge $POOL ]
  write_policy "{ \"state_dir\": \"$HS2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"userns\": { \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ],
                  \"engine_ranges\": [ { \"start\": 6000000, \"size\": 65536 } ] } }"
  b=$T/$rt-engine-kept
  make_bundle "$b" '.root.path = "'"$OPEN_ROOTFS"'" | .linux.namespaces += [{"type":"user"}]
    | .linux.uidMappings = [{"containerID":0,"hostID":6000000,"size":65536}]
    | .linux.gidMappings = [{"containerID":0,"hostID":6000000,"size":65536}]' \
    '["cat","/proc/self/uid_map"]'
  out=$(cd "$b" && hsx $rt run "$(new_id engine)")
  check "$rt: an engine's unprivileged mapping inside userns.engine_ranges is kept" \
    [ "$(echo "$out" | awk '{ print $2 }')" = 6000000 ]
  write_policy "{ \"state_dir\": \"$HS2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
    \"userns\": { \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] } }"
done
kill $netpid $pidns_holder

# host_root "replace": hardshim assigns ids instead of refusing.
write_policy "{ \"state_dir\": \"$HS2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"host_root\": \"replace\", \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] } }"
for rt in runc crun; do
  b=$T/$rt-replace
  make_bundle "$b" '.linux.namespaces += [{"type":"user"}]
    | .linux.uidMappings = [{"containerID":0,"hostID":0,"size":65536}]
    | .linux.gidMappings = [{"containerID":0,"hostID":0,"size":65536}]' '["cat","/proc/self/uid_map"]'
  out=$(cd "$b" && hsx $rt run "$(new_id replace)")
  check "$rt: host_root replace: the mapping is replaced by a pool block" \
    [ "$(echo "$out" | awk '{ print $2 }')" -ge $POOL ]
done

# ownership/volumes none: a root-owned read-only rootfs works as is (files
# are nobody's inside) and the unidmapped volume is reported.
write_policy "{ \"state_dir\": \"$HS2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"ownership\": \"none\", \"volumes\": \"none\",
                \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] } }"
for rt in runc crun; do
  b=$T/$rt-plain
  make_bundle "$b" ".root.path = \"$OPEN_ROOTFS\" | .root.readonly = true | .mounts += [{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$T/vol-$rt\",\"options\":[\"rbind\",\"ro\"]}]" \
    '["sh","-c","cat /etc/passwd >/dev/null && stat -c %u /bin/busybox"]'
  id=$(new_id plain)
  out=$(cd "$b" && hsx $rt run "$id" 2>"$T/err")
  check "$rt: read-only root-owned rootfs without idmap: readable, files are nobody's" [ "$out" = 65534 ]
  check "$rt: the rootfs was not remounted" [ "$(jq -r .root.path "$b/config.json")" = "$OPEN_ROOTFS" ]
  check "$rt: the audit log says the volume is not idmapped" \
    grep -q "\"container\":\"$id\".*bind volume .* is not idmapped" "$AUDIT"
done

# Stale records: `run` in the foreground deletes the container itself, so
# its block and mounts stay recorded until a later create finds the
# container gone (after a grace period, here aged by hand).
write_policy "{ \"state_dir\": \"$HS2\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] } }"
n_before=$(records "$HS2")
check "foreground runs left records behind ($n_before)" [ "$n_before" -gt 0 ]
for f in "$HS2"/userns/*.json "$HS2"/idmap/*.json; do
  jq -c '.created = 0' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
done
check "... and idmap directories" [ "$(ls -d "$HS2"/mnt/* | wc -l)" -gt 0 ]
b=$T/runc-after-stale
make_bundle "$b" . '["sleep","1000"]'
id=$(new_id stale)
check "create after the grace period" hsx runc create --bundle "$b" "$id"
check "stale block records are reclaimed" [ "$(records "$HS2")" -eq 1 ]
check "stale idmap records and directories are reclaimed" \
  [ "$(ls "$HS2"/idmap/*.json | wc -l)" -eq 1 ] && [ "$(ls -d "$HS2"/mnt/* | wc -l)" -eq 1 ]
check "the new container got the lowest block" \
  [ "$(jq '.linux.uidMappings[0].hostID' "$b/config.json")" = $POOL ]
hsx runc delete --force "$id"
check "delete --force of a created container keeps its block (it was live when delete began)" \
  [ "$(records "$HS2")" -eq 1 ]
check "... the audit log says why" \
  grep -q "\"container\":\"$id\".*not verifiably gone" "$AUDIT"
for f in "$HS2"/userns/*.json "$HS2"/idmap/*.json; do
  jq -c '.created = 0' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
done
b2=$T/runc-after-force
make_bundle "$b2" . '["true"]'
id2=$(new_id after-force)
check "a later create reclaims it once the runtime has no such container" \
  sh -c "hsx () { HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$POLICY $HARDSHIM --root $STATE/runc \"\$@\"; }; \
    hsx create --bundle '$b2' '$id2' && [ \$(ls $HS2/userns/*.json | wc -l) -eq 1 ]"
check "... and gets the lowest block" [ "$(jq '.linux.uidMappings[0].hostID' "$b2/config.json")" = $POOL ]
hsx runc delete --force "$id2"

# shared: one block for every container, nothing recorded.
HS3=$T/hs3
write_policy "{ \"state_dir\": \"$HS3\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"mode\": \"shared\", \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] } }"
for rt in runc crun; do
  for n in 1 2; do
    b=$T/$rt-shared-$n
    make_bundle "$b" . '["cat","/proc/self/uid_map"]'
    out=$(cd "$b" && hsx $rt run "$(new_id shared)")
    check "$rt: shared mode, container $n uses the shared block" \
      [ "$(echo "$out" | awk '{ print $2 }')" = $POOL ]
  done
done
check "shared mode records nothing" [ "$(records "$HS3")" -eq 0 ]

# audit: nothing changes, nothing is allocated or mounted; the log says what
# would have happened.
HS4=$T/hs4
write_policy "{ \"state_dir\": \"$HS4\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"mode\": \"audit\", \"ranges\": [ { \"start\": $POOL, \"size\": $((64 * BLOCK)) } ] } }"
for rt in runc crun; do
  b=$T/$rt-audit
  make_bundle "$b" . '["cat","/proc/self/uid_map"]'
  id=$(new_id audit)
  out=$(cd "$b" && hsx $rt run "$id")
  check "$rt: audit mode runs without a user namespace" [ "$(echo "$out" | awk '{ print $2 }')" = 0 ]
  check "$rt: audit mode logs the would-be change" \
    grep -q "\"container\":\"$id\".*\"control\":\"userns\".*\"action\":\"would-change\"" "$AUDIT"
done
check "audit mode allocates and mounts nothing" \
  [ "$(records "$HS4")" -eq 0 ] && [ ! -d "$HS4/idmap" ]

# The pool from /etc/subuid and /etc/subgid (files bind-mounted over the
# host's inside this test's private mount namespace only).
if [ -f /etc/subuid ] && [ -f /etc/subgid ]; then
  HS5=$T/hs5
  write_policy "{ \"state_dir\": \"$HS5\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  printf 'someone:100000:65536\nhardshim:5000000:131072\n' > "$T/subuid"
  printf 'hardshim:5000000:131072\n' > "$T/subgid"
  mount --bind "$T/subuid" /etc/subuid && mount --bind "$T/subgid" /etc/subgid
  for rt in runc crun; do
    b=$T/$rt-subid
    make_bundle "$b" . '["cat","/proc/self/uid_map"]'
    out=$(cd "$b" && hsx $rt run "$(new_id subid)")
    start=$(echo "$out" | awk '{ print $2 }')
    check "$rt: the default pool is hardshim's subuid/subgid entries ($start)" \
      [ "$start" = 5000000 -o "$start" = 5065536 ]
  done
  # entries in /etc/subuid only: no pool (not the built-in range)
  : > "$T/subgid"
  b=$T/runc-subuid-only
  make_bundle "$b"
  (cd "$b" && hsx runc run "$(new_id subuidonly)") 2>"$T/err"
  check "entries only in /etc/subuid: refused" [ $? -eq 1 ]
  check "... saying there is no block in the pool" grep -q 'no block of 65536 ids in the pool' "$T/err"
  # no entries at all: the built-in range
  : > "$T/subuid"
  b=$T/runc-builtin
  make_bundle "$b" . '["cat","/proc/self/uid_map"]'
  out=$(cd "$b" && hsx runc run "$(new_id builtin)")
  check "no entries: the built-in range (2147483648)" [ "$(echo "$out" | awk '{ print $2 }')" = 2147483648 ]
  umount /etc/subuid /etc/subgid
fi

# The runtime probe (does it apply mount uidMappings?) runs once per runtime
# binary, not on every create: a fake runtime counts its `features` calls.
HS3=$T/hs3
write_policy "{ \"state_dir\": \"$HS3\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
  \"userns\": { \"mode\": \"auto\", \"ownership\": \"none\", \"own_volumes\": [\"$T/probe-vol\"],
    \"ranges\": [ { \"start\": $POOL, \"size\": $((8 * BLOCK)) } ] } }"
fake=$T/fake-runtime
cat > "$fake" <<EOS
#!/bin/sh
case " \$* " in
  *" features "*) echo features >> "$T/probes"
    echo '{"mountExtensions": {"idmap": {"enabled": true}}}' ;;
esac
exit 0
EOS
chmod 755 "$fake"
# hardshim idmaps volumes itself and asks the runtime only when it cannot:
# an overlay mount cannot be idmapped, so this volume takes that path.
probe_vol=$T/probe-vol
mkdir -p "$probe_vol" "$T/ovl-lower" "$T/ovl-upper" "$T/ovl-work"
mount -t overlay overlay -o "lowerdir=$T/ovl-lower,upperdir=$T/ovl-upper,workdir=$T/ovl-work" "$probe_vol"
probe_create () {
  b=$T/probe-$1
  make_bundle "$b" ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$probe_vol\", \"options\": [\"bind\"]}]"
  HARDSHIM_RUNTIME=$fake HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/fake" create --bundle "$b" "probe-$1" \
    && jqe '.mounts[] | select(.destination == "/data") | .uidMappings[0].size == 65536' "$b/config.json"
}
check "runtime probe: first create uses the runtime's answer" probe_create 1
check "... which asked the runtime once" [ "$(wc -l < "$T/probes")" -eq 1 ]
check "runtime probe: a second create uses the runtime's answer" probe_create 2
check "... without asking the runtime again" [ "$(wc -l < "$T/probes")" -eq 1 ]
touch -d '2000-01-01' "$fake"
check "runtime probe: a changed runtime binary" probe_create 3
check "... is asked again" [ "$(wc -l < "$T/probes")" -eq 2 ]

finish

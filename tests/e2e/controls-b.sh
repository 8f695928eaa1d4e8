#!/bin/sh
# controls-b end to end, with real runc and crun: under the default policy a
# writable-rootfs config without masked paths runs with a read-only rootfs,
# writable tmpfs, masked and read-only kernel files, its own network
# namespace, nosuid/nodev binds and a pids limit; each refused kind (host
# network namespace, bind of /, engine socket, host block device, allow-all
# device rule, shared propagation, unsafe sysctl) and bad policy input fail
# with the reason in --log, exit 1, config.json byte-identical, the runtime
# never ran.
. "$(dirname "$0")/lib.sh"

DEFAULT_POLICY=$(cat "$POLICY")
HOST_NET=$(readlink /proc/self/ns/net)
mkdir -p "$T/data" "$T/fake"
: > "$T/fake/docker.sock"

INSIDE='
touch /rootfs-write 2>/dev/null && echo rootwrite=yes || echo rootwrite=no
echo hi > /tmp/f && echo tmp=$(cat /tmp/f)
echo hi > /var/tmp/f && echo vartmp=ok
echo hi > /run/f && echo run=ok
[ -c /proc/kcore ] && echo kcore=masked
[ -e /proc/kcore ] || echo kcore=absent
for f in /proc/timer_list /proc/interrupts /proc/keys; do [ -c $f ] && echo masked=$f; done
echo timer_list=$(head -c 1 /proc/timer_list | wc -c)
echo acpi=$(ls -A /proc/acpi | wc -l)
echo block=$(ls -A /sys/dev/block | wc -l)
echo keys=$(head -c 1 /proc/keys | wc -c)
echo firmware=$(ls -A /sys/firmware | wc -l)
echo x > /proc/sys/kernel/domainname 2>/dev/null && echo procsys=writable || echo procsys=ro
echo net=$(readlink /proc/self/ns/net)
grep " /tmp " /proc/self/mountinfo | grep -q "nosuid,nodev" && echo tmpopts=ok
grep " /data " /proc/self/mountinfo | grep -q "nosuid,nodev" && echo bindopts=ok
echo ping=$(cat /proc/sys/net/ipv4/ping_group_range)
echo nofile=$(ulimit -n)
true'

# refused RT NAME JQ_FILTER EXPECTED_MSG_SUBSTRING
refused () {
  rt=$1; name=$2; filter=$3; want=$4
  b=$T/$rt-$name
  make_bundle "$b" "$filter"
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id "$name")
  rm -f "$T/log.json"
  hs "$rt" --log "$T/log.json" --log-format json create --bundle "$b" "$id" >/dev/null 2>"$T/err"
  rc=$?
  check "$rt: $name: refused with exit 1" [ "$rc" -eq 1 ]
  check "$rt: $name: --log names the reason" \
    jqe --arg w "$want" 'select(.level == "error") | .msg | contains($w)' "$T/log.json"
  check "$rt: $name: stderr names the reason" grep -qF "$want" "$T/err"
  check "$rt: $name: config.json is byte-identical" cmp -s "$b/config.json" "$T/orig.json"
  if real "$rt" state "$id" >/dev/null 2>&1; then
    not_ok "$rt: $name: the runtime never created the container"
    real "$rt" delete --force "$id" >/dev/null 2>&1
  else
    ok "$rt: $name: the runtime never created the container"
  fi
}

# The hardened run lacks a network namespace: the default refuses that
# (the refusal is below), so this one asks for it to be added.
ADD_NET_POLICY=$(printf '%s' "$DEFAULT_POLICY" | jq -c '. + { "namespaces": { "refuse_missing": [] } }')
for rt in runc crun; do
  write_policy "$ADD_NET_POLICY"
  b=$T/$rt-hardened
  make_bundle "$b" "
    .root.readonly = false
    | .linux.maskedPaths = [] | .linux.readonlyPaths = []
    | .linux.namespaces |= map(select(.type != \"network\"))
    | .linux.sysctl = {\"net.ipv4.ping_group_range\": \"0 0\"}
    | .mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\",
                   \"options\": [\"rbind\", \"suid\", \"dev\"]}]" \
    "[\"sh\",\"-c\",$(printf '%s' "$INSIDE" | jq -Rs .)]"
  id=$(new_id hardened)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  rc=$?
  check "$rt: hardened run succeeds" [ "$rc" -eq 0 ]
  [ "$rc" -eq 0 ] || cat "$T/err"
  has () { printf '%s\n' "$out" | grep -qx "$1"; }
  hasnt () { ! has "$1"; }
  check "$rt: writes to / fail" has rootwrite=no
  check "$rt: /tmp is writable" has tmp=hi
  check "$rt: /var/tmp is writable" has vartmp=ok
  check "$rt: /run is writable" has run=ok
  check "$rt: /tmp is a nosuid,nodev tmpfs" has tmpopts=ok
  # /proc/kcore exists only with CONFIG_PROC_KCORE (not on the test kernel)
  if [ -e /proc/kcore ]; then
    check "$rt: /proc/kcore is masked" has kcore=masked
  else
    check "$rt: /proc/kcore is absent as on the host" has kcore=absent
  fi
  check "$rt: /proc/timer_list is masked (reads empty)" has masked=/proc/timer_list
  check "$rt: /proc/timer_list reads empty" has timer_list=0
  check "$rt: /proc/interrupts is masked" has masked=/proc/interrupts
  check "$rt: /proc/keys is masked" has masked=/proc/keys
  check "$rt: /proc/acpi is empty" has acpi=0
  check "$rt: /sys/dev/block is empty" has block=0
  check "$rt: /proc/keys reads empty" has keys=0
  check "$rt: /sys/firmware is empty" has firmware=0
  check "$rt: /proc/sys is read-only" has procsys=ro
  check "$rt: the bind mount is nosuid,nodev" has bindopts=ok
  check "$rt: a safe sysctl is applied" has "ping=0 0"
  check "$rt: own network namespace" [ -n "$(printf '%s\n' "$out" | grep '^net=net:')" ] 
  check "$rt: ... not the host's" hasnt "net=$HOST_NET"
  check "$rt: config.json: root.readonly true" jqe '.root.readonly == true' "$b/config.json"
  check "$rt: config.json: pids limit 4096" jqe '.linux.resources.pids.limit == 4096' "$b/config.json"
  check "$rt: config.json: deny-all device rule first" \
    jqe '.linux.resources.devices[0] == {"allow": false, "access": "rwm"}' "$b/config.json"
  check "$rt: audit log records the masked paths" \
    grep -q "\"container\":\"$id\".*\"control\":\"masked_paths\".*\"action\":\"changed\"" "$AUDIT"

  # A rootfs without /tmp, /run or /var/tmp: both runtimes create missing
  # mountpoints before they make the rootfs read-only, so the tmpfs land.
  r2=$T/$rt-bare-rootfs
  mkdir -p "$r2/bin" "$r2/proc" "$r2/sys" "$r2/dev"
  cp /bin/busybox "$r2/bin/busybox"
  ln -s busybox "$r2/bin/sh"
  b=$T/$rt-bare
  make_bundle "$b" ".root.path = \"$r2\"" \
    '["sh","-c","echo a > /tmp/x && echo b > /var/tmp/x && echo c > /run/x && echo ok"]'
  id=$(new_id bare)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  check "$rt: rootfs without the tmpfs mountpoints runs, tmpfs writable" [ "$out" = ok ]
  check "$rt: ... the runtime created the mountpoints" [ -d "$r2/tmp" -a -d "$r2/var/tmp" -a -d "$r2/run" ]

  # rlimits above the policy's maximum are capped (a lower cap than the
  # current limit works without CAP_SYS_RESOURCE).
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false },
                  \"rlimits\": { \"max\": { \"RLIMIT_NOFILE\": 512 }, \"pids_limit\": 77 } }"
  b=$T/$rt-rlimits
  make_bundle "$b" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]' \
    '["sh","-c","ulimit -n; ulimit -Hn"]'
  id=$(new_id rlimits)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err" | tr '\n' ' ')
  check "$rt: nofile capped at 512 (soft and hard)" [ "$out" = "512 512 " ]
  check "$rt: pids limit from policy" jqe '.linux.resources.pids.limit == 77' "$b/config.json"

  write_policy "$DEFAULT_POLICY"
  refused $rt host-netns \
    '.linux.namespaces |= map(if .type == "network" then .path = "/proc/1/ns/net" else . end)' \
    "joining the host's network namespace (/proc/1/ns/net) is not allowed by host policy"
  refused $rt no-netns '.linux.namespaces |= map(select(.type != "network"))' \
    "the container has no network namespace of its own, so it would share the host's"
  refused $rt bind-root \
    '.mounts += [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}]' \
    "bind mount of host path / (resolved: /) is not allowed by host policy"
  refused $rt engine-socket \
    ".mounts += [{\"destination\": \"/var/run/docker.sock\", \"type\": \"bind\",
                  \"source\": \"$T/fake/docker.sock\", \"options\": [\"bind\"]}]" \
    "is a container engine socket (docker.sock)"
  refused $rt block-device \
    '.linux.devices = [{"path": "/dev/sda", "type": "b", "major": 8, "minor": 0}]' \
    "device node /dev/sda (b 8:0) is not allowed by host policy"
  refused $rt all-devices \
    '.linux.resources.devices += [{"allow": true, "access": "rwm"}]' \
    "a device cgroup rule allowing all devices is not allowed by host policy"
  refused $rt rshared \
    ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\",
                  \"options\": [\"rbind\", \"rshared\"]}]" \
    "\`rshared\` mount propagation to /data is not allowed by host policy"
  refused $rt sysctl '.linux.sysctl = {"kernel.sem": "1 1 1 1"}' \
    "sysctl kernel.sem is not allowed by host policy"

  # Bad policy input: the container is refused, the error names the key.
  write_policy "{ \"mounts\": { \"deny\": [\"/x\"] } }"
  refused $rt policy-unknown-key . "policy key \`mounts.deny\`: unknown setting"
  write_policy "{ \"rlimits\": { \"pids_limit\": \"4096\" } }"
  refused $rt policy-wrong-type . "policy key \`rlimits.pids_limit\`: expected a non-negative integer"
  write_policy "{ \"namespaces\": { \"allow_host\": [\"network\"] } }"
  refused $rt policy-conflict . "policy key \`namespaces.allow_host[0]\`: conflicting settings"
  write_policy "{ \"devices\": { \"allow\": [\"sda\"] } }"
  refused $rt policy-bad-device . "policy key \`devices.allow[0]\`"
done

finish

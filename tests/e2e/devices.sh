#!/bin/sh
# devices end to end, with real runc and crun, with and without a user
# namespace: a device cgroup rule for a device the policy does not list
# (c 1:11, the kernel log, with a node shipped in the image; c 10:232,
# /dev/kvm) is refused, and a linux.devices entry whose path is not the
# host's own node (host /etc/passwd with /dev/null's numbers, a symlink, a
# directory any host user can change, a FIFO over a host file) is refused:
# under a user namespace both runtimes bind-mount that path FROM THE HOST.
# What the policy lists keeps working: the kmsg write reaches the host log,
# /dev/kvm opens, the host's own /dev/null is bound in, a node absent on
# the host is created in the container.
. "$(dirname "$0")/lib.sh"

DEFAULT_POLICY=$(cat "$POLICY")
NO_USERNS=$(printf '%s' "$DEFAULT_POLICY" | jq -c '. + {userns: {mode: "off"}}')
# The image ships its own kernel-log node (c 1:11) at /kmsg.
KROOT=$T/rootfs-kmsg
make_rootfs
cp -a "$ROOTFS" "$KROOT"
mknod "$KROOT/kmsg" c 1 11
# open to every id: under a user namespace this reachable rootfs is not
# idmapped (its files show as nobody); only the device cgroup decides
chmod 0666 "$KROOT/kmsg"
# Host-side trees for the path checks: $T is root's and 0711, so only the
# directories made here decide.
mkdir -p "$T/links" "$T/open"
ln -s /dev/null "$T/links/null"
ln -s /dev "$T/links/dev"
chmod 0777 "$T/open"
mknod "$T/open/null" c 1 3
mkfifo "$T/fifo"

KMSG_RULE='{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"}'
KVM_DEV='{"path": "/dev/kvm", "type": "c", "major": 10, "minor": 232}'
KVM_RULE='{"allow": true, "type": "c", "major": 10, "minor": 232, "access": "rwm"}'

# refused RT WHAT JQ_FILTER WANT [ROOT]: create is refused with WANT on
# stderr and in --log, config.json untouched, the runtime never ran.
refused () {
  rt=$1; what=$2; filter=$3; want=$4
  b=$T/b-$rt-$(printf '%s' "$what" | tr -c 'a-zA-Z0-9' '-')
  rm -rf "$b"
  make_bundle "$b" "$filter" '["sh","-c","touch /tmp/ran"]'
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id dev)
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

# runs RT WHAT JQ_FILTER SCRIPT: `run` succeeds; its output is in $OUT.
runs () {
  rt=$1; what=$2; filter=$3; script=$4
  b=$T/b-$rt-$(printf '%s' "$what" | tr -c 'a-zA-Z0-9' '-')
  rm -rf "$b"
  make_bundle "$b" "$filter" "[\"sh\",\"-c\",$(printf '%s' "$script" | jq -Rs .)]"
  id=$(new_id dev)
  OUT=$(cd "$b" && hs "$rt" run "$id" 2>"$T/err")
  rc=$?
  check "$rt: $what: runs" [ "$rc" -eq 0 ]
  [ "$rc" -eq 0 ] || cat "$T/err"
}

out_has () { printf '%s\n' "$OUT" | grep -qx "$1"; }

for rt in runc crun; do
  for ns in userns no-userns; do
    if [ $ns = userns ]; then write_policy "$DEFAULT_POLICY"; else write_policy "$NO_USERNS"; fi
    t="$rt ($ns)"

    # The kernel log through a node the image ships, opened by one rule.
    refused "$rt" "$ns: c 1:11 rule + image node" \
      ".root.path = \"$KROOT\" | .linux.resources.devices += [$KMSG_RULE]" \
      'a device cgroup rule allowing c 1:11 is not allowed by host policy'
    refused "$rt" "$ns: c 1:11 rule without minor" \
      ".linux.resources.devices += [{\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"w\"}]" \
      'a device cgroup rule allowing c 1:* is not allowed by host policy'
    refused "$rt" "$ns: /dev/kvm entry and rule" \
      ".linux.devices = [$KVM_DEV] | .linux.resources.devices += [$KVM_RULE]" \
      'device node /dev/kvm (c 10:232) is not allowed by host policy'
    refused "$rt" "$ns: c 10:232 rule alone" \
      ".linux.resources.devices += [$KVM_RULE]" \
      'a device cgroup rule allowing c 10:232 is not allowed by host policy'
    refused "$rt" "$ns: major above 4095" \
      ".linux.resources.devices += [{\"allow\": true, \"type\": \"c\", \"major\": 4294967297, \"minor\": 11, \"access\": \"rw\"}]" \
      'a device number above 4095:1048575'

    # Paths the runtime would bind from the host.
    refused "$rt" "$ns: host /etc/passwd as /dev/null" \
      '.linux.devices = [{"path": "/etc/passwd", "type": "c", "major": 1, "minor": 3}]' \
      'device path `/etc/passwd` is not that device node on the host'
    refused "$rt" "$ns: /dev/zero with /dev/null's numbers" \
      '.linux.devices = [{"path": "/dev/zero", "type": "c", "major": 1, "minor": 3}]' \
      'device path `/dev/zero` is not that device node on the host'
    refused "$rt" "$ns: symlink to /dev/null" \
      ".linux.devices = [{\"path\": \"$T/links/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]" \
      "device path \`$T/links/null\` is a symlink on the host"
    refused "$rt" "$ns: path through a symlink" \
      ".linux.devices = [{\"path\": \"$T/links/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]" \
      "device path \`$T/links/dev/null\` leads through a symlink on the host"
    refused "$rt" "$ns: node in a world-writable directory" \
      ".linux.devices = [{\"path\": \"$T/open/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]" \
      "device path \`$T/open/null\` can be replaced by a host user other than root"
    refused "$rt" "$ns: FIFO over a host FIFO" \
      ".linux.devices = [{\"path\": \"$T/fifo\", \"type\": \"p\"}]" \
      "device path \`$T/fifo\` exists on the host (a FIFO entry would be bound to it)"
    refused "$rt" "$ns: relative path" \
      '.linux.devices = [{"path": "dev/null", "type": "c", "major": 1, "minor": 3}]' \
      'device path `dev/null` is not a clean absolute path'

    # What engines send keeps working: the runtime's own pts rule as
    # containerd writes it, and the host's real /dev/null as an entry (with
    # its rule: runc drops its own /dev/null rule when the spec lists one).
    runs "$rt" "$ns: containerd's c 136 rule and the host's /dev/null" \
      '.linux.resources.devices += [{"allow": true, "type": "c", "major": 136, "access": "rwm"},
                                    {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]
       | .linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3}]' \
      'echo x > /dev/null && echo null=ok'
    check "$t: /dev/null works" out_has null=ok
    # The rule alone does not open the image's node: the cgroup denies it.
    runs "$rt" "$ns: image node without a rule" ".root.path = \"$KROOT\"" \
      'echo x > /kmsg 2>/dev/null && echo kmsg=open || echo kmsg=denied'
    check "$t: the image's kmsg node is denied by the device cgroup" out_has kmsg=denied

    # Listed by the policy: the same rule works, so the refusal above is
    # the policy's doing (the write reaches the host's kernel log).
    POL=$(cat "$POLICY")
    write_policy "$(printf '%s' "$POL" | jq -c '.devices.allow = ["c 1:3","c 1:5","c 1:7","c 1:8","c 1:9","c 5:0","c 5:1","c 5:2","c 136:*","c 1:11","c 10:232"]')"
    marker="hardshim-devices-$$-$rt-$ns"
    runs "$rt" "$ns: c 1:11 listed by the policy" \
      ".root.path = \"$KROOT\" | .linux.resources.devices += [$KMSG_RULE]" \
      "echo $marker > /kmsg && echo kmsg=written"
    check "$t: listed c 1:11: the image node writes the host's kernel log" \
      sh -c "printf '%s\n' \"\$1\" | grep -qx kmsg=written && dmesg | grep -q $marker" sh "$OUT"
    if [ $ns = no-userns ] && [ -c /dev/kvm ]; then
      runs "$rt" "$ns: /dev/kvm listed by the policy" \
        ".linux.devices = [$KVM_DEV] | .linux.resources.devices += [$KVM_RULE]" \
        'exec 3<>/dev/kvm && echo kvm=open'
      check "$t: listed /dev/kvm opens" out_has kvm=open
    fi
    if [ $ns = no-userns ]; then
      # Nothing at that host path: the runtime makes the node in the container.
      runs "$rt" "$ns: node absent on the host" \
        ".linux.devices = [{\"path\": \"/dev/hs-absent-$$\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]" \
        "[ -c /dev/hs-absent-$$ ] && echo x > /dev/hs-absent-$$ && echo absent=made"
      check "$t: a node absent on the host is created inside" out_has absent=made
    fi
  done
done
finish

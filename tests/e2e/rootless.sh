#!/bin/sh
# A rootless engine: podman run by a host user who is not root, with hardshim
# as its runtime (what a node-wide install gives every podman user). The
# container is hardened, its ids are the user's own (no block of hardshim's
# pool, which is root's), hardshim's state and audit log live in the user's
# $XDG_RUNTIME_DIR/hardshim and nothing of root's state is touched; a root
# policy file applies; without XDG_RUNTIME_DIR a create fails closed.
. "$(dirname "$0")/lib.sh"

USER_NAME=hardshim-rootless
if ! id "$USER_NAME" > /dev/null 2>&1; then
  useradd --create-home --shell /bin/sh "$USER_NAME"
fi
grep -q "^$USER_NAME:" /etc/subuid || usermod --add-subuids 300000-365535 "$USER_NAME"
grep -q "^$USER_NAME:" /etc/subgid || usermod --add-subgids 300000-365535 "$USER_NAME"
UID_=$(id -u "$USER_NAME")

RL=$T/rootless
mkdir -p "$RL/bin" "$RL/xdg"
chmod 0755 "$RL" "$RL/bin"
# a directory the user may open (the loader reads the policy through it)
POLICY=$RL/policy.json
chmod 0700 "$RL/xdg"
# the build tree may not be reachable by other users: a copy that is
cp "$HARDSHIM" "$RL/bin/hardshim.real"
chmod 0755 "$RL/bin/hardshim.real"
# conmon filters the runtime's environment: a wrapper passes the policy
printf '#!/bin/sh\nHARDSHIM_POLICY=%s HARDSHIM_RUNTIME=%s exec %s "$@"\n' \
  "$POLICY" "$RUNC" "$RL/bin/hardshim.real" > "$RL/bin/hardshim"
chmod 0755 "$RL/bin/hardshim"
make_rootfs
tar -C "$ROOTFS" -cf "$RL/busybox.tar" .
chmod 0644 "$RL/busybox.tar"
chown -R "$USER_NAME" "$RL/xdg"
mkdir -p "$RL/storage" && chown "$USER_NAME" "$RL/storage"
# the test's policy, root's (0644), with the audit log at a root path the
# user cannot write: hardshim must use the user's own
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"

# as_user CMD...: the command as the rootless user, with its runtime dir
HOME_=$(getent passwd "$USER_NAME" | cut -d: -f6)
as_user () {
  (cd "$HOME_" && runuser -u "$USER_NAME" -- env HOME="$HOME_" XDG_RUNTIME_DIR="$RL/xdg" "$@")
}
up () {
  as_user podman --root "$RL/storage/root" --runroot "$RL/xdg/runroot" --tmpdir "$RL/xdg/tmp" \
    --storage-driver vfs --cgroup-manager cgroupfs --events-backend file "$@"
}
IMG=localhost/hardshim-e2e/rootless:latest
up import "$RL/busybox.tar" "$IMG" > /dev/null 2>&1
check "rootless podman imports the busybox rootfs" up image exists "$IMG"

# precondition: the same user's podman works with the plain runtime
up --runtime "$RUNC" run --rm --network none "$IMG" true > "$T/plain.out" 2>&1
check "rootless podman works with plain runc on this host" test $? -eq 0 || cat "$T/plain.out"

before_run=$(ls -A /run/hardshim 2> /dev/null | wc -l)
up --runtime "$RL/bin/hardshim" run --rm --network none "$IMG" \
  sh -c 'cat /proc/self/uid_map; grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status' \
  > "$T/hs.out" 2> "$T/hs.err"
rc=$?
check "a rootless podman container runs through hardshim" test $rc -eq 0
[ $rc -eq 0 ] || cat "$T/hs.err"
check "its container root is the user, not host root" \
  awk -v u="$UID_" '$1 == 0 { found = ($2 == u) } END { exit !found }' "$T/hs.out"
check "no id of the container is host root" \
  awk 'NF == 3 && $2 == 0 { bad = 1 } END { exit bad }' "$T/hs.out"
check "it is hardened: seccomp filter" grep -q '^Seccomp:[[:space:]]*2' "$T/hs.out"
check "it is hardened: no_new_privs" grep -q '^NoNewPrivs:[[:space:]]*1' "$T/hs.out"
check "it is hardened: CAP_SYS_ADMIN dropped" \
  sh -c 'caps=$(awk "/^CapEff:/ { print \$2 }" "$1"); [ $(( 0x$caps & (1 << 21) )) -eq 0 ]' sh "$T/hs.out"
check "hardshim's state is the user's: \$XDG_RUNTIME_DIR/hardshim, theirs, 0711" \
  sh -c '[ "$(stat -c %U:%a "$1")" = "$2:711" ]' sh "$RL/xdg/hardshim" "$USER_NAME"
check "the audit log is the user's and names the rootless userns decision" \
  grep -q 'no block is assigned' "$RL/xdg/hardshim/audit.jsonl"
check "the root audit log was not written" test ! -s "$AUDIT"
check "root's state directory was not touched" \
  test "$(ls -A /run/hardshim 2> /dev/null | wc -l)" -eq "$before_run"

# a refusal reaches the rootless user with hardshim's reason
up --runtime "$RL/bin/hardshim" run --rm --network none --privileged "$IMG" true \
  > "$T/priv.out" 2>&1
check "a privileged rootless container is refused" test $? -ne 0
check "with hardshim's reason" grep -q 'hardshim' "$T/priv.out"

# without a runtime directory of its own, hardshim has nowhere safe to
# keep state: a create fails closed, other verbs pass through
make_bundle "$RL/bundle" '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": '"$UID_"', "size": 1}] | .linux.gidMappings = [{"containerID": 0, "hostID": '"$(id -g "$USER_NAME")"', "size": 1}]'
chmod -R a+rX "$RL/bundle"
id=$(new_id noxdg)
(cd "$RL/bundle" && runuser -u "$USER_NAME" -- env -u XDG_RUNTIME_DIR HARDSHIM_POLICY="$POLICY" \
  HARDSHIM_RUNTIME="$RUNC" "$RL/bin/hardshim.real" --root "$RL/xdg/runc" create "$id") \
  > "$T/noxdg.out" 2>&1
check "a host user's create without XDG_RUNTIME_DIR is refused" test $? -ne 0
check "naming XDG_RUNTIME_DIR" grep -q 'XDG_RUNTIME_DIR is not set' "$T/noxdg.out"
runuser -u "$USER_NAME" -- env -u XDG_RUNTIME_DIR HARDSHIM_POLICY="$POLICY" HARDSHIM_RUNTIME="$RUNC" \
  "$RL/bin/hardshim.real" --version > "$T/ver.out" 2>&1
check "--version still passes through" grep -q '^runc version' "$T/ver.out"
check "without a warning" sh -c '! grep -q warning "$1"' sh "$T/ver.out"

up rm -af -t 0 > /dev/null 2>&1
up rmi -af > /dev/null 2>&1
finish

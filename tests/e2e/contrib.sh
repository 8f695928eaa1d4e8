#!/bin/sh
# contrib/: the engine snippets parse and say what the docs say, the
# Kubernetes manifests are structurally sound, and the node installer
# (run from the manifest, against a fake node root) installs, puts hardshim
# in place of runc (hardshimctl install --node --root), is idempotent,
# refuses a bad policy without changing the node, and uninstalls back to
# the node's original containerd config and runc.
. "$(dirname "$0")/lib.sh"

C=$top_srcdir/contrib
PY=/usr/bin/python3 # Debian's, with python3-yaml (contrib/install-deps.sh)

# TOML snippets (tomllib is in Python 3.11's standard library).
check "podman containers.conf: runtime hardshim, listed in runtime_supports_json" \
  $PY -c 'import sys, tomllib
e = tomllib.load(open(sys.argv[1], "rb"))["engine"]
assert "hardshim" in e["runtime_supports_json"], e
assert {"crun", "runc"} <= set(e["runtime_supports_json"]), e
assert e["runtimes"]["hardshim"][0] == "/usr/local/bin/hardshim", e' "$C/podman/containers.conf"
check "CRI-O drop-in: runtime hardshim of type oci" \
  $PY -c 'import sys, tomllib
r = tomllib.load(open(sys.argv[1], "rb"))["crio"]["runtime"]["runtimes"]["hardshim"]
assert r["runtime_path"] == "/usr/local/bin/hardshim" and r["runtime_type"] == "oci", r' \
  "$C/crio/10-hardshim.conf"
check "docker daemon.json: runtime hardened" \
  jqe '.runtimes.hardened.path == "/usr/local/bin/hardshim"' "$C/docker/daemon.json"

# containerd reads the snippet appended to a version 2 config (the CRI
# plugin must be enabled for its section to show in the dump).
printf 'version = 2\nroot = "%s/cd-root"\nstate = "%s/cd-state"\n' "$T" "$T" > "$T/containerd.toml"
cat "$C/containerd/hardshim.toml" >> "$T/containerd.toml"
containerd --config "$T/containerd.toml" config dump > "$T/dump.toml" 2> "$T/dump.err"
check "containerd accepts the snippet (config dump)" [ $? -eq 0 ]
check "containerd: runtime hardshim = runc v2 shim with BinaryName" \
  $PY -c 'import sys, tomllib
c = tomllib.load(open(sys.argv[1], "rb"))
r = c["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["hardshim"]
assert r["runtime_type"] == "io.containerd.runc.v2", r
assert r["options"]["BinaryName"] == "/usr/local/bin/hardshim", r' "$T/dump.toml"

# Kubernetes manifests.
check "RuntimeClass hardened, handler hardshim" \
  $PY -c 'import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
assert len(docs) == 1, docs
d = docs[0]
assert d["apiVersion"] == "node.k8s.io/v1" and d["kind"] == "RuntimeClass", d
assert d["metadata"]["name"] == "hardened" and d["handler"] == "hardshim", d
assert d["scheduling"]["nodeSelector"] == {"hardshim.io/ready": "true"}, d' \
  "$C/kubernetes/runtimeclass.yaml"

M=$C/kubernetes/node-installer.yaml
check "node installer: Namespace, ConfigMaps and a DaemonSet that fit together" \
  $PY -c 'import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
kinds = [d["kind"] for d in docs]
assert kinds == ["Namespace", "ConfigMap", "ConfigMap", "DaemonSet"], kinds
ns = docs[0]["metadata"]["name"]
cms = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
assert all(d["metadata"]["namespace"] == ns for d in docs[1:]), "namespace"
ds = docs[3]
assert ds["apiVersion"] == "apps/v1"
spec = ds["spec"]
assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
assert spec["updateStrategy"]["rollingUpdate"]["maxUnavailable"] == 1
pod = spec["template"]["spec"]
assert pod["nodeSelector"] == {"hardshim.io/install": "true"}
assert pod["hostPID"] is True
vols = {v["name"]: v for v in pod["volumes"]}
assert vols["host"]["hostPath"]["path"] == "/"
for v in vols.values():
    if "configMap" in v:
        assert v["configMap"]["name"] in cms, v
(c,) = pod["containers"]
assert c["securityContext"]["privileged"] is True
assert {m["name"] for m in c["volumeMounts"]} == set(vols)
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
env = {e["name"]: e["value"] for e in c["env"]}
assert env["MODE"] == "install" and env["HOST"] == mounts["host"]
assert mounts["policy"] == "/etc/hardshim-config" and "policy.json" in cms["hardshim-policy"]["data"]
assert mounts["installer"] == "/etc/hardshim-installer"
assert {"install.sh", "hardshim.toml"} <= cms["hardshim-installer"]["data"].keys()
assert "/etc/hardshim-installer/install.sh" in " ".join(c["command"])' "$M"

# The manifest's pieces, as files.
extract () { $PY -c 'import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
cm = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == sys.argv[2]][0]
sys.stdout.write(cm["data"][sys.argv[3]])' "$M" "$1" "$2"; }
mkdir -p "$T/cm"
extract hardshim-policy policy.json > "$T/cm/policy.json"
extract hardshim-installer install.sh > "$T/cm/install.sh"
extract hardshim-installer hardshim.toml > "$T/cm/hardshim.toml"
check "the ConfigMap's policy is valid" "$HARDSHIMCTL" policy validate "$T/cm/policy.json"
check "the ConfigMap's containerd block is contrib/containerd/hardshim.toml" \
  cmp -s "$T/cm/hardshim.toml" "$C/containerd/hardshim.toml"
check "install.sh parses" sh -n "$T/cm/install.sh"

# The installer against a fake node root.
H=$T/host
mkdir -p "$H/etc/containerd" "$T/src" "$H/var/lib/dpkg" "$H/usr/sbin"
# the node's runc (a stand-in) and an empty dpkg database for dpkg-divert --root
printf '#!/bin/sh\necho the node runc\n' > "$H/usr/sbin/runc"
chmod 0755 "$H/usr/sbin/runc"
cp -p "$H/usr/sbin/runc" "$T/runc.orig"
: > "$H/var/lib/dpkg/diversions"
cp "$HARDSHIM" "$HARDSHIMCTL" "$T/src/"
printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "pause:3.9"\n' \
  > "$H/etc/containerd/config.toml"
cp "$H/etc/containerd/config.toml" "$T/config.orig"
installer () {
  HOST=$H HOST_NO_CHROOT=1 SRC=$T/src POLICY_SRC=$T/cm/policy.json SNIPPET=$T/cm/hardshim.toml \
    RESTART="sh -c 'echo restart >> $T/restarts'" sh "$T/cm/install.sh" > "$T/installer.out" 2>&1
}
restarts () { if [ -f "$T/restarts" ]; then wc -l < "$T/restarts"; else echo 0; fi; }
MODE=install installer
check "install succeeds" [ $? -eq 0 ]
check "install puts hardshim and hardshimctl in /usr/local/bin" \
  cmp -s "$H/usr/local/bin/hardshim" "$HARDSHIM"
check "install puts the policy in /etc/hardshim/policy.json" \
  cmp -s "$H/etc/hardshim/policy.json" "$T/cm/policy.json"
check "install keeps the node's containerd settings" \
  grep -q 'sandbox_image = "pause:3.9"' "$H/etc/containerd/config.toml"
check "install registers the runtime hardshim" \
  grep -qx '\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardshim\]' "$H/etc/containerd/config.toml"
check "install restarts containerd once" [ "$(restarts)" = 1 ]
check "install puts hardshim in place of the node's runc (install --node)" \
  [ "$(readlink "$H/usr/sbin/runc")" = /usr/local/bin/hardshim ]
check "... diverting it in the node's dpkg database" \
  [ "$(dpkg-divert --root "$H" --truename /usr/sbin/runc)" = /usr/libexec/hardshim/runc ]
check "... where the node's runc now is" cmp -s "$H/usr/libexec/hardshim/runc" "$T/runc.orig"
sed 's|/usr/local/bin/hardshim|'"$HARDSHIM"'|' "$H/etc/containerd/config.toml" |
  sed "s|^root = .*||" > "$T/installed.toml"
printf 'root = "%s/cd-root2"\nstate = "%s/cd-state2"\n' "$T" "$T" >> "$T/installed.toml"
check "containerd reads the installed config" \
  sh -c 'containerd --config "$1" config dump | grep -q "BinaryName = \"$2\""' sh "$T/installed.toml" "$HARDSHIM"
MODE=install installer
check "a second install succeeds" [ $? -eq 0 ]
check "a second install changes nothing and does not restart containerd" [ "$(restarts)" = 1 ]
check "a second install keeps one runtime block" \
  [ "$(grep -c '^# BEGIN hardshim$' "$H/etc/containerd/config.toml")" = 1 ]
cp "$H/etc/hardshim/policy.json" "$T/policy.before"
echo '{ "mode": "sometimes" }' > "$T/cm/bad-policy.json"
HOST=$H HOST_NO_CHROOT=1 SRC=$T/src POLICY_SRC=$T/cm/bad-policy.json SNIPPET=$T/cm/hardshim.toml \
  RESTART="sh -c 'echo restart >> $T/restarts'" MODE=install sh "$T/cm/install.sh" > "$T/installer.out" 2>&1
check "install with an invalid policy fails" [ $? -ne 0 ]
check "... names the reason" grep -q 'nothing changed' "$T/installer.out"
check "... and leaves the node's policy and files as they were" \
  sh -c 'cmp -s "$1" "$2" && ! ls "$3"/usr/local/bin/*.new "$3"/etc/hardshim/*.new 2>/dev/null' \
  sh "$H/etc/hardshim/policy.json" "$T/policy.before" "$H"
MODE=uninstall installer
check "uninstall succeeds" [ $? -eq 0 ]
check "uninstall restores the node's containerd config" cmp -s "$H/etc/containerd/config.toml" "$T/config.orig"
check "uninstall removes the binaries and the policy" \
  [ ! -e "$H/usr/local/bin/hardshim" -a ! -e "$H/usr/local/bin/hardshimctl" -a ! -e "$H/etc/hardshim" ]
check "uninstall restarts containerd" [ "$(restarts)" = 2 ]
check "uninstall puts the node's runc back" \
  sh -c 'cmp -s "$1/usr/sbin/runc" "$2" && [ ! -L "$1/usr/sbin/runc" ] && [ ! -e "$1/usr/libexec/hardshim" ]' \
  sh "$H" "$T/runc.orig"
check "... and removes the diversion" [ "$(dpkg-divert --root "$H" --truename /usr/sbin/runc)" = /usr/sbin/runc ]
# A node without a containerd config: the installer writes one the CRI
# plugin can load (it needs runc among the runtimes).
rm -f "$H/etc/containerd/config.toml"
MODE=install installer
check "install on a node without containerd config succeeds" [ $? -eq 0 ]
printf 'root = "%s/cd-root3"\nstate = "%s/cd-state3"\n' "$T" "$T" > "$T/fresh.toml"
cat "$H/etc/containerd/config.toml" >> "$T/fresh.toml"
check "... and writes a config that defines runc and hardshim" \
  $PY -c 'import sys, tomllib
r = tomllib.load(open(sys.argv[1], "rb"))["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
assert r["runc"]["runtime_type"] == "io.containerd.runc.v2", r
assert r["hardshim"]["options"]["BinaryName"] == "/usr/local/bin/hardshim", r' "$T/fresh.toml"
check "... that containerd reads" sh -c 'containerd --config "$1" config dump > /dev/null' sh "$T/fresh.toml"
MODE=uninstall installer
check "... and uninstall leaves an empty version 2 config" \
  [ "$(cat "$H/etc/containerd/config.toml")" = "version = 2" ]
MODE=sometimes installer
check "an unknown MODE fails" [ $? -eq 2 ]

finish

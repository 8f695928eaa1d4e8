#!/bin/sh
# hardshimctl install --node / uninstall --node on fake node roots (--root,
# dpkg-divert --root on a private dpkg database): what it changes, that a
# second run changes nothing, every refusal (nothing changed), the
# coverage report of engine configs, and the byte-for-byte uninstall.
# (tests/e2e/node.sh runs it on the real tree with the real engines.)
. "$(dirname "$0")/lib.sh"

REAL_DIR=$(sed -n 's/^#define HS_REAL_RUNTIME_DIR "\(.*\)"$/\1/p' "$top_builddir/config.h")

# new_root DIR [crun]: a node with runc (and crun), an empty dpkg database
# and hardshim in /usr/local/bin.
new_root () {
  r=$1
  mkdir -p "$r/usr/sbin" "$r/usr/bin" "$r/usr/local/bin" "$r/var/lib/dpkg" "$r/etc"
  : > "$r/var/lib/dpkg/diversions"
  printf '#!/bin/sh\necho the real runc\n' > "$r/usr/sbin/runc"
  [ "${2:-}" = crun ] && printf '#!/bin/sh\necho the real crun\n' > "$r/usr/bin/crun"
  chmod 0755 "$r"/usr/sbin/* "$r"/usr/bin/* 2>/dev/null
  install -m 0755 "$HARDSHIM" "$r/usr/local/bin/hardshim"
}
ctl () { "$HARDSHIMCTL" "$@" > "$T/out" 2>&1; }
# tree DIR [+]: every path's type, mode and link target, every file's
# digest; with +, mtimes too. (dpkg's own backup diversions-old aside.)
tree () {
  (cd "$1" && find . ! -name diversions-old -printf "%p %y %m %l${2:+ %T@}\n" | sort &&
    find . -type f ! -name diversions-old -exec sha256sum {} + | sort)
}
truename () { dpkg-divert --root "$1" --truename "$2"; }

R=$T/node
new_root "$R" crun
tree "$R" > "$T/before"
RUNC_MTIME=$(stat -c %Y "$R/usr/sbin/runc")
ctl install --node --root "$R"
check "install --node --root succeeds" [ $? -eq 0 ]
check "... runc is hardshim, a symlink" [ "$(readlink "$R/usr/sbin/runc")" = /usr/local/bin/hardshim ]
check "... crun too" [ "$(readlink "$R/usr/bin/crun")" = /usr/local/bin/hardshim ]
check "... the real runc is diverted" [ "$(truename "$R" /usr/sbin/runc)" = "$REAL_DIR/runc" ]
check "... and kept" grep -q 'the real runc' "$R$REAL_DIR/runc"
check "... a local diversion" [ "$(dpkg-divert --root "$R" --listpackage /usr/bin/crun)" = LOCAL ]
check "... podman's names pinned" grep -qx 'runc = \["/usr/sbin/runc"\]' "$R/etc/containers/containers.conf.d/99-hardshim-node.conf"
check "... the report: runc covered" grep -q "^#   covered      /usr/sbin/runc: hardshim in place of runc; it runs the real runc, $REAL_DIR/runc" "$T/out"
tree "$R" + > "$T/installed"
ctl install --node --root "$R"
rc=$?
check "install again: exit 0" [ $rc -eq 0 ]
check "... says nothing changed" grep -q "nothing changed" "$T/out"
tree "$R" + > "$T/installed2"
check "... not one file touched (mtimes included)" cmp -s "$T/installed" "$T/installed2"

# Broken: the real runc gone. Reported, refused, never papered over.
mv "$R$REAL_DIR/runc" "$T/runc.aside"
ctl install --node --root "$R"
check "install with the real runc missing is refused (1)" [ $? -eq 1 ]
check "... naming the path" grep -qF "the diversion of \`/usr/sbin/runc\` is broken: the real runc is missing at \`$REAL_DIR/runc\`" "$T/out"
mv "$T/runc.aside" "$R$REAL_DIR/runc"

# A file someone put in hardshim's place: install and uninstall leave it.
mv "$R/usr/sbin/runc" "$T/link.aside"
printf '#!/bin/sh\necho someone else\n' > "$R/usr/sbin/runc"; chmod 0755 "$R/usr/sbin/runc"
ctl install --node --root "$R"
check "install over a foreign file at a diverted path is refused (1)" [ $? -eq 1 ]
check "... saying so" grep -q "yet a file that is not hardshim is at \`/usr/sbin/runc\`" "$T/out"
ctl uninstall --node --root "$R"
check "uninstall then is refused too (1)" [ $? -eq 1 ]
check "... nothing changed" sh -c 'grep -q "nothing changed" "$1" && grep -q "someone else" "$2/usr/sbin/runc" && [ "$(dpkg-divert --root "$2" --truename /usr/sbin/runc)" != /usr/sbin/runc ]' sh "$T/out" "$R"
rm "$R/usr/sbin/runc"; mv "$T/link.aside" "$R/usr/sbin/runc"

# Engine configs that name runtimes hardshim is not: reported, warned about.
mkdir -p "$R/etc/docker" "$R/etc/containerd"
cat > "$R/etc/docker/daemon.json" <<EOF
{ "runtimes": { "direct": { "path": "$REAL_DIR/runc" }, "hs": { "path": "/usr/local/bin/hardshim" },
  "byname": { "path": "runc" }, "notrunc": { "runtimeType": "/opt/shims/containerd-shim-notrunc-v2" } } }
EOF
cat > "$R/etc/containerd/config.toml" <<EOF
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."raw"]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes."raw".options]
    BinaryName = "$REAL_DIR/runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
EOF
ctl install --node --root "$R"
check "install with uncovered engine runtimes still succeeds" [ $? -eq 0 ]
check "... warns how many are not covered" grep -q "warning: 4 runtime paths engines can run are not covered" "$T/out"
check "... Docker's shim type that only contains runc: not covered" grep -q "NOT COVERED  Docker runtime \`notrunc\` .*shim \`/opt/shims/containerd-shim-notrunc-v2\`" "$T/out"
check "... Docker's runtime naming the real runc: not covered" grep -q "NOT COVERED  Docker runtime \`direct\` (/etc/docker/daemon.json): runs $REAL_DIR/runc, which is not hardshim" "$T/out"
check "... Docker's runtime naming hardshim: covered" grep -q "covered      Docker runtime \`hs\` .*runs /usr/local/bin/hardshim (hardshim)" "$T/out"
check "... Docker's runtime naming runc: covered (PATH)" grep -q "covered      Docker runtime \`byname\` .*runs /usr/sbin/runc (hardshim)" "$T/out"
check "... containerd's runc without BinaryName: covered" grep -q "covered      containerd runtime \`runc\` .*runs /usr/sbin/runc (hardshim)" "$T/out"
check "... containerd's BinaryName of the real runc: not covered" grep -q "NOT COVERED  containerd runtime \`raw\` .*runs $REAL_DIR/runc, which is not hardshim" "$T/out"
check "... containerd's kata shim: not covered" grep -q "NOT COVERED  containerd runtime \`kata\` .*shim \`io.containerd.kata.v2\`" "$T/out"
# What the line scanner cannot be sure of is reported NOT COVERED: a literal
# '...' string is read; a v1 shim's runtime_engine or options.Runtime, a
# shim type that merely contains "runc", inline tables (findings 30).
cat > "$R/etc/containerd/config.toml" <<EOF
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sq]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sq.options]
    BinaryName = '$REAL_DIR/runc'
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.v1]
  runtime_type = "io.containerd.runtime.v1.linux"
  runtime_engine = "$REAL_DIR/runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.opt]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.opt.options]
    Runtime = "$REAL_DIR/runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.notrunc]
  runtime_type = "/opt/shims/containerd-shim-notrunc-v2"
[plugins."io.containerd.grpc.v1.cri".containerd]
  runtimes.inl = { runtime_type = "io.containerd.runc.v2" }
EOF
ctl install --node --root "$R"; cp "$T/out" "$T/show"
check "containerd: a single-quoted BinaryName of the real runc: not covered" \
  grep -q "NOT COVERED  containerd runtime \`sq\` .*runs $REAL_DIR/runc, which is not hardshim" "$T/show"
check "containerd: a v1 shim's runtime_engine of the real runc: not covered" \
  grep -q "NOT COVERED  containerd runtime \`v1\` .*runs $REAL_DIR/runc, which is not hardshim" "$T/show"
check "containerd: options.Runtime of the real runc: not covered" \
  grep -q "NOT COVERED  containerd runtime \`opt\` .*runs $REAL_DIR/runc, which is not hardshim" "$T/show"
check "containerd: a shim type that only contains runc: not covered" \
  grep -q "NOT COVERED  containerd runtime \`notrunc\` .*shim \`/opt/shims/containerd-shim-notrunc-v2\`" "$T/show"
check "containerd: inline runtime tables: not covered" grep -q "NOT COVERED  containerd: .*inline tables" "$T/show"
rm -r "$R/etc/docker" "$R/etc/containerd"

# podman: a drop-in read after hardshim's that names runtimes, or a runtime
# name of containers.conf the drop-in does not pin (finding 31)
mkdir -p "$R/etc/containers/containers.conf.d"
printf '[engine.runtimes]\nrunc = ["%s/runc"]\n' "$REAL_DIR" > "$R/etc/containers/containers.conf.d/local.conf"
ctl install --node --root "$R"; cp "$T/out" "$T/show"
check "podman: a later drop-in naming runtimes: not covered" \
  grep -q "NOT COVERED  podman runtime names: .*local.conf is read after hardshim's drop-in" "$T/show"
check "... and not also covered" sh -c '! grep -q "covered      podman runtime names:" "$1"' sh "$T/show"
rm "$R/etc/containers/containers.conf.d/local.conf"
cp "$R/etc/containers/containers.conf" "$T/cc.aside" 2>/dev/null || : > "$T/cc.aside"
printf '[engine.runtimes]\nplain = ["%s/crun"]\n' "$REAL_DIR" >> "$R/etc/containers/containers.conf"
ctl install --node --root "$R"; cp "$T/out" "$T/show"
check "podman: a containers.conf runtime name the drop-in does not pin: not covered" \
  grep -q "NOT COVERED  podman runtime names: .*names runtime \`plain\`" "$T/show"
if [ -s "$T/cc.aside" ]; then cp "$T/cc.aside" "$R/etc/containers/containers.conf"; else rm "$R/etc/containers/containers.conf"; fi
ctl install --node --root "$R"; cp "$T/out" "$T/show"
check "podman: pinned again once both are gone" grep -q "covered      podman runtime names:" "$T/show"

# Uninstall: back to the tree before, byte for byte; twice changes nothing.
ctl uninstall --node --root "$R"
check "uninstall --node --root succeeds" [ $? -eq 0 ]
tree "$R" > "$T/after"
check "... every path, mode, link and file content as before" cmp -s "$T/before" "$T/after"
diff "$T/before" "$T/after" | sed 's/^/# /'
check "... the real runc is the same file it was (its mtime too)" \
  [ "$(stat -c %Y "$R/usr/sbin/runc")" = "$RUNC_MTIME" ]
check "... no diversion left" [ "$(truename "$R" /usr/sbin/runc)" = /usr/sbin/runc ]
ctl uninstall --node --root "$R"
rc=$?
check "uninstall again: exit 0" [ $rc -eq 0 ]
check "... says nothing changed" grep -q "nothing changed" "$T/out"

# crun not installed: diverted anyway; once its package lands, install again.
R2=$T/node2
new_root "$R2"
ctl install --node --root "$R2"
check "install without crun succeeds" [ $? -eq 0 ]
check "... diverts crun's path all the same" [ "$(truename "$R2" /usr/bin/crun)" = "$REAL_DIR/crun" ]
check "... puts nothing at it" [ ! -e "$R2/usr/bin/crun" -a ! -L "$R2/usr/bin/crun" ]
check "... and says to run it again" grep -q "crun is not installed: its package will install it at $REAL_DIR/crun" "$T/out"
printf '#!/bin/sh\necho the real crun\n' > "$R2$REAL_DIR/crun"; chmod 0755 "$R2$REAL_DIR/crun"
ctl install --node --root "$R2"
check "... and install again puts hardshim in its place" [ "$(readlink "$R2/usr/bin/crun")" = /usr/local/bin/hardshim ]

# Refusals: each on a fresh node, which stays exactly as it was.
refused_install () {
  desc=$1 pattern=$2; shift 2
  tree "$R3" > "$T/r.before"
  ctl install --node --root "$R3" "$@"
  rc=$?
  check "$desc: refused (exit 1)" [ $rc -eq 1 ]
  if grep -qF -- "$pattern" "$T/out"; then ok "$desc: ... \`$pattern\`"; else
    not_ok "$desc: ... \`$pattern\`"; sed 's/^/# /' "$T/out"; fi
  tree "$R3" > "$T/r.after"
  check "$desc: nothing changed" cmp -s "$T/r.before" "$T/r.after"
}
R3=$T/node3
new_root "$R3" crun
dpkg-divert --root "$R3" --local --no-rename --quiet --divert /usr/sbin/runc.elsewhere --add /usr/sbin/runc
refused_install "runc already diverted elsewhere" \
  "\`/usr/sbin/runc\` is already diverted to \`/usr/sbin/runc.elsewhere\` by a local diversion: hardshimctl does not stack diversions"
rm -rf "$R3"; new_root "$R3" crun
printf '#!/bin/sh\n' > "$R3/usr/local/bin/runc"; chmod 0755 "$R3/usr/local/bin/runc"
refused_install "another runc first on PATH" \
  "\`/usr/local/bin/runc\` comes before \`/usr/sbin/runc\` on the PATH engines use"
rm -rf "$R3"; new_root "$R3" crun
chmod g+w "$R3/usr/local/bin/hardshim"
refused_install "hardshim writable by its group" "must be owned by root and writable by nobody else"
chmod g-w "$R3/usr/local/bin/hardshim"; chmod o+w "$R3/usr/local/bin"
refused_install "hardshim in a directory others may write" \
  "\`$R3/usr/local/bin\` must be owned by root and writable by nobody else"
chmod o-w "$R3/usr/local/bin"
cp "$R3/usr/bin/crun" "$R3/usr/local/bin/not-hardshim"
refused_install "--hardshim that is not hardshim" "\`/usr/local/bin/not-hardshim\` is not hardshim" \
  --hardshim /usr/local/bin/not-hardshim
rm "$R3/usr/local/bin/not-hardshim"
refused_install "--hardshim that is a path the install replaces" \
  "\`/usr/bin/crun\` is (or leads to) \`/usr/bin/crun\`, a path the install replaces" --hardshim /usr/bin/crun
ln -s /usr/sbin/runc "$R3/usr/local/bin/via-runc"
refused_install "--hardshim that leads to one" "leads to) \`/usr/sbin/runc\`" --hardshim /usr/local/bin/via-runc
rm "$R3/usr/local/bin/via-runc"
refused_install "--hardshim that does not exist" "hardshim is not installed at \`/usr/local/bin/nothing\`" \
  --hardshim /usr/local/bin/nothing
mkdir -p "$R3$REAL_DIR"; chmod o+w "$R3$REAL_DIR"
refused_install "a real-runtime directory others may write" \
  "\`$R3$REAL_DIR\` must be owned by root and writable by nobody else"
chmod o-w "$R3$REAL_DIR"; printf 'x\n' > "$R3$REAL_DIR/runc"
refused_install "a stray file where the real runc would go" \
  "\`$REAL_DIR/runc\` exists but \`/usr/sbin/runc\` is not diverted there"
rm -rf "$R3"; new_root "$R3" crun
ln -sf /usr/local/bin/hardshim "$R3/usr/sbin/runc"
refused_install "hardshim already at runc's path, no diversion" \
  "\`/usr/sbin/runc\` is already hardshim, but no diversion says where the real runc is"

# An edited podman drop-in survives the uninstall (with a warning).
ctl install --node --root "$R2"
echo '# local edit' >> "$R2/etc/containers/containers.conf.d/99-hardshim-node.conf"
ctl uninstall --node --root "$R2"
check "uninstall with an edited podman drop-in succeeds" [ $? -eq 0 ]
check "... leaves the drop-in, with a warning" \
  sh -c 'grep -q "local edit" "$1" && grep -q "was changed since the install: left alone" "$2"' \
  sh "$R2/etc/containers/containers.conf.d/99-hardshim-node.conf" "$T/out"
check "... and still puts the real runc back" grep -q 'the real runc' "$R2/usr/sbin/runc"

ctl install
check "install without --node: usage (2)" [ $? -eq 2 ]
ctl install --node --bogus
check "install with an unknown option: usage (2)" [ $? -eq 2 ]
ctl uninstall --node --hardshim /x
check "uninstall takes no --hardshim: usage (2)" [ $? -eq 2 ]
ctl install --node --root relative/dir
check "install --root must be absolute: usage (2)" [ $? -eq 2 ]

finish

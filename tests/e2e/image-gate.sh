#!/bin/sh
# The image_gate control on the real Debian 12 rootfs (tests/debian-rootfs)
# with the real OSV records: its findings for six source packages equal a
# table derived by hand (tests/data/image_gate/debian12-findings.table),
# today's packages and an old glibc; enforce refuses the old glibc with the
# package, versions and advisory ids, warn and audit run it and report,
# through runc, crun and podman; an image's database cannot lie through a
# symlink out of the rootfs; `hardshimctl scan` of the saved images
# (docker-archive, oci-archive) gives the same findings.
. "$(dirname "$0")/lib.sh"

data=$top_srcdir/tests/data/image_gate
table=$data/debian12-findings.table
feed=$T/feed
DEB=$(debian_rootfs) || { not_ok "the Debian 12 rootfs (tests/debian-rootfs)"; finish; }
"$HARDSHIMCTL" feed import --feed-dir "$feed" "$data/vulndata/osv" > /dev/null
check "the feed is imported" test -d "$feed"

# overlay NAME: a writable view of the shared, read-only Debian tree (this
# test's private mount namespace, see lib.sh); prints its path.
overlay () {
  mkdir -p "$T/ovl/$1/upper" "$T/ovl/$1/work" "$T/$1"
  mount -t overlay overlay \
    -o "lowerdir=$DEB,upperdir=$T/ovl/$1/upper,workdir=$T/ovl/$1/work" "$T/$1"
  chmod 0755 "$T/$1"
  echo "$T/$1"
}
# the overlays go before lib.sh's cleanup removes $T
trap 'for d in today old liar; do umount -l "$T/$d" 2> /dev/null; done; cleanup' EXIT
TODAY=$(overlay today)
OLD=$(overlay old)
# glibc's binary packages at 2.36-9+deb12u2 (DSA-5514-1 is fixed in +deb12u3)
awk '/^Package:/ { p = $2 } /^Source:/ { s = $2 }
     /^Version:/ && (s == "glibc" || p == "libc6" || p == "libc-bin") { $0 = "Version: 2.36-9+deb12u2" }
     /^$/ { p = s = "" } { print }' "$DEB/var/lib/dpkg/status" > "$OLD/var/lib/dpkg/status"
check "the old-glibc rootfs says so" grep -q '^Version: 2.36-9+deb12u2$' "$OLD/var/lib/dpkg/status"

gate () { printf '{"mode":"%s","feed_dir":"%s","max_feed_age":0}' "$1" "$feed"; }
printf '%s\n' "$(gate enforce)" > "$T/gate.json"

# findings SCENARIO ROOTFS: the gate's (package advisory class) rows for the
# table's packages against the table's rows for SCENARIO.
findings () {
  "$HARDSHIMCTL" scan --json --settings "$T/gate.json" --feed-dir "$feed" "$2" > "$T/$1.json"
  jq -r '.findings[] | select(.package | test("^(glibc|nginx|openssl|postgresql-15|python3.11|redis)$"))
         | "\(.package) \(.advisory) \(.class)"' "$T/$1.json" | sort -u > "$T/$1.got"
  awk -v s="$1" '$1 == s { print $2, $3, $4 }' "$table" | sort -u > "$T/$1.want"
  if cmp -s "$T/$1.got" "$T/$1.want"; then ok "$1: the gate's findings are the table's"; else
    not_ok "$1: the gate's findings are the table's"; diff "$T/$1.want" "$T/$1.got" | sed 's/^/# /'; fi
}
findings today "$TODAY"
findings old-glibc "$OLD"
check "today: nothing refused" jqe '.verdict.refuse == false' "$T/today.json"
check "old glibc: refused" jqe '.verdict.refuse == true' "$T/old-glibc.json"

# A database that points out of the rootfs is read inside it, not on the
# host: the host's status (today's glibc) must not answer for the image.
LIAR=$(overlay liar)
rm -f "$LIAR/var/lib/dpkg/status"
ln -s /var/lib/dpkg/status "$LIAR/var/lib/dpkg/status"
"$HARDSHIMCTL" scan --json --settings "$T/gate.json" --feed-dir "$feed" "$LIAR" > "$T/liar.json" 2>&1
check "a status symlinked to the host is not the host's" \
  jqe '.verdict.refuse == true and (.conditions | length > 0)' "$T/liar.json"

# through runc and crun
bundle () { # DIR ROOTFS
  make_bundle "$1" ".root.path = \"$2\" | .root.readonly = true" '["/bin/true"]'
}
bundle "$T/b-today" "$TODAY"
bundle "$T/b-old" "$OLD"
for rt in runc crun; do
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"image_gate\": $(gate enforce) }"
  id=$(new_id today)
  (cd "$T/b-today" && hs $rt run "$id") > "$T/out" 2>&1
  check "$rt enforce: today's Debian runs" test $? -eq 0 || sed 's/^/# /' "$T/out"
  id=$(new_id old)
  (cd "$T/b-old" && hs $rt run "$id") > "$T/out" 2>&1
  check "$rt enforce: the old glibc is refused" test $? -ne 0
  check "$rt enforce: ... naming package, versions and advisories" \
    grep -qF 'glibc 2.36-9+deb12u2 (fixed in 2.36-9+deb12u7: CVE-2023-6780, CVE-2024-2961, CVE-2024-33599 and 7 more)' "$T/out"
  check "$rt enforce: ... and the control" grep -q 'image_gate' "$T/out"

  for mode in warn audit; do
    : > "$AUDIT"
    write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"image_gate\": $(gate $mode) }"
    id=$(new_id old-$mode)
    (cd "$T/b-old" && hs $rt run "$id") > "$T/out" 2>&1
    check "$rt $mode: the old glibc runs" test $? -eq 0 || sed 's/^/# /' "$T/out"
    check "$rt $mode: ... and the audit log has the findings" \
      jqe -s 'map(select(.control == "image_gate" and (.message | test("glibc 2.36-9\\+deb12u2 \\(fixed in")))) | length > 0' "$AUDIT"
  done
done

# through podman (the images are the two trees, imported)
PD=$T/podman
mkdir -p "$PD/bin"
printf '#!/bin/sh\nHARDSHIM_POLICY=%s HARDSHIM_RUNTIME=%s exec %s "$@"\n' \
  "$POLICY" "$RUNC" "$HARDSHIM" > "$PD/bin/hardshim"
chmod 0755 "$PD/bin/hardshim"
p () { podman --root "$PD/root" --runroot "$PD/runroot" --tmpdir "$PD/tmp" --cgroup-manager cgroupfs \
  --events-backend file --runtime "$PD/bin/hardshim" "$@"; }
tar -C "$TODAY" -c . | p import - localhost/hardshim-e2e/gate-today > /dev/null 2>&1
tar -C "$OLD" -c . | p import - localhost/hardshim-e2e/gate-old > /dev/null 2>&1
check "podman imports both trees" p image exists localhost/hardshim-e2e/gate-old
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"image_gate\": $(gate enforce) }"
RUN="run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
p $RUN localhost/hardshim-e2e/gate-today /bin/true > "$T/out" 2>&1
check "podman enforce: today's Debian runs" test $? -eq 0 || sed 's/^/# /' "$T/out"
p $RUN localhost/hardshim-e2e/gate-old /bin/true > "$T/out" 2>&1
check "podman enforce: the old glibc is refused" test $? -ne 0
check "podman enforce: ... the user sees the advisories" grep -q 'glibc 2.36-9+deb12u2 (fixed in .*CVE-2023-6780' "$T/out"
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"image_gate\": $(gate warn) }"
p $RUN localhost/hardshim-e2e/gate-old /bin/true > "$T/out" 2>&1
check "podman warn: the old glibc runs" test $? -eq 0 || sed 's/^/# /' "$T/out"

# hardshimctl scan IMAGE.tar: a saved image gives the gate's findings
# (docker-archive is `docker save`'s format; oci-archive an OCI layout)
all_findings () { jq -c '[.findings[] | [.package, .installed, .advisory, .class]] | sort' "$1"; }
for img in today old; do
  "$HARDSHIMCTL" scan --json --settings "$T/gate.json" --feed-dir "$feed" "$T/$img" > "$T/$img-dir.json"
  for fmt in docker-archive oci-archive; do
    p save --format $fmt -o "$T/$img-$fmt.tar" localhost/hardshim-e2e/gate-$img > /dev/null 2>&1
    "$HARDSHIMCTL" scan --json --settings "$T/gate.json" --feed-dir "$feed" "$T/$img-$fmt.tar" \
      > "$T/$img-$fmt.json"
    check "scan of the $img image as $fmt: the rootfs's findings" \
      test "$(all_findings "$T/$img-$fmt.json")" = "$(all_findings "$T/$img-dir.json")"
    rm -f "$T/$img-$fmt.tar"
  done
done
"$HARDSHIMCTL" scan --settings "$T/gate.json" --feed-dir "$feed" "$T/old-docker-archive.tar" > /dev/null 2>&1
check "scan of a missing archive exits 2" test $? -eq 2
check "scan of the old image as docker-archive: refused" jqe '.verdict.refuse == true' "$T/old-docker-archive.json"
p rm -af -t 0 > /dev/null 2>&1
p rmi -af > /dev/null 2>&1
finish

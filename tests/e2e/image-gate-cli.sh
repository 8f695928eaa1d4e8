#!/bin/sh
# hardshimctl feed import / show and scan: the real OSV records, a Debian 12
# rootfs whose glibc predates DSA-5514-1's fix, exit 0 clean / 1 refused /
# 2 error, text and JSON.
. "$(dirname "$0")/lib.sh"

ctl () { "$HARDSHIMCTL" "$@"; }
status () { "$@" >/dev/null 2>&1; echo $?; }
data=$top_srcdir/tests/data/image_gate
feed=$T/feed
printf '{"mode":"enforce","max_feed_age":0}\n' > "$T/gate.json"
printf '{"mode":"enforce"}\n' > "$T/gate-age.json"

check "feed show without a feed exits 1" [ "$(status ctl feed show --feed-dir "$feed")" = 1 ]
check "feed import of the records" sh -c "'$HARDSHIMCTL' feed import --feed-dir '$feed' '$data/vulndata/osv' > '$T/import.out'"
check "import says how many" grep -q '^imported 405 records' "$T/import.out"
check "feed show names the releases" sh -c "'$HARDSHIMCTL' feed show --feed-dir '$feed' | grep -q 'Debian:12 .* 512 advisory'"
check "feed show --json is the manifest" sh -c "'$HARDSHIMCTL' feed show --json --feed-dir '$feed' | jq -e '.ecosystems[\"Alpine:v3.18\"].entries > 0' >/dev/null"
check "feed show says a 2025 feed is stale" sh -c "'$HARDSHIMCTL' feed show --feed-dir '$feed' | grep -q STALE"

r=$T/rootfs
mkdir -p "$r/etc" "$r/usr/lib" "$r/var/lib/dpkg"
cp "$data/os-release.debian12" "$r/usr/lib/os-release"
ln -s ../usr/lib/os-release "$r/etc/os-release"
cp "$data/dpkg-status.small" "$r/var/lib/dpkg/status"

check "scan of an old glibc exits 1" [ "$(status ctl scan --settings "$T/gate.json" --feed-dir "$feed" "$r")" = 1 ]
ctl scan --settings "$T/gate.json" --feed-dir "$feed" "$r" > "$T/scan.out" 2>&1
check "scan names DSA-5514-1 and its fix" grep -q 'glibc .*2.36-9+deb12u2 .*DSA-5514-1 .*2.36-9+deb12u3 .*refused' "$T/scan.out"
check "scan says why it refuses" grep -q '^REFUSE: image has .* glibc 2.36-9+deb12u2 (fixed in' "$T/scan.out"
ctl scan --json --settings "$T/gate.json" --feed-dir "$feed" "$r" > "$T/scan.json"
check "scan --json: refuse, DSA-5514-1 fixed in +deb12u3" jqe '.verdict.refuse == true and ([.findings[] | select(.advisory == "DSA-5514-1" and .fixed == "2.36-9+deb12u3")] | length == 1)' "$T/scan.json"

sed -i 's/2.36-9+deb12u2/2.36-9+deb12u14/; s/3.0.11-1~deb12u2/3.0.15-1~deb12u1/' "$r/var/lib/dpkg/status"
check "today's packages: only unfixed advisories, exit 0" [ "$(status ctl scan --settings "$T/gate.json" --feed-dir "$feed" "$r")" = 0 ]
check "a stale feed refuses (max_feed_age 14d)" [ "$(status ctl scan --settings "$T/gate-age.json" --feed-dir "$feed" "$r")" = 1 ]
check "no feed exits 2" [ "$(status ctl scan --settings "$T/gate.json" --feed-dir "$T/none" "$r")" = 2 ]
check "a missing rootfs exits 2" [ "$(status ctl scan --settings "$T/gate.json" --feed-dir "$feed" "$T/nowhere")" = 2 ]
check "bad settings exit 2" sh -c "printf '{\"severity_threshold\":\"urgent\"}' > '$T/bad.json'; [ \"\$('$HARDSHIMCTL' scan --settings '$T/bad.json' --feed-dir '$feed' '$r' >/dev/null 2>&1; echo \$?)\" = 2 ]"
rm "$r/var/lib/dpkg/status"
check "no package database refuses" [ "$(status ctl scan --settings "$T/gate.json" --feed-dir "$feed" "$r")" = 1 ]
finish

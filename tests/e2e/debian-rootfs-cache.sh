#!/bin/sh
# tests/debian-rootfs, the shared Debian rootfs cache, with a stand-in
# debootstrap on PATH (the real build is the workload test's): parallel
# callers build once and share one path, a copy counts only with its stamp
# and key programs, a failed build leaves nothing behind, .debs are removed.
. "$(dirname "$0")/lib.sh"

SCRIPT=$top_srcdir/tests/debian-rootfs
CACHE=$T/cache
BIN=$T/bin
CALLS=$T/debootstrap.calls
mkdir -p "$BIN"
# debootstrap --variant=V --include=P SUITE DIR MIRROR: the programs the
# script checks for, a downloaded package, one line in $CALLS per run.
cat > "$BIN/debootstrap" <<EOF
#!/bin/sh
set -eu
echo "\$*" >> "$CALLS"
[ -e "$T/fail" ] && { echo "E: Failed getting release file" >&2; exit 1; }
dir=\$4
sleep 1
for f in usr/sbin/nginx usr/bin/redis-server usr/bin/redis-cli usr/lib/postgresql/15/bin/postgres \
  usr/lib/postgresql/15/bin/initdb usr/bin/psql usr/bin/python3 usr/bin/curl etc/debian_version \
  var/cache/apt/archives/nginx-light_1.22_amd64.deb; do
  mkdir -p "\$dir/\$(dirname "\$f")"; : > "\$dir/\$f"
done
EOF
chmod 0755 "$BIN/debootstrap"
get () { PATH=$BIN:$PATH HARDSHIM_TEST_CACHE=$CACHE "$SCRIPT"; }
calls () { if [ -f "$CALLS" ]; then wc -l < "$CALLS"; else echo 0; fi; }

# Three callers at once: one debootstrap, one path for all.
for i in 1 2 3; do get > "$T/out.$i" 2> "$T/err.$i" & done
wait
check "three parallel callers: one debootstrap run" [ "$(calls)" -eq 1 ]
R=$(cat "$T/out.1")
check "every caller gets the same path" sh -c '[ -n "$1" ] && [ "$1" = "$(cat "$2")" ] && [ "$1" = "$(cat "$3")" ]' \
  sh "$R" "$T/out.2" "$T/out.3"
check "the path is under the cache directory" sh -c 'case $1 in "$2"/debian-12-*/rootfs) ;; *) exit 1 ;; esac' sh "$R" "$CACHE"
check "the rootfs holds the programs" [ -e "$R/usr/sbin/nginx" ]
check "debootstrap ran with the recipe (minbase, the packages, bookworm, Debian's mirror)" \
  grep -q '^--variant=minbase --include=nginx-light,redis-server,postgresql-15,python3,curl,procps,iproute2,ca-certificates bookworm .* http://deb.debian.org/debian$' "$CALLS"
check "downloaded packages are removed" [ -z "$(find "$R/var/cache/apt/archives" -name '*.deb')" ]
check "the stamp names the recipe" grep -q '^suite=bookworm variant=minbase include=' "$(dirname "$R")/complete"
check "no build directory is left" [ -z "$(find "$CACHE" -maxdepth 1 -name '.build.*')" ]

# Later calls reuse it.
check "a later call reuses the copy" [ "$(get)" = "$R" ]
check "... without running debootstrap" [ "$(calls)" -eq 1 ]

# Incomplete copies are rebuilt: no stamp, a stamp of another recipe, a key program missing.
rm "$(dirname "$R")/complete"
check "a copy without its stamp is rebuilt" [ "$(get)" = "$R" ]
check "... by debootstrap" [ "$(calls)" -eq 2 ]
echo "suite=bookworm variant=minbase include=nginx-light mirror=x" > "$(dirname "$R")/complete"
get > /dev/null
check "a copy whose stamp names another recipe is rebuilt" [ "$(calls)" -eq 3 ]
rm "$R/usr/bin/psql"
get > /dev/null
check "a copy missing a key program is rebuilt" [ "$(calls)" -eq 4 ]
check "... and has it again" [ -e "$R/usr/bin/psql" ]

# Another mirror is another recipe: its own copy.
M=$(PATH=$BIN:$PATH HARDSHIM_TEST_CACHE=$CACHE HARDSHIM_DEBIAN_MIRROR=http://mirror.example/debian "$SCRIPT")
check "another mirror builds its own copy" [ -n "$M" ] && [ "$M" != "$R" ] && [ "$(calls)" -eq 5 ]

# A failed build: exit 1 with the reason, nothing left that looks complete.
rm -rf "$CACHE"
touch "$T/fail"
get > "$T/fail.out" 2> "$T/fail.err"
check "a failed debootstrap: exit 1" [ $? -eq 1 ]
check "... nothing on stdout" [ ! -s "$T/fail.out" ]
check "... the reason on stderr" grep -q 'debootstrap bookworm from http://deb.debian.org/debian failed' "$T/fail.err"
check "... with debootstrap's own message" grep -q 'Failed getting release file' "$T/fail.err"
check "... and no copy or build directory is left" \
  [ -z "$(find "$CACHE" -mindepth 1 -maxdepth 1 ! -name debian-12.lock)" ]
rm "$T/fail"
check "the next call builds it" [ -e "$(get)/usr/bin/redis-server" ]
finish

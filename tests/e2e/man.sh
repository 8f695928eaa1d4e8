#!/bin/sh
# The man pages render without a single groff warning, have the sections a
# reader looks for, document every global policy key and every control,
# and `make install` installs them.
. "$(dirname "$0")/lib.sh"

PAGES="hardshim.8 hardshimctl.8 hardshim-policy.5"

if ! command -v groff >/dev/null 2>&1; then
  not_ok "groff is missing: install groff-base (contrib/install-deps.sh)"
  finish
fi

for page in $PAGES; do
  f=$top_srcdir/man/$page
  groff -man -Tutf8 -ww -z "$f" > "$T/warn" 2>&1
  rc=$?
  check "$page: groff -man -ww renders it" [ $rc -eq 0 ]
  check "$page: without warnings" [ ! -s "$T/warn" ]
  groff -man -Tutf8 -P-cbou "$f" > "$T/$page.txt" 2>/dev/null
  for section in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
    check "$page: has $section" grep -q "^$section\$" "$T/$page.txt"
  done
done

policy=$T/hardshim-policy.5.txt
for key in mode runtime audit_log preset state_dir exceptions unknown_fields; do
  check "hardshim-policy.5 documents global key $key" grep -q "^       $key" "$policy"
done
for key in path required syslog; do
  check "hardshim-policy.5 documents audit_log.$key" grep -q "^              $key  *(" "$policy"
done
# One CONTROLS subsection per control hardshim has.
"$HARDSHIMCTL" explain | awk 'NR > 1 { print $1 }' > "$T/controls"
check "hardshimctl explain lists controls" [ -s "$T/controls" ]
for c in $(cat "$T/controls"); do
  check "hardshim-policy.5 has a CONTROLS subsection for $c" grep -q "^   $c\$" "$policy"
done
for env in HARDSHIM_POLICY HARDSHIM_RUNTIME; do
  check "hardshim.8 documents $env" grep -q "^       $env\$" "$T/hardshim.8.txt"
done
# Every command hardshimctl lists is in its page's COMMANDS.
"$HARDSHIMCTL" --help | awk '$1 == "hardshimctl" { print $2 }' | sort -u > "$T/commands"
check "hardshimctl --help lists commands" [ -s "$T/commands" ]
for c in $(cat "$T/commands"); do
  check "hardshimctl.8 documents the command $c" grep -q "^       $c\( \|$\)" "$T/hardshimctl.8.txt"
done
check "hardshim.8 documents running in place of runc and crun" \
  grep -q '^IN PLACE OF RUNC AND CRUN$' "$T/hardshim.8.txt"
check "hardshim.8 documents EXIT STATUS" grep -q '^EXIT STATUS$' "$T/hardshim.8.txt"
check "hardshimctl.8 documents EXIT STATUS" grep -q '^EXIT STATUS$' "$T/hardshimctl.8.txt"

# make install puts them in section directories.
MAKEFLAGS= make -s -C "$top_builddir" install-man DESTDIR="$T/dest" prefix=/usr >/dev/null 2>&1
check "make install-man installs hardshim.8" [ -f "$T/dest/usr/share/man/man8/hardshim.8" ]
check "make install-man installs hardshimctl.8" [ -f "$T/dest/usr/share/man/man8/hardshimctl.8" ]
check "make install-man installs hardshim-policy.5" [ -f "$T/dest/usr/share/man/man5/hardshim-policy.5" ]

finish

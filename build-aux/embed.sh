#!/bin/sh
# embed.sh SYMBOL FILE: print FILE as a C string constant named SYMBOL.
set -eu
sym=$1
file=$2
printf '/* Generated from %s by build-aux/embed.sh. Do not edit. */\n' "$(basename "$file")"
printf 'const char %s[] =\n' "$sym"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/  "/' -e 's/$/\\n"/' "$file"
printf ';\n'

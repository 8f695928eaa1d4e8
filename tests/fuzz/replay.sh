#!/bin/sh
# Replays every seed and past fuzz finding through each fuzz target.
set -u
b=${top_builddir:?}/tests/fuzz
s=${top_srcdir:?}/tests/fuzz
status=0
passed=0 failed=0
for name in json cli policy harden process seccomp pkgdb osv; do
  dirs="$s/corpus/fuzz_$name"
  [ -d "$s/regressions/fuzz_$name" ] && [ -n "$(ls -A "$s/regressions/fuzz_$name" 2>/dev/null)" ] \
    && dirs="$dirs $s/regressions/fuzz_$name"
  if "$b/replay_$name" $dirs; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
done
echo "$passed passed, $failed failed"
exit $status

#!/bin/sh
# config.json is replaced atomically, and a SIGKILL at any moment of the
# write leaves nothing behind for good: the new file is written unnamed
# (O_TMPFILE) and named `.config.json.hardshim-<random>` only to be renamed
# at once; what a kill in that moment leaves, the next hardshim run on the
# bundle removes. Many real kills of hardshim at random moments of a
# create (a stand-in runtime, so that only hardshim is killed), each
# followed by a check that config.json is whole; then a create through
# hardshim with real runc and with real crun, after which no temp is left,
# also when one was planted as a killed writer leaves it.
. "$(dirname "$0")/lib.sh"

KILLS=${HS_KILLS:-150}
temps () { ls -A "$1" | grep -c '^\.config\.json\.hardshim-'; }
now_us () { echo $(($(date +%s%N) / 1000)); }

mkdir -p "$T/bin"
printf '#!/bin/sh\nexit 0\n' > "$T/bin/runc"
chmod 0755 "$T/bin/runc"
b=$T/bundle
# a large config (2 MB of environment) makes the write take a while
make_bundle "$b" '.process.env += [range(20000) | "V\(.)=" + ("x" * 90)]'
stand_in () {
  HARDSHIM_RUNTIME=$T/bin/runc HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root "$STATE/stand-in" \
    create --bundle "$b" "$1" >/dev/null 2>&1
}
# the time a create takes once warm (the seccomp cache filled): the best of 3
stand_in warm
took=
for i in 1 2 3; do
  start=$(now_us); stand_in "warm$i"; t=$(($(now_us) - start))
  if [ -z "$took" ] || [ "$t" -lt "$took" ]; then took=$t; fi
done
echo "# one create through hardshim takes ${took} us"
whole=0
for i in $(seq "$KILLS"); do
  # a random moment of the create (the whole run, and a bit more)
  delay=$(od -An -N4 -tu4 /dev/urandom | awk -v t="$took" '{ printf "%.6f", ($1 % (t * 12 / 10 + 1)) / 1e6 }')
  stand_in "kill$i" &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if jq -e '.process.env | length > 20000' "$b/config.json" >/dev/null 2>&1; then
    whole=$((whole + 1))
  fi
done
check "config.json was whole after each of $KILLS kills ($whole)" [ "$whole" -eq "$KILLS" ]
echo "# $(temps "$b") temp(s) right after the kills"

for rt in runc crun; do
  # what a writer killed between link and rename leaves: a complete copy of
  # ours, its flock gone with it
  cp "$b/config.json" "$b/.config.json.hardshim-0123456789abcdef"
  id=$(new_id after)
  check "$rt: a create through hardshim after the kills" hs $rt create --bundle "$b" "$id"
  check "$rt: ... no temp is left in the bundle ($(temps "$b"))" [ "$(temps "$b")" -eq 0 ]
  check "$rt: ... the container was created" [ "$(real $rt state "$id" | jq -r .status)" = created ]
  real $rt delete --force "$id" >/dev/null 2>&1
done

# someone else's file of that name, a symbolic link, a look-alike: kept
touch "$b/.config.json.hardshim-1111111111111111" "$b/.config.json.hardshim-22"
chown 65534 "$b/.config.json.hardshim-1111111111111111"
ln -s /etc/passwd "$b/.config.json.hardshim-3333333333333333"
id=$(new_id keep)
check "a create next to files hardshim did not leave" hs runc create --bundle "$b" "$id"
check "... they are left alone" [ "$(temps "$b")" -eq 3 ]
check "... the symlink's target untouched" [ -s /etc/passwd ]
real runc delete --force "$id" >/dev/null 2>&1
finish

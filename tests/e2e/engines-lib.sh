# Sourced (after lib.sh) by the engine tests: podman.sh, containerd.sh,
# containerd-cri.sh, docker.sh. Each starts its engine privately (state
# under $T), runs real containers through hardshim and stops exactly the
# processes it started.
#
# HARDENING_CHECKS names the hardening assertions that run. Rows of the
# tables below whose check is not listed print a "# not run" line and count
# neither way. Known checks:
#   nnp               NoNewPrivs 1 in the container and in exec
#   annotation        config.json carries org.hardshim.hardened with the test policy's digest
#   caps              capabilities (effective, permitted, bounding) within HS_ALLOWED_CAPS
#   exec-privileged   exec --privileged runs, has NoNewPrivs 1, gains nothing
#                     beyond the container's bounding set, stays within
#                     HS_ALLOWED_CAPS
#   seccomp           Seccomp 2 (a filter is loaded)
#   readonly          the root filesystem is read-only
#   userns            container root is not host root (a user namespace)
#   cgroupns          the container has a cgroup namespace of its own
#   refuse-privileged a privileged container is refused with hardshim's reason
#   refuse-hostnet    a container in the host's network namespace is refused
#   refuse-rootbind   a bind mount of the host's / is refused
# All run by default; choose some with HARDENING_CHECKS="nnp annotation ..."
# (environment) while debugging.
HARDENING_CHECKS_DEFAULT=all
HARDENING_CHECKS_ALL="nnp annotation caps exec-privileged seccomp readonly userns cgroupns \
refuse-privileged refuse-hostnet refuse-rootbind"
: "${HARDENING_CHECKS:=$HARDENING_CHECKS_DEFAULT}"
[ "$HARDENING_CHECKS" = all ] && HARDENING_CHECKS=$HARDENING_CHECKS_ALL
# The capabilities a container of the default policy may hold (the
# capabilities control decides; keep in step with its restricted preset).
: "${HS_ALLOWED_CAPS:=CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT AUDIT_WRITE}"
# What an engine's error must carry for the guarded refusals: hardshim's
# own prefix, then the reason of the control that refuses (per check).
: "${HS_REFUSAL_PATTERN:=hardshim: create \`}"
REFUSAL_REASON_privileged="privileged containers are not allowed by host policy (control \`privileged\`"
# (docker.sh sets its own: Docker joins the host's namespace by path)
: "${REFUSAL_REASON_hostnet:=the container has no network namespace of its own, so it would share the host's (e.g. \`--network host\`), which host policy does not allow (control \`namespaces\`, \`linux.namespaces\`)}"
REFUSAL_REASON_rootbind="bind mount of host path / (resolved: /) is not allowed by host policy: it is the sensitive host path / (control \`mounts\`"

for c in $HARDENING_CHECKS; do
  case " $HARDENING_CHECKS_ALL " in
    *" $c "*) ;;
    *) echo "HARDENING_CHECKS: unknown check \`$c\` (known: $HARDENING_CHECKS_ALL)" >&2; exit 2 ;;
  esac
done

hardening_enabled () { case " $HARDENING_CHECKS " in *" $1 "*) return 0 ;; esac; return 1; }

not_run () { echo "# not run (HARDENING_CHECKS lacks $1): $2"; }

# The test policy: the default (built-in "restricted") with the audit log
# and hardshim's state directory moved under $T.
HS_STATE=$T/hardshim-state
write_default_policy () {
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"state_dir\": \"$HS_STATE\" }"
}
write_default_policy
# A policy that refuses what every engine asks for by default (or on
# request): a process without noNewPrivileges.
write_nnp_reject_policy () {
  write_policy "{ \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"state_dir\": \"$HS_STATE\", \"no_new_privileges\": { \"mode\": \"reject\" } }"
}
NNP_REFUSAL="no_new_privileges is required by host policy (control \`no_new_privileges\` is in reject mode)"
POLICY_REFUSAL="hardshim: invalid host policy, no container is created or exec'd until it is fixed"
policy_digest () { "$HARDSHIMCTL" policy show --policy "$POLICY" | sed -n '1s/.* sha256:\([0-9a-f]*\).*/\1/p'; }
DEFAULT_DIGEST=$(policy_digest)

# Every hardshim the engines start reads this test's policy and runs runc.
export HARDSHIM_POLICY="$POLICY" HARDSHIM_RUNTIME="$RUNC"

# The probe every container and exec runs: "Key: value" lines for
# status_field. UidMap0 is the host uid that container uid 0 maps to;
# RootFs is ro or rw from the options of the topmost mount on / (not a
# write test, which a user namespace would fail on a writable root too).
PROBE='grep -E "^(NoNewPrivs|Seccomp|CapEff|CapPrm|CapBnd):" /proc/self/status;
echo "UidMap0: $(awk "NR == 1 { print \$2 }" /proc/self/uid_map)";
echo "CgroupNs: $(readlink /proc/self/ns/cgroup)";
echo "RootFs: $(awk "\$5 == \"/\" { split(\$6, o, \",\"); r = o[1] } END { print r }" /proc/self/mountinfo)"'

HOST_CGROUPNS=$(readlink /proc/self/ns/cgroup)

# caps_within FILE: every capability in CapEff, CapPrm and CapBnd is in HS_ALLOWED_CAPS.
caps_within () {
  for k in CapEff CapPrm CapBnd; do
    v=$(status_field "$1" $k)
    [ -n "$v" ] || return 1
    for name in $(capsh --decode="$v" | sed 's/.*=//; s/,/ /g'); do
      n=$(echo "$name" | sed 's/^cap_//' | tr a-z A-Z)
      case " $HS_ALLOWED_CAPS " in
        *" $n "*) ;;
        *) echo "# $1: $k has CAP_$n, not in HS_ALLOWED_CAPS" >&2; return 1 ;;
      esac
    done
  done
}

# caps_subset FILE BASE: CapEff and CapPrm of FILE are within CapBnd of BASE.
caps_subset () {
  bnd=$(status_field "$2" CapBnd)
  [ -n "$bnd" ] || return 1
  for k in CapEff CapPrm; do
    v=$(status_field "$1" $k)
    [ -n "$v" ] || return 1
    [ $((0x$v & ~0x$bnd)) -eq 0 ] || { echo "# $1: $k $v exceeds CapBnd $bnd" >&2; return 1; }
  done
}

# annotation_ok CONFIG: the hardened annotation names the default test policy.
annotation_ok () {
  jq -e --arg d "$DEFAULT_DIGEST" \
    '.annotations["org.hardshim.hardened"] | test("^version=[^ ]+ policy=sha256:" + $d + " mode=enforce$")' \
    "$1" >/dev/null
}

# Hardening tables: CHECK, then a description, then a test that reads
# $F (a probe's output), $C (the container's config.json) and $B (the probe
# of a plain exec, for comparisons). One row a line; add rows freely.
HARDENED_ROWS='
nnp|NoNewPrivs is 1|[ "$(status_field "$F" NoNewPrivs)" = 1 ]
caps|capabilities within HS_ALLOWED_CAPS|caps_within "$F"
seccomp|Seccomp is 2 (a filter is loaded)|[ "$(status_field "$F" Seccomp)" = 2 ]
readonly|the root filesystem is read-only|[ "$(status_field "$F" RootFs)" = ro ]
userns|container root is not host root (user namespace)|[ -n "$(status_field "$F" UidMap0)" ] && [ "$(status_field "$F" UidMap0)" != 0 ]
cgroupns|a cgroup namespace of its own, not the host'"'"'s|[ -n "$(status_field "$F" CgroupNs)" ] && [ "$(status_field "$F" CgroupNs)" != "$HOST_CGROUPNS" ]
'
CONFIG_ROWS='
annotation|config.json carries org.hardshim.hardened with the policy digest|annotation_ok "$C"
nnp|config.json has process.noNewPrivileges true|jqe ".process.noNewPrivileges == true" "$C"
'
# Docker's exec --privileged asks for every capability; root on the
# project's machines lacks some (CAP_SYS_RESOURCE), so even plain runc fails
# it there ("unable to apply caps"). Podman's runs, with every capability
# root has. Either way these rows need the capabilities control.
PRIVILEGED_EXEC_ROWS='
exec-privileged|the exec runs|grep -q "^NoNewPrivs:" "$F"
exec-privileged|NoNewPrivs is 1|[ "$(status_field "$F" NoNewPrivs)" = 1 ]
exec-privileged|no capability beyond the container bounding set|caps_subset "$F" "$B"
exec-privileged|capabilities within HS_ALLOWED_CAPS|caps_within "$F"
'

# assert_rows LABEL ROWS: run each enabled row as one check. (A here-doc,
# not a pipe, so the loop runs in this shell and can count.)
assert_rows () {
  label=$1
  while IFS="|" read -r row_check row_desc row_test; do
    [ -n "$row_check" ] || continue
    if hardening_enabled "$row_check"; then
      check "$label: $row_desc [$row_check]" eval "$row_test" < /dev/null
    else
      not_run "$row_check" "$label: $row_desc"
    fi
  done <<EOF
$2
EOF
}

# assert_hardened LABEL PROBE_FILE [CONFIG]
assert_hardened () {
  F=$2 C=${3:-} B=
  assert_rows "$1" "$HARDENED_ROWS"
  if [ -n "$C" ]; then
    check "$1: config.json is readable" [ -r "$C" ]
    assert_rows "$1" "$CONFIG_ROWS"
  fi
}

# assert_privileged_exec LABEL PROBE_FILE BASE_PROBE_FILE
assert_privileged_exec () {
  F=$2 B=$3 C=
  assert_rows "$1" "$PRIVILEGED_EXEC_ROWS"
}

# refused LABEL PATTERN OUTFILE RC: the engine failed and its own message
# carries hardshim's reason.
refused () {
  check "$1: the engine fails" [ "$4" -ne 0 ]
  if grep -qF -- "$2" "$3"; then ok "$1: the engine's error carries \`$2\`"; else
    not_ok "$1: the engine's error carries \`$2\`"; sed 's/^/# /' "$3"; fi
}

# guarded_refusal CHECK LABEL CMD...: a refusal that a control written
# elsewhere provides; runs only when CHECK is enabled.
guarded_refusal () {
  gr_check=$1 gr_label=$2; shift 2
  if ! hardening_enabled "$gr_check"; then not_run "$gr_check" "$gr_label is refused"; return 0; fi
  "$@" > "$T/refusal.out" 2>&1
  refused "$gr_label" "$HS_REFUSAL_PATTERN" "$T/refusal.out" $?
  eval "gr_reason=\$REFUSAL_REASON_${gr_check#refuse-}"
  if grep -qF -- "$gr_reason" "$T/refusal.out"; then ok "$gr_label: ... with the control's reason"; else
    not_ok "$gr_label: ... with the control's reason \`$gr_reason\`"; sed 's/^/# /' "$T/refusal.out"; fi
}

# The busybox rootfs as a tar, for `docker import` / `podman import`.
rootfs_tar () {
  make_rootfs
  [ -f "$T/rootfs.tar" ] || tar -C "$ROOTFS" -cf "$T/rootfs.tar" .
  echo "$T/rootfs.tar"
}

# oci_layout_tar NAME [CMD_JSON]: an OCI image layout (one uncompressed
# layer) for `ctr image import`.
oci_layout_tar () {
  name=$1 cmd=${2:-'["sh"]'} dir=$T/oci
  layer=$(rootfs_tar)
  rm -rf "$dir"; mkdir -p "$dir/blobs/sha256"
  l=$(sha256sum "$layer" | cut -d' ' -f1); lsize=$(stat -c %s "$layer")
  cp "$layer" "$dir/blobs/sha256/$l"
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":%s,"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$cmd" "$l" > "$dir/c.json"
  c=$(sha256sum "$dir/c.json" | cut -d' ' -f1); csize=$(stat -c %s "$dir/c.json")
  mv "$dir/c.json" "$dir/blobs/sha256/$c"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$c" "$csize" "$l" "$lsize" > "$dir/m.json"
  m=$(sha256sum "$dir/m.json" | cut -d' ' -f1); msize=$(stat -c %s "$dir/m.json")
  mv "$dir/m.json" "$dir/blobs/sha256/$m"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' \
    "$m" "$msize" "$name" > "$dir/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  tar -C "$dir" -cf "$T/oci.tar" oci-layout index.json blobs
  echo "$T/oci.tar"
}

# contrib_file PATH: a contrib/ snippet as it is, with the installed
# binary's path replaced by the one under test.
contrib_file () {
  sed "s|/usr/local/bin/hardshim|${2:-$HARDSHIM}|g" "$top_srcdir/contrib/$1"
}

# Processes this test started. Daemons are stopped by pid on exit (also on
# failure); shims and monitors they left behind are found by $T in their
# command line (every one of them was started for this test's private
# daemon, nothing else names $T) and stopped by pid.
STARTED_PIDS=""
# start_daemon LOG CMD...: CMD in the background; its pid in DAEMON_PID.
start_daemon () {
  log=$1; shift
  "$@" > "$log" 2>&1 &
  DAEMON_PID=$!
  STARTED_PIDS="$STARTED_PIDS $DAEMON_PID"
}

# start_containerd DIR: a private containerd 1.6 (root, state and sockets
# under DIR, no CRI plugin) with contrib/containerd/hardshim.toml appended
# as a node would have it. CTR runs ctr against it.
start_containerd () {
  cd_dir=$1
  mkdir -p "$cd_dir"
  {
    printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\n' "$cd_dir" "$cd_dir"
    printf 'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
    printf '[grpc]\n  address = "%s/containerd.sock"\n' "$cd_dir"
    printf '[ttrpc]\n  address = "%s/containerd.sock.ttrpc"\n' "$cd_dir"
    printf '[debug]\n  address = ""\n[metrics]\n  address = ""\n'
    contrib_file containerd/hardshim.toml
  } > "$cd_dir/config.toml"
  start_daemon "$cd_dir/containerd.log" containerd --config "$cd_dir/config.toml"
  CONTAINERD_SOCK=$cd_dir/containerd.sock
  CONTAINERD_STATE=$cd_dir/state
  CTR="ctr --address $CONTAINERD_SOCK"
  wait_for "containerd at $CONTAINERD_SOCK" $CTR version
}

# wait_for DESC CMD...: poll until CMD succeeds (at most 120 s, for a busy
# machine; no test depends on how long it takes).
wait_for () {
  desc=$1; shift
  i=0
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 1200 ]; then echo "# gave up waiting for $desc" >&2; return 1; fi
    sleep 0.1
  done
}

stop_pid () {
  pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

# Process ids whose command line names $T, other than this shell.
pids_naming_tmp () {
  for pd in /proc/[0-9]*; do
    p=${pd#/proc/}
    [ "$p" = "$$" ] && continue
    { tr '\0' ' ' < "$pd/cmdline"; } 2>/dev/null | grep -qF -- "$T/" && echo "$p"
  done
}

ENGINE_CLEANUP=""
engines_cleanup () {
  set +e
  [ -n "$ENGINE_CLEANUP" ] && eval "$ENGINE_CLEANUP" >/dev/null 2>&1
  for pid in $STARTED_PIDS; do stop_pid "$pid"; done
  for pid in $(pids_naming_tmp); do stop_pid "$pid"; done
  # Leftover mounts of the engines' storage, all under $T (or ENGINE_DIRS).
  for t in "$T" $ENGINE_DIRS; do
    awk -v t="$t/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null; done
  done
  for t in $ENGINE_DIRS; do rm -rf "$t"; done
}
# Directories a test made outside $T (removed on exit, mounts below them too).
ENGINE_DIRS=""
trap 'engines_cleanup; cleanup' EXIT
trap 'exit 1' INT TERM HUP

# same_as_runc DESC ARGS...: hardshim with ARGS prints and exits exactly as
# runc does (a pass-through call an engine makes).
same_as_runc () {
  desc=$1; shift
  HARDSHIM_POLICY=$POLICY "$HARDSHIM" "$@" > "$T/hs.out" 2> "$T/hs.err"
  hrc=$?
  "$RUNC" "$@" > "$T/rc.out" 2> "$T/rc.err"
  rrc=$?
  # runc's error lines carry a timestamp: compare them without it.
  sed -i 's/time="[^"]*"//; s/"time":"[^"]*"//' "$T/hs.err" "$T/rc.err"
  if [ $hrc -eq $rrc ] && cmp -s "$T/hs.out" "$T/rc.out" && cmp -s "$T/hs.err" "$T/rc.err"; then
    ok "$desc"
  else
    not_ok "$desc (hardshim rc $hrc, runc rc $rrc)"
    diff "$T/hs.out" "$T/rc.out" | sed 's/^/# /'
    diff "$T/hs.err" "$T/rc.err" | sed 's/^/# /'
  fi
}

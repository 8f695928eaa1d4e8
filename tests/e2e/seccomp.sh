#!/bin/sh
# seccomp: with real runc and crun, a static probe inside an over-privileged
# container (no seccomp profile, crun's BPF annotation, noNewPrivileges
# false) finds each call hardshim's profile refuses failing with EPERM (or
# ENOSYS where documented), ordinary work succeeding, and Seccomp 2 in
# /proc/self/status. CAP_SYS_ADMIN / CAP_NET_RAW in the bounding set open
# their groups; an existing profile is intersected; extra profiles need policy.
. "$(dirname "$0")/lib.sh"

RUN=$T/run
SCD=$T/seccomp.d
mkdir -p "$SCD"
base_policy="\"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false }, \"state_dir\": \"$RUN\""
# Extra profiles: the host lists them (allowed_profiles); the exceptions
# mechanism lets containers select one (every container here; the scopes
# are tested in exceptions.sh).
sc_policy="{ $base_policy, \"seccomp\": { \"profile_dir\": \"$SCD\", \"allowed_profiles\": [\"extra\"],
  \"overridable\": true },
  \"exceptions\": { \"all\": { \"scope\": {}, \"allow\": { \"seccomp\": { \"profile\": [\"extra\", \"other\"] } } } } }"
SCA=org.hardshim.exception.seccomp.profile
write_policy "$sc_policy"
SECCOMP_POLICY=$sc_policy

# The probe: static, so the busybox rootfs is all it needs.
make_rootfs
if ! gcc -static -O1 -pthread -o "$ROOTFS/bin/probe" "$top_srcdir/tests/e2e/seccomp_probe.c" 2>"$T/gcc.err"; then
  cat "$T/gcc.err" >&2
  not_ok "build the static probe (gcc -static, libc6-dev)"
  finish
fi

DEFAULT_CAPS='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE","CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_SETUID","CAP_SETGID","CAP_SYS_CHROOT"]'
ADMIN_CAPS='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE","CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_SETUID","CAP_SETGID","CAP_SYS_CHROOT","CAP_SYS_ADMIN","CAP_NET_RAW","CAP_SYS_PTRACE"]'
ADMIN_POLICY="{ $base_policy, \"seccomp\": { \"profile_dir\": \"$SCD\", \"allowed_profiles\": [\"extra\"] },
  \"capabilities\": { \"allow\": $ADMIN_CAPS } }"
TMPFS='.mounts += [{ destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"] }]'
# Over-privileged: no profile, crun's BPF annotation, noNewPrivileges false.
over () {
  printf '%s' "del(.linux.seccomp) | .process.noNewPrivileges = false | $TMPFS
    | .annotations[\"run.oci.seccomp_bpf_data\"] = \"AAAAAA==\"
    | .process.capabilities = { bounding: $1, effective: $1, permitted: $1 }"
}

# expect FILE NAME RESULT: the probe printed "NAME RESULT".
expect () { grep -qx "$2 $3" "$1" || { echo "# $2: wanted $3, got: $(grep "^$2 " "$1")" >&2; false; }; }

WORK="fork-exec thread epoll eventfd timerfd signalfd inotify memfd socketpair tcp tcp6 udp udp6
  netlink-route getrandom statx flock symlink setrlimit-lower personality-query ptrace-allowed"
REFUSED_EPERM="unshare-user unshare-mount unshare-net clone-newuser clone-newnet mount umount2
  pivot_root setns fsopen open_tree keyctl add_key request_key bpf perf_event_open userfaultfd
  io_uring_setup init_module finit_module delete_module kexec_load kexec_file_load
  open_by_handle_at syslog settimeofday clock_settime socket-alg socket-vsock socket-packet socket-raw"
REFUSED_ENOSYS="clone3 personality-read-implies-exec newer-syscall-mseal"

for rt in runc crun; do
  # 1. Without CAP_SYS_ADMIN and CAP_NET_RAW.
  b=$T/$rt-plain
  make_bundle "$b" "$(over "$DEFAULT_CAPS")" '["/bin/probe"]'
  id=$(new_id plain)
  (cd "$b" && hs $rt run "$id") > "$T/$rt-plain.out" 2>"$T/$rt-plain.err"
  check "$rt: probe ran to the end" grep -qx probe-done "$T/$rt-plain.out"
  for w in $WORK; do
    check "$rt: ordinary work succeeds: $w" expect "$T/$rt-plain.out" "work-$w" ok
  done
  for c in $REFUSED_EPERM; do
    check "$rt: refused with EPERM: $c" expect "$T/$rt-plain.out" "$c" EPERM
  done
  for c in $REFUSED_ENOSYS; do
    check "$rt: answered ENOSYS: $c" expect "$T/$rt-plain.out" "$c" ENOSYS
  done
  check "$rt: /proc/self/status shows Seccomp 2" expect "$T/$rt-plain.out" status-seccomp 2
  check "$rt: config.json has the generated profile (ENOSYS default)" \
    jqe '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and .linux.seccomp.defaultErrnoRet == 38
         and .linux.seccomp.architectures == ["SCMP_ARCH_X86_64"]' "$b/config.json"
  check "$rt: crun's BPF annotation is gone" \
    jqe '.annotations | has("run.oci.seccomp_bpf_data") | not' "$b/config.json"
  check "$rt: audit log records the profile and the annotation" \
    sh -c "grep \"\\\"container\\\":\\\"$id\\\"\" '$AUDIT' | grep -q '\"control\":\"seccomp\".*\"path\":\"linux.seccomp\"' &&
           grep \"\\\"container\\\":\\\"$id\\\"\" '$AUDIT' | grep -q 'run.oci.seccomp_bpf_data'"

  # 2. CAP_SYS_ADMIN and CAP_NET_RAW in the bounding set open their groups
  # (the capabilities control keeps them only where host policy allows them).
  write_policy "$ADMIN_POLICY"
  b=$T/$rt-admin
  make_bundle "$b" "$(over "$ADMIN_CAPS")" '["/bin/probe"]'
  id=$(new_id admin)
  write_policy "{ $base_policy, \"capabilities\": { \"allow\": $ADMIN_CAPS } }"
  (cd "$b" && hs $rt run "$id") > "$T/$rt-admin.out" 2>"$T/$rt-admin.err"
  write_policy "$sc_policy"
  check "$rt: the admin container kept CAP_SYS_ADMIN and CAP_NET_RAW" \
    jqe '.process.capabilities.bounding | index("CAP_SYS_ADMIN") != null and index("CAP_NET_RAW") != null' "$b/config.json"
  check "$rt: admin probe ran to the end" grep -qx probe-done "$T/$rt-admin.out"
  for c in unshare-user unshare-mount unshare-net clone-newnet clone3 mount fsopen socket-packet socket-raw; do
    check "$rt: with CAP_SYS_ADMIN/CAP_NET_RAW allowed: $c" expect "$T/$rt-admin.out" "$c" ok
  done
  for c in keyctl add_key userfaultfd io_uring_setup socket-alg socket-vsock kexec_load init_module; do
    check "$rt: with CAP_SYS_ADMIN still refused: $c" expect "$T/$rt-admin.out" "$c" EPERM
  done
  check "$rt: admin probe has Seccomp 2" expect "$T/$rt-admin.out" status-seccomp 2

  # 3. An existing profile is intersected: its own refusal (mkdir -> EACCES)
  # stays and the policy's (unshare -> EPERM) is added to its ALLOW default.
  b=$T/$rt-merge
  make_bundle "$b" '.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [ { names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13 },
                  { names: ["hs_no_such_syscall"], action: "SCMP_ACT_ERRNO" } ] }' \
    '["sh","-c","mkdir /tmp/d 2>&1; unshare -m true 2>&1; echo done"]'
  id=$(new_id merge)
  (cd "$b" && hs $rt run "$id") > "$T/$rt-merge.out" 2>&1
  check "$rt: the container's own refusal stays (mkdir: EACCES)" \
    grep -q 'Permission denied' "$T/$rt-merge.out"
  check "$rt: the policy's refusal is added (unshare: EPERM)" \
    grep -q 'Operation not permitted' "$T/$rt-merge.out"
  check "$rt: a syscall name libseccomp does not know is dropped, with an audit note" \
    sh -c "grep '\"container\":\"$id\"' '$AUDIT' | grep -q 'hs_no_such_syscall. is unknown to libseccomp'"
  check "$rt: ... and is gone from config.json" \
    jqe '[.linux.seccomp.syscalls[].names[]] | index("hs_no_such_syscall") == null' "$b/config.json"
  check "$rt: the merged profile's default refuses" \
    jqe '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$b/config.json"

  # 4. noNewPrivileges false where policy allows it: runc and crun load the
  # filter before switching user; the profile lets them (no CAP_SETUID here).
  b=$T/$rt-nnp
  make_bundle "$b" '.process.noNewPrivileges = false | .process.user = { uid: 1000, gid: 1000 }' \
    '["sh","-c","id -u"]'
  id=$(new_id nnp)
  write_policy "{ $base_policy, \"no_new_privileges\": { \"mode\": \"off\" } }"
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/$rt-nnp.err")
  check "$rt: noNewPrivileges false, user 1000 starts under the profile" [ "$out" = 1000 ]
  check "$rt: ... with setuid allowed in its profile" \
    jqe '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | index("setuid") != null' "$b/config.json"
  write_policy "$sc_policy"

  # 5. Compat architectures: x86 and x32 admitted, socketcall refused
  # before the socket rules (else libseccomp would reject or multiplex them).
  b=$T/$rt-compat
  make_bundle "$b" "$(over "$DEFAULT_CAPS")" '["/bin/probe"]'
  id=$(new_id compat)
  write_policy "{ $base_policy, \"seccomp\": { \"compat_arches\": true } }"
  (cd "$b" && hs $rt run "$id") > "$T/$rt-compat.out" 2>"$T/$rt-compat.err"
  check "$rt: compat_arches: the container runs the probe" expect "$T/$rt-compat.out" status-seccomp 2
  check "$rt: compat_arches: socket rules still hold" expect "$T/$rt-compat.out" socket-alg EPERM
  check "$rt: compat_arches: config.json lists x86_64, x86, x32" \
    jqe '.linux.seccomp.architectures == ["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]' "$b/config.json"
  write_policy "$sc_policy"

  # 6. Extra profiles: only those policy lists, chosen through an exception.
  # (sed, not jq: jq would round the profile's 64-bit masks)
  sed -e 's/"keyctl", //' -e 's/"groups": \[/"groups": [ { "name": "keys", "allow": ["keyctl"] },/' \
    "$top_srcdir/profiles/seccomp/default.json" > "$SCD/extra.json"
  cp "$SCD/extra.json" "$SCD/other.json"
  b=$T/$rt-extra
  make_bundle "$b" ".annotations[\"$SCA\"] = \"extra\" | $TMPFS" '["/bin/probe"]'
  id=$(new_id extra)
  (cd "$b" && hs $rt run "$id") > "$T/$rt-extra.out" 2>&1
  check "$rt: an allowed extra profile applies (keyctl passes seccomp)" \
    sh -c "grep -q '^keyctl ' '$T/$rt-extra.out' && ! grep -qx 'keyctl EPERM' '$T/$rt-extra.out'"
  check "$rt: ... and the rest of it still holds (unshare EPERM)" expect "$T/$rt-extra.out" unshare-user EPERM
  check "$rt: ... audited as an honoured exception" \
    jq -e -s --arg id "$id" 'any(.[]; .container == $id and .action == "exception"
      and .control == "seccomp" and .after == "extra")' "$AUDIT" >/dev/null
  b=$T/$rt-other
  make_bundle "$b" ".annotations[\"$SCA\"] = \"other\"" '["true"]'
  id=$(new_id other)
  (cd "$b" && hs $rt run "$id") 2>"$T/$rt-other.err"
  check "$rt: a profile policy does not list is refused" [ $? -ne 0 ]
  check "$rt: ... naming allowed_profiles" grep -q 'allowed_profiles' "$T/$rt-other.err"
done

# Validation is cached by digest under state_dir/seccomp.
check "validation cache entries exist under state_dir/seccomp" \
  sh -c "ls '$RUN/seccomp/'*.json >/dev/null 2>&1"
check "the cache directory is private" [ "$(stat -c %a "$RUN/seccomp")" = 700 ]

# hardshimctl profile seccomp
HARDSHIM_POLICY=$POLICY "$HARDSHIMCTL" profile seccomp > "$T/ctl.json"
check "hardshimctl profile seccomp prints a profile" \
  jqe '.defaultErrnoRet == 38 and (.syscalls | length) > 10' "$T/ctl.json"
b=$T/ctl-admin
make_bundle "$b" "$(over "$ADMIN_CAPS")"
write_policy "$ADMIN_POLICY"
HARDSHIM_POLICY=$POLICY "$HARDSHIMCTL" profile seccomp --config "$b/config.json" > "$T/ctl-admin.json"
check "hardshimctl profile seccomp --config follows the config's capabilities" \
  jqe '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | index("mount") != null' "$T/ctl-admin.json"
check "... and leaves the config file alone" jqe '.linux | has("seccomp") | not' "$b/config.json"

finish

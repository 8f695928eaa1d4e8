#!/bin/sh
# Joining another container's namespaces by path, with real runc and crun:
# a config that names a running container's user and pid namespaces
# (/proc/PID/ns/..., pids are public) would become that container's root
# and read its private files; it is refused. A Kubernetes pod's container
# joins its sandbox's user, network, IPC and UTS namespaces; `--network
# container:x` joins another container's network namespace; a /proc path
# of a process that is no container, and any mount namespace, are refused.
. "$(dirname "$0")/lib.sh"

has_line () { printf '%s\n' "$1" | grep -Fqx -- "$2"; }

for rt in runc crun; do
  # the victim (a pod sandbox below): keeps a secret in its private tmpfs
  make_bundle "$T/$rt-victim" . '["sh","-c","umask 077; echo victim-secret-'$$' > /tmp/secret; exec sleep 120"]'
  v=$(new_id victim)
  hs $rt run -d --bundle "$T/$rt-victim" "$v" < /dev/null > /dev/null 2> "$T/err"
  check "$rt: the victim runs" [ $? -eq 0 ]
  sleep 1
  VP=$(real $rt state "$v" | jq -r .pid)
  HOSTID=$(awk 'NR == 1 { print $2 }' /proc/"$VP"/uid_map)
  maps="| .linux.uidMappings = [{\"containerID\":0,\"hostID\":$HOSTID,\"size\":65536}] | .linux.gidMappings = .linux.uidMappings"

  # the attack of finding 05: only config.json names the victim's namespaces
  make_bundle "$T/$rt-attacker" ".linux.namespaces |= map(select(.type != \"pid\"))
    + [{\"type\":\"user\",\"path\":\"/proc/$VP/ns/user\"},{\"type\":\"pid\",\"path\":\"/proc/$VP/ns/pid\"}] $maps" \
    '["sh","-c","cat /proc/1/root/tmp/secret"]'
  out=$(hs $rt run --bundle "$T/$rt-attacker" "$(new_id attacker)" 2> "$T/err")
  check "$rt: joining another container's user + pid namespaces is refused" [ $? -ne 0 ]
  check "$rt: ... the victim's secret stays unread" [ "${out#*victim-secret-}" = "$out" ]
  check "$rt: ... with the reason" grep -q "the user namespace /proc/$VP/ns/user is container \`$v\`'s: host policy allows only a container of its Kubernetes pod" "$T/err"

  # the same with CRI annotations naming another sandbox
  make_bundle "$T/$rt-liar" ".annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.cri.sandbox-id\": \"someone-else\"}
    | .linux.namespaces += [{\"type\":\"user\",\"path\":\"/proc/$VP/ns/user\"}] $maps" \
    '["sh","-c","cat /proc/self/uid_map"]'
  hs $rt run --bundle "$T/$rt-liar" "$(new_id liar)" > /dev/null 2> "$T/err"
  check "$rt: ... and when the config names another pod's sandbox" [ $? -ne 0 ]

  # a container of the victim's pod: joins its user, network, IPC and UTS namespaces
  make_bundle "$T/$rt-pod" ".annotations = {\"io.kubernetes.cri.container-type\": \"container\", \"io.kubernetes.cri.sandbox-id\": \"$v\"}
    | .linux.namespaces |= map(select(.type != \"network\" and .type != \"ipc\" and .type != \"uts\"))
    + [{\"type\":\"user\",\"path\":\"/proc/$VP/ns/user\"},{\"type\":\"network\",\"path\":\"/proc/$VP/ns/net\"},
       {\"type\":\"ipc\",\"path\":\"/proc/$VP/ns/ipc\"},{\"type\":\"uts\",\"path\":\"/proc/$VP/ns/uts\"}] $maps" \
    '["sh","-c","readlink /proc/self/ns/user; readlink /proc/self/ns/net"]'
  out=$(hs $rt run --bundle "$T/$rt-pod" "$(new_id pod)" 2> "$T/err")
  rc=$?
  check "$rt: a container of the sandbox's pod joins its namespaces" [ "$rc" -eq 0 ]
  [ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
  check "$rt: ... its user namespace" has_line "$out" "$(readlink /proc/"$VP"/ns/user)"
  check "$rt: ... its network namespace" has_line "$out" "$(readlink /proc/"$VP"/ns/net)"

  # --network container:x: another container's network namespace, own user namespace
  make_bundle "$T/$rt-netshare" ".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$VP/ns/net\" else . end)" \
    '["sh","-c","readlink /proc/self/ns/net; cat /proc/1/root/tmp/secret"]'
  out=$(hs $rt run --bundle "$T/$rt-netshare" "$(new_id netshare)" 2> "$T/err")
  check "$rt: joining another container's network namespace (--network container:x) runs" \
    has_line "$out" "$(readlink /proc/"$VP"/ns/net)"
  check "$rt: ... without the victim's secret" [ "${out#*victim-secret-}" = "$out" ]

  # a mount namespace: the runtime would set up the root inside the victim's
  make_bundle "$T/$rt-mnt" ".linux.namespaces |= map(if .type == \"mount\" then .path = \"/proc/$VP/ns/mnt\" else . end)"
  hs $rt run --bundle "$T/$rt-mnt" "$(new_id mnt)" > /dev/null 2> "$T/err"
  check "$rt: joining another container's mount namespace is refused" [ $? -ne 0 ]
  check "$rt: ... with the reason" grep -q "joining another mount namespace (/proc/$VP/ns/mnt) is not allowed" "$T/err"

  # a process that is no container of this runtime root
  unshare -u sleep 100 &
  stray=$!
  sleep 0.2
  make_bundle "$T/$rt-stray" ".linux.namespaces |= map(if .type == \"uts\" then .path = \"/proc/$stray/ns/uts\" else . end)"
  hs $rt run --bundle "$T/$rt-stray" "$(new_id stray)" > /dev/null 2> "$T/err"
  check "$rt: another process's namespace through /proc is refused" [ $? -ne 0 ]
  check "$rt: ... with the reason" grep -q "is not one of a running container of this runtime root" "$T/err"
  kill "$stray"
  real $rt delete --force "$v" > /dev/null 2>&1
done
finish

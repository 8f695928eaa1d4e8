#include "spec_fields.h"
#include "json.h"

#include <string.h>

#define H HS_FIELD_HARMLESS
#define R HS_FIELD_REFUSED

/* One row per field. doc/spec-fields.md is checked against this table
 * (tests/check_spec_fields.c), and so is the runtime-spec's own field list
 * (tests/data/spec-fields/runtime-spec.txt). */
const hs_spec_field_t hs_spec_fields[] = {
  /* top level: only these are judged; other top-level keys stay lossless */
  { "ociVersion", H, "a version string; runc and crun only log it" },
  { "hostname", H, "set in the container's own UTS namespace (`namespaces` requires one)" },
  { "domainname", H, "set in the container's own UTS namespace (`namespaces` requires one)" },
  { "annotations", "runtime_annotations", "annotations that make the runtime weaken isolation" },

  { "process", H, "an object: each field below is judged" },
  { "process.terminal", H, "a pseudo-terminal for the process" },
  { "process.consoleSize", H, "the terminal's size" },
  { "process.consoleSize.height", H, "the terminal's size" },
  { "process.consoleSize.width", H, "the terminal's size" },
  { "process.cwd", "cwd_clean", "where the runtime chdirs before exec, its own fds still open" },
  { "process.env", "exec_path", "the process's environment; its PATH finds the program" },
  { "process.args", "exec_path", "the program the runtime execs, found as the runtime finds it" },
  { "process.commandLine", H, "Windows only; runc and crun ignore it" },
  { "process.rlimits", "rlimits", "resource limits set by the runtime as root" },
  { "process.rlimits[]", "rlimits", "resource limits set by the runtime as root" },
  { "process.rlimits[].type", "rlimits", "resource limits set by the runtime as root" },
  { "process.rlimits[].hard", "rlimits", "resource limits set by the runtime as root" },
  { "process.rlimits[].soft", "rlimits", "resource limits set by the runtime as root" },
  { "process.apparmorProfile", "apparmor", "the AppArmor profile of the process" },
  { "process.capabilities", "capabilities", "the process's capability sets" },
  { "process.capabilities.bounding", "capabilities", "the process's capability sets" },
  { "process.capabilities.effective", "capabilities", "the process's capability sets" },
  { "process.capabilities.inheritable", "capabilities", "the process's capability sets" },
  { "process.capabilities.permitted", "capabilities", "the process's capability sets" },
  { "process.capabilities.ambient", "capabilities", "the process's capability sets" },
  { "process.noNewPrivileges", "no_new_privileges", "PR_SET_NO_NEW_PRIVS" },
  { "process.oomScoreAdj", "rlimits",
    "written to /proc/PID/oom_score_adj by the runtime as root: a negative value makes the "
    "host's OOM killer spare the container and kill host processes" },
  { "process.scheduler", R,
    "sched_setattr by the runtime: a real-time policy or negative nice lets the container "
    "starve the host's CPUs" },
  { "process.selinuxLabel", "selinux", "the SELinux label of the process" },
  { "process.ioPriority", R,
    "ioprio_set by the runtime: the real-time class lets the container starve the host's "
    "disks" },
  { "process.execCPUAffinity", H, "CPU affinity of exec'd processes, within the cgroup's cpuset" },
  { "process.execCPUAffinity.initial", H, "CPU affinity of exec'd processes" },
  { "process.execCPUAffinity.final", H, "CPU affinity of exec'd processes" },
  { "process.user", "userns", "the ids the process runs as, inside the user namespace" },
  { "process.user.uid", "userns", "the ids the process runs as, inside the user namespace" },
  { "process.user.gid", "userns", "the ids the process runs as, inside the user namespace" },
  { "process.user.umask", H, "the process's umask" },
  { "process.user.additionalGids", "userns",
    "the ids the process runs as, inside the user namespace" },
  { "process.user.username", H, "Windows only; runc and crun ignore it" },

  { "root", "mounts", "the container's root filesystem" },
  { "root.path", "mounts", "a host path: judged like a bind source" },
  { "root.readonly", "readonly_rootfs", "a read-only root filesystem" },

  { "mounts", "mounts", "mounts made by the runtime as root" },
  { "mounts[]", "mounts", "mounts made by the runtime as root" },
  { "mounts[].destination", "mounts", "where the mount lands in the container" },
  { "mounts[].source", "mounts", "a host path for binds: judged by what it is" },
  { "mounts[].type", "mounts", "the filesystem type: only allowlisted ones" },
  { "mounts[].options", "mounts", "mount flags, propagation, idmap and filesystem data" },
  { "mounts[].uidMappings", "mounts", "an idmapped mount asked for by the config: refused" },
  { "mounts[].gidMappings", "mounts", "an idmapped mount asked for by the config: refused" },

#define HOOK(kind)                                                                                 \
  { "hooks." kind, "hooks", "programs run as root by the runtime" },                               \
      { "hooks." kind "[]", "hooks", "programs run as root by the runtime" },                      \
      { "hooks." kind "[].path", "hooks", "programs run as root by the runtime" },                 \
      { "hooks." kind "[].args", "hooks", "programs run as root by the runtime" },                 \
      { "hooks." kind "[].env", "hooks", "programs run as root by the runtime" },                  \
  {                                                                                                \
    "hooks." kind "[].timeout", "hooks", "programs run as root by the runtime"                     \
  }
  { "hooks", "hooks", "programs run as root by the runtime" },
  HOOK ("prestart"),
  HOOK ("createRuntime"),
  HOOK ("createContainer"),
  HOOK ("startContainer"),
  HOOK ("poststart"),
  HOOK ("poststop"),
#undef HOOK

  { "linux", H, "an object: each field below is judged" },
  { "linux.devices", "devices", "device nodes the runtime creates or binds from the host" },
  { "linux.devices[]", "devices", "device nodes the runtime creates or binds from the host" },
  { "linux.devices[].type", "devices", "device nodes the runtime creates or binds from the host" },
  { "linux.devices[].path", "devices", "device nodes the runtime creates or binds from the host" },
  { "linux.devices[].major", "devices", "device nodes the runtime creates or binds from the host" },
  { "linux.devices[].minor", "devices", "device nodes the runtime creates or binds from the host" },
  { "linux.devices[].fileMode", "devices",
    "device nodes the runtime creates or binds from the host" },
  { "linux.devices[].uid", "devices", "device nodes the runtime creates or binds from the host" },
  { "linux.devices[].gid", "devices", "device nodes the runtime creates or binds from the host" },
  { "linux.uidMappings", "userns", "the user namespace's id mapping" },
  { "linux.uidMappings[]", "userns", "the user namespace's id mapping" },
  { "linux.uidMappings[].containerID", "userns", "the user namespace's id mapping" },
  { "linux.uidMappings[].hostID", "userns", "the user namespace's id mapping" },
  { "linux.uidMappings[].size", "userns", "the user namespace's id mapping" },
  { "linux.gidMappings", "userns", "the user namespace's id mapping" },
  { "linux.gidMappings[]", "userns", "the user namespace's id mapping" },
  { "linux.gidMappings[].containerID", "userns", "the user namespace's id mapping" },
  { "linux.gidMappings[].hostID", "userns", "the user namespace's id mapping" },
  { "linux.gidMappings[].size", "userns", "the user namespace's id mapping" },
  { "linux.namespaces", "namespaces", "namespaces created or joined by path" },
  { "linux.namespaces[]", "namespaces", "namespaces created or joined by path" },
  { "linux.namespaces[].type", "namespaces", "namespaces created or joined by path" },
  { "linux.namespaces[].path", "namespaces", "namespaces created or joined by path" },
  { "linux.timeOffsets", H, "clock offsets of the container's own time namespace" },
  { "linux.timeOffsets.*", H, "clock offsets of the container's own time namespace" },
  { "linux.timeOffsets.*.secs", H, "clock offsets of the container's own time namespace" },
  { "linux.timeOffsets.*.nanosecs", H, "clock offsets of the container's own time namespace" },
  { "linux.resources", H, "an object: each cgroup setting below is judged" },
  { "linux.resources.devices", "devices", "the device cgroup: which devices may be opened" },
  { "linux.resources.devices[]", "devices", "the device cgroup: which devices may be opened" },
  { "linux.resources.devices[].allow", "devices",
    "the device cgroup: which devices may be opened" },
  { "linux.resources.devices[].type", "devices", "the device cgroup: which devices may be opened" },
  { "linux.resources.devices[].major", "devices",
    "the device cgroup: which devices may be opened" },
  { "linux.resources.devices[].minor", "devices",
    "the device cgroup: which devices may be opened" },
  { "linux.resources.devices[].access", "devices",
    "the device cgroup: which devices may be opened" },
  { "linux.resources.pids", "rlimits", "the container's process limit" },
  { "linux.resources.pids.limit", "rlimits", "the container's process limit" },
#define LIMIT(path, what)                                                                          \
  {                                                                                                \
    "linux.resources." path, H, what                                                               \
  }
  LIMIT ("blockIO", "limits that only restrict the container's cgroup"),
  LIMIT ("blockIO.weight", "block I/O weight of the container's cgroup"),
  LIMIT ("blockIO.leafWeight", "block I/O weight of the container's cgroup"),
  LIMIT ("blockIO.weightDevice", "block I/O weight of the container's cgroup"),
  LIMIT ("blockIO.weightDevice[]", "block I/O weight of the container's cgroup"),
  LIMIT ("blockIO.weightDevice[].major", "block I/O weight of the container's cgroup"),
  LIMIT ("blockIO.weightDevice[].minor", "block I/O weight of the container's cgroup"),
  LIMIT ("blockIO.weightDevice[].weight", "block I/O weight of the container's cgroup"),
  LIMIT ("blockIO.weightDevice[].leafWeight", "block I/O weight of the container's cgroup"),
#define THROTTLE(kind)                                                                             \
  LIMIT ("blockIO." kind, "block I/O throttling of the container's cgroup"),                       \
      LIMIT ("blockIO." kind "[]", "block I/O throttling of the container's cgroup"),              \
      LIMIT ("blockIO." kind "[].major", "block I/O throttling of the container's cgroup"),        \
      LIMIT ("blockIO." kind "[].minor", "block I/O throttling of the container's cgroup"),        \
      LIMIT ("blockIO." kind "[].rate", "block I/O throttling of the container's cgroup")
  THROTTLE ("throttleReadBpsDevice"),
  THROTTLE ("throttleWriteBpsDevice"),
  THROTTLE ("throttleReadIOPSDevice"),
  THROTTLE ("throttleWriteIOPSDevice"),
#undef THROTTLE
  LIMIT ("cpu", "CPU limits of the container's cgroup"),
  LIMIT ("cpu.shares", "CPU limits of the container's cgroup"),
  LIMIT ("cpu.quota", "CPU limits of the container's cgroup"),
  LIMIT ("cpu.burst", "CPU limits of the container's cgroup"),
  LIMIT ("cpu.period", "CPU limits of the container's cgroup"),
  LIMIT ("cpu.realtimeRuntime",
         "real-time budget of the container's cgroup (useless without a real-time "
         "policy, which `process.scheduler` and RLIMIT_RTPRIO deny)"),
  LIMIT ("cpu.realtimePeriod", "real-time budget of the container's cgroup"),
  LIMIT ("cpu.cpus", "the cgroup's cpuset: only restricts"),
  LIMIT ("cpu.mems", "the cgroup's cpuset: only restricts"),
  LIMIT ("cpu.idle", "CPU limits of the container's cgroup"),
  LIMIT ("hugepageLimits", "hugetlb limits of the container's cgroup"),
  LIMIT ("hugepageLimits[]", "hugetlb limits of the container's cgroup"),
  LIMIT ("hugepageLimits[].pageSize", "hugetlb limits of the container's cgroup"),
  LIMIT ("hugepageLimits[].limit", "hugetlb limits of the container's cgroup"),
  LIMIT ("memory", "memory limits of the container's cgroup"),
  LIMIT ("memory.limit", "memory limits of the container's cgroup"),
  LIMIT ("memory.reservation", "memory limits of the container's cgroup"),
  LIMIT ("memory.swap", "memory limits of the container's cgroup"),
  LIMIT ("memory.kernel", "memory limits of the container's cgroup"),
  LIMIT ("memory.kernelTCP", "memory limits of the container's cgroup"),
  LIMIT ("memory.swappiness", "memory limits of the container's cgroup"),
  LIMIT ("memory.disableOOMKiller", "the container's own cgroup waits instead of OOM-killing"),
  LIMIT ("memory.useHierarchy", "memory accounting of the container's cgroup"),
  LIMIT ("memory.checkBeforeUpdate", "runc update: only restricts"),
  LIMIT ("network", "an object: each field below is judged"),
  { "linux.resources.network.classID", R,
    "the net_cls class id tags the container's packets: it would match the host's "
    "firewall and traffic-control rules written for another class" },
  LIMIT ("network.priorities", "net_prio priorities of the container's cgroup"),
  LIMIT ("network.priorities[]", "net_prio priorities of the container's cgroup"),
  LIMIT ("network.priorities[].name", "net_prio priorities of the container's cgroup"),
  LIMIT ("network.priorities[].priority", "net_prio priorities of the container's cgroup"),
  LIMIT ("rdma", "RDMA limits of the container's cgroup"),
  LIMIT ("rdma.*", "RDMA limits of the container's cgroup"),
  LIMIT ("rdma.*.hcaHandles", "RDMA limits of the container's cgroup"),
  LIMIT ("rdma.*.hcaObjects", "RDMA limits of the container's cgroup"),
#undef LIMIT
  { "linux.resources.unified", "cgroups",
    "cgroup v2 files written by the runtime as root: only controller files" },
  { "linux.cgroupsPath", "cgroups", "where the runtime puts the container's cgroup" },
  { "linux.rootfsPropagation", "mounts", "propagation of the root mount" },
  { "linux.seccomp", "seccomp", "the seccomp filter" },
  { "linux.seccomp.defaultAction", "seccomp", "the seccomp filter" },
  { "linux.seccomp.defaultErrnoRet", "seccomp", "the seccomp filter" },
  { "linux.seccomp.architectures", "seccomp", "the seccomp filter" },
  { "linux.seccomp.flags", "seccomp", "the seccomp filter" },
  { "linux.seccomp.listenerPath", "seccomp",
    "a host socket the runtime sends the seccomp notify fd to" },
  { "linux.seccomp.listenerMetadata", "seccomp", "sent with the seccomp notify fd" },
  { "linux.seccomp.syscalls", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[]", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].names", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].action", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].errnoRet", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].args", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].args[]", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].args[].index", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].args[].value", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].args[].valueTwo", "seccomp", "the seccomp filter" },
  { "linux.seccomp.syscalls[].args[].op", "seccomp", "the seccomp filter" },
  { "linux.sysctl", "sysctls", "sysctls written by the runtime as root" },
  { "linux.maskedPaths", "masked_paths", "paths hidden in the container" },
  { "linux.readonlyPaths", "masked_paths", "paths made read-only in the container" },
  { "linux.mountLabel", "selinux", "the SELinux label of the container's mounts" },
  { "linux.intelRdt", R,
    "resctrl groups: a CLOS id names a host-wide group, its schemata set the host's cache and "
    "memory bandwidth allocation" },
  { "linux.personality", H, "the execution domain of the container's own processes" },
  { "linux.personality.domain", H, "the execution domain of the container's own processes" },
  { "linux.personality.flags", H, "the execution domain of the container's own processes" },
  { "linux.netDevices", R,
    "moves host network interfaces into the container: the host loses them and the container "
    "reaches their networks" },
  { "linux.memoryPolicy", H, "the NUMA policy of the container's own memory" },
  { "linux.memoryPolicy.mode", H, "the NUMA policy of the container's own memory" },
  { "linux.memoryPolicy.nodes", H, "the NUMA policy of the container's own memory" },
  { "linux.memoryPolicy.flags", H, "the NUMA policy of the container's own memory" },
  { NULL, NULL, NULL },
};

#undef H
#undef R

const hs_spec_field_t *
hs_spec_field_find (const char *path)
{
  for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
    if (strcmp (f->path, path) == 0)
      return f;
  return NULL;
}

/* `path` is `parent` + `sep` + a key equal to `key` with ASCII case folded
 * (Go's encoding/json matches struct fields that way; crun's parser does
 * not, but a field it ignores is judged all the same). */
static bool
is_child (const char *path, const char *parent, char sep, const char *key)
{
  size_t n = strlen (parent);

  if (n > 0)
    {
      if (strncmp (path, parent, n) != 0 || path[n] != sep)
        return false;
      path += n + 1;
    }
  return hs_json_key_fold_cmp (path, key) == 0;
}

const hs_spec_field_t *
hs_spec_field_child (const char *parent, const char *key)
{
  const hs_spec_field_t *map = NULL;
  size_t n = strlen (parent);

  /* no spec field is spelled so; such a key must not match a nested path */
  if (key[0] == '\0' || strpbrk (key, ".[]*") != NULL)
    return NULL;
  for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
    {
      if (is_child (f->path, parent, '.', key))
        return f;
      if (map == NULL && n > 0 && strncmp (f->path, parent, n) == 0
          && strcmp (f->path + n, ".*") == 0)
        map = f;
    }
  return map;
}

const hs_spec_field_t *
hs_spec_field_items (const char *parent)
{
  size_t n = strlen (parent);

  for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
    if (strncmp (f->path, parent, n) == 0 && strcmp (f->path + n, "[]") == 0)
      return f;
  return NULL;
}

void
hs_spec_field_children (const char *pattern, hs_spec_field_children_t *ret)
{
  const hs_spec_field_t *start = pattern[0] ? hs_spec_field_find (pattern) : NULL;

  hs_spec_field_children_at (start, ret);
}

void
hs_spec_field_children_at (const hs_spec_field_t *entry, hs_spec_field_children_t *ret)
{
  const char *pattern = entry ? entry->path : "";
  size_t n = strlen (pattern);

  memset (ret, 0, sizeof (*ret));
  /* a subtree is contiguous in the table, right after its own entry
   * (tests/check_harden_spec_fields.c checks it) */
  for (const hs_spec_field_t *f = entry ? entry + 1 : hs_spec_fields; f->path != NULL; f++)
    {
      const char *rest;

      if (strncmp (f->path, pattern, n) != 0 || (n > 0 && f->path[n] != '.' && f->path[n] != '['))
        {
          if (entry != NULL)
            break;
          continue;
        }
      rest = f->path + n;
      if (n > 0 && strcmp (rest, "[]") == 0)
        {
          ret->items = f;
          continue;
        }
      if (n > 0)
        {
          if (rest[0] != '.')
            continue;
          rest++;
        }
      if (rest[0] == '\0' || strpbrk (rest, ".[") != NULL)
        continue; /* not one level below */
      if (strcmp (rest, "*") == 0)
        ret->map = f;
      else if (ret->n < HS_SPEC_FIELD_MAX_CHILDREN)
        {
          ret->child[ret->n] = f;
          ret->key[ret->n++] = rest;
        }
    }
}

const hs_spec_field_t *
hs_spec_field_children_find (const hs_spec_field_children_t *c, const char *key)
{
  /* child keys have no '.', so "user.uid" matches none: only a map's */
  if (key[0] == '\0')
    return NULL;
  for (size_t i = 0; i < c->n; i++)
    if (hs_json_key_fold_cmp (c->key[i], key) == 0)
      return c->child[i];
  return c->map;
}

bool
hs_spec_field_has_children (const char *path)
{
  size_t n = strlen (path);

  for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
    if (strncmp (f->path, path, n) == 0 && (f->path[n] == '.' || f->path[n] == '['))
      return true;
  return false;
}

const char *
hs_spec_field_owner (const char *path)
{
  char buf[256];
  size_t n = strlen (path);

  if (n >= sizeof (buf))
    return NULL;
  memcpy (buf, path, n + 1);
  for (;;)
    {
      const hs_spec_field_t *f = hs_spec_field_find (buf);
      char *cut;

      if (f != NULL)
        return strcmp (buf, path) == 0 || !hs_spec_field_has_children (buf) ? f->owner : NULL;
      /* the closest ancestor: drop the last `.key` or `[]` */
      cut = strrchr (buf, '.');
      n = strlen (buf);
      if (n >= 2 && strcmp (buf + n - 2, "[]") == 0)
        buf[n - 2] = '\0';
      else if (cut != NULL)
        *cut = '\0';
      else
        return NULL;
    }
}

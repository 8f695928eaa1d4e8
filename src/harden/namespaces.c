/* namespaces: the container gets its own pid, ipc, uts, mount and network
 * namespaces; joining one of the host's namespaces by path (the same
 * namespace inode as PID 1's) is refused. Another container's namespace
 * may be joined through /proc only when it is a container of the same
 * runtime root (`--network container:x`, pods), its user namespace only by
 * a container of the same Kubernetes pod, and no mount namespace at all. */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "liveness.h"
#include "cleanup.h"
#include "xalloc.h"

#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define CONTROL "namespaces"

static const char *const known_keys[] = { "require", "allow_host", "refuse_missing", NULL };

/* OCI type -> /proc/PID/ns name */
static const struct
{
  const char *type, *proc;
} ns_types[] = {
  { "pid", "pid" }, { "network", "net" }, { "mount", "mnt" },     { "ipc", "ipc" },
  { "uts", "uts" }, { "user", "user" },   { "cgroup", "cgroup" }, { "time", "time" },
};
#define N_TYPES (sizeof (ns_types) / sizeof (ns_types[0]))

/* cgroup: without one the container sees the host's cgroup tree and its own
 * place in it (Docker's default on cgroup v1 is the host's). */
static const char *const default_require[]
    = { "pid", "ipc", "uts", "mount", "network", "cgroup", NULL };
/* An engine leaves out the network namespace only when asked for the
 * host's network (`--network host`, hostNetwork): an added empty one would
 * silently cut the container off, so refuse it with a reason instead. */
static const char *const default_refuse_missing[] = { "network", NULL };

static const char *
proc_name (const char *type)
{
  for (size_t i = 0; i < N_TYPES; i++)
    if (strcmp (ns_types[i].type, type) == 0)
      return ns_types[i].proc;
  return NULL;
}

static int
check_types (const hs_json_t *v, const char *key, hs_error_t *err)
{
  for (size_t i = 0; v && i < v->len; i++)
    if (proc_name (v->items[i]->str) == NULL)
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".%s[%zu]`: unknown namespace type `%s` "
                            "(pid, network, mount, ipc, uts, user, cgroup, time)",
                            key, i, v->items[i]->str);
  return 0;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *req, *host, *refm;
  hs_strlist_t reql = { NULL, default_require };
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "require", &req, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "allow_host", &host, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "refuse_missing", &refm, err)) < 0
      || (r = check_types (refm, "refuse_missing", err)) < 0
      || (r = check_types (req, "require", err)) < 0
      || (r = check_types (host, "allow_host", err)) < 0)
    return r;
  reql.arr = req;
  for (size_t i = 0; host && i < host->len; i++)
    if (hs_strlist_has (&reql, host->items[i]->str))
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".allow_host[%zu]`: conflicting settings: `%s` "
                            "is also in `" CONTROL ".require`%s",
                            i, host->items[i]->str, req ? "" : " (by default)");
  return 0;
}

/* Does the kernel have namespaces of this type? (cgroup: 4.6, time: 5.6) */
static bool
kernel_has (const char *type)
{
  cleanup_free char *p = hs_xasprintf ("/proc/self/ns/%s", proc_name (type));

  return access (p, F_OK) == 0;
}

/* Every directory that holds a component of `path` (as written, and of
 * its resolved form) can be changed by root only, so what the path names
 * cannot be swapped for the host's namespace between this check and the
 * runtime's open. procfs directories are not writable whoever owns them.
 * Returns the offending directory (caller frees) or NULL. */
static char *
unsafe_dir (const char *path)
{
  char real[PATH_MAX];
  const char *forms[2] = { path, realpath (path, real) != NULL ? real : NULL };

  for (int f = 0; f < 2 && forms[f] != NULL; f++)
    {
      cleanup_free char *clean = hs_path_clean (forms[f]);
      size_t n = strlen (clean);

      for (size_t i = 0; i < n; i++)
        {
          cleanup_free char *dir = NULL;
          struct stat st;
          struct statfs sf;

          if (clean[i] != '/')
            continue;
          dir = i == 0 ? hs_xstrdup ("/") : hs_xstrndup (clean, i);
          if (stat (dir, &st) < 0 || !S_ISDIR (st.st_mode))
            return TAKE_PTR (dir);
          if (statfs (dir, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC)
            continue;
          if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
            return TAKE_PTR (dir);
        }
    }
  return NULL;
}

/* The sandbox a Kubernetes container belongs to (containerd, CRI-O). */
static const char *
pod_sandbox (const hs_harden_t *h)
{
  static const char *const keys[][2] = {
    { "io.kubernetes.cri.container-type", "io.kubernetes.cri.sandbox-id" },
    { "io.kubernetes.cri-o.ContainerType", "io.kubernetes.cri-o.SandboxID" },
  };
  const hs_json_t *ann = hs_json_get_type (h->spec, "annotations", HS_JSON_OBJECT);

  for (size_t i = 0; ann != NULL && i < sizeof (keys) / sizeof (keys[0]); i++)
    {
      const hs_json_t *t = hs_json_get_type (ann, keys[i][0], HS_JSON_STRING);
      const hs_json_t *id = hs_json_get_type (ann, keys[i][1], HS_JSON_STRING);

      if (t != NULL && id != NULL && strcmp (t->str, "container") == 0)
        return id->str;
    }
  return NULL;
}

/* Another container's namespace (not the host's). The container that owns
 * it is looked up in the runtime's own state: a /proc path of any other
 * process is refused (a host daemon's or a stale pid's namespace), a user
 * namespace gives the joiner the owner's ids and capabilities over all of
 * its namespaces, so only a container of the owner's pod joins it, and a
 * mount namespace would put the runtime's pivot_root inside the owner's.
 * A pinned namespace file (/run/netns/cni-..., an engine's netns
 * directory) lies in root-only directories (unsafe_dir): an engine made it. */
static int
check_other (hs_harden_t *h, const char *jpath, const char *type, const char *pn, const char *clean,
             const struct stat *a, hs_error_t *err)
{
  const char *root = h->ctr != NULL ? h->ctr->root : h->runtime_root;
  cleanup_free char *abs = root != NULL ? hs_runtime_root_absolute (root) : NULL;
  cleanup_free char *owner = NULL;
  const char *sandbox = pod_sandbox (h);

  if (strcmp (type, "mount") == 0)
    return hs_harden_refuse (h, err, jpath,
                             "joining another mount namespace (%s) is not allowed by host policy: "
                             "the runtime would set up the container's root inside it",
                             clean);
  if (strcmp (type, "cgroup") == 0 || strcmp (type, "time") == 0)
    return 0;
  owner = abs != NULL ? hs_liveness_ns_owner (abs, pn, (unsigned long long) a->st_dev,
                                              (unsigned long long) a->st_ino, NULL)
                      : NULL;
  if (owner == NULL && (strcmp (type, "user") == 0 || strncmp (clean, "/proc/", 6) == 0))
    return hs_harden_refuse (h, err, jpath,
                             "the %s namespace %s is not one of a running container of this "
                             "runtime root (%s): host policy allows joining only those",
                             type, clean, abs != NULL ? abs : "unknown");
  if (owner != NULL && strcmp (type, "user") == 0
      && (sandbox == NULL || strcmp (sandbox, owner) != 0))
    return hs_harden_refuse (h, err, jpath,
                             "the user namespace %s is container `%s`'s: host policy allows only a "
                             "container of its Kubernetes pod (io.kubernetes.cri.sandbox-id) to "
                             "join it",
                             clean, owner);
  if (owner != NULL)
    hs_harden_note (h, jpath, "joins the %s namespace of container `%s`%s", type, owner,
                    sandbox != NULL && strcmp (sandbox, owner) == 0 ? " (its pod's sandbox)" : "");
  return 0;
}

static int
check_join (hs_harden_t *h, const hs_strlist_t *allow_host, size_t i, const char *type,
            const char *path, hs_error_t *err)
{
  cleanup_free char *jpath = hs_xasprintf ("linux.namespaces[%zu].path", i);
  cleanup_free char *clean = hs_path_clean (path);
  const char *pn = proc_name (type);
  struct stat a;
  bool compared = false;

  if (pn == NULL)
    return 0; /* unknown type: the runtime refuses it */
  if (hs_strlist_has (allow_host, type))
    return 0;
  /* PID 1's namespaces are the host's, even where /proc/1 is unreadable */
  if (strncmp (clean, "/proc/1/ns/", 11) == 0)
    return hs_harden_refuse (h, err, jpath,
                             "joining the host's %s namespace (%s) is not allowed by host policy",
                             type, path);
  if (clean[0] != '/')
    return hs_harden_refuse (h, err, jpath, "a namespace path must be absolute: %s", path);
  if (stat (path, &a) < 0)
    return hs_harden_refuse (h, err, jpath,
                             "cannot check the %s namespace %s: %m (host policy refuses joining "
                             "the host's namespaces)",
                             type, path);
  {
    struct statfs sf;
    if (statfs (path, &sf) < 0 || sf.f_type != NSFS_MAGIC)
      return hs_harden_refuse (h, err, jpath, "%s is not a namespace", path);
  }
  {
    cleanup_free char *dir = unsafe_dir (clean);
    if (dir != NULL)
      return hs_harden_refuse (h, err, jpath,
                               "the %s namespace path %s lies in %s, which someone other than "
                               "root could change before the runtime opens it",
                               type, path, dir);
  }
  /* The host's: PID 1's, and the one hardshim (so the engine) runs in. */
  for (int k = 0; k < 2; k++)
    {
      cleanup_free char *ref = hs_xasprintf ("/proc/%s/ns/%s", k == 0 ? "1" : "self", pn);
      struct stat b;

      if (stat (ref, &b) < 0)
        continue;
      compared = true;
      if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return hs_harden_refuse (h, err, jpath,
                                 "joining the host's %s namespace (%s) is not allowed by host "
                                 "policy",
                                 type, path);
    }
  if (!compared)
    return hs_harden_refuse (h, err, jpath, "cannot read the host's %s namespace to compare", type);
  return check_other (h, jpath, type, pn, clean, &a, err);
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_strlist_t require = { NULL, default_require }, allow_host = { NULL, NULL };
  hs_strlist_t refuse_missing = { NULL, default_refuse_missing };
  hs_json_t *linux_ = hs_json_get (h->spec, "linux");
  hs_json_t *nss;
  cleanup_json hs_json_t *before = NULL;
  bool listed;
  cleanup_free char *added = NULL;
  int r;

  if (settings != NULL)
    {
      require.arr = hs_json_get_exact (settings, "require");
      allow_host.arr = hs_json_get_exact (settings, "allow_host");
      refuse_missing.arr = hs_json_get_exact (settings, "refuse_missing");
    }
  if (linux_ != NULL && linux_->type != HS_JSON_OBJECT && linux_->type != HS_JSON_NULL)
    return 0; /* spec validation refuses it */
  nss = linux_ != NULL ? hs_json_get (linux_, "namespaces") : NULL;
  if (nss != NULL && nss->type == HS_JSON_ARRAY)
    for (size_t i = 0; i < nss->len; i++)
      {
        hs_json_t *ns = nss->items[i];
        hs_json_t *type = hs_json_get (ns, "type"), *path = hs_json_get (ns, "path");
        cleanup_free char *jp = hs_xasprintf ("linux.namespaces[%zu]", i);

        if (type == NULL || type->type != HS_JSON_STRING)
          return hs_harden_refuse (h, err, jp, "a namespace needs a string `type`");
        if (path != NULL && path->type != HS_JSON_NULL && path->type != HS_JSON_STRING)
          return hs_harden_refuse (h, err, jp, "`path` must be a string");
        if (path != NULL && path->type == HS_JSON_STRING && path->str[0] != '\0'
            && (r = check_join (h, &allow_host, i, type->str, path->str, err)) < 0)
          return r;
      }
  before = nss != NULL && nss->type == HS_JSON_ARRAY ? hs_json_dup (nss) : NULL;
  listed = before != NULL && before->len > 0;
  for (size_t k = 0, n = hs_strlist_len (&require); k < n; k++)
    {
      const char *want = hs_strlist_at (&require, k);
      bool found = false;

      for (size_t i = 0; nss != NULL && nss->type == HS_JSON_ARRAY && i < nss->len; i++)
        {
          hs_json_t *type = hs_json_get (nss->items[i], "type");
          found = found || strcmp (type->str, want) == 0;
        }
      /* Only a config that lists its namespaces chose the host's by
       * leaving one out; a bare config (no list) gets them all added. */
      if (!found && listed && hs_strlist_has (&refuse_missing, want))
        {
          r = hs_harden_refuse (h, err, "linux.namespaces",
                                "the container has no %s namespace of its own, so it would "
                                "share the host's (e.g. `--network host`), which host policy "
                                "does not allow",
                                want);
          if (r < 0)
            return r;
          continue;
        }
      if (!found && kernel_has (want))
        {
          hs_json_t *ns = hs_json_new (HS_JSON_OBJECT);
          char *more = hs_xasprintf ("%s%s%s", added ? added : "", added ? ", " : "", want);

          linux_ = hs_json_ensure_object (h->spec, "linux");
          nss = hs_json_ensure_array (linux_, "namespaces");
          hs_json_set_exact (ns, "type", hs_json_new_string (want));
          hs_json_append (nss, ns);
          free (added);
          added = more;
        }
    }
  if (added != NULL)
    hs_harden_change (h, "linux.namespaces", before, nss,
                      "new %s namespaces are required by host policy", added);
  return 0;
}

const hs_control_t hs_control_namespaces = {
  .name = CONTROL,
  .summary = "own pid/ipc/uts/mount/network/cgroup namespaces; never join the host's",
  .doc = "Adds a new namespace of every `require` type the config lacks (where the kernel\n"
         "has that type: cgroup from Linux 4.6). A namespace\n"
         "entry with a `path` is refused when the path is the host's namespace of that type\n"
         "(a path /proc/1/ns/..., or the same device and inode as /proc/1/ns/<type> or as\n"
         "the namespace hardshim runs in) or cannot be checked, or when a directory on\n"
         "the path is not root's alone (it could be swapped after the check); another\n"
         "container's namespace (pods, `--network container:x`) is allowed.\n"
         "Settings:\n"
         "  require     namespace types; default pid, ipc, uts, mount, network, cgroup\n"
         "  allow_host  types whose host namespace may be joined by path; default none.\n"
         "  refuse_missing  required types whose absence from a non-empty namespace list\n"
         "              (the engine asked for the host's, e.g. `--network host`) is refused\n"
         "              instead of added; default network\n"
         "              A type in both lists is an error (conflicting settings).\n",
  .validate = validate,
  .apply = apply,
};

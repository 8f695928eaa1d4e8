/* mounts: bind mounts get nosuid and nodev; binds of sensitive host paths
 * (symlinks resolved) are refused; shared mount propagation, which would
 * let the container's mounts reach the host, is refused; sysfs, cgroup
 * and extra proc mounts are read-only. */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "mounts"

static const char *const known_keys[]
    = { "deny_sources", "deny_source_trees", "deny_socket_names", "deny_propagation", NULL };

/* The path itself and any parent of it are refused as bind sources. */
static const char *const default_deny_sources[] = {
  "/",
  "/bin",
  "/etc",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/root",
  "/sbin",
  "/usr",
  "/var/lib/kubelet",
  "/var/lib/docker",
  "/var/lib/containerd",
  "/var/lib/containers",
  "/run/docker.sock",
  "/var/run/docker.sock",
  "/run/containerd/containerd.sock",
  "/var/run/containerd/containerd.sock",
  "/run/crio/crio.sock",
  "/var/run/crio/crio.sock",
  "/run/podman/podman.sock",
  "/var/run/podman/podman.sock",
  NULL,
};
/* The path, its parents and everything below it are refused. */
static const char *const default_deny_trees[] = { "/boot", "/dev", "/proc", "/sys", NULL };
/* Any bind source with this file name is refused, wherever it is. */
static const char *const default_socket_names[] = {
  "docker.sock", "containerd.sock", "containerd.sock.ttrpc", "crio.sock", "podman.sock", NULL,
};
static const char *const default_propagation[] = { "shared", "rshared", NULL };
static const char *const propagations[] = { "shared", "rshared", "slave", "rslave", NULL };

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_abs_paths (settings, CONTROL, "deny_sources", &v, err)) < 0
      || (r = hs_settings_abs_paths (settings, CONTROL, "deny_source_trees", &v, err)) < 0)
    return r;
  if ((r = hs_settings_string_array (settings, CONTROL, "deny_socket_names", &v, err)) < 0)
    return r;
  for (size_t i = 0; v && i < v->len; i++)
    if (v->items[i]->str[0] == '\0' || strchr (v->items[i]->str, '/') != NULL)
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".deny_socket_names[%zu]`: `%s` is not a file "
                            "name (no '/')",
                            i, v->items[i]->str);
  if ((r = hs_settings_string_array (settings, CONTROL, "deny_propagation", &v, err)) < 0)
    return r;
  for (size_t i = 0; v && i < v->len; i++)
    {
      bool ok = false;
      for (size_t j = 0; propagations[j]; j++)
        ok = ok || strcmp (v->items[i]->str, propagations[j]) == 0;
      if (!ok)
        return hs_error_make (err, 0,
                              "policy key `" CONTROL ".deny_propagation[%zu]`: `%s` is not one of "
                              "shared, rshared, slave, rslave",
                              i, v->items[i]->str);
    }
  return 0;
}

typedef struct
{
  hs_strlist_t sources, trees, sockets, propagation;
} rules_t;

static const char *
base_name (const char *p)
{
  const char *s = strrchr (p, '/');
  return s ? s + 1 : p;
}

/* Why a resolved bind source is refused, or NULL. */
static char *
denied_source (const rules_t *rules, const char *source, const char *resolved)
{
  for (size_t i = 0, n = hs_strlist_len (&rules->sources); i < n; i++)
    {
      const char *d = hs_strlist_at (&rules->sources, i);
      if (hs_path_is_under (d, resolved))
        return hs_xasprintf (strcmp (d, resolved) == 0 ? "it is the sensitive host path %s"
                                                       : "it contains the sensitive host path %s",
                             d);
    }
  for (size_t i = 0, n = hs_strlist_len (&rules->trees); i < n; i++)
    {
      const char *d = hs_strlist_at (&rules->trees, i);
      if (hs_path_is_under (d, resolved) || hs_path_is_under (resolved, d))
        return hs_xasprintf ("it is or lies under or contains the sensitive host path %s", d);
    }
  if (hs_strlist_has (&rules->sockets, base_name (resolved))
      || hs_strlist_has (&rules->sockets, base_name (source)))
    return hs_xasprintf ("it is a container engine socket (%s)", base_name (resolved));
  return NULL;
}

static bool
is_bind (const hs_json_t *type, const hs_json_t *opts)
{
  if (type != NULL && type->type == HS_JSON_STRING && strcmp (type->str, "bind") == 0)
    return true;
  return opts != NULL
         && (hs_json_array_find_string (opts, "bind") >= 0
             || hs_json_array_find_string (opts, "rbind") >= 0);
}

static bool
type_is (const hs_json_t *type, const char *s)
{
  return type != NULL && type->type == HS_JSON_STRING && strcmp (type->str, s) == 0;
}

/* Remove every `drop` option and append `want` when missing. */
static bool
ensure_option (hs_json_t *opts, const char *want, const char *drop)
{
  bool changed = false;
  long i;

  while ((i = hs_json_array_find_string (opts, drop)) >= 0)
    {
      hs_json_remove_at (opts, (size_t) i);
      changed = true;
    }
  if (hs_json_array_find_string (opts, want) < 0)
    {
      hs_json_append (opts, hs_json_new_string (want));
      changed = true;
    }
  return changed;
}

static int
check_mount (hs_harden_t *h, const rules_t *rules, size_t i, hs_json_t *m, hs_error_t *err)
{
  hs_json_t *dest = hs_json_get (m, "destination");
  hs_json_t *type = hs_json_get (m, "type");
  hs_json_t *source = hs_json_get (m, "source");
  hs_json_t *opts = hs_json_get (m, "options");
  cleanup_json hs_json_t *before = NULL;
  cleanup_free char *cdest = NULL;
  cleanup_free char *why = NULL;
  char path[64];
  bool bind, ro = false;

  snprintf (path, sizeof (path), "mounts[%zu]", i);
  if (dest == NULL || dest->type != HS_JSON_STRING)
    return hs_harden_refuse (h, err, path, "a mount needs a string `destination`");
  if ((type != NULL && type->type != HS_JSON_STRING && type->type != HS_JSON_NULL)
      || (source != NULL && source->type != HS_JSON_STRING && source->type != HS_JSON_NULL))
    return hs_harden_refuse (h, err, path, "`type` and `source` must be strings");
  if (opts != NULL && opts->type == HS_JSON_NULL)
    opts = NULL;
  if (opts != NULL)
    {
      if (opts->type != HS_JSON_ARRAY)
        return hs_harden_refuse (h, err, path, "`options` must be an array of strings");
      for (size_t j = 0; j < opts->len; j++)
        if (opts->items[j]->type != HS_JSON_STRING)
          return hs_harden_refuse (h, err, path, "`options` must be an array of strings");
    }
  cdest = hs_path_clean_dest (dest->str);
  bind = is_bind (type, opts);

  for (size_t j = 0; opts && j < opts->len; j++)
    if (hs_strlist_has (&rules->propagation, opts->items[j]->str))
      {
        cleanup_free char *p = hs_xasprintf ("%s.options[%zu]", path, j);
        int r = hs_harden_refuse (h, err, p,
                                  "`%s` mount propagation to %s is not allowed by host policy "
                                  "(mounts made in the container would reach the host)",
                                  opts->items[j]->str, dest->str);
        if (r < 0)
          return r;
      }

  if (bind && source != NULL && source->type == HS_JSON_STRING)
    {
      const char *bundle = h->audit != NULL ? h->audit->bundle : NULL;
      cleanup_free char *resolved = hs_path_resolve_host (source->str, bundle);

      why = denied_source (rules, source->str, resolved);
      if (why != NULL)
        {
          cleanup_free char *p = hs_xasprintf ("%s.source", path);
          int r = hs_harden_refuse (h, err, p,
                                    "bind mount of host path %s (resolved: %s) is not allowed by "
                                    "host policy: %s",
                                    source->str, resolved, why);
          if (r < 0)
            return r;
        }
      else if (strcmp (resolved, source->str) != 0)
        {
          /* Pin the checked path: a symlink re-pointed after this check
           * cannot redirect the mount. */
          cleanup_free char *p = hs_xasprintf ("%s.source", path);
          hs_json_t *after = hs_json_new_string (resolved);
          hs_harden_change (h, p, source, after,
                            "bind source replaced by its resolved path (host policy)");
          hs_json_set (m, "source", after);
        }
    }

  /* Read-only: anything at or below /sys, sysfs and cgroup anywhere, and
   * every proc mount or mount below /proc but the /proc mount itself
   * (which must stay writable; masked_paths guards its dangerous files). */
  if (hs_path_is_under (cdest, "/sys") || type_is (type, "sysfs") || type_is (type, "cgroup")
      || type_is (type, "cgroup2"))
    ro = true;
  else if ((type_is (type, "proc") || hs_path_is_under (cdest, "/proc"))
           && strcmp (cdest, "/proc") != 0)
    ro = true;
  if (!bind && !ro)
    return 0;

  before = opts ? hs_json_dup (opts) : NULL;
  if (opts == NULL)
    {
      opts = hs_json_new (HS_JSON_ARRAY);
      hs_json_set (m, "options", opts);
    }
  {
    bool changed = false;
    cleanup_free char *p = hs_xasprintf ("%s.options", path);

    if (bind)
      {
        changed = ensure_option (opts, "nosuid", "suid") || changed;
        changed = ensure_option (opts, "nodev", "dev") || changed;
      }
    if (ro)
      changed = ensure_option (opts, "ro", "rw") || changed;
    if (changed)
      hs_harden_change (h, p, before, opts, "%s%s%s at %s (host policy)",
                        bind ? "nosuid,nodev on a bind mount" : "", bind && ro ? "; " : "",
                        ro ? "read-only" : "", dest->str);
  }
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  rules_t rules = {
    .sources = { NULL, default_deny_sources },
    .trees = { NULL, default_deny_trees },
    .sockets = { NULL, default_socket_names },
    .propagation = { NULL, default_propagation },
  };
  hs_json_t *mounts = hs_json_get (h->spec, "mounts");
  hs_json_t *prop = hs_json_path (h->spec, "linux", "rootfsPropagation", NULL);
  int r;

  if (settings != NULL)
    {
      rules.sources.arr = hs_json_get_exact (settings, "deny_sources");
      rules.trees.arr = hs_json_get_exact (settings, "deny_source_trees");
      rules.sockets.arr = hs_json_get_exact (settings, "deny_socket_names");
      rules.propagation.arr = hs_json_get_exact (settings, "deny_propagation");
    }
  if (prop != NULL && prop->type != HS_JSON_NULL)
    {
      if (prop->type != HS_JSON_STRING)
        return hs_harden_refuse (h, err, "linux.rootfsPropagation", "expected a string");
      if (hs_strlist_has (&rules.propagation, prop->str)
          && (r = hs_harden_refuse (h, err, "linux.rootfsPropagation",
                                    "`%s` rootfs propagation is not allowed by host policy "
                                    "(mounts made in the container would reach the host)",
                                    prop->str))
                 < 0)
        return r;
    }
  if (mounts == NULL || mounts->type != HS_JSON_ARRAY)
    return 0;
  for (size_t i = 0; i < mounts->len; i++)
    if ((r = check_mount (h, &rules, i, mounts->items[i], err)) < 0)
      return r;
  return 0;
}

const hs_control_t hs_control_mounts = {
  .name = CONTROL,
  .summary = "bind mounts nosuid,nodev; no binds of sensitive host paths; no shared propagation",
  .doc = "Bind mounts (type bind, or option bind/rbind) get nosuid and nodev (suid/dev\n"
         "options are removed). A bind whose source, symlinks resolved (a missing tail is\n"
         "cleaned lexically), is refused when it equals or contains a `deny_sources` path,\n"
         "equals, contains or lies under a `deny_source_trees` path, or has a file name in\n"
         "`deny_socket_names`. Mount options and linux.rootfsPropagation naming a\n"
         "`deny_propagation` mode are refused. An admitted bind's source is replaced by\n"
         "its resolved path, so a symlink changed after the check cannot redirect it.\n"
         "Mounts at or below /sys, sysfs and cgroup mounts, and proc mounts other than\n"
         "the one at /proc get `ro`.\n"
         "Settings (arrays replace the defaults):\n"
         "  deny_sources       clean absolute paths; default /, /bin, /etc, /lib, /lib32,\n"
         "                     /lib64, /libx32, /root, /sbin, /usr, /var/lib/kubelet,\n"
         "                     /var/lib/docker, /var/lib/containerd, /var/lib/containers and\n"
         "                     the engine sockets under /run and /var/run\n"
         "  deny_source_trees  default /boot, /dev, /proc, /sys\n"
         "  deny_socket_names  default docker.sock, containerd.sock, containerd.sock.ttrpc,\n"
         "                     crio.sock, podman.sock\n"
         "  deny_propagation   subset of shared, rshared, slave, rslave; default shared, rshared\n",
  .validate = validate,
  .apply = apply,
};

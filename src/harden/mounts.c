/* mounts: every mount type must be on an allowlist; every host path a
 * mount names (bind sources, overlay layers, root.path) is judged by what it
 * is (src/harden/mount_sources.c): sensitive host trees are refused, binds
 * below host system trees are read-only, binds get nosuid and nodev; the
 * config cannot ask the runtime to idmap a mount; shared propagation, which
 * would let the container's mounts reach the host, is refused; sysfs,
 * cgroup and extra proc mounts are read-only. */
#include "harden/controls.h"
#include "harden/mount_options.h"
#include "harden/mount_sources.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "mounts"

static const char *const known_keys[]
    = { "types",          "deny_sources",        "deny_source_trees", "deny_socket_names",
        "readonly_trees", "deny_source_fstypes", "deny_propagation",  NULL };

/* What a config may mount; "bind" stands for every bind mount. */
static const char *const default_types[] = {
  "bind", "proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2", "overlay", NULL,
};
static const char *const default_propagation[] = { "shared", "rshared", NULL };
static const char *const propagations[] = { "shared", "rshared", "slave", "rslave", NULL };

static int
check_names (const hs_json_t *settings, const char *key, hs_error_t *err)
{
  const hs_json_t *v;
  int r = hs_settings_string_array (settings, CONTROL, key, &v, err);

  for (size_t i = 0; r == 0 && v && i < v->len; i++)
    if (v->items[i]->str[0] == '\0' || strpbrk (v->items[i]->str, "/,") != NULL)
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".%s[%zu]`: `%s` is not a file name (no '/')",
                            key, i, v->items[i]->str);
  return r;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_abs_paths (settings, CONTROL, "deny_sources", &v, err)) < 0
      || (r = hs_settings_abs_paths (settings, CONTROL, "deny_source_trees", &v, err)) < 0
      || (r = hs_settings_abs_paths (settings, CONTROL, "readonly_trees", &v, err)) < 0
      || (r = check_names (settings, "deny_socket_names", err)) < 0
      || (r = check_names (settings, "deny_source_fstypes", err)) < 0
      || (r = check_names (settings, "types", err)) < 0)
    return r;
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
  hs_source_rules_t sources;
  hs_strlist_t types, propagation;
} rules_t;

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

  while (drop != NULL && (i = hs_json_array_find_string (opts, drop)) >= 0)
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

static char *
type_list (const hs_strlist_t *types)
{
  char *out = hs_xstrdup ("");

  for (size_t i = 0, n = hs_strlist_len (types); i < n; i++)
    {
      char *o = hs_xasprintf ("%s%s%s", out, i ? ", " : "", hs_strlist_at (types, i));
      free (out);
      out = o;
    }
  return out;
}

/* The config may not choose how a mount is idmapped: hardshim decides
 * which volumes are (userns.volumes). The container's own mapping, as
 * hardshim itself sets it when the runtime idmaps, is the only one kept. */
static int
check_idmap (hs_harden_t *h, const char *path, hs_json_t *m, const hs_json_t *opts, hs_error_t *err)
{
  static const char *const keys[][2]
      = { { "uidMappings", "uidMappings" }, { "gidMappings", "gidMappings" } };

  for (size_t i = 0; i < 2; i++)
    {
      const hs_json_t *want = hs_json_path (h->spec, "linux", keys[i][1], NULL);
      const hs_json_t *have = hs_json_get (m, keys[i][0]);
      int r;

      if (have == NULL || have->type == HS_JSON_NULL)
        continue;
      if (want != NULL && hs_json_equal (have, want))
        continue;
      if ((r = hs_harden_refuse (h, err, path,
                                 "the mount asks the runtime to idmap it with `%s` of its own; "
                                 "host policy decides which volumes are idmapped (userns.volumes)",
                                 keys[i][0]))
          < 0)
        return r;
    }
  for (size_t j = 0; opts && j < opts->len; j++)
    {
      const char *o = opts->items[j]->str;
      if (strncmp (o, "idmap=", 6) == 0 || strncmp (o, "ridmap=", 7) == 0)
        {
          cleanup_free char *p = hs_xasprintf ("%s.options[%zu]", path, j);
          int r = hs_harden_refuse (h, err, p,
                                    "`%s` asks the runtime to idmap the mount with a mapping of "
                                    "its own; host policy decides which volumes are idmapped "
                                    "(userns.volumes)",
                                    o);
          if (r < 0)
            return r;
        }
    }
  return 0;
}

/* Judge one host path of a mount; `what` names it in messages ("bind
 * mount of host path", "overlay lowerdir"). */
static int
judge (hs_harden_t *h, const rules_t *rules, const char *jpath, const char *what, const char *path,
       hs_source_role_t role, int flags, hs_source_verdict_t *ret, hs_error_t *err)
{
  cleanup_error hs_error_t e = NULL;

  if (hs_source_judge (h, &rules->sources, path, role, flags, ret, &e) < 0)
    {
      memset (ret, 0, sizeof (*ret));
      return hs_harden_refuse (h, err, jpath, "%s %s: %s", what, path, e->msg);
    }
  if (ret->own_mount)
    hs_harden_note (h, jpath,
                    "%s is hardshim's own idmapped mount from an earlier hardening: a create "
                    "puts the engine's path back before judging it",
                    path);
  else if (ret->refused != NULL)
    return hs_harden_refuse (h, err, jpath,
                             "%s %s (resolved: %s) is not allowed by host policy: %s", what, path,
                             ret->resolved ? ret->resolved : path, ret->refused);
  else if (ret->replaceable)
    hs_harden_note (h, jpath,
                    "%s %s (resolved: %s): a host user other than root can rename a directory "
                    "on the way, so the path is only pinned by its name",
                    what, path, ret->resolved);
  return 0;
}

/* Pin a checked path: a symlink re-pointed after the check cannot
 * redirect the mount. */
static void
pin (hs_harden_t *h, hs_json_t *obj, const char *key, const char *jpath, const char *resolved,
     const char *why)
{
  hs_json_t *before = hs_json_get (obj, key);
  hs_json_t *after;

  if (resolved == NULL || before == NULL || strcmp (before->str, resolved) == 0)
    return;
  after = hs_json_new_string (resolved);
  hs_harden_change (h, jpath, before, after, "%s", why);
  hs_json_set (obj, key, after);
}

static int
check_overlay (hs_harden_t *h, const rules_t *rules, const char *path, const hs_json_t *opts,
               hs_error_t *err)
{
  cleanup_free char *data = hs_mount_data (opts);
  cleanup_free char *p = hs_xasprintf ("%s.options", path);
  cleanup_error hs_error_t e = NULL;
  hs_overlay_path_t *v = NULL;
  size_t n = 0;
  int r = 0;

  if (hs_overlay_paths (data, &v, &n, &e) < 0)
    return hs_harden_refuse (h, err, p, "%s", e->msg);
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      hs_source_verdict_t verdict;
      cleanup_free char *what = hs_xasprintf ("overlay %s", v[i].key);

      r = judge (h, rules, p, what, v[i].path,
                 v[i].role == HS_OVERLAY_UPPER ? HS_SOURCE_UPPER : HS_SOURCE_LOWER, 0, &verdict,
                 err);
      hs_source_verdict_release (&verdict);
    }
  hs_overlay_paths_free (v, n);
  return r;
}

static int
check_bind (hs_harden_t *h, const rules_t *rules, const char *path, hs_json_t *m, hs_json_t *source,
            const hs_json_t *opts, bool *ret_ro, bool *ret_rro, hs_error_t *err)
{
  cleanup_free char *sp = hs_xasprintf ("%s.source", path);
  hs_source_verdict_t v;
  int flags = 0, r;

  if (!hs_strlist_has (&rules->types, "bind"))
    return hs_harden_refuse (h, err, path,
                             "bind mounts are not allowed by host policy (`%s.types`)", CONTROL);
  if (source == NULL || source->type != HS_JSON_STRING || source->str[0] == '\0')
    return hs_harden_refuse (h, err, path, "a bind mount needs a `source`");
  if (hs_mount_is_recursive (opts))
    flags |= HS_SOURCE_RECURSIVE;
  if (opts && hs_json_array_find_string (opts, "src-nofollow") >= 0)
    flags |= HS_SOURCE_NOFOLLOW;
  r = judge (h, rules, sp, "bind mount of host path", source->str, HS_SOURCE_BIND, flags, &v, err);
  if (r == 0 && v.refused == NULL && !v.own_mount)
    {
      pin (h, m, "source", sp, v.resolved,
           "bind source replaced by its resolved path (host policy)");
      if (v.readonly != NULL)
        {
          *ret_ro = true;
          *ret_rro = v.readonly_below && (flags & HS_SOURCE_RECURSIVE);
        }
    }
  hs_source_verdict_release (&v);
  return r;
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
  char path[64];
  bool bind, ro = false, system_ro = false, system_rro = false;
  int r;

  snprintf (path, sizeof (path), "mounts[%zu]", i);
  if (m->type != HS_JSON_OBJECT)
    return hs_harden_refuse (h, err, path, "a mount must be an object");
  if (dest == NULL || dest->type != HS_JSON_STRING)
    return hs_harden_refuse (h, err, path, "a mount needs a string `destination`");
  if ((type != NULL && type->type != HS_JSON_STRING && type->type != HS_JSON_NULL)
      || (source != NULL && source->type != HS_JSON_STRING && source->type != HS_JSON_NULL))
    return hs_harden_refuse (h, err, path, "`type` and `source` must be strings");
  if (type != NULL && type->type == HS_JSON_NULL)
    type = NULL;
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
  bind = hs_mount_is_bind (type, opts);

  for (size_t j = 0; opts && j < opts->len; j++)
    if (hs_strlist_has (&rules->propagation, opts->items[j]->str))
      {
        cleanup_free char *p = hs_xasprintf ("%s.options[%zu]", path, j);
        r = hs_harden_refuse (h, err, p,
                              "`%s` mount propagation to %s is not allowed by host policy "
                              "(mounts made in the container would reach the host)",
                              opts->items[j]->str, dest->str);
        if (r < 0)
          return r;
      }
  if ((r = check_idmap (h, path, m, opts, err)) < 0)
    return r;
  {
    /* remount changes the flags of what is already mounted at the
     * destination (a read-only bind made writable again, with bind; the
     * host filesystem's superblock, without) instead of mounting anything */
    long j = opts ? hs_json_array_find_string (opts, "remount") : -1;
    if (j >= 0)
      {
        cleanup_free char *p = hs_xasprintf ("%s.options[%ld]", path, j);
        if ((r = hs_harden_refuse (h, err, p,
                                   "`remount` at %s is not allowed by host policy (it would change "
                                   "the flags of what is mounted there, such as a read-only bind)",
                                   dest->str))
            < 0)
          return r;
      }
  }

  if (bind)
    {
      if ((r = check_bind (h, rules, path, m, source, opts, &system_ro, &system_rro, err)) < 0)
        return r;
    }
  else if (!hs_strlist_has (&rules->types, type->str))
    {
      cleanup_free char *known = type_list (&rules->types);
      cleanup_free char *p = hs_xasprintf ("%s.type", path);
      return hs_harden_refuse (h, err, p,
                               "mount type `%s` at %s is not allowed by host policy (allowed: %s; "
                               "`%s.types`)",
                               type->str, dest->str, known, CONTROL);
    }
  else if (strcmp (type->str, "overlay") == 0
           && (r = check_overlay (h, rules, path, opts, err)) < 0)
    return r;
  else if ((type_is (type, "proc") && strcmp (cdest, "/proc") != 0)
           || (type_is (type, "sysfs") && strcmp (cdest, "/sys") != 0))
    {
      /* the runtime masks linux.maskedPaths at /proc and /sys only: a
       * second instance elsewhere shows all they hide */
      cleanup_free char *p = hs_xasprintf ("%s.destination", path);
      return hs_harden_refuse (h, err, p,
                               "a %s mount at %s is not allowed: %s is the only place the runtime "
                               "masks what masked_paths hides",
                               type->str, dest->str, type_is (type, "proc") ? "/proc" : "/sys");
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
    cleanup_free char *why = NULL;

    if (bind)
      {
        changed = ensure_option (opts, "nosuid", "suid") || changed;
        changed = ensure_option (opts, "nodev", "dev") || changed;
      }
    if (ro || system_ro)
      changed = ensure_option (opts, "ro", "rw") || changed;
    if (system_rro)
      changed = ensure_option (opts, "rro", "rrw") || changed;
    why = hs_xasprintf ("%s%s%s%s at %s (host policy)", bind ? "nosuid,nodev on a bind mount" : "",
                        bind && (ro || system_ro) ? "; " : "", ro || system_ro ? "read-only" : "",
                        system_ro ? " (its source lies in a host system tree)" : "", dest->str);
    if (changed)
      hs_harden_change (h, p, before, opts, "%s", why);
  }
  return 0;
}

static int
check_rootfs (hs_harden_t *h, const rules_t *rules, hs_error_t *err)
{
  hs_json_t *root = hs_json_get (h->spec, "root");
  hs_json_t *path = root && root->type == HS_JSON_OBJECT ? hs_json_get (root, "path") : NULL;
  hs_source_verdict_t v;
  int r;

  if (path == NULL || path->type != HS_JSON_STRING)
    return 0; /* spec validation requires root.path */
  /* both runtimes bind the rootfs recursively */
  r = judge (h, rules, "root.path", "rootfs", path->str, HS_SOURCE_ROOTFS, HS_SOURCE_RECURSIVE, &v,
             err);
  if (r == 0 && v.refused == NULL && !v.own_mount)
    {
      /* a bundle-relative rootfs stays relative unless a symlink leads elsewhere */
      cleanup_free char *joined = NULL, *clean = NULL;
      const char *bundle = rules->sources.bundle;
      if (path->str[0] != '/' && bundle != NULL && bundle[0] == '/')
        {
          joined = hs_xasprintf ("%s/%s", bundle, path->str);
          clean = hs_path_clean (joined);
        }
      if (path->str[0] == '/' || (clean != NULL && strcmp (clean, v.resolved) != 0))
        pin (h, root, "path", "root.path", v.resolved,
             "root.path replaced by its resolved path (host policy)");
    }
  hs_source_verdict_release (&v);
  return r;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  rules_t rules = {
    .types = { NULL, default_types },
    .propagation = { NULL, default_propagation },
  };
  hs_json_t *mounts = hs_json_get (h->spec, "mounts");
  hs_json_t *prop = hs_json_path (h->spec, "linux", "rootfsPropagation", NULL);
  int r = 0;

  if (settings != NULL)
    {
      rules.types.arr = hs_json_get_exact (settings, "types");
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
  hs_source_rules_init (&rules.sources, h, settings);
  r = check_rootfs (h, &rules, err);
  for (size_t i = 0; r == 0 && mounts && mounts->type == HS_JSON_ARRAY && i < mounts->len; i++)
    r = check_mount (h, &rules, i, mounts->items[i], err);
  hs_source_rules_release (&rules.sources);
  return r;
}

const hs_control_t hs_control_mounts = {
  .name = CONTROL,
  .summary = "mount types allowlisted; host paths judged by identity; binds nosuid,nodev, "
             "read-only below system trees",
  .doc
  = "Every mount's type must be in `types`; a bind mount (a bind or rbind option,\n"
    "type bind, or no type) counts as \"bind\". Every host path a mount names is\n"
    "resolved as the kernel will (symlinks followed, a missing tail kept as text)\n"
    "and judged by what it is: every host path at which the same object is seen\n"
    "(a Docker volume bound from device=/ is /), and for an rbind every mount below\n"
    "it. A path is refused when such a name equals or contains a `deny_sources`\n"
    "path, equals, contains or lies under a `deny_source_trees` path or hardshim's\n"
    "own state directory, policy directory, audit log, binary or runtime, has a file\n"
    "name in `deny_socket_names` (or is a directory holding one), is on a\n"
    "`deny_source_fstypes` filesystem, or is a device node. A bind whose source\n"
    "lies under a `readonly_trees` path gets `ro` (and `rro` when a mount below it\n"
    "does); the rootfs and an overlay upperdir/workdir there are refused. The paths\n"
    "of an overlay mount (lowerdir layers, upperdir, workdir, lowerdir+, datadir+,\n"
    "with the kernel's escapes) are judged the same way; relative ones and options\n"
    "overlayfs does not have are refused. root.path is judged like an rbind source.\n"
    "An admitted bind's source (and an absolute root.path) is replaced by its\n"
    "resolved path, so a symlink changed after the check cannot redirect it.\n"
    "Bind mounts get nosuid and nodev (suid/dev options are removed). A mount may\n"
    "not carry uidMappings/gidMappings other than the container's own, nor\n"
    "idmap=/ridmap= mappings, nor `remount`. Mount options and\n"
    "linux.rootfsPropagation naming a `deny_propagation` mode are refused. Mounts\n"
    "at or below /sys, sysfs and cgroup mounts, and proc mounts other than the one\n"
    "at /proc get `ro`.\n"
    "Settings (arrays replace the defaults):\n"
    "  types                default bind, proc, sysfs, tmpfs, devpts, mqueue, cgroup,\n"
    "                       cgroup2, overlay\n"
    "  deny_sources         clean absolute paths; default /, /bin, /etc, /lib, /lib32,\n"
    "                       /lib64, /libx32, /sbin, /usr, /var/lib/kubelet,\n"
    "                       /var/lib/docker, /var/lib/containerd, /var/lib/containers,\n"
    "                       /run/docker, /run/containerd, /run/netns (and /var/run/...)\n"
    "                       and the engine sockets under /run and /var/run\n"
    "  deny_source_trees    default /boot, /dev, /proc, /sys, /root, /etc/shadow(-),\n"
    "                       /etc/gshadow(-), /etc/sudoers(.d), /etc/sudo.conf, cron\n"
    "                       (/etc/crontab, /etc/cron.*, /etc/anacrontab, /var/spool/cron),\n"
    "                       systemd units (/etc/systemd, /lib/systemd, /usr/lib/systemd),\n"
    "                       /run/systemd/private, /run/dbus/system_bus_socket, /etc/ssh,\n"
    "                       /etc/ssl/private, /etc/security, /etc/pam.d, /etc/polkit-1,\n"
    "                       /etc/ld.so.preload, /etc/ld.so.conf.d, /etc/docker,\n"
    "                       /etc/containerd, /etc/containers, /etc/crio, /etc/kubernetes,\n"
    "                       /etc/hardshim, /run/hardshim\n"
    "  deny_socket_names    default docker.sock, containerd.sock, containerd.sock.ttrpc,\n"
    "                       crio.sock, podman.sock\n"
    "  readonly_trees       default /bin, /etc, /lib, /lib32, /lib64, /libx32, /sbin, /usr\n"
    "  deny_source_fstypes  default autofs, binfmt_misc, bpf, cgroup, cgroup2, configfs,\n"
    "                       debugfs, devpts, devtmpfs, efivarfs, fusectl, mqueue, nfsd,\n"
    "                       nsfs, proc, pstore, rpc_pipefs, securityfs, selinuxfs, sysfs,\n"
    "                       tracefs\n"
    "  deny_propagation     subset of shared, rshared, slave, rslave; default shared, rshared\n",
  .validate = validate,
  .apply = apply,
};

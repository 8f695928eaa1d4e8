#include "harden/mount_sources.h"
#include "cleanup.h"
#include "config.h"
#include "harden/judged_paths.h"
#include "hostpath.h"
#include "idmap.h"
#include "mountinfo.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The path itself and any parent of it are refused. */
static const char *const default_sources[] = {
  "/",
  "/bin",
  "/etc",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/sbin",
  "/usr",
  "/var/lib/kubelet",
  "/var/lib/docker",
  "/var/lib/containerd",
  "/var/lib/containers",
  "/run/docker",
  "/var/run/docker",
  "/run/containerd",
  "/var/run/containerd",
  "/run/netns",
  "/var/run/netns",
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
/* The path, its parents and everything below it are refused: kernel and
 * boot trees, root's home, secrets, what runs as root on a schedule or at
 * login, the engines' and hardshim's configuration and the buses that
 * speak to root. */
static const char *const default_trees[] = {
  "/boot",
  "/dev",
  "/proc",
  "/sys",
  "/root",
  "/etc/shadow",
  "/etc/shadow-",
  "/etc/gshadow",
  "/etc/gshadow-",
  "/etc/sudoers",
  "/etc/sudoers.d",
  "/etc/sudo.conf",
  "/etc/crontab",
  "/etc/cron.d",
  "/etc/cron.hourly",
  "/etc/cron.daily",
  "/etc/cron.weekly",
  "/etc/cron.monthly",
  "/etc/anacrontab",
  "/var/spool/cron",
  "/etc/systemd",
  "/lib/systemd",
  "/usr/lib/systemd",
  "/run/systemd/private",
  "/run/dbus/system_bus_socket",
  "/etc/ssh",
  "/etc/ssl/private",
  "/etc/security",
  "/etc/pam.d",
  "/etc/polkit-1",
  "/etc/ld.so.preload",
  "/etc/ld.so.conf.d",
  "/etc/docker",
  "/etc/containerd",
  "/etc/containers",
  "/etc/crio",
  "/etc/kubernetes",
  "/etc/hardshim",
  "/run/hardshim",
  NULL,
};
/* Any bind source with this file name is refused, wherever it is, and so
 * is a directory that holds one. */
static const char *const default_sockets[] = {
  "docker.sock", "containerd.sock", "containerd.sock.ttrpc", "crio.sock", "podman.sock", NULL,
};
/* Host system trees: a bind below one is made read-only. */
static const char *const default_readonly[] = {
  "/bin", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/usr", NULL,
};
/* Kernel interfaces: a source on one of these is refused. */
static const char *const default_fstypes[] = {
  "autofs",     "binfmt_misc", "bpf",       "cgroup", "cgroup2", "configfs", "debugfs", "devpts",
  "devtmpfs",   "efivarfs",    "fusectl",   "mqueue", "nfsd",    "nsfs",     "proc",    "pstore",
  "rpc_pipefs", "securityfs",  "selinuxfs", "sysfs",  "tracefs", NULL,
};

/* Resolved parents, shared by the entries of every list: dozens of paths
 * live under a few directories, and each create resolves them all. */
typedef struct
{
  struct prefix
  {
    uint32_t hash; /* compared first: the scan then costs little */
    char *from, *to;
  } * v;
  size_t n, cap;
} prefixes_t;

static void
prefixes_release (prefixes_t *c)
{
  for (size_t i = 0; i < c->n; i++)
    {
      free (c->v[i].from);
      free (c->v[i].to);
    }
  free (c->v);
}

static uint32_t
fnv1a (const char *s)
{
  uint32_t h = 2166136261u;

  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 16777619u;
  return h;
}

/* dir + "/" + name, without a double slash below / */
static char *
child_of (const char *dir, const char *name)
{
  size_t nd = strcmp (dir, "/") == 0 ? 0 : strlen (dir), nn = strlen (name);
  char *out = hs_xmalloc (nd + nn + 2);

  memcpy (out, dir, nd);
  out[nd] = '/';
  memcpy (out + nd + 1, name, nn + 1);
  return out;
}

/* A clean absolute `path` with its symlinks resolved, as
 * hs_path_resolve_host does (a missing tail is text), one lstat per
 * component not seen before. */
static char *
resolve_cached (prefixes_t *c, const char *path, int depth)
{
  cleanup_free char *parent = NULL, *rp = NULL, *cand = NULL;
  const char *slash = strrchr (path, '/');
  uint32_t hash = fnv1a (path);
  char target[PATH_MAX];
  struct stat st;
  ssize_t n;
  char *r;

  if (strcmp (path, "/") == 0)
    return hs_xstrdup ("/");
  for (size_t i = 0; i < c->n; i++)
    if (c->v[i].hash == hash && strcmp (c->v[i].from, path) == 0)
      return hs_xstrdup (c->v[i].to);
  parent = slash == path ? hs_xstrdup ("/") : hs_xstrndup (path, (size_t) (slash - path));
  rp = resolve_cached (c, parent, depth);
  cand = child_of (rp, slash + 1);
  if (depth < 40 && lstat (cand, &st) == 0 && S_ISLNK (st.st_mode)
      && (n = readlink (cand, target, sizeof (target) - 1)) > 0)
    {
      cleanup_free char *joined = NULL, *clean = NULL;

      target[n] = '\0';
      joined = target[0] == '/' ? hs_xstrdup (target) : child_of (rp, target);
      clean = hs_path_clean (joined);
      r = resolve_cached (c, clean, depth + 1);
    }
  else
    r = TAKE_PTR (cand); /* a directory, a file, or text that does not exist */
  c->v = hs_xgrow (c->v, &c->cap, c->n + 1, sizeof (*c->v));
  c->v[c->n++] = (struct prefix){ hash, hs_xstrdup (path), r };
  return hs_xstrdup (r);
}

/* Each list entry with its symlinks resolved, where that differs. */
static char **
resolve_list (prefixes_t *c, const hs_strlist_t *l, size_t *ret_n)
{
  size_t n = hs_strlist_len (l), k = 0;
  char **out = hs_xcalloc (n + 1, sizeof (*out));

  for (size_t i = 0; i < n; i++)
    {
      char *r = resolve_cached (c, hs_strlist_at (l, i), 0);
      if (strcmp (r, hs_strlist_at (l, i)) == 0)
        free (r);
      else
        out[k++] = r;
    }
  *ret_n = k;
  return out;
}

static void
add_own (hs_source_rules_t *r, prefixes_t *c, const char *path)
{
  cleanup_free char *clean = NULL;

  if (path == NULL || path[0] != '/')
    return;
  clean = hs_path_clean (path);
  r->own = hs_xrealloc (r->own, (r->n_own + 2) * sizeof (*r->own));
  /* `..` after a symlink is the kernel's business: the whole walk then */
  r->own[r->n_own++] = strstr (path, "/..") != NULL ? hs_path_resolve_host (path, NULL)
                                                    : resolve_cached (c, clean, 0);
  r->own[r->n_own] = NULL;
}

void
hs_source_rules_init (hs_source_rules_t *r, hs_harden_t *h, const hs_json_t *settings)
{
  const hs_policy_t *p = h->policy;
  cleanup_free char *self = NULL;
  __attribute__ ((cleanup (prefixes_release))) prefixes_t c = { 0 };

  memset (r, 0, sizeof (*r));
  r->sources = (hs_strlist_t){ NULL, default_sources };
  r->trees = (hs_strlist_t){ NULL, default_trees };
  r->sockets = (hs_strlist_t){ NULL, default_sockets };
  r->readonly = (hs_strlist_t){ NULL, default_readonly };
  r->fstypes = (hs_strlist_t){ NULL, default_fstypes };
  if (settings != NULL)
    {
      r->sources.arr = hs_json_get_exact (settings, "deny_sources");
      r->trees.arr = hs_json_get_exact (settings, "deny_source_trees");
      r->sockets.arr = hs_json_get_exact (settings, "deny_socket_names");
      r->readonly.arr = hs_json_get_exact (settings, "readonly_trees");
      r->fstypes.arr = hs_json_get_exact (settings, "deny_source_fstypes");
    }
  r->resolved_sources = resolve_list (&c, &r->sources, &r->n_sources);
  r->resolved_trees = resolve_list (&c, &r->trees, &r->n_trees);
  r->resolved_readonly = resolve_list (&c, &r->readonly, &r->n_readonly);

  /* hardshim's own, whatever the lists say: its state, policy, audit log,
   * binary and the runtime it execs */
  add_own (r, &c, p->state_dir);
  add_own (r, &c, HS_POLICY_DIR);
  /* the file main read the policy from instead (the same variable) */
  add_own (r, &c, secure_getenv ("HARDSHIM_POLICY"));
  add_own (r, &c, p->audit_log);
  self = realpath ("/proc/self/exe", NULL);
  add_own (r, &c, self);
  r->have_self = stat ("/proc/self/exe", &r->self) == 0;
  if (h->ctr != NULL && h->ctr->runtime != NULL)
    {
      add_own (r, &c, h->ctr->runtime);
      r->have_runtime = stat (h->ctr->runtime, &r->runtime) == 0;
    }
  r->state_dir = hs_xstrdup (r->n_own > 0 ? r->own[0] : p->state_dir);
  r->bundle = h->ctr != NULL && h->ctr->bundle != NULL ? h->ctr->bundle
              : h->audit != NULL                       ? h->audit->bundle
                                                       : NULL;
  {
    struct stat st;
    /* `hardshimctl check FILE` names the config itself: its directory is the bundle */
    if (r->bundle != NULL && stat (r->bundle, &st) == 0 && !S_ISDIR (st.st_mode))
      {
        const char *slash = strrchr (r->bundle, '/');
        r->bundle_dir = slash == NULL ? hs_xstrdup (".")
                        : slash == r->bundle
                            ? hs_xstrdup ("/")
                            : hs_xstrndup (r->bundle, (size_t) (slash - r->bundle));
        r->bundle = r->bundle_dir;
      }
  }
}

static void
free_strv (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

void
hs_source_rules_release (hs_source_rules_t *r)
{
  free_strv (r->resolved_sources, r->n_sources);
  free_strv (r->resolved_trees, r->n_trees);
  free_strv (r->resolved_readonly, r->n_readonly);
  free_strv (r->own, r->n_own);
  free (r->state_dir);
  free (r->bundle_dir);
  memset (r, 0, sizeof (*r));
}

void
hs_source_verdict_release (hs_source_verdict_t *v)
{
  free (v->resolved);
  free (v->refused);
  free (v->readonly);
  memset (v, 0, sizeof (*v));
}

static const char *
base_name (const char *p)
{
  const char *s = strrchr (p, '/');
  return s ? s + 1 : p;
}

/* Why the host path `name` is sensitive, or NULL. */
static char *
sensitive (const hs_source_rules_t *r, const char *name, bool whole)
{
  for (size_t i = 0, n = hs_strlist_len (&r->sources); i < n + r->n_sources; i++)
    {
      const char *d = i < n ? hs_strlist_at (&r->sources, i) : r->resolved_sources[i - n];
      if (hs_path_is_under (d, name))
        return hs_xasprintf (strcmp (d, name) == 0 ? "it is the sensitive host path %s"
                                                   : "it contains the sensitive host path %s",
                             d);
    }
  for (size_t i = 0, n = hs_strlist_len (&r->trees); i < n + r->n_trees; i++)
    {
      const char *d = i < n ? hs_strlist_at (&r->trees, i) : r->resolved_trees[i - n];
      if (hs_path_is_under (d, name) || hs_path_is_under (name, d))
        return hs_xasprintf ("it is or lies under or contains the sensitive host path %s", d);
    }
  for (size_t i = 0; i < r->n_own; i++)
    if (hs_path_is_under (r->own[i], name) || hs_path_is_under (name, r->own[i]))
      return hs_xasprintf ("it is or lies under or contains hardshim's own %s", r->own[i]);
  if (!whole && hs_strlist_has (&r->sockets, base_name (name)))
    return hs_xasprintf ("it is a container engine socket (%s)", base_name (name));
  return NULL;
}

/* The system tree the host path `name` lies in, or NULL. */
static const char *
readonly_tree (const hs_source_rules_t *r, const char *name)
{
  for (size_t i = 0, n = hs_strlist_len (&r->readonly); i < n + r->n_readonly; i++)
    {
      const char *d = i < n ? hs_strlist_at (&r->readonly, i) : r->resolved_readonly[i - n];
      if (hs_path_is_under (name, d))
        return d;
    }
  return NULL;
}

/* An identity that no name can hide: hardshim's or the runtime's binary
 * (a hard link, a bind-mounted copy), a device node, an engine socket in
 * a directory. */
static char *
sensitive_object (const hs_source_rules_t *r, const hs_hostpath_t *p)
{
  if (p->missing[0] != '\0')
    return NULL;
  if (r->have_self && p->st.st_dev == r->self.st_dev && p->st.st_ino == r->self.st_ino)
    return hs_xstrdup ("it is hardshim's own binary");
  if (r->have_runtime && p->st.st_dev == r->runtime.st_dev && p->st.st_ino == r->runtime.st_ino)
    return hs_xstrdup ("it is the container runtime's binary");
  if (S_ISCHR (p->st.st_mode) || S_ISBLK (p->st.st_mode))
    return hs_xstrdup ("it is a device node (devices belong in linux.devices, where the "
                       "device allowlist judges them)");
  if (S_ISDIR (p->st.st_mode))
    for (size_t i = 0, n = hs_strlist_len (&r->sockets); i < n; i++)
      {
        cleanup_free char *s = hs_xasprintf ("%s/%s", p->path, hs_strlist_at (&r->sockets, i));
        struct stat st;

        if (lstat (s, &st) == 0 && S_ISSOCK (st.st_mode))
          return hs_xasprintf ("it holds the container engine socket %s", s);
      }
  return NULL;
}

int
hs_source_judge (hs_harden_t *h, const hs_source_rules_t *rules, const char *path,
                 hs_source_role_t role, int flags, hs_source_verdict_t *ret, hs_error_t *err)
{
  const hs_mountinfo_t *mi = NULL;
  hs_hostname_t *names = NULL;
  size_t n = 0;
  hs_hostpath_t p;
  cleanup_error hs_error_t e = NULL;
  hs_source_verdict_t v = { 0 };

  if (hs_hostpath_resolve (path, rules->bundle,
                           (flags & HS_SOURCE_NOFOLLOW) ? HS_HOSTPATH_NOFOLLOW : 0, &p, &e)
      < 0)
    {
      v.refused = hs_xasprintf ("hardshim cannot tell what it is: %s", e->msg);
      *ret = v;
      return 0;
    }
  v.resolved = hs_xstrdup (p.path);
  v.replaceable = p.replaceable;
  /* a control that mounts it itself later must find this same object */
  hs_judged_add (h, &p);
  /* A config hardened before and checked again as a bare tree carries the
   * idmapped mounts hardshim made for its container; a create puts the
   * engine's paths back before any control runs (hs_userns_restore), so
   * there such a path is refused like the rest of the state directory. */
  if (h->ctr == NULL && hs_idmap_path_is_ours (rules->state_dir, p.path))
    {
      v.own_mount = true;
      hs_hostpath_release (&p);
      *ret = v;
      return 0;
    }
  if (hs_harden_mountinfo (h, &mi, err) < 0)
    {
      hs_hostpath_release (&p);
      hs_source_verdict_release (&v);
      return -1;
    }
  v.refused = sensitive_object (rules, &p);
  /* Pinning it to where the symlink leads now would pin what that user
   * chose, at a moment of their choosing (renaming it in and out while
   * hardshim works). */
  if (v.refused == NULL && p.redirectable)
    v.refused = hs_xstrdup ("it leads through a symlink that a host user other than root can "
                            "replace or re-point, so where it leads is theirs to choose (name "
                            "the path it resolves to)");
  if (v.refused == NULL
      && hs_hostpath_names (&p, mi, (flags & HS_SOURCE_RECURSIVE) != 0, &names, &n, &e) < 0)
    v.refused = hs_xasprintf ("hardshim cannot tell what it is: %s", e->msg);
  for (size_t i = 0; v.refused == NULL && i < n; i++)
    {
      const hs_hostname_t *nm = &names[i];
      cleanup_free char *why = NULL;
      const char *ro;

      /* hardshim's own idmapped mount of this source for another
       * container: the same files, not a way into hardshim's state */
      if (i > 0 && hs_idmap_path_is_ours (rules->state_dir, nm->via->point))
        continue;
      why = sensitive (rules, nm->path, nm->whole);
      if (why == NULL && hs_strlist_has (&rules->fstypes, nm->via->fstype))
        why = hs_xasprintf ("it is on a %s filesystem, a kernel interface", nm->via->fstype);
      if (why != NULL)
        v.refused = i == 0 ? TAKE_PTR (why)
                           : hs_xasprintf ("it is the host path %s underneath (the mount at %s "
                                           "shows it): %s",
                                           nm->path, nm->via->point, why);
      else if ((ro = readonly_tree (rules, nm->path)) != NULL && v.readonly == NULL)
        {
          v.readonly = hs_xstrdup (ro);
          v.readonly_below = nm->whole;
        }
      else if (ro != NULL && nm->whole)
        v.readonly_below = true;
    }
  if (v.refused == NULL && v.readonly != NULL
      && (role == HS_SOURCE_ROOTFS || role == HS_SOURCE_UPPER))
    v.refused = hs_xasprintf ("it lies in the host system tree %s, which the container would "
                              "write",
                              v.readonly);
  hs_hostnames_free (names, n);
  hs_hostpath_release (&p);
  *ret = v;
  return 0;
}

/* userns: container root is never host root. Each container runs in a user
 * namespace whose ids map to an unprivileged block of host ids, its own
 * (`auto`) or one for all (`shared`); the rootfs and bind volumes are
 * idmapped so files keep their owners inside. See doc/userns.md. */
#include "harden/controls.h"
#include "cleanup.h"
#include "fileio.h"
#include "idmap.h"
#include "registry.h"
#include "sha256.h"
#include "userns_alloc.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONTROL "userns"
#define DEFAULT_SIZE 65536ULL
#define DEFAULT_USER "hardshim"

extern char **environ;

/* The spelling (auto, shared) beside the generic modes. */
static const hs_mode_name_t modes[] = {
  { "auto", HS_CTL_ENFORCE },   { "shared", HS_CTL_ENFORCE }, { "enforce", HS_CTL_ENFORCE },
  { "reject", HS_CTL_REJECT },  { "audit", HS_CTL_AUDIT },    { "off", HS_CTL_OFF },
  { NULL, 0 },
};
static const char *const keys[]
    = { "size", "user", "ranges", "host_root", "ownership", "volumes", NULL };

typedef struct
{
  bool shared;
  unsigned long long size;
  const char *user;
  const hs_json_t *ranges;
  bool replace_host_root;
  const char *ownership; /* auto, idmap, none */
  const char *volumes;   /* auto, idmap, none */
} settings_t;

static int
get_uint (const hs_json_t *v, const char *path, unsigned long long max, unsigned long long *ret,
          hs_error_t *err)
{
  char *end = NULL;

  if (v == NULL || v->type != HS_JSON_NUMBER || v->str[0] < '0' || v->str[0] > '9')
    return hs_error_make (err, 0, "policy key `%s`: expected an integer from 0 to %llu", path,
                          max);
  errno = 0;
  *ret = strtoull (v->str, &end, 10);
  if (errno != 0 || *end != '\0' || *ret > max)
    return hs_error_make (err, 0, "policy key `%s`: expected an integer from 0 to %llu", path,
                          max);
  return 0;
}

static int
get_choice (const hs_json_t *s, const char *key, const char *const *allowed, const char **ret,
            hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (s, key);

  *ret = allowed[0];
  if (v == NULL)
    return 0;
  for (size_t i = 0; v->type == HS_JSON_STRING && allowed[i]; i++)
    if (strcmp (v->str, allowed[i]) == 0)
      {
        *ret = allowed[i];
        return 0;
      }
  return hs_error_make (err, 0, "policy key `%s.%s`: expected one of %s, %s%s%s", CONTROL, key,
                        allowed[0], allowed[1], allowed[2] ? ", " : "",
                        allowed[2] ? allowed[2] : "");
}

static int
read_settings (const hs_json_t *s, settings_t *ret, hs_error_t *err)
{
  static const char *const host_root[] = { "refuse", "replace", NULL };
  static const char *const how[] = { "auto", "idmap", "none", NULL };
  const char *mode = hs_settings_mode_name (s), *hr = NULL;
  const hs_json_t *v;
  int r;

  memset (ret, 0, sizeof (*ret));
  ret->shared = mode != NULL && strcmp (mode, "shared") == 0;
  ret->size = DEFAULT_SIZE;
  ret->user = DEFAULT_USER;
  if ((r = hs_settings_check_keys (s, CONTROL, keys, err)) < 0)
    return r;
  if ((v = hs_json_get_exact (s, "size")) != NULL)
    {
      if ((r = get_uint (v, CONTROL ".size", HS_ID_MAX, &ret->size, err)) < 0)
        return r;
      if (ret->size == 0)
        return hs_error_make (err, 0, "policy key `%s.size`: must be at least 1", CONTROL);
    }
  if ((v = hs_json_get_exact (s, "user")) != NULL)
    {
      if (v->type != HS_JSON_STRING || v->len == 0 || strpbrk (v->str, ":\n") != NULL)
        return hs_error_make (err, 0, "policy key `%s.user`: expected a user name", CONTROL);
      ret->user = v->str;
    }
  if ((v = hs_json_get_exact (s, "ranges")) != NULL)
    {
      if (v->type != HS_JSON_ARRAY || v->len == 0)
        return hs_error_make (err, 0,
                              "policy key `%s.ranges`: expected a non-empty array of "
                              "{\"start\": N, \"size\": N}",
                              CONTROL);
      for (size_t i = 0; i < v->len; i++)
        {
          const hs_json_t *e = v->items[i];
          cleanup_free char *p = hs_xasprintf ("%s.ranges[%zu]", CONTROL, i);
          unsigned long long start, size;

          if (e->type != HS_JSON_OBJECT || e->len != 2 || !hs_json_get_exact (e, "start")
              || !hs_json_get_exact (e, "size"))
            return hs_error_make (err, 0, "policy key `%s`: expected {\"start\": N, \"size\": N}",
                                  p);
          if ((r = get_uint (hs_json_get_exact (e, "start"), p, HS_ID_MAX, &start, err)) < 0
              || (r = get_uint (hs_json_get_exact (e, "size"), p, HS_ID_MAX, &size, err)) < 0)
            return r;
          /* Host root is never handed out, and ids end below (uid_t) -1. */
          if (start == 0 || size == 0 || start + size > HS_ID_MAX)
            return hs_error_make (err, 0,
                                  "policy key `%s`: the range must start above 0, be non-empty "
                                  "and end below %llu",
                                  p, HS_ID_MAX);
        }
      ret->ranges = v;
    }
  if ((r = get_choice (s, "host_root", host_root, &hr, err)) < 0
      || (r = get_choice (s, "ownership", how, &ret->ownership, err)) < 0
      || (r = get_choice (s, "volumes", how, &ret->volumes, err)) < 0)
    return r;
  ret->replace_host_root = strcmp (hr, "replace") == 0;
  return 0;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  settings_t s;

  return read_settings (settings, &s, err);
}

static int
load_pool (const settings_t *s, hs_idpool_t *ret, hs_error_t *err)
{
  memset (ret, 0, sizeof (*ret));
  if (s->ranges != NULL)
    {
      for (size_t i = 0; i < s->ranges->len; i++)
        {
          const hs_json_t *e = s->ranges->items[i];
          hs_idpool_add (ret, strtoull (hs_json_get_exact (e, "start")->str, NULL, 10),
                         strtoull (hs_json_get_exact (e, "size")->str, NULL, 10));
        }
      return 0;
    }
  if (hs_idpool_from_subid ("/etc/subuid", "/etc/subgid", s->user, ret, err) < 0)
    return -1;
  if (ret->n == 0 && strcmp (s->user, DEFAULT_USER) == 0)
    {
      hs_idpool_t u = { 0 }, g = { 0 };
      bool configured;

      /* entries in only one file are a mistake to report, not a reason
       * to fall back to the built-in range */
      if (hs_idpool_from_subid ("/etc/subuid", "/etc/subuid", s->user, &u, err) < 0)
        return -1;
      if (hs_idpool_from_subid ("/etc/subgid", "/etc/subgid", s->user, &g, err) < 0)
        {
          hs_idpool_release (&u);
          return -1;
        }
      configured = u.n > 0 || g.n > 0;
      hs_idpool_release (&u);
      hs_idpool_release (&g);
      if (!configured)
        return hs_idpool_default ("/etc/subuid", "/etc/subgid", ret, err);
    }
  return 0;
}

/* The host id container id `cid` maps to, or -1 if unmapped / malformed. */
static long long
mapped (const hs_json_t *maps, unsigned long long cid)
{
  for (size_t i = 0; maps && maps->type == HS_JSON_ARRAY && i < maps->len; i++)
    {
      const hs_json_t *m = maps->items[i];
      const hs_json_t *c = hs_json_get_type (m, "containerID", HS_JSON_NUMBER);
      const hs_json_t *h = hs_json_get_type (m, "hostID", HS_JSON_NUMBER);
      const hs_json_t *n = hs_json_get_type (m, "size", HS_JSON_NUMBER);
      unsigned long long cv, hv, nv;

      if (!c || !h || !n)
        continue;
      cv = strtoull (c->str, NULL, 10);
      hv = strtoull (h->str, NULL, 10);
      nv = strtoull (n->str, NULL, 10);
      if (cid >= cv && cid - cv < nv)
        return (long long) (hv + (cid - cv));
    }
  return -1;
}

/* Does any entry map some container id onto host id 0? */
static bool
maps_host_root (const hs_json_t *maps)
{
  for (size_t i = 0; maps && maps->type == HS_JSON_ARRAY && i < maps->len; i++)
    {
      const hs_json_t *h = hs_json_get_type (maps->items[i], "hostID", HS_JSON_NUMBER);
      const hs_json_t *n = hs_json_get_type (maps->items[i], "size", HS_JSON_NUMBER);

      if (h && n && strtoull (h->str, NULL, 10) == 0 && strtoull (n->str, NULL, 10) > 0)
        return true;
    }
  return false;
}

static hs_json_t *
one_mapping (unsigned long long host, unsigned long long size)
{
  hs_json_t *arr = hs_json_new (HS_JSON_ARRAY), *m = hs_json_new (HS_JSON_OBJECT);

  hs_json_set_exact (m, "containerID", hs_json_new_uint (0));
  hs_json_set_exact (m, "hostID", hs_json_new_uint (host));
  hs_json_set_exact (m, "size", hs_json_new_uint (size));
  hs_json_append (arr, m);
  return arr;
}

static hs_json_t *
find_ns (hs_json_t *namespaces, const char *type, size_t *ret_i)
{
  for (size_t i = 0; namespaces && i < namespaces->len; i++)
    {
      const hs_json_t *t = hs_json_get_type (namespaces->items[i], "type", HS_JSON_STRING);

      if (t && strcmp (t->str, type) == 0)
        {
          if (ret_i)
            *ret_i = i;
          return namespaces->items[i];
        }
    }
  return NULL;
}

static bool
ns_has_path (const hs_json_t *ns)
{
  const hs_json_t *p = hs_json_get_type (ns, "path", HS_JSON_STRING);

  return p != NULL && p->len > 0;
}

static bool
is_rbind (const hs_json_t *m)
{
  const hs_json_t *opts = hs_json_get_type (m, "options", HS_JSON_ARRAY);

  return opts && hs_json_array_find_string (opts, "rbind") >= 0;
}

static bool
is_bind (const hs_json_t *m)
{
  const hs_json_t *type = hs_json_get_type (m, "type", HS_JSON_STRING);
  const hs_json_t *opts = hs_json_get_type (m, "options", HS_JSON_ARRAY);

  if (type && strcmp (type->str, "bind") == 0)
    return true;
  return opts
         && (hs_json_array_find_string (opts, "bind") >= 0
             || hs_json_array_find_string (opts, "rbind") >= 0);
}

/* sysfs cannot be mounted in a user namespace that does not own the
 * network namespace (runc 1.1.5 then fails the start; crun falls back to
 * a bind). Bind the host's /sys read-only instead, as crun does. */
static int
fix_sysfs (hs_harden_t *h, hs_json_t *namespaces)
{
  hs_json_t *net = find_ns (namespaces, "network", NULL);
  hs_json_t *mounts = hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY);

  if (net != NULL && !ns_has_path (net))
    return 0; /* a new netns is created inside the user namespace */
  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      hs_json_t *m = mounts->items[i];
      const hs_json_t *type = hs_json_get_type (m, "type", HS_JSON_STRING);
      cleanup_free char *path = NULL;
      hs_json_t *after, *opts;

      if (type == NULL || strcmp (type->str, "sysfs") != 0)
        continue;
      after = hs_json_dup (m);
      hs_json_set (after, "type", hs_json_new_string ("bind"));
      hs_json_set (after, "source", hs_json_new_string ("/sys"));
      opts = hs_json_new (HS_JSON_ARRAY);
      hs_json_append (opts, hs_json_new_string ("rbind"));
      hs_json_append (opts, hs_json_new_string ("nosuid"));
      hs_json_append (opts, hs_json_new_string ("noexec"));
      hs_json_append (opts, hs_json_new_string ("nodev"));
      hs_json_append (opts, hs_json_new_string ("ro"));
      /* the host's mounts below /sys come along: read-only too */
      hs_json_append (opts, hs_json_new_string ("rro"));
      hs_json_set (after, "options", opts);
      path = hs_xasprintf ("mounts[%zu]", i);
      hs_harden_change (h, path, m, after,
                        "sysfs cannot be mounted in a user namespace that does not own the "
                        "network namespace: bind the host's /sys (recursively) read-only");
      hs_json_free (m);
      mounts->items[i] = after;
    }
  return 0;
}

/* Run `runtime ARG` and return its stdout (at most 64 KiB), or NULL. */
static char *
run_capture (const char *runtime, const char *arg)
{
  char *const argv[] = { (char *) runtime, (char *) arg, NULL };
  posix_spawn_file_actions_t fa;
  cleanup_free char *buf = hs_xmalloc (65536);
  int p[2], status;
  size_t len = 0;
  ssize_t n;
  pid_t pid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return NULL;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, p[1], 1);
  posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
  if (posix_spawn (&pid, runtime, &fa, NULL, argv, environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy (&fa);
  close (p[1]);
  while (pid > 0 && len < 65535 && ((n = read (p[0], buf + len, 65535 - len)) > 0
                                    || (n < 0 && errno == EINTR)))
    if (n > 0)
      len += (size_t) n;
  close (p[0]);
  if (pid < 0)
    return NULL;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return NULL;
  buf[len] = '\0';
  return TAKE_PTR (buf);
}

/* Does the runtime apply mount uidMappings/gidMappings? runc 1.1.5 accepts
 * and ignores them, so ask: `features` (runc >= 1.2 lists
 * mountExtensions.idmap), else the version (crun >= 1.8). */
static bool
runtime_honours_mount_idmap (const char *runtime)
{
  static const hs_json_limits_t lim = { 65536, 32, false };
  cleanup_free char *out = run_capture (runtime, "features");
  cleanup_json hs_json_t *f = NULL;
  unsigned major = 0, minor = 0;

  if (out != NULL && hs_json_parse (out, strlen (out), &lim, &f, NULL) == 0)
    return hs_json_is_true (hs_json_path (f, "mountExtensions", "idmap", "enabled", NULL));
  free (out);
  out = run_capture (runtime, "--version");
  if (out == NULL)
    return false;
  if (sscanf (out, "crun version %u.%u", &major, &minor) == 2)
    return major > 1 || (major == 1 && minor >= 8);
  if (sscanf (out, "runc version %u.%u", &major, &minor) == 2)
    return major > 1 || (major == 1 && minor >= 2);
  return false;
}

/* The probe above execs the runtime (`runc features` is a Go binary:
 * milliseconds) and every create with a bind volume asks: remember the
 * answer per runtime binary (path, inode, size, mtime, ctime) under
 * <state_dir>/runtime, so only the first container pays for it. */
static bool
runtime_honours_mount_idmap_cached (const char *state_dir, const char *runtime)
{
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  cleanup_free char *key = NULL, *name = NULL, *buf = NULL;
  char digest[HS_DIGEST_LEN];
  struct stat st;
  size_t len;
  bool v;

  if (state_dir == NULL || stat (runtime, &st) < 0
      || hs_registry_lock (state_dir, "runtime", &reg, NULL) < 0)
    return runtime_honours_mount_idmap (runtime);
  key = hs_xasprintf ("mount-idmap\n%s\n%ju %ju %jd %lld.%09ld %lld.%09ld", runtime,
                      (uintmax_t) st.st_dev, (uintmax_t) st.st_ino, (intmax_t) st.st_size,
                      (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                      (long long) st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
  hs_sha256_digest (key, strlen (key), digest);
  name = hs_xasprintf ("%.64s.idmap", digest + 7);
  if (hs_read_file_at (reg.dirfd, name, 16, &buf, &len, NULL, NULL) == 0 && len == 2
      && (buf[0] == '0' || buf[0] == '1') && buf[1] == '\n')
    v = buf[0] == '1';
  else
    {
      v = runtime_honours_mount_idmap (runtime);
      (void) hs_write_file_atomic_at (reg.dirfd, name, v ? "1\n" : "0\n", 2, NULL, NULL);
    }
  hs_registry_unlock (&reg);
  return v;
}

/* Hardening for a named container (not a bare tree): allocate and mount. */
static bool
for_container (const hs_harden_t *h)
{
  return h->mode == HS_CTL_ENFORCE && h->ctr != NULL && h->ctr->id != NULL;
}

static char *
rootfs_path (const hs_harden_t *h, const char *path)
{
  if (path[0] == '/' || h->ctr->bundle == NULL)
    return hs_xstrdup (path);
  return hs_xasprintf ("%s/%s", h->ctr->bundle, path);
}

/* Make hardshim's state dirs traversable (not listable): the runtime's init
 * resolves the idmapped root.path as the container's unprivileged root. */
static void
open_state_dirs (const char *state_dir)
{
  cleanup_free char *kind = hs_xasprintf ("%s/%s", state_dir, HS_IDMAP_KIND);
  struct stat st;

  if (stat (state_dir, &st) == 0 && st.st_uid == geteuid () && (st.st_mode & 0777) == 0700)
    chmod (state_dir, 0711);
  if (stat (kind, &st) == 0 && st.st_uid == geteuid () && (st.st_mode & 0777) == 0700)
    chmod (kind, 0711);
}

/* Every directory above `path` must be searchable by others: the runtime
 * reaches the idmapped rootfs as the container's unprivileged root. */
static int
check_searchable (const char *path, hs_error_t *err)
{
  cleanup_free char *p = hs_xstrdup (path);

  for (char *slash = strrchr (p, '/'); slash != NULL && slash != p; slash = strrchr (p, '/'))
    {
      struct stat st;

      *slash = '\0';
      if (stat (p, &st) < 0)
        return hs_error_make (err, errno, "stat `%s`", p);
      if (!(st.st_mode & S_IXOTH))
        return hs_error_make (err, 0,
                              "`%s` is not searchable by others (mode %03o), but the runtime "
                              "reaches the rootfs as the container's unprivileged root",
                              p, (unsigned) (st.st_mode & 0777));
    }
  return 0;
}

typedef struct
{
  char *dir;
  int userns_fd;
  char *failure; /* why the directory could not be set up */
  unsigned vols;
} idmap_ctx_t;

static int
idmap_begin (hs_harden_t *h, idmap_ctx_t *c, unsigned long long host, unsigned long long size,
             hs_error_t *err)
{
  cleanup_free char *map = hs_xasprintf ("0 %llu %llu\n", host, size);
  const char *state = h->policy->state_dir;
  int r;

  if (c->failure != NULL)
    return hs_error_make (err, 0, "%s", c->failure);
  if (c->dir != NULL)
    return 0;
  c->dir = hs_idmap_dir_for (state, h->ctr->root, h->ctr->id);
  /* record first: a crash from here on leaves a record to reclaim */
  r = hs_idmap_record (state, h->ctr->root, h->ctr->id, c->dir, err);
  if (r == 0)
    {
      open_state_dirs (state);
      r = check_searchable (c->dir, err);
    }
  if (r == 0)
    {
      /* a retried create: drop what an earlier attempt left behind */
      hs_idmap_remove_dir (c->dir, NULL);
      r = hs_idmap_prepare_dir (c->dir, err);
    }
  if (r == 0)
    {
      c->userns_fd = hs_idmap_userns_fd (map, map, err);
      r = c->userns_fd < 0 ? c->userns_fd : 0;
    }
  if (r < 0)
    c->failure = hs_xstrdup ((*err)->msg);
  return r;
}

static int
idmap_rootfs (hs_harden_t *h, const settings_t *s, idmap_ctx_t *c, unsigned long long host,
              unsigned long long size, hs_error_t *err)
{
  hs_json_t *root = hs_json_get_type (h->spec, "root", HS_JSON_OBJECT);
  hs_json_t *path = root ? hs_json_get_type (root, "path", HS_JSON_STRING) : NULL;
  cleanup_error hs_error_t e = NULL;
  cleanup_free char *src = NULL, *target = NULL;
  int r;

  if (strcmp (s->ownership, "none") == 0 || path == NULL)
    return 0;
  if (!for_container (h))
    {
      hs_harden_note (h, "root.path", "the rootfs would be idmapped (ownership %s)",
                      s->ownership);
      return 0;
    }
  if (!hs_idmap_kernel_supported ())
    r = hs_error_make (&e, 0, "the kernel has no idmapped mounts (5.12 or later needed)");
  else
    {
      src = rootfs_path (h, path->str);
      target = NULL;
      r = idmap_begin (h, c, host, size, &e);
      if (r == 0)
        {
          target = hs_xasprintf ("%s/rootfs", c->dir);
          /* both runtimes bind the rootfs recursively */
          r = hs_idmap_mount (src, target, c->userns_fd, true, &e);
        }
    }
  if (r < 0)
    {
      if (strcmp (s->ownership, "idmap") == 0)
        return hs_harden_refuse (h, err, "root.path", "cannot idmap the rootfs: %s", e->msg);
      hs_harden_note (h, "root.path",
                      "the rootfs is not idmapped (%s): files owned by host ids outside the "
                      "container's range appear as nobody (65534) inside",
                      e->msg);
      return 0;
    }
  {
    hs_json_t *after = hs_json_new_string (target);
    hs_harden_change (h, "root.path", path, after,
                      "an idmapped mount of the rootfs, so files keep their owners inside the "
                      "user namespace");
    hs_json_set (root, "path", after);
  }
  return 0;
}

static const char *
volume_skip (const char *src)
{
  static const char *const host_trees[] = { "/proc", "/sys", "/dev", NULL };

  for (size_t i = 0; host_trees[i]; i++)
    {
      size_t n = strlen (host_trees[i]);
      if (strncmp (src, host_trees[i], n) == 0 && (src[n] == '\0' || src[n] == '/'))
        return host_trees[i];
    }
  return NULL;
}

static int
idmap_volumes (hs_harden_t *h, const settings_t *s, idmap_ctx_t *c, unsigned long long host,
               unsigned long long size, hs_error_t *err)
{
  hs_json_t *mounts = hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY);
  int honours = -1;

  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      hs_json_t *m = mounts->items[i];
      hs_json_t *src = hs_json_get_type (m, "source", HS_JSON_STRING);
      cleanup_free char *path = hs_xasprintf ("mounts[%zu]", i);
      cleanup_error hs_error_t e = NULL;
      cleanup_free char *target = NULL;
      const char *why = NULL;
      int r = 0;

      if (!is_bind (m) || src == NULL || volume_skip (src->str) != NULL)
        continue;
      if (hs_json_get (m, "uidMappings") != NULL || hs_json_get (m, "gidMappings") != NULL)
        continue; /* the engine chose the mapping */
      if (strcmp (s->volumes, "none") == 0)
        why = "volumes is none";
      else if (!for_container (h))
        {
          hs_harden_note (h, path, "bind volume `%s` would be idmapped", src->str);
          continue;
        }
      if (why == NULL && honours < 0)
        honours = h->ctr->runtime
                  && runtime_honours_mount_idmap_cached (h->policy->state_dir,
                                                         h->ctr->runtime);
      if (why == NULL && honours)
        {
          hs_json_t *after = hs_json_dup (m);
          hs_json_set (after, "uidMappings", one_mapping (host, size));
          hs_json_set (after, "gidMappings", one_mapping (host, size));
          hs_harden_change (h, path, m, after,
                            "the runtime idmaps bind volume `%s` to the container's ids",
                            src->str);
          hs_json_free (m);
          mounts->items[i] = after;
          continue;
        }
      if (why == NULL)
        {
          /* runc 1.1.5 ignores mount uidMappings: idmap it here */
          r = idmap_begin (h, c, host, size, &e);
          if (r == 0)
            {
              target = hs_xasprintf ("%s/vol%u", c->dir, c->vols++);
              r = hs_idmap_mount (src->str, target, c->userns_fd, is_rbind (m), &e);
            }
          if (r == 0)
            {
              hs_json_t *after = hs_json_new_string (target);
              cleanup_free char *sp = hs_xasprintf ("%s.source", path);
              hs_harden_change (h, sp, src, after,
                                "an idmapped mount of bind volume `%s` (the runtime ignores "
                                "mount uidMappings)",
                                src->str);
              hs_json_set (m, "source", after);
              continue;
            }
          why = e->msg;
          if (strcmp (s->volumes, "idmap") == 0)
            return hs_harden_refuse (h, err, path, "cannot idmap bind volume `%s`: %s",
                                     src->str, why);
        }
      hs_harden_note (h, path,
                      "bind volume `%s` is not idmapped (%s): files owned by host ids outside "
                      "the container's range appear as nobody (65534) inside, and container "
                      "root may be unable to write them",
                      src->str, why);
    }
  return 0;
}

/* The process's ids must exist in the namespace, or the runtime fails late
 * with a vaguer error. */
static int
check_process_ids (hs_harden_t *h, unsigned long long size, hs_error_t *err)
{
  static const char *const keys_[] = { "uid", "gid" };
  const hs_json_t *user = hs_json_path (h->spec, "process", "user", NULL);
  const hs_json_t *extra = user ? hs_json_get_type (user, "additionalGids", HS_JSON_ARRAY) : NULL;

  for (size_t i = 0; user && i < 2; i++)
    {
      const hs_json_t *v = hs_json_get_type (user, keys_[i], HS_JSON_NUMBER);

      if (v && strtoull (v->str, NULL, 10) >= size)
        return hs_harden_refuse (h, err, keys_[i][0] == 'u' ? "process.user.uid"
                                                            : "process.user.gid",
                                 "id %s is outside the container's user namespace (ids 0-%llu; "
                                 "raise `userns.size`)",
                                 v->str, size - 1);
    }
  for (size_t i = 0; extra && i < extra->len; i++)
    if (extra->items[i]->type == HS_JSON_NUMBER && strtoull (extra->items[i]->str, NULL, 10) >= size)
      {
        cleanup_free char *p = hs_xasprintf ("process.user.additionalGids[%zu]", i);
        return hs_harden_refuse (h, err, p,
                                 "id %s is outside the container's user namespace (ids 0-%llu; "
                                 "raise `userns.size`)",
                                 extra->items[i]->str, size - 1);
      }
  return 0;
}

static int
add_userns (hs_harden_t *h, const settings_t *s, hs_json_t *linux_, hs_json_t *namespaces,
            hs_json_t *existing, hs_error_t *err)
{
  cleanup_error hs_error_t e = NULL;
  hs_idpool_t pool = { 0 };
  idmap_ctx_t c = { .userns_fd = -1 };
  unsigned long long host = 0;
  int r;

  r = check_process_ids (h, s->size, err);
  if (r < 0)
    return r;
  r = load_pool (s, &pool, &e);
  if (r == 0 && hs_idpool_first_block (&pool, s->size, &host) < 0)
    r = hs_error_make (&e, 0,
                       "no block of %llu ids in the pool (the `%s` entries of /etc/subuid and "
                       "/etc/subgid, or `userns.ranges`)",
                       s->size, s->user);
  if (r == 0 && !s->shared && for_container (h))
    r = hs_userns_allocate (h->policy->state_dir, &pool, s->size, h->ctr->root, h->ctr->id,
                            &host, &e);
  hs_idpool_release (&pool);
  if (r < 0)
    return hs_harden_refuse (h, err, "linux.uidMappings", "no user namespace ids: %s", e->msg);

  if (existing == NULL)
    {
      hs_json_t *ns = hs_json_new (HS_JSON_OBJECT);
      cleanup_free char *p = hs_xasprintf ("linux.namespaces[%zu]", namespaces->len);

      hs_json_set_exact (ns, "type", hs_json_new_string ("user"));
      hs_harden_change (h, p, NULL, ns, "container root must not be host root");
      hs_json_append (namespaces, ns);
    }
  {
    hs_json_t *u = one_mapping (host, s->size), *g = one_mapping (host, s->size);
    hs_harden_change (h, "linux.uidMappings", hs_json_get (linux_, "uidMappings"), u,
                      "container ids map to host ids %llu-%llu (%s)", host, host + s->size - 1,
                      s->shared ? "shared by all containers" : "this container's own block");
    hs_json_set (linux_, "uidMappings", u);
    hs_harden_change (h, "linux.gidMappings", hs_json_get (linux_, "gidMappings"), g,
                      "container ids map to host ids %llu-%llu", host, host + s->size - 1);
    hs_json_set (linux_, "gidMappings", g);
  }
  fix_sysfs (h, namespaces);
  r = idmap_rootfs (h, s, &c, host, s->size, err);
  if (r == 0)
    r = idmap_volumes (h, s, &c, host, s->size, err);
  if (c.userns_fd >= 0)
    close (c.userns_fd);
  free (c.dir);
  free (c.failure);
  return r;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *linux_, *namespaces, *user;
  settings_t s;
  int r;

  r = read_settings (settings, &s, err);
  if (r < 0)
    return r;
  linux_ = hs_json_ensure_object (h->spec, "linux");
  if (linux_ == NULL)
    return hs_harden_refuse (h, err, "linux", "`linux` must be an object");
  namespaces = hs_json_ensure_array (linux_, "namespaces");
  if (namespaces == NULL)
    return hs_harden_refuse (h, err, "linux.namespaces", "`linux.namespaces` must be an array");
  user = find_ns (namespaces, "user", NULL);
  if (user != NULL && ns_has_path (user))
    {
      hs_harden_note (h, "linux.namespaces", "the container joins the user namespace at `%s`; "
                      "its mapping is the engine's",
                      hs_json_get (user, "path")->str);
      return 0;
    }
  if (user != NULL)
    {
      const hs_json_t *um = hs_json_get (linux_, "uidMappings");
      const hs_json_t *gm = hs_json_get (linux_, "gidMappings");
      bool root_is_root = maps_host_root (um) || maps_host_root (gm);

      if (root_is_root && !s.replace_host_root)
        return hs_harden_refuse (h, err, maps_host_root (um) ? "linux.uidMappings"
                                                             : "linux.gidMappings",
                                 "the user namespace maps a container id to host root (id 0); "
                                 "set `userns.host_root` to \"replace\" to have hardshim "
                                 "assign ids instead");
      if (!root_is_root && mapped (um, 0) > 0)
        {
          /* The engine's own userns (podman --userns, Docker userns-remap). */
          hs_harden_note (h, "linux.uidMappings",
                          "the engine's user namespace is kept: container root is host id %lld",
                          mapped (um, 0));
          fix_sysfs (h, namespaces);
          return 0;
        }
    }
  return add_userns (h, &s, linux_, namespaces, user, err);
}

const hs_control_t hs_control_userns = {
  .name = CONTROL,
  .summary = "every container runs in a user namespace: container root is not host root",
  .doc = "Adds a user namespace whose ids map to an unprivileged block of host ids.\n"
         "Settings (doc/userns.md):\n"
         "  mode       auto (own block per container, recorded under state_dir/userns,\n"
         "             released on delete), shared (one block for every container),\n"
         "             off; or enforce (= auto), reject, audit\n"
         "  size       ids per container (65536)\n"
         "  user       whose /etc/subuid and /etc/subgid entries form the pool (hardshim)\n"
         "  ranges     [{\"start\": N, \"size\": N}, ...]: the pool, instead of the files\n"
         "  host_root  refuse (default) or replace a mapping that makes some container id\n"
         "             host root\n"
         "  ownership  auto (idmap the rootfs where the kernel can), idmap (or refuse), none\n"
         "  volumes    auto (idmap bind volumes: by the runtime when it honours mount\n"
         "             uidMappings, else by hardshim), idmap (or refuse), none\n",
  .validate = validate,
  .apply = apply,
  .modes = modes,
};

static int
release (const hs_policy_t *policy, const char *root, const char *id, hs_error_t *err)
{
  int r = hs_idmap_release (policy->state_dir, root, id, err);
  int r2 = hs_userns_release (policy->state_dir, root, id, r < 0 ? NULL : err);

  return r < 0 ? r : r2;
}

const hs_releaser_t hs_releaser_userns = {
  .name = CONTROL,
  .release = release,
};

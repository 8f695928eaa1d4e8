/* userns: container root is never host root. Each container runs in a user
 * namespace whose ids map to an unprivileged block of host ids, its own
 * (`auto`) or one for all (`shared`); the rootfs and bind volumes are
 * idmapped so files keep their owners inside. See doc/userns.md. */
#include "harden/controls.h"
#include "harden/judged_paths.h"
#include "harden/mount_options.h"
#include "harden/volume_idmap.h"
#include "child.h"
#include "cleanup.h"
#include "fileio.h"
#include "hostpath.h"
#include "idmap.h"
#include "idmap_overlay.h"
#include "joined_ns.h"
#include "liveness.h"
#include "mountinfo.h"
#include "registry.h"
#include "sha256.h"
#include "userns_alloc.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONTROL "userns"
#define DEFAULT_SIZE 65536ULL
#define DEFAULT_USER "hardshim"

/* What the control replaced, so that a config hardened once can be
 * hardened again (runc run twice on one bundle, an engine re-creating a
 * container from the config it keeps): see hs_userns_restore. */
#define ANN_ROOTFS HS_USERNS_ANN_ROOTFS
#define ANN_VOLUMES HS_USERNS_ANN_VOLUMES
#define ANN_MAPPING HS_USERNS_ANN_MAPPING
#define ANN_MOUNTS HS_USERNS_ANN_MOUNTS

/* The spelling (auto, shared) beside the generic modes. */
static const hs_mode_name_t modes[] = {
  { "auto", HS_CTL_ENFORCE },
  { "shared", HS_CTL_ENFORCE },
  { "enforce", HS_CTL_ENFORCE },
  { "reject", HS_CTL_REJECT },
  { "audit", HS_CTL_AUDIT },
  { "off", HS_CTL_OFF },
  { NULL, 0 },
};
static const char *const keys[]
    = { "size",          "user",        "ranges",       "host_root",     "ownership", "volumes",
        "volume_stores", "own_volumes", "joined_netns", "engine_ranges", NULL };

typedef struct
{
  bool shared;
  unsigned long long size;
  const char *user;
  const hs_json_t *ranges;
  const hs_json_t *engine_ranges; /* NULL: the engine users' subordinate ids */
  bool replace_host_root;
  const char *ownership;   /* auto, idmap, none */
  const char *volumes;     /* auto, idmap, none */
  hs_volume_trees_t trees; /* which bind volumes may be idmapped */
  bool prepare_netns;      /* joined_netns: prepare (ports, ping) or leave */
} settings_t;

static int
get_uint (const hs_json_t *v, const char *path, unsigned long long max, unsigned long long *ret,
          hs_error_t *err)
{
  char *end = NULL;

  if (v == NULL || v->type != HS_JSON_NUMBER || v->str[0] < '0' || v->str[0] > '9')
    return hs_error_make (err, 0, "policy key `%s`: expected an integer from 0 to %llu", path, max);
  errno = 0;
  *ret = strtoull (v->str, &end, 10);
  if (errno != 0 || *end != '\0' || *ret > max)
    return hs_error_make (err, 0, "policy key `%s`: expected an integer from 0 to %llu", path, max);
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

/* [{"start": N, "size": N}, ...] of host ids: never host root, ending
 * below (uid_t) -1. */
static int
check_ranges (const hs_json_t *v, const char *key, bool may_be_empty, hs_error_t *err)
{
  int r;

  if (v->type != HS_JSON_ARRAY || (v->len == 0 && !may_be_empty))
    return hs_error_make (err, 0,
                          "policy key `%s.%s`: expected a%s array of "
                          "{\"start\": N, \"size\": N}",
                          CONTROL, key, may_be_empty ? "n" : " non-empty");
  for (size_t i = 0; i < v->len; i++)
    {
      const hs_json_t *e = v->items[i];
      cleanup_free char *p = hs_xasprintf ("%s.%s[%zu]", CONTROL, key, i);
      unsigned long long start, size;

      if (e->type != HS_JSON_OBJECT || e->len != 2 || !hs_json_get_exact (e, "start")
          || !hs_json_get_exact (e, "size"))
        return hs_error_make (err, 0, "policy key `%s`: expected {\"start\": N, \"size\": N}", p);
      if ((r = get_uint (hs_json_get_exact (e, "start"), p, HS_ID_MAX, &start, err)) < 0
          || (r = get_uint (hs_json_get_exact (e, "size"), p, HS_ID_MAX, &size, err)) < 0)
        return r;
      if (start == 0 || size == 0 || start + size > HS_ID_MAX)
        return hs_error_make (err, 0,
                              "policy key `%s`: the range must start above 0, be non-empty "
                              "and end below %llu",
                              p, HS_ID_MAX);
    }
  return 0;
}

static int
read_settings (const hs_json_t *s, settings_t *ret, hs_error_t *err)
{
  static const char *const host_root[] = { "refuse", "replace", NULL };
  static const char *const how[] = { "auto", "idmap", "none", NULL };
  static const char *const netns[] = { "prepare", "leave", NULL };
  const char *mode = hs_settings_mode_name (s), *hr = NULL, *jn = NULL;
  const hs_json_t *v;
  int r;

  memset (ret, 0, sizeof (*ret));
  ret->shared = mode != NULL && strcmp (mode, "shared") == 0;
  ret->size = DEFAULT_SIZE;
  ret->user = DEFAULT_USER;
  if ((r = hs_settings_check_keys (s, CONTROL, keys, err)) < 0
      || (r = hs_volume_trees_validate (s, CONTROL, err)) < 0)
    return r;
  hs_volume_trees_from (s, &ret->trees);
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
      if ((r = check_ranges (v, "ranges", false, err)) < 0)
        return r;
      ret->ranges = v;
    }
  if ((v = hs_json_get_exact (s, "engine_ranges")) != NULL)
    {
      if ((r = check_ranges (v, "engine_ranges", true, err)) < 0)
        return r;
      ret->engine_ranges = v;
    }
  if ((r = get_choice (s, "host_root", host_root, &hr, err)) < 0
      || (r = get_choice (s, "ownership", how, &ret->ownership, err)) < 0
      || (r = get_choice (s, "volumes", how, &ret->volumes, err)) < 0
      || (r = get_choice (s, "joined_netns", netns, &jn, err)) < 0)
    return r;
  ret->replace_host_root = strcmp (hr, "replace") == 0;
  ret->prepare_netns = strcmp (jn, "prepare") == 0;
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

/* The users whose subordinate ids engines map containers to by default:
 * Docker's userns-remap (dockremap), podman's --userns=auto (containers). */
static const char *const engine_users[] = { "dockremap", "containers", NULL };

static int
engine_pool (const settings_t *s, hs_idpool_t *ret, hs_error_t *err)
{
  memset (ret, 0, sizeof (*ret));
  if (s->engine_ranges != NULL)
    {
      for (size_t i = 0; i < s->engine_ranges->len; i++)
        {
          const hs_json_t *e = s->engine_ranges->items[i];
          hs_idpool_add (ret, strtoull (hs_json_get_exact (e, "start")->str, NULL, 10),
                         strtoull (hs_json_get_exact (e, "size")->str, NULL, 10));
        }
      return 0;
    }
  for (size_t u = 0; engine_users[u] != NULL; u++)
    {
      hs_idpool_t p = { 0 };

      if (hs_idpool_from_subid ("/etc/subuid", "/etc/subgid", engine_users[u], &p, err) < 0)
        {
          hs_idpool_release (ret);
          return -1;
        }
      for (size_t i = 0; i < p.n; i++)
        hs_idpool_add (ret, p.r[i].start, p.r[i].len);
      hs_idpool_release (&p);
    }
  return 0;
}

/* Is some id of /etc/passwd (uids) or /etc/group (gids) in [start, end)? */
static bool
names_account (bool gids, unsigned long long start, unsigned long long end)
{
  cleanup_file FILE *f = fopen (gids ? "/etc/group" : "/etc/passwd", "re");

  if (f == NULL)
    return errno != ENOENT; /* cannot tell: assume it does */
  if (gids)
    {
      struct group *g;
      while ((g = fgetgrent (f)) != NULL)
        if (g->gr_gid >= start && g->gr_gid < end)
          return true;
    }
  else
    {
      struct passwd *pw;
      while ((pw = fgetpwent (f)) != NULL)
        if (pw->pw_uid >= start && pw->pw_uid < end)
          return true;
    }
  return false;
}

/* A config's own mapping is kept only where host policy says engines map
 * containers: every entry inside one range of `engine_ranges`, none in
 * hardshim's pool (another container's block) or naming a host account.
 * Else *ret_why says why not (static). */
static int
engine_mapping_ok (const settings_t *s, const hs_json_t *um, const hs_json_t *gm, bool *ret,
                   const char **ret_why, hs_error_t *err)
{
  hs_idpool_t engines = { 0 }, pool = { 0 };
  const char *why = NULL;

  if (engine_pool (s, &engines, err) < 0)
    return -1;
  if (load_pool (s, &pool, err) < 0)
    {
      hs_idpool_release (&engines);
      return -1;
    }
  for (int k = 0; k < 2 && why == NULL; k++)
    {
      const hs_json_t *maps = k == 0 ? um : gm;

      if (maps == NULL || maps->type != HS_JSON_ARRAY || maps->len == 0)
        why = "it has no uid or gid mapping";
      for (size_t i = 0; why == NULL && i < maps->len; i++)
        {
          const hs_json_t *h = hs_json_get_type (maps->items[i], "hostID", HS_JSON_NUMBER);
          const hs_json_t *n = hs_json_get_type (maps->items[i], "size", HS_JSON_NUMBER);
          unsigned long long hv, nv;
          bool inside = false;

          if (h == NULL || n == NULL)
            {
              why = "an entry lacks hostID or size";
              break;
            }
          hv = strtoull (h->str, NULL, 10);
          nv = strtoull (n->str, NULL, 10);
          for (size_t e = 0; e < engines.n; e++)
            inside = inside
                     || (hv >= engines.r[e].start && nv <= engines.r[e].len
                         && hv - engines.r[e].start <= engines.r[e].len - nv);
          if (!inside)
            why = "its host ids are outside the ranges host policy names for engines "
                  "(`userns.engine_ranges`; by default the /etc/subuid and /etc/subgid "
                  "ranges of dockremap and containers)";
          for (size_t p = 0; why == NULL && p < pool.n; p++)
            if (hv < pool.r[p].start + pool.r[p].len && pool.r[p].start < hv + nv)
              why = "its host ids overlap hardshim's own pool (other containers' blocks)";
          if (why == NULL && names_account (k == 1, hv, hv + nv))
            why = k == 0 ? "its host uids include a user of /etc/passwd"
                         : "its host gids include a group of /etc/group";
        }
    }
  hs_idpool_release (&engines);
  hs_idpool_release (&pool);
  *ret = why == NULL;
  *ret_why = why;
  return 0;
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

/* ---- what the control replaced, recorded in annotations ---- */

static char *
annotation_path (const char *key)
{
  return hs_xasprintf ("annotations[\"%s\"]", key);
}

static void
set_annotation (hs_harden_t *h, const char *key, hs_json_t *value, const char *why)
{
  hs_json_t *ann = hs_json_ensure_object (h->spec, "annotations");
  cleanup_free char *path = annotation_path (key);

  if (ann == NULL)
    {
      hs_json_free (value);
      return; /* spec validation refuses a non-object `annotations` first */
    }
  hs_harden_change (h, path, hs_json_get_exact (ann, key), value, "%s", why);
  hs_json_set_exact (ann, key, value);
}

static hs_json_t *
json_text (const hs_json_t *v)
{
  cleanup_free char *text = NULL;

  if (hs_json_emit (v, false, &text, NULL, NULL) < 0)
    return NULL;
  return hs_json_new_string (text);
}

static const char *
mount_destination (const hs_json_t *mounts, size_t i)
{
  const hs_json_t *d = hs_json_get_type (mounts->items[i], "destination", HS_JSON_STRING);

  return d ? d->str : NULL;
}

typedef struct
{
  const char *dest;
  size_t index;
} dest_ref_t;

static int
by_destination (const void *a, const void *b)
{
  const dest_ref_t *x = a, *y = b;
  int c = strcmp (x->dest, y->dest);

  return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

/* The key of every mount in ANN_VOLUMES: its destination, with `#N` for the
 * Nth later mount on the same destination (NULL without a destination).
 * Sorted once, so thousands of volumes cost n log n, not n squared. */
static char **
volume_keys (const hs_json_t *mounts)
{
  size_t n = mounts ? mounts->len : 0, m = 0;
  char **out = hs_xcalloc (n + 1, sizeof (char *));
  cleanup_free dest_ref_t *order = hs_xcalloc (n + 1, sizeof (dest_ref_t));
  unsigned dup = 0;

  for (size_t i = 0; i < n; i++)
    if ((order[m].dest = mount_destination (mounts, i)) != NULL)
      order[m++].index = i;
  qsort (order, m, sizeof (dest_ref_t), by_destination);
  for (size_t k = 0; k < m; k++)
    {
      dup = k > 0 && strcmp (order[k].dest, order[k - 1].dest) == 0 ? dup + 1 : 0;
      out[order[k].index]
          = dup ? hs_xasprintf ("%s#%u", order[k].dest, dup) : hs_xstrdup (order[k].dest);
    }
  return out;
}

typedef struct
{
  char **keys; /* one per mount of `mounts`, or NULL */
  const hs_json_t *mounts;
} volume_keys_t;

static void
volume_keys_release (volume_keys_t *k)
{
  for (size_t i = 0; k->keys != NULL && i < k->mounts->len; i++)
    free (k->keys[i]);
  free (k->keys);
}
#define cleanup_volume_keys __attribute__ ((cleanup (volume_keys_release)))

/* Is `path` below hardshim's idmap directory (so hardshim made it)? */
static bool
in_idmap_dir (const hs_harden_t *h, const char *path)
{
  return hs_idmap_path_is_ours (h->policy->state_dir, path);
}

static hs_json_t *
parse_annotation (hs_harden_t *h, const hs_json_t *ann, const char *key, hs_json_type_t type)
{
  static const hs_json_limits_t lim = { 1 << 20, 32, false };
  const hs_json_t *v = hs_json_get_exact (ann, key);
  hs_json_t *t = NULL;
  cleanup_free char *path = annotation_path (key);

  if (v == NULL)
    return NULL;
  if (v->type != HS_JSON_STRING || hs_json_parse (v->str, v->len, &lim, &t, NULL) < 0
      || t->type != type)
    {
      hs_harden_note (h, path, "malformed: ignored");
      return hs_json_free (t);
    }
  return t;
}

static bool
marker_block (const hs_json_t *marker, unsigned long long *host, unsigned long long *size)
{
  const hs_json_t *hv = marker ? hs_json_get_type (marker, "hostID", HS_JSON_NUMBER) : NULL;
  const hs_json_t *nv = marker ? hs_json_get_type (marker, "size", HS_JSON_NUMBER) : NULL;

  if (hv == NULL || nv == NULL)
    return false;
  *host = strtoull (hv->str, NULL, 10);
  *size = strtoull (nv->str, NULL, 10);
  return true;
}

/* Are both of `obj`'s mappings the block hardshim set? */
static bool
mappings_are (const hs_json_t *obj, unsigned long long host, unsigned long long size)
{
  cleanup_json hs_json_t *want = one_mapping (host, size);

  return hs_json_equal (hs_json_get (obj, "uidMappings"), want)
         && hs_json_equal (hs_json_get (obj, "gidMappings"), want);
}

static void
restore_mappings (hs_harden_t *h, hs_json_t *linux_, const hs_json_t *marker, const char *why)
{
  static const char *const which[] = { "uidMappings", "gidMappings" };
  const hs_json_t *ns_how = hs_json_get_type (marker, "namespace", HS_JSON_STRING);
  hs_json_t *namespaces = hs_json_get_type (linux_, "namespaces", HS_JSON_ARRAY);

  for (size_t i = 0; i < 2; i++)
    {
      const hs_json_t *orig = hs_json_get_exact (marker, which[i]);
      cleanup_free char *path = hs_xasprintf ("linux.%s", which[i]);

      hs_harden_change (h, path, hs_json_get (linux_, which[i]), orig, "%s", why);
      if (orig != NULL)
        hs_json_set (linux_, which[i], hs_json_dup (orig));
      else
        hs_json_remove (linux_, which[i]);
    }
  if (ns_how != NULL && strcmp (ns_how->str, "added") == 0)
    {
      size_t i;
      hs_json_t *ns = find_ns (namespaces, "user", &i);

      if (ns != NULL && !ns_has_path (ns))
        {
          cleanup_free char *path = hs_xasprintf ("linux.namespaces[%zu]", i);
          hs_harden_change (h, path, ns, NULL, "%s", why);
          hs_json_remove_at (namespaces, i);
        }
    }
}

int
hs_userns_restore (hs_harden_t *h, hs_error_t *err)
{
  static const char *const why
      = "restored from the annotations of an earlier hardening: its ids and idmapped mounts "
        "belong to another container";
  hs_json_t *ann = hs_json_get_type (h->spec, "annotations", HS_JSON_OBJECT);
  hs_json_t *linux_ = hs_json_get_type (h->spec, "linux", HS_JSON_OBJECT);
  hs_json_t *mounts = hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY);
  hs_json_t *root = hs_json_get_type (h->spec, "root", HS_JSON_OBJECT);
  hs_json_t *path = root ? hs_json_get_type (root, "path", HS_JSON_STRING) : NULL;
  cleanup_json hs_json_t *marker = NULL, *volumes = NULL, *whole = NULL;
  cleanup_volume_keys volume_keys_t vk = { NULL, mounts };
  const hs_json_t *orig;
  unsigned long long host = 0, size = 0;
  bool have_block;

  (void) err;
  if (ann == NULL)
    return 0;
  /* Only what hardshim itself made is put back: an annotation alone never
   * moves the rootfs or a volume somewhere else. */
  orig = hs_json_get_exact (ann, ANN_ROOTFS);
  if (orig != NULL && orig->type == HS_JSON_STRING && path != NULL && in_idmap_dir (h, path->str))
    {
      hs_json_t *after = hs_json_new_string (orig->str);
      hs_harden_change (h, "root.path", path, after, "%s", why);
      hs_json_set (root, "path", after);
    }
  marker = parse_annotation (h, ann, ANN_MAPPING, HS_JSON_OBJECT);
  have_block = marker_block (marker, &host, &size);
  volumes = parse_annotation (h, ann, ANN_VOLUMES, HS_JSON_OBJECT);
  whole = parse_annotation (h, ann, ANN_MOUNTS, HS_JSON_OBJECT);
  if ((volumes != NULL || whole != NULL) && mounts != NULL)
    vk.keys = volume_keys (mounts);
  for (size_t i = 0; whole && mounts && i < mounts->len; i++)
    {
      static const hs_json_limits_t lim = { 1 << 16, 16, false };
      const hs_json_t *src = hs_json_get_type (mounts->items[i], "source", HS_JSON_STRING);
      const hs_json_t *o = vk.keys[i] ? hs_json_get_type (whole, vk.keys[i], HS_JSON_STRING) : NULL;
      cleanup_free char *mp = hs_xasprintf ("mounts[%zu]", i);
      hs_json_t *orig_m = NULL;

      /* only a mount hardshim made is replaced by what it recorded */
      if (o == NULL || src == NULL || !in_idmap_dir (h, src->str)
          || hs_json_parse (o->str, o->len, &lim, &orig_m, NULL) < 0)
        continue;
      if (orig_m->type != HS_JSON_OBJECT)
        {
          hs_json_free (orig_m);
          continue;
        }
      hs_harden_change (h, mp, mounts->items[i], orig_m, "%s", why);
      hs_json_free (mounts->items[i]);
      mounts->items[i] = orig_m;
    }
  for (size_t i = 0; volumes && mounts && i < mounts->len; i++)
    {
      hs_json_t *m = mounts->items[i];
      hs_json_t *src = hs_json_get_type (m, "source", HS_JSON_STRING);
      const char *key = vk.keys[i];
      cleanup_free char *mp = hs_xasprintf ("mounts[%zu]", i);
      const hs_json_t *o = key ? hs_json_get_type (volumes, key, HS_JSON_STRING) : NULL;

      if (o == NULL)
        continue;
      if (src != NULL && in_idmap_dir (h, src->str))
        {
          cleanup_free char *sp = hs_xasprintf ("%s.source", mp);
          hs_json_t *after = hs_json_new_string (o->str);
          hs_harden_change (h, sp, src, after, "%s", why);
          hs_json_set (m, "source", after);
        }
      else if (have_block && mappings_are (m, host, size))
        {
          hs_json_t *after = hs_json_dup (m);
          hs_json_remove (after, "uidMappings");
          hs_json_remove (after, "gidMappings");
          hs_harden_change (h, mp, m, after, "%s", why);
          hs_json_free (m);
          mounts->items[i] = after;
        }
    }
  if (have_block && linux_ != NULL && mappings_are (linux_, host, size))
    restore_mappings (h, linux_, marker, why);
  for (size_t i = 0; i < 4; i++)
    {
      static const char *const keys_[] = { ANN_ROOTFS, ANN_VOLUMES, ANN_MAPPING, ANN_MOUNTS };
      cleanup_free char *ap = annotation_path (keys_[i]);
      const hs_json_t *v = hs_json_get_exact (ann, keys_[i]);

      if (v == NULL)
        continue;
      hs_harden_change (h, ap, v, NULL, "%s", why);
      hs_json_remove_exact (ann, keys_[i]);
    }
  return 0;
}

/* Docker asks for net.ipv4.ping_group_range "0 2147483647"; inside the user
 * namespace the kernel refuses (EINVAL) a range beyond the container's gids
 * and the runtime fails the start. Clamp it to the mapped gids. */
static void
fix_ping_group_range (hs_harden_t *h, unsigned long long size)
{
  hs_json_t *sysctl = hs_json_path (h->spec, "linux", "sysctl", NULL);
  hs_json_t *v;
  unsigned long long lo, hi;
  char rest;

  if (sysctl == NULL || sysctl->type != HS_JSON_OBJECT)
    return;
  v = hs_json_get_exact (sysctl, "net.ipv4.ping_group_range");
  if (v == NULL || v->type != HS_JSON_STRING
      || sscanf (v->str, "%llu %llu %c", &lo, &hi, &rest) != 2 || hi < size)
    return;
  {
    cleanup_free char *text = hs_xasprintf ("%llu %llu", lo < size ? lo : size - 1, size - 1);
    hs_json_t *after = hs_json_new_string (text);
    hs_harden_change (h, "linux.sysctl[\"net.ipv4.ping_group_range\"]", v, after,
                      "ping_group_range clamped to the gids the user namespace maps (0-%llu)",
                      size - 1);
    hs_json_set_exact (sysctl, "net.ipv4.ping_group_range", after);
  }
}

/* In the user namespace the flags of a bind mount's source mount (nosuid,
 * nodev, noexec, ro) are locked: the runtime's remount of a bind that asks
 * for fewer fails with EPERM (the CRI sandbox's /dev/shm, ["rbind", "ro"]
 * of a noexec tmpfs). Ask for the locked flags, as host root would have
 * kept them anyway. */
static void
keep_locked_flags (hs_harden_t *h)
{
  static const struct
  {
    unsigned long flag;
    const char *opt, *opposite;
  } locked[] = {
    { ST_NOSUID, "nosuid", "suid" },
    { ST_NODEV, "nodev", "dev" },
    { ST_NOEXEC, "noexec", "exec" },
    { ST_RDONLY, "ro", "rw" },
  };
  hs_json_t *mounts = hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY);

  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      hs_json_t *m = mounts->items[i];
      const hs_json_t *src = hs_json_get_type (m, "source", HS_JSON_STRING);
      hs_json_t *opts = hs_json_get_type (m, "options", HS_JSON_ARRAY);
      cleanup_json hs_json_t *before = NULL;
      cleanup_free char *path = NULL;
      struct statvfs sv;
      bool changed = false;

      if (!is_bind (m) || src == NULL || opts == NULL || statvfs (src->str, &sv) < 0)
        continue;
      before = hs_json_dup (opts);
      for (size_t k = 0; k < sizeof (locked) / sizeof (locked[0]); k++)
        {
          long at;

          if (!(sv.f_flag & locked[k].flag) || hs_json_array_find_string (opts, locked[k].opt) >= 0)
            continue;
          while ((at = hs_json_array_find_string (opts, locked[k].opposite)) >= 0)
            hs_json_remove_at (opts, (size_t) at);
          hs_json_append (opts, hs_json_new_string (locked[k].opt));
          changed = true;
        }
      if (!changed)
        continue;
      path = hs_xasprintf ("mounts[%zu].options", i);
      hs_harden_change (h, path, before, opts,
                        "the source of the bind mount at `%s` has flags that are locked in the "
                        "user namespace: the runtime must keep them",
                        hs_json_get_type (m, "destination", HS_JSON_STRING)
                            ? hs_json_get_type (m, "destination", HS_JSON_STRING)->str
                            : "?");
    }
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

/* Run `runtime ARG` and return its stdout (at most 64 KiB), or NULL. The
 * probe dies with hardshim and inherits nothing else (src/child.h). */
#define PROBE_CPU_SECONDS 10
static char *
run_capture (const char *runtime, const char *arg)
{
  char *const argv[] = { (char *) runtime, (char *) arg, NULL };
  cleanup_free char *buf = hs_xmalloc (65536);
  int p[2], status;
  size_t len = 0;
  ssize_t n;
  pid_t pid, parent = getpid ();

  if (pipe2 (p, O_CLOEXEC) < 0)
    return NULL;
  pid = fork ();
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

      if (null < 0 || dup2 (null, 0) < 0 || dup2 (p[1], 1) < 0 || dup2 (null, 2) < 0)
        _exit (126);
      hs_child_init (parent, -1, PROBE_CPU_SECONDS);
      execv (runtime, argv);
      _exit (127);
    }
  close (p[1]);
  while (pid > 0 && len < 65535
         && ((n = read (p[0], buf + len, 65535 - len)) > 0 || (n < 0 && errno == EINTR)))
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
    {
      hs_registry_unlock (&reg);
      return buf[0] == '1';
    }
  /* not under the lock: a slow runtime must not stall other creates */
  hs_registry_unlock (&reg);
  v = runtime_honours_mount_idmap (runtime);
  if (hs_registry_lock (state_dir, "runtime", &reg, NULL) == 0)
    {
      (void) hs_write_state_file_at (reg.dirfd, name, v ? "1\n" : "0\n", 2, NULL);
      hs_registry_unlock (&reg);
    }
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
  int plain_root; /* the rootfs (O_PATH) when it could not be idmapped, or -1 */
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
  r = hs_idmap_record (state, h->ctr->root, h->ctr->id, &c->dir, err);
  if (r == 0)
    r = hs_idmap_prepare_dir (state, c->dir, (gid_t) host, err);
  if (r == 0)
    r = check_searchable (c->dir, err);
  if (r == 0)
    {
      c->userns_fd = hs_idmap_userns_fd (map, map, err);
      r = c->userns_fd < 0 ? c->userns_fd : 0;
    }
  if (r < 0)
    c->failure = hs_xstrdup ((*err)->msg);
  return r;
}

/* `src` (relative: to the bundle) as an absolute, clean name. */
static char *
absolute_name (const char *src, const char *bundle)
{
  cleanup_free char *joined = NULL;
  char cwd[4096];

  if (src[0] == '/')
    return hs_path_clean (src);
  if (bundle != NULL && bundle[0] == '/')
    joined = hs_xasprintf ("%s/%s", bundle, src);
  else if (getcwd (cwd, sizeof (cwd)) == NULL)
    return hs_path_clean (src);
  else
    joined = bundle != NULL ? hs_xasprintf ("%s/%s/%s", cwd, bundle, src)
                            : hs_xasprintf ("%s/%s", cwd, src);
  return hs_path_clean (joined);
}

/* Open what hardshim will mount itself, once: what is judged from here on
 * and what is mounted is this descriptor, never the name resolved again (a
 * bundle owner, or a container that shares a volume, may rename on the
 * way). 0: *ret holds it (fd kept); 1: nothing to open (*ret_why, caller
 * frees); < 0: it is no longer the object the mounts control judged under
 * that name (refused). */
static int
open_source (hs_harden_t *h, const char *jpath, const char *src, hs_hostpath_t *ret, char **ret_why,
             hs_error_t *err)
{
  const char *bundle = h->ctr ? h->ctr->bundle : NULL;
  cleanup_free char *name = absolute_name (src, bundle);
  cleanup_error hs_error_t e = NULL;
  hs_hostpath_t p;
  int r;

  if (hs_hostpath_resolve (src, bundle, HS_HOSTPATH_KEEP_FD, &p, &e) < 0)
    {
      *ret_why = hs_xasprintf ("hardshim cannot tell what it is: %s", e->msg);
      return 1;
    }
  if (hs_judged_check (h, name, &p) == HS_JUDGED_OTHER)
    {
      r = hs_harden_refuse (h, err, jpath,
                            "`%s` is no longer what the mounts control judged under that name "
                            "(it leads to %s now): something on the way was renamed or "
                            "replaced while hardshim worked",
                            src, p.path);
      *ret_why = hs_xasprintf ("it changed while hardshim judged it (it leads to %s now)", p.path);
      hs_hostpath_release (&p);
      return r < 0 ? r : 1;
    }
  if (p.fd < 0)
    {
      *ret_why = hs_xstrdup ("it does not exist");
      hs_hostpath_release (&p);
      return 1;
    }
  *ret = p;
  return 0;
}

/* The engines' rootfs is an overlay mount, which cannot be idmapped
 * itself: an overlay of its idmapped layers instead (idmap_overlay.h).
 * 0 when it is mounted at dir/rootfs; otherwise `e` (the error of the
 * plain attempt) gets the reason added. */
static int
idmap_overlay_rootfs (hs_harden_t *h, idmap_ctx_t *c, const hs_hostpath_t *p,
                      unsigned long long host, unsigned long long size, hs_error_t e)
{
  const hs_mountinfo_t *mi = NULL;
  const hs_mount_t *top = NULL;
  cleanup_error hs_error_t e2 = NULL;
  cleanup_free char *map = NULL;
  hs_overlay_opts_t o = { 0 };
  int fd, r;

  if (hs_harden_mountinfo (h, &mi, &e2) < 0)
    return -1;
  /* the mount the judged descriptor holds (the topmost at the rootfs when
   * it was opened), found by its id, not by a name */
  top = hs_mountinfo_find (mi, p->mnt_id);
  if (top == NULL || strcmp (top->point, p->path) != 0 || strcmp (top->fstype, "overlay") != 0
      || strcmp (top->root, "/") != 0)
    return -1;
  if (!hs_idmap_overlay_kernel_supported ())
    r = hs_error_make (&e2, 0, "overlays of idmapped layers need Linux 5.19 or later");
  else
    r = hs_overlay_opts_parse (top->super, &o, &e2);
  if (r == 0)
    {
      map = hs_idmap_overlay_map (host, size);
      fd = hs_idmap_userns_fd (map, map, &e2);
      r = fd < 0 ? fd : hs_idmap_overlay (&o, c->dir, fd, &e2);
      if (fd >= 0)
        close (fd);
      hs_overlay_opts_release (&o);
    }
  if (r < 0)
    {
      char *msg
          = hs_xasprintf ("%s; its overlay layers cannot be idmapped either: %s", e->msg, e2->msg);
      free (e->msg);
      e->msg = msg;
    }
  return r;
}

/* Why the rootfs `p` may not be idmapped (caller frees; NULL: it may).
 * Through an idmapped rootfs container root is on-disk root for the whole
 * tree: a set-uid program it writes there is host root's for every host
 * user who can reach the tree, and every private file there is its own. So
 * only a rootfs no host user but root can reach or swap is idmapped (an
 * engine's, in storage only root can enter), as for volumes. */
static int
rootfs_idmap_refusal (hs_harden_t *h, const hs_hostpath_t *p, char **ret_why, hs_error_t *err)
{
  if (p->replaceable)
    *ret_why = hs_xasprintf ("a host user other than root can rename or replace a directory on "
                             "its path (%s)",
                             p->path);
  else if (!p->root_only)
    *ret_why = hs_xasprintf ("host users other than root can reach it (no directory above %s is "
                             "root's alone)",
                             p->path);
  else
    return hs_all_names_root_only (h, p, true, ret_why, err);
  return 0;
}

static int
idmap_rootfs (hs_harden_t *h, const settings_t *s, idmap_ctx_t *c, unsigned long long host,
              unsigned long long size, hs_error_t *err)
{
  hs_json_t *root = hs_json_get_type (h->spec, "root", HS_JSON_OBJECT);
  hs_json_t *path = root ? hs_json_get_type (root, "path", HS_JSON_STRING) : NULL;
  cleanup_error hs_error_t e = NULL, e3 = NULL;
  cleanup_free char *src = NULL, *target = NULL, *why = NULL;
  hs_hostpath_t p = { .fd = -1, .path = NULL };
  bool layers = false, opened = false;
  int r;

  if (strcmp (s->ownership, "none") == 0 || path == NULL)
    return 0;
  r = open_source (h, "root.path", path->str, &p, &why, err);
  if (r < 0)
    return r;
  opened = r == 0;
  if (!for_container (h))
    {
      /* a dry run (hardshimctl check) tells what a create would do */
      if (opened && (r = rootfs_idmap_refusal (h, &p, &why, err)) < 0)
        {
          hs_hostpath_release (&p);
          return r;
        }
      hs_hostpath_release (&p);
      if (why == NULL)
        hs_harden_note (h, "root.path", "the rootfs would be idmapped (ownership %s)",
                        s->ownership);
      else
        hs_harden_note (h, "root.path", "the rootfs would not be idmapped: %s", why);
      return 0;
    }
  src = rootfs_path (h, path->str);
  if (!opened)
    r = hs_error_make (&e, 0, "%s", why);
  else if (!hs_idmap_kernel_supported ())
    r = hs_error_make (&e, 0, "the kernel has no idmapped mounts (5.12 or later needed)");
  else if ((r = rootfs_idmap_refusal (h, &p, &why, err)) < 0)
    {
      hs_hostpath_release (&p);
      return r;
    }
  else if (why != NULL)
    r = hs_error_make (&e, 0,
                       "%s, and idmapping would make container root the owner of its "
                       "host files",
                       why);
  else
    {
      r = idmap_begin (h, c, host, size, &e);
      if (r == 0)
        {
          target = hs_xasprintf ("%s/rootfs", c->dir);
          /* both runtimes bind the rootfs recursively */
          r = hs_idmap_mount_fd (p.fd, src, target, c->userns_fd, true, 0, &e);
          if (r < 0 && idmap_overlay_rootfs (h, c, &p, host, size, e) == 0)
            {
              r = 0;
              layers = true;
            }
        }
    }
  if (r < 0)
    {
      if (strcmp (s->ownership, "idmap") == 0)
        {
          hs_hostpath_release (&p);
          return hs_harden_refuse (h, err, "root.path", "cannot idmap the rootfs: %s", e->msg);
        }
      hs_harden_note (h, "root.path",
                      "the rootfs is not idmapped (%s): files owned by host ids outside the "
                      "container's range appear as nobody (65534) inside",
                      e->msg);
      if (opened)
        c->plain_root = dup (p.fd);
      /* The runtime resolves root.path by name at its own time: a rootfs
       * a host user can rename under gets hardshim's plain mount of the
       * judged tree instead. An engine's rootfs (podman's or containerd's
       * overlay "merged", which cannot be idmapped) often sits below 0700
       * directories that the container's unprivileged root cannot
       * traverse: it gets one too, in the container's searchable dir. */
      if (opened && (p.replaceable || check_searchable (src, NULL) < 0)
          && idmap_begin (h, c, host, size, &e3) == 0)
        {
          cleanup_error hs_error_t e2 = NULL;
          free (target);
          target = hs_xasprintf ("%s/rootfs", c->dir);
          if (hs_idmap_mount_fd (p.fd, src, target, -1, true, 0, &e2) == 0)
            {
              hs_json_t *after = hs_json_new_string (target);
              hs_harden_change (h, "root.path", path, after,
                                p.replaceable
                                    ? "a plain bind of the rootfs hardshim judged (a host user "
                                      "can rename on its path, and the runtime would resolve "
                                      "it again)"
                                    : "a plain bind of the rootfs where the container's root "
                                      "can reach it (its directory is not searchable by "
                                      "others)");
              hs_json_set (root, "path", after);
              set_annotation (h, ANN_ROOTFS, hs_json_new_string (src),
                              "the rootfs before hardshim mounted it, for hardening this config "
                              "again");
            }
          else
            hs_harden_note (h, "root.path", "no bind of the rootfs either: %s", e2->msg);
        }
      else if (opened && p.replaceable)
        {
          hs_hostpath_release (&p);
          return hs_harden_refuse (h, err, "root.path",
                                   "a host user other than root can rename on the rootfs' "
                                   "path, and hardshim cannot give the runtime its own mount "
                                   "of it: %s",
                                   e3 ? e3->msg : e->msg);
        }
      hs_hostpath_release (&p);
      return 0;
    }
  hs_hostpath_release (&p);
  {
    hs_json_t *after = hs_json_new_string (target);
    hs_json_t *orig = hs_json_new_string (path->str);
    hs_harden_change (h, "root.path", path, after,
                      layers ? "an overlay of the rootfs' idmapped layers (an overlay mount "
                               "cannot be idmapped itself), so files keep their owners inside "
                               "the user namespace"
                             : "an idmapped mount of the rootfs, so files keep their owners "
                               "inside the user namespace");
    hs_json_set (root, "path", after);
    set_annotation (h, ANN_ROOTFS, orig,
                    "the rootfs before it was idmapped, for hardening this config again");
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

/* The mount's security flags, set on hardshim's idmapped mount too. */
static unsigned long long
mount_attrs (const hs_json_t *m)
{
  static const struct
  {
    const char *opt;
    unsigned long long attr;
  } flags[] = { { "nosuid", MOUNT_ATTR_NOSUID },
                { "nodev", MOUNT_ATTR_NODEV },
                { "noexec", MOUNT_ATTR_NOEXEC } };
  const hs_json_t *opts = hs_json_get_type (m, "options", HS_JSON_ARRAY);
  unsigned long long attrs = 0;

  for (size_t i = 0; opts && i < sizeof (flags) / sizeof (flags[0]); i++)
    if (hs_json_array_find_string (opts, flags[i].opt) >= 0)
      attrs |= flags[i].attr;
  return attrs;
}

/* Does the config ask the runtime to idmap this mount itself (mount
 * uidMappings, crun's idmap/ridmap options)? */
static bool
asks_idmap (const hs_json_t *m)
{
  const hs_json_t *opts = hs_json_get_type (m, "options", HS_JSON_ARRAY);

  if (hs_json_get (m, "uidMappings") != NULL || hs_json_get (m, "gidMappings") != NULL)
    return true;
  for (size_t i = 0; opts && i < opts->len; i++)
    if (opts->items[i]->type == HS_JSON_STRING
        && (strncmp (opts->items[i]->str, "idmap", 5) == 0
            || strncmp (opts->items[i]->str, "ridmap", 6) == 0))
      return true;
  return false;
}

/* An idmapped bind makes container root the owner of the host's files in
 * it: a set-uid root program written there runs as root for any host user
 * who reaches it. 0: the volume may be idmapped; 1: it may not (a note,
 * or a refusal when the config asks for it); < 0: error. */
static int
volume_may_idmap (hs_harden_t *h, const settings_t *s, const char *path, const hs_json_t *m,
                  const char *src, const hs_hostpath_t *p, const char *open_why, hs_error_t *err)
{
  cleanup_free char *why = open_why ? hs_xstrdup (open_why) : NULL;
  bool allowed = false;
  /* the trees' resolved paths are a cache filled by the first decision */
  int r = p == NULL ? 0
                    : hs_volume_idmap_allowed (h, (hs_volume_trees_t *) &s->trees, src, p,
                                               is_rbind (m), &allowed, &why, err);

  if (r < 0 || allowed)
    return r;
  if (asks_idmap (m))
    return hs_harden_refuse (h, err, path,
                             "bind volume `%s` asks to be idmapped, which would make container "
                             "root the owner of its host files, and %s; name it in "
                             "`userns.own_volumes` if it is the containers' own",
                             src, why);
  hs_harden_note (h, path,
                  "bind volume `%s` is not idmapped: %s, and idmapping would make container "
                  "root the owner of its host files; files owned by host ids outside the "
                  "container's range appear as nobody (65534) inside, and container root may "
                  "be unable to write them (`userns.own_volumes` names the containers' own)",
                  src, why);
  return 1;
}

/* Binds the config asks the runtime to idmap, whatever user namespace the
 * container gets (added, the engine's, or one it joins). */
static int
check_asked_idmaps (hs_harden_t *h, const settings_t *s, hs_error_t *err)
{
  hs_json_t *mounts = hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY);

  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      const hs_json_t *m = mounts->items[i];
      const hs_json_t *src = hs_json_get_type (m, "source", HS_JSON_STRING);
      cleanup_free char *path = NULL, *why = NULL;
      hs_hostpath_t p = { .fd = -1 };
      int r;

      /* as either runtime reads a bind (no type counts) */
      if (!hs_mount_is_bind (hs_json_get (m, "type"), hs_json_get (m, "options")) || src == NULL
          || !asks_idmap (m) || in_idmap_dir (h, src->str))
        continue;
      path = hs_xasprintf ("mounts[%zu]", i);
      if ((r = open_source (h, path, src->str, &p, &why, err)) < 0)
        return r;
      r = volume_may_idmap (h, s, path, m, src->str, r == 0 ? &p : NULL, why, err);
      hs_hostpath_release (&p);
      if (r < 0)
        return r;
    }
  return 0;
}

/* A volume that may not be idmapped still gets hardshim's mount, a plain
 * one carrying the mount's nosuid, nodev and noexec: crun 1.8.1 drops
 * those of a bind mount in a user namespace, but keeps those of the mount
 * it binds (they are locked there). */
static void
plain_volume (hs_harden_t *h, idmap_ctx_t *c, unsigned long long host, unsigned long long size,
              const char *path, hs_json_t *m, hs_json_t *src, int src_fd, const char *key,
              hs_json_t *recorded)
{
  cleanup_error hs_error_t e = NULL;
  cleanup_free char *target = NULL;
  int r = src_fd < 0 ? hs_error_make (&e, 0, "it could not be opened")
                     : idmap_begin (h, c, host, size, &e);

  if (r == 0)
    {
      target = hs_xasprintf ("%s/vol%u", c->dir, c->vols++);
      r = hs_idmap_mount_fd (src_fd, src->str, target, -1, is_rbind (m), mount_attrs (m), &e);
    }
  if (r < 0)
    {
      hs_harden_note (h, path,
                      "bind volume `%s` is bound by the runtime itself (%s): crun drops its "
                      "nosuid, nodev and noexec in a user namespace",
                      src->str, e->msg);
      return;
    }
  {
    hs_json_t *after = hs_json_new_string (target);
    cleanup_free char *sp = hs_xasprintf ("%s.source", path);

    hs_harden_change (h, sp, src, after,
                      "a plain mount of bind volume `%s` (not idmapped) that keeps its nosuid, "
                      "nodev and noexec in the user namespace",
                      src->str);
    if (key != NULL)
      hs_json_set_exact (recorded, key, hs_json_new_string (src->str));
    hs_json_set (m, "source", after);
  }
}

static int
idmap_volumes (hs_harden_t *h, const settings_t *s, idmap_ctx_t *c, unsigned long long host,
               unsigned long long size, hs_error_t *err)
{
  hs_json_t *mounts = hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY);
  cleanup_json hs_json_t *recorded = hs_json_new (HS_JSON_OBJECT);
  cleanup_volume_keys volume_keys_t vk = { mounts ? volume_keys (mounts) : NULL, mounts };
  int honours = -1;

  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      hs_json_t *m = mounts->items[i];
      hs_json_t *src = hs_json_get_type (m, "source", HS_JSON_STRING);
      cleanup_free char *path = hs_xasprintf ("mounts[%zu]", i);
      cleanup_error hs_error_t e = NULL;
      cleanup_free char *target = NULL, *open_why = NULL;
      __attribute__ ((cleanup (hs_hostpath_release))) hs_hostpath_t p = { .fd = -1 };
      const char *key = vk.keys[i];
      const char *why = NULL;
      int r = 0;

      if (!is_bind (m) || src == NULL || volume_skip (src->str) != NULL
          || in_idmap_dir (h, src->str))
        continue;
      if (asks_idmap (m))
        continue; /* the engine chose the mapping (check_asked_idmaps judged it) */
      /* opened once: judged and mounted from the same descriptor */
      if (strcmp (s->volumes, "none") != 0
          && (r = open_source (h, path, src->str, &p, &open_why, err)) < 0)
        return r;
      if (strcmp (s->volumes, "none") != 0
          && (r = volume_may_idmap (h, s, path, m, src->str, p.fd >= 0 ? &p : NULL, open_why, err))
                 != 0)
        {
          if (r < 0)
            return r;
          if (for_container (h))
            plain_volume (h, c, host, size, path, m, src, p.fd, key, recorded);
          continue;
        }
      if (strcmp (s->volumes, "none") == 0)
        why = "volumes is none";
      else if (!for_container (h))
        {
          hs_harden_note (h, path, "bind volume `%s` would be idmapped", src->str);
          continue;
        }
      if (why == NULL)
        {
          /* hardshim's own idmapped mount, also where the runtime could
           * idmap: crun 1.8.1 drops nosuid, nodev and noexec of a bind
           * mount in a user namespace, but its bind of a mount that carries
           * them keeps them */
          r = idmap_begin (h, c, host, size, &e);
          if (r == 0)
            {
              target = hs_xasprintf ("%s/vol%u", c->dir, c->vols++);
              r = hs_idmap_mount_fd (p.fd, src->str, target, c->userns_fd, is_rbind (m),
                                     mount_attrs (m), &e);
            }
          if (r == 0)
            {
              hs_json_t *after = hs_json_new_string (target);
              cleanup_free char *sp = hs_xasprintf ("%s.source", path);
              hs_harden_change (h, sp, src, after, "an idmapped mount of bind volume `%s`",
                                src->str);
              if (key != NULL)
                hs_json_set_exact (recorded, key, hs_json_new_string (src->str));
              hs_json_set (m, "source", after);
              continue;
            }
          why = e->msg;
        }
      if (strcmp (s->volumes, "none") != 0)
        {
          if (honours < 0)
            honours = h->ctr->runtime
                      && runtime_honours_mount_idmap_cached (h->policy->state_dir, h->ctr->runtime);
          if (honours)
            {
              hs_json_t *after = hs_json_dup (m);
              hs_json_set (after, "uidMappings", one_mapping (host, size));
              hs_json_set (after, "gidMappings", one_mapping (host, size));
              hs_harden_change (h, path, m, after,
                                "the runtime idmaps bind volume `%s` to the container's ids "
                                "(hardshim could not: %s)",
                                src->str, why);
              if (key != NULL)
                hs_json_set_exact (recorded, key, hs_json_new_string (src->str));
              hs_json_free (m);
              mounts->items[i] = after;
              continue;
            }
          if (strcmp (s->volumes, "idmap") == 0)
            return hs_harden_refuse (h, err, path, "cannot idmap bind volume `%s`: %s", src->str,
                                     why);
        }
      hs_harden_note (h, path,
                      "bind volume `%s` is not idmapped (%s): files owned by host ids outside "
                      "the container's range appear as nobody (65534) inside, and container "
                      "root may be unable to write them",
                      src->str, why);
    }
  if (recorded->len > 0)
    set_annotation (h, ANN_VOLUMES, json_text (recorded),
                    "the bind volumes' sources before they were idmapped, by destination, for "
                    "hardening this config again");
  return 0;
}

/* Is `dest` strictly below another mount's destination (then its mount
 * point lives on that mount, not on the rootfs)? */
static bool
below_other_mount (const hs_json_t *mounts, size_t self, const char *dest)
{
  for (size_t j = 0; j < mounts->len; j++)
    {
      const hs_json_t *d = hs_json_get_type (mounts->items[j], "destination", HS_JSON_STRING);
      size_t n;

      if (j == self || d == NULL)
        continue;
      n = strlen (d->str);
      while (n > 0 && d->str[n - 1] == '/')
        n--;
      if (n > 0 && strncmp (dest, d->str, n) == 0 && dest[n] == '/')
        return true;
    }
  return false;
}

/* Create the mount point `dest` below `rootfd`, as the runtime would do as
 * host root, component by component without following any symlink (a
 * symlink anywhere: leave it to the runtime). */
static bool
make_mountpoint_at (int rootfd, const char *dest, bool dir)
{
  cleanup_free char *p = hs_xstrdup (dest);
  cleanup_close int fd = fcntl (rootfd, F_DUPFD_CLOEXEC, 3);
  char *save = NULL;
  bool made = false;

  if (fd < 0)
    return false;
  for (char *comp = strtok_r (p, "/", &save); comp != NULL; comp = strtok_r (NULL, "/", &save))
    {
      bool last = *save == '\0';
      struct stat st;
      int next;

      if (strcmp (comp, "..") == 0 || strcmp (comp, ".") == 0)
        return false;
      if (fstatat (fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno != ENOENT)
            return false;
          if (last && !dir)
            {
              int f = openat (fd, comp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
              if (f < 0)
                return false;
              close (f);
              return true;
            }
          if (mkdirat (fd, comp, 0755) < 0)
            return false;
          made = true;
        }
      else if (!S_ISDIR (st.st_mode))
        return made; /* exists as a file (or a symlink): the runtime's business */
      if (last)
        return made;
      next = openat (fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return false;
      close (fd);
      fd = next;
    }
  return made;
}

/* A rootfs that is not idmapped belongs to host root, which container root
 * is not: the runtime, running as container root, cannot create the mount
 * points an engine's binds need (podman's /etc/hosts, /etc/hostname,
 * /etc/resolv.conf). Create the missing ones on the rootfs as host root
 * would have without a user namespace. */
static void
make_mountpoints (hs_harden_t *h, int rootfd)
{
  hs_json_t *mounts = hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY);

  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      const hs_json_t *m = mounts->items[i];
      const hs_json_t *d = hs_json_get_type (m, "destination", HS_JSON_STRING);
      const hs_json_t *src = hs_json_get_type (m, "source", HS_JSON_STRING);
      cleanup_free char *path = NULL;
      bool dir = true;
      struct stat st;

      if (d == NULL || d->str[0] != '/' || below_other_mount (mounts, i, d->str))
        continue;
      if (is_bind (m) && src != NULL && stat (src->str, &st) == 0 && !S_ISDIR (st.st_mode))
        dir = false;
      if (!make_mountpoint_at (rootfd, d->str, dir))
        continue;
      path = hs_xasprintf ("mounts[%zu].destination", i);
      hs_harden_note (h, path,
                      "created the mount point `%s` on the rootfs (container root cannot: the "
                      "rootfs is not idmapped)",
                      d->str);
    }
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
        return hs_harden_refuse (h, err,
                                 keys_[i][0] == 'u' ? "process.user.uid" : "process.user.gid",
                                 "id %s is outside the container's user namespace (ids 0-%llu; "
                                 "raise `userns.size`)",
                                 v->str, size - 1);
    }
  for (size_t i = 0; extra && i < extra->len; i++)
    if (extra->items[i]->type == HS_JSON_NUMBER
        && strtoull (extra->items[i]->str, NULL, 10) >= size)
      {
        cleanup_free char *p = hs_xasprintf ("process.user.additionalGids[%zu]", i);
        return hs_harden_refuse (h, err, p,
                                 "id %s is outside the container's user namespace (ids 0-%llu; "
                                 "raise `userns.size`)",
                                 extra->items[i]->str, size - 1);
      }
  return 0;
}

/* ---- namespaces joined by path that the new user namespace cannot own ----
 * The runtime joins namespaces given by path before it creates the user
 * namespace (runc 1.1: nsexec), so the container is in them but container
 * root has no capability over them: it cannot write their sysctls, bind a
 * port below ip_unprivileged_port_start, open a ping socket outside
 * ping_group_range, or mount proc or mqueue for them. A Kubernetes pod on
 * containerd 1.6/1.7 is this case: its network namespace is made in the
 * host's user namespace, its containers join the sandbox's IPC namespace.
 * Nothing here trusts an annotation: only what the kernel says of each
 * namespace (src/joined_ns.c). */

static const char *
joined_path (hs_json_t *namespaces, const char *type, size_t *ret_i)
{
  hs_json_t *ns = find_ns (namespaces, type, ret_i);
  const hs_json_t *p = ns ? hs_json_get_type (ns, "path", HS_JSON_STRING) : NULL;

  return p != NULL && p->len > 0 ? p->str : NULL;
}

static long
find_mount_type (const hs_json_t *mounts, const char *type, size_t from)
{
  for (size_t i = from; mounts && i < mounts->len; i++)
    {
      const hs_json_t *t = hs_json_get_type (mounts->items[i], "type", HS_JSON_STRING);

      if (t && strcmp (t->str, type) == 0)
        return (long) i;
    }
  return -1;
}

/* proc shows the pid namespace of whoever mounts it, and only its owner
 * may: a container that joins another pid namespace (a pod's shared
 * process namespace) and gets a user namespace of its own cannot have
 * /proc. Say so now rather than let the runtime fail, or crun fall back to
 * a bind of the host's /proc. */
static int
check_joined_pid (hs_harden_t *h, hs_json_t *namespaces, hs_error_t *err)
{
  size_t i = 0;
  const char *path = joined_path (namespaces, "pid", &i);
  cleanup_free char *jp = NULL;

  if (path == NULL
      || find_mount_type (hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY), "proc", 0) < 0)
    return 0;
  jp = hs_xasprintf ("linux.namespaces[%zu].path", i);
  return hs_harden_refuse (h, err, jp,
                           "the container joins the pid namespace `%s` but gets a user namespace "
                           "of its own, which cannot mount /proc for a pid namespace it does not "
                           "own (a Kubernetes pod with shareProcessNamespace); give each "
                           "container its own pid namespace, or grant `userns` off for this "
                           "scope in the policy's `exceptions`",
                           path);
}

/* The container's block of host ids as a ping_group_range value, merged
 * with `current` ("lo hi"; empty when lo > hi) so that the other
 * containers of the pod keep theirs. NULL when `current` covers it. */
static char *
ping_range_covering (const char *current, unsigned long long host, unsigned long long size)
{
  unsigned long long lo = 1, hi = 0, want_hi = host + size - 1;
  char rest;

  if (current == NULL || sscanf (current, "%llu %llu %c", &lo, &hi, &rest) != 2)
    lo = 1, hi = 0;
  if (lo <= hi && lo <= host && hi >= want_hi)
    return NULL;
  if (lo > hi)
    return hs_xasprintf ("%llu %llu", host, want_hi);
  return hs_xasprintf ("%llu %llu", lo < host ? lo : host, hi > want_hi ? hi : want_hi);
}

/* A ping_group_range of the config (container gids) as host gids, for a
 * network namespace owned by the host's user namespace; NULL when no gid
 * of it is mapped. */
static char *
ping_range_on_host (const char *value, unsigned long long host, unsigned long long size)
{
  unsigned long long lo, hi;
  char rest;

  if (sscanf (value, "%llu %llu %c", &lo, &hi, &rest) != 2 || lo > hi || lo >= size)
    return NULL;
  if (hi >= size)
    hi = size - 1;
  return hs_xasprintf ("%llu %llu", host + lo, host + hi);
}

typedef struct
{
  hs_sysctl_write_t w[64];
  char *owned[64];
  const char *why[64];
  size_t n;
} sysctl_plan_t;

static void
plan_release (sysctl_plan_t *p)
{
  for (size_t i = 0; i < p->n; i++)
    free (p->owned[i]);
}
#define cleanup_plan __attribute__ ((cleanup (plan_release)))

static bool
plan_add (sysctl_plan_t *p, const char *name, char *value, const char *why)
{
  if (p->n == sizeof (p->w) / sizeof (p->w[0]))
    {
      free (value);
      return false;
    }
  p->w[p->n] = (hs_sysctl_write_t){ name, value };
  p->owned[p->n] = value;
  p->why[p->n++] = why;
  return true;
}

static bool
plan_has (const sysctl_plan_t *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->w[i].name, name) == 0)
      return true;
  return false;
}

/* A network namespace joined by path: the config's net.* sysctls are
 * written inside it by host root (and leave the config: the runtime, as
 * container root, could not), and with `joined_netns` prepare (the
 * default) container root may bind every port and ping, as host root
 * could without a user namespace. Never the host's network namespace. */
static int
joined_network (hs_harden_t *h, const settings_t *s, hs_json_t *namespaces, unsigned long long host,
                unsigned long long size, hs_error_t *err)
{
  static const char *const reads[]
      = { "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ping_group_range", NULL };
  size_t ni = 0;
  const char *path = joined_path (namespaces, "network", &ni);
  hs_json_t *sysctl = hs_json_path (h->spec, "linux", "sysctl", NULL);
  cleanup_error hs_error_t e = NULL;
  cleanup_free char *jp = NULL, *cur_port = NULL, *cur_ping = NULL;
  cleanup_plan sysctl_plan_t plan = { .n = 0 };
  cleanup_close int fd = -1;
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  bool hosts = false, host_owned = false;
  char *current[2] = { NULL, NULL };
  int r;

  if (sysctl != NULL && sysctl->type != HS_JSON_OBJECT)
    sysctl = NULL;
  if (path == NULL)
    {
      fix_ping_group_range (h, size);
      return 0;
    }
  jp = hs_xasprintf ("linux.namespaces[%zu].path", ni);
  if (hs_joined_ns_open (path, CLONE_NEWNET, &fd, &e) < 0
      || hs_joined_ns_is_hosts (fd, CLONE_NEWNET, &hosts, &e) < 0
      || hs_joined_ns_owned_by_host (fd, &host_owned, &e) < 0)
    return hs_harden_refuse (h, err, jp, "cannot check the network namespace: %s", e->msg);
  if (hosts)
    {
      hs_harden_note (h, jp,
                      "the container joins the host's network namespace: hardshim changes none "
                      "of its sysctls, and container root cannot bind ports below "
                      "net.ipv4.ip_unprivileged_port_start there");
      return 0;
    }
  for (size_t i = 0; sysctl && i < sysctl->len; i++)
    {
      const char *name = sysctl->keys[i];
      const hs_json_t *v = sysctl->items[i];
      char *value;

      if (strncmp (name, "net.", 4) != 0 || strchr (name, '/') != NULL || v->type != HS_JSON_STRING)
        continue;
      value = hs_xstrdup (v->str);
      if (strcmp (name, "net.ipv4.ping_group_range") == 0)
        {
          free (value);
          value = host_owned ? ping_range_on_host (v->str, host, size) : NULL;
          if (value == NULL)
            continue; /* removed below, with its reason */
        }
      if (!plan_add (&plan, name, value, "from the config"))
        return hs_harden_refuse (h, err, "linux.sysctl", "too many net.* sysctls");
    }
  if (!for_container (h))
    {
      hs_harden_note (h, jp,
                      "the network namespace `%s` is not the user namespace's: its sysctls "
                      "would be written by hardshim%s",
                      path, s->prepare_netns && host_owned ? ", and ports and ping prepared" : "");
      return 0;
    }
  if ((r = hs_registry_lock (h->policy->state_dir, "netns", &reg, &e)) < 0)
    return hs_harden_refuse (h, err, jp, "cannot prepare the network namespace: %s", e->msg);
  r = hs_netns_sysctls (fd, reads, current, NULL, 0, &e);
  cur_port = current[0];
  cur_ping = current[1];
  if (r == 0 && s->prepare_netns && host_owned)
    {
      char *ping = plan_has (&plan, reads[1]) ? NULL : ping_range_covering (cur_ping, host, size);

      if (!plan_has (&plan, reads[0]) && cur_port != NULL && strcmp (cur_port, "0") != 0)
        plan_add (&plan, reads[0], hs_xstrdup ("0"),
                  "container root binds any port, as host root could (joined_netns prepare)");
      if (ping != NULL)
        plan_add (&plan, reads[1], ping,
                  "the container's gids may open ping sockets (joined_netns prepare)");
    }
  if (r == 0)
    r = hs_netns_sysctls (fd, NULL, NULL, plan.w, plan.n, &e);
  hs_registry_unlock (&reg);
  if (r < 0)
    return hs_harden_refuse (h, err, jp, "cannot prepare the network namespace `%s`: %s", path,
                             e->msg);
  for (size_t i = 0; i < plan.n; i++)
    hs_harden_note (h, jp, "wrote %s = \"%s\" inside the network namespace `%s` (%s)",
                    plan.w[i].name, plan.w[i].value, path, plan.why[i]);
  for (size_t i = 0; sysctl && i < sysctl->len;)
    {
      const char *name = sysctl->keys[i];
      cleanup_free char *kp = NULL;

      if (strncmp (name, "net.", 4) != 0 || strchr (name, '/') != NULL
          || sysctl->items[i]->type != HS_JSON_STRING)
        {
          i++;
          continue;
        }
      kp = hs_xasprintf ("linux.sysctl[\"%s\"]", name);
      hs_harden_change (h, kp, sysctl->items[i], NULL,
                        plan_has (&plan, name)
                            ? "written by hardshim inside the joined network namespace: the "
                              "runtime, as container root, could not"
                            : "no gid of this range is the container's in the joined network "
                              "namespace");
      hs_json_remove_exact (sysctl, name);
    }
  return 0;
}

/* An IPC namespace joined by path (a pod's containers join the sandbox's):
 * mqueue can only be mounted by its owner, so hardshim mounts it and the
 * runtime binds hardshim's mount. */
static int
joined_ipc (hs_harden_t *h, idmap_ctx_t *c, hs_json_t *namespaces, unsigned long long host,
            unsigned long long size, hs_error_t *err)
{
  hs_json_t *mounts = hs_json_get_type (h->spec, "mounts", HS_JSON_ARRAY);
  const char *path = joined_path (namespaces, "ipc", NULL);
  cleanup_json hs_json_t *recorded = hs_json_new (HS_JSON_OBJECT);
  cleanup_volume_keys volume_keys_t vk = { NULL, mounts };
  cleanup_close int fd = -1;
  long i;

  if (path == NULL || (i = find_mount_type (mounts, "mqueue", 0)) < 0)
    return 0;
  vk.keys = volume_keys (mounts);
  for (; i >= 0; i = find_mount_type (mounts, "mqueue", (size_t) i + 1))
    {
      hs_json_t *m = mounts->items[i];
      cleanup_free char *mp = hs_xasprintf ("mounts[%zu]", (size_t) i);
      cleanup_free char *target = NULL;
      cleanup_error hs_error_t e = NULL;
      hs_json_t *after, *opts;
      int r;

      if (!for_container (h))
        {
          hs_harden_note (h, mp, "mqueue of the joined IPC namespace would be mounted by hardshim");
          continue;
        }
      r = fd >= 0 ? 0 : hs_joined_ns_open (path, CLONE_NEWIPC, &fd, &e);
      if (r == 0)
        r = idmap_begin (h, c, host, size, &e);
      if (r == 0)
        {
          target = hs_xasprintf ("%s/mqueue%ld", c->dir, i);
          r = hs_mqueue_mount (fd, target, &e);
        }
      if (r < 0)
        return hs_harden_refuse (h, err, mp,
                                 "mqueue of the joined IPC namespace `%s`, which the container's "
                                 "user namespace does not own: %s",
                                 path, e->msg);
      after = hs_json_dup (m);
      hs_json_set (after, "type", hs_json_new_string ("bind"));
      hs_json_set (after, "source", hs_json_new_string (target));
      opts = hs_json_new (HS_JSON_ARRAY);
      hs_json_append (opts, hs_json_new_string ("bind"));
      hs_json_append (opts, hs_json_new_string ("nosuid"));
      hs_json_append (opts, hs_json_new_string ("nodev"));
      hs_json_append (opts, hs_json_new_string ("noexec"));
      hs_json_set (after, "options", opts);
      if (vk.keys[i] != NULL)
        {
          hs_json_t *text = json_text (m);
          if (text != NULL)
            hs_json_set_exact (recorded, vk.keys[i], text);
        }
      hs_harden_change (h, mp, m, after,
                        "mqueue of the joined IPC namespace `%s`, mounted by hardshim (the "
                        "container's user namespace does not own it)",
                        path);
      hs_json_free (m);
      mounts->items[i] = after;
    }
  if (recorded->len > 0)
    set_annotation (h, ANN_MOUNTS, json_text (recorded),
                    "the mounts hardshim replaced whole, by destination, for hardening this "
                    "config again");
  return 0;
}

/* What an added (or joined) user namespace needs of the mounts. */
static int
userns_mounts (hs_harden_t *h, const settings_t *s, hs_json_t *namespaces, unsigned long long host,
               unsigned long long size, hs_error_t *err)
{
  idmap_ctx_t c = { .userns_fd = -1, .plain_root = -1 };
  int r;

  fix_sysfs (h, namespaces);
  r = joined_network (h, s, namespaces, host, size, err);
  if (r == 0)
    r = idmap_rootfs (h, s, &c, host, size, err);
  if (r == 0)
    r = idmap_volumes (h, s, &c, host, size, err);
  if (r == 0)
    r = joined_ipc (h, &c, namespaces, host, size, err);
  if (r == 0 && c.plain_root >= 0)
    make_mountpoints (h, c.plain_root);
  if (r == 0 && for_container (h))
    keep_locked_flags (h);
  if (c.userns_fd >= 0)
    close (c.userns_fd);
  free (c.dir);
  free (c.failure);
  if (c.plain_root >= 0)
    close (c.plain_root);
  return r;
}

static int
add_userns (hs_harden_t *h, const settings_t *s, hs_json_t *linux_, hs_json_t *namespaces,
            hs_json_t *existing, hs_error_t *err)
{
  cleanup_error hs_error_t e = NULL;
  hs_idpool_t pool = { 0 };
  cleanup_json hs_json_t *marker = hs_json_new (HS_JSON_OBJECT);
  unsigned long long host = 0;
  int r;

  r = check_process_ids (h, s->size, err);
  if (r == 0)
    r = check_joined_pid (h, namespaces, err);
  if (r < 0)
    return r;
  r = load_pool (s, &pool, &e);
  if (r == 0 && hs_idpool_first_block (&pool, s->size, &host) < 0)
    r = hs_error_make (&e, 0,
                       "no block of %llu ids in the pool (the `%s` entries of /etc/subuid and "
                       "/etc/subgid, or `userns.ranges`)",
                       s->size, s->user);
  if (r == 0 && !s->shared && for_container (h))
    r = hs_userns_allocate (h->policy->state_dir, &pool, s->size, h->ctr->root, h->ctr->id, &host,
                            &e);
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
    const hs_json_t *ou = hs_json_get (linux_, "uidMappings");
    const hs_json_t *og = hs_json_get (linux_, "gidMappings");

    /* what is replaced, so a later hardening can put it back */
    hs_json_set_exact (marker, "hostID", hs_json_new_uint (host));
    hs_json_set_exact (marker, "size", hs_json_new_uint (s->size));
    hs_json_set_exact (marker, "namespace", hs_json_new_string (existing ? "kept" : "added"));
    if (ou != NULL)
      hs_json_set_exact (marker, "uidMappings", hs_json_dup (ou));
    if (og != NULL)
      hs_json_set_exact (marker, "gidMappings", hs_json_dup (og));
    hs_harden_change (h, "linux.uidMappings", hs_json_get (linux_, "uidMappings"), u,
                      "container ids map to host ids %llu-%llu (%s)", host, host + s->size - 1,
                      s->shared ? "shared by all containers" : "this container's own block");
    hs_json_set (linux_, "uidMappings", u);
    hs_harden_change (h, "linux.gidMappings", hs_json_get (linux_, "gidMappings"), g,
                      "container ids map to host ids %llu-%llu", host, host + s->size - 1);
    hs_json_set (linux_, "gidMappings", g);
    set_annotation (h, ANN_MAPPING, json_text (marker),
                    "the ids are hardshim's, not the engine's: a later hardening allocates "
                    "again");
  }
  return userns_mounts (h, s, namespaces, host, s->size, err);
}

static bool
hardshims_own (hs_harden_t *h, const hs_json_t *linux_)
{
  const hs_json_t *ann = hs_json_get_type (h->spec, "annotations", HS_JSON_OBJECT);
  cleanup_json hs_json_t *marker = NULL;
  unsigned long long host, size;

  if (ann == NULL || hs_json_get_exact (ann, ANN_MAPPING) == NULL)
    return false;
  marker = parse_annotation (h, ann, ANN_MAPPING, HS_JSON_OBJECT);
  return marker_block (marker, &host, &size) && mappings_are (linux_, host, size);
}

static int harden_userns (hs_harden_t *h, const settings_t *s, hs_error_t *err);

/* Is /proc/PID/FILE (uid_map, gid_map) the one line "0 START SIZE"? */
static bool
proc_map_is (unsigned long long pid, const char *file, unsigned long long start,
             unsigned long long size)
{
  cleanup_free char *p = hs_xasprintf ("/proc/%llu/%s", pid, file);
  cleanup_file FILE *f = fopen (p, "re");
  char buf[4096];
  unsigned long long c, hst, n;
  size_t len;
  int used = 0;

  if (f == NULL)
    return false;
  len = fread (buf, 1, sizeof (buf) - 1, f);
  buf[len] = '\0';
  if (sscanf (buf, " %llu %llu %llu %n", &c, &hst, &n, &used) != 3)
    return false;
  return c == 0 && hst == start && n == size && buf[used] == '\0';
}

/* A user namespace joined by path (a Kubernetes pod's container joins its
 * sandbox's; the namespaces control admits no other): it must be one
 * hardshim made, so its ids are a block recorded for the container that
 * owns it, mapped whole from container id 0. An engine's own mapping, or a
 * namespace whose ids are any host user's, is refused. */
static int
check_joined_user (hs_harden_t *h, const char *path, hs_error_t *err)
{
  const char *root = h->ctr != NULL ? h->ctr->root : h->runtime_root;
  cleanup_free char *abs = root != NULL ? hs_runtime_root_absolute (root) : NULL;
  cleanup_free char *owner = NULL;
  unsigned long long pid = 0, start = 0, size = 0;
  struct stat st;
  int r = 0;

  if (abs != NULL && stat (path, &st) == 0)
    owner = hs_liveness_ns_owner (abs, "user", (unsigned long long) st.st_dev,
                                  (unsigned long long) st.st_ino, &pid);
  if (owner != NULL && h->policy->state_dir != NULL)
    r = hs_userns_recorded (h->policy->state_dir, abs, owner, &start, &size, NULL);
  if (owner == NULL || r <= 0 || !proc_map_is (pid, "uid_map", start, size)
      || !proc_map_is (pid, "gid_map", start, size))
    return hs_harden_refuse (h, err, "linux.namespaces",
                             "the user namespace `%s` is not one hardshim made for a container "
                             "of this runtime root (its ids are not a block hardshim recorded)",
                             path);
  hs_harden_note (h, "linux.namespaces",
                  "the container joins the user namespace of container `%s` (host ids "
                  "%llu-%llu, recorded by hardshim)",
                  owner, start, start + size - 1);
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  settings_t s;
  int r;

  r = read_settings (settings, &s, err);
  if (r == 0)
    r = check_asked_idmaps (h, &s, err);
  if (r == 0)
    r = harden_userns (h, &s, err);
  hs_volume_trees_release (&s.trees);
  return r;
}

static int
harden_userns (hs_harden_t *h, const settings_t *s, hs_error_t *err)
{
  hs_json_t *linux_, *namespaces, *user;

  linux_ = hs_json_ensure_object (h->spec, "linux");
  if (linux_ == NULL)
    return hs_harden_refuse (h, err, "linux", "`linux` must be an object");
  namespaces = hs_json_ensure_array (linux_, "namespaces");
  if (namespaces == NULL)
    return hs_harden_refuse (h, err, "linux.namespaces", "`linux.namespaces` must be an array");
  if (h->host->caller_unprivileged)
    {
      /* every id the runtime can map is already one of the engine user's */
      hs_harden_note (h, "linux.namespaces",
                      "hardshim runs where no id is host root (a rootless engine): the "
                      "container's ids are the engine user's, no block is assigned");
      return 0;
    }
  user = find_ns (namespaces, "user", NULL);
  if (user != NULL && ns_has_path (user))
    return check_joined_user (h, hs_json_get (user, "path")->str, err);
  if (user != NULL)
    {
      const hs_json_t *um = hs_json_get (linux_, "uidMappings");
      const hs_json_t *gm = hs_json_get (linux_, "gidMappings");
      bool root_is_root = maps_host_root (um) || maps_host_root (gm);

      if (root_is_root && !s->replace_host_root)
        return hs_harden_refuse (h, err,
                                 maps_host_root (um) ? "linux.uidMappings" : "linux.gidMappings",
                                 "the user namespace maps a container id to host root (id 0); "
                                 "set `userns.host_root` to \"replace\" to have hardshim "
                                 "assign ids instead");
      if (!root_is_root && mapped (um, 0) > 0)
        {
          /* The engine's own userns (podman --userns, Docker userns-remap),
           * or hardshim's from an earlier hardening of this tree (a
           * container's create restores that first: hs_userns_restore). */
          bool own = hardshims_own (h, linux_), ok = own;
          const char *why = NULL;
          int r;

          if (!own && (r = engine_mapping_ok (s, um, gm, &ok, &why, err)) < 0)
            return r;
          if (own)
            hs_harden_note (h, "linux.uidMappings",
                            "hardshim's user namespace (annotation `%s`) is kept: container "
                            "root is host id %lld",
                            ANN_MAPPING, mapped (um, 0));
          else if (ok)
            hs_harden_note (h, "linux.uidMappings",
                            "the engine's user namespace is kept (inside `userns.engine_ranges`): "
                            "container root is host id %lld",
                            mapped (um, 0));
          else
            hs_harden_note (h, "linux.uidMappings",
                            "the config's own mapping (container root host id %lld) is "
                            "replaced by a block of hardshim's: %s",
                            mapped (um, 0), why);
          if (ok)
            {
              fix_sysfs (h, namespaces);
              return 0;
            }
        }
    }
  return add_userns (h, s, linux_, namespaces, user, err);
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
         "  engine_ranges  [{\"start\": N, \"size\": N}, ...]: where a config's own\n"
         "             mapping may point and be kept (default: the subuid/subgid ranges of\n"
         "             dockremap and containers); never hardshim's pool or a host\n"
         "             account's id. Any other mapping is replaced by hardshim's block\n"
         "  ownership  auto (idmap the rootfs where the kernel can), idmap (or refuse), none\n"
         "  volumes    auto (idmap bind volumes: by hardshim, else by the runtime when it\n"
         "             honours mount uidMappings), idmap (or refuse), none. Only a\n"
         "             volume no other host user can reach is idmapped: in an engine\n"
         "             volume store only root can traverse, or in an own_volumes tree\n"
         "  volume_stores  engine volume stores (/var/lib/docker/volumes,\n"
         "             /var/lib/containers/storage/volumes)\n"
         "  own_volumes    trees whose volumes are the containers' own (none)\n"
         "  joined_netns   prepare (container root binds every port and pings in a\n"
         "             joined network namespace the host's user namespace owns) or\n"
         "             leave. No annotation drops the user namespace: namespaces joined\n"
         "             by path (a pod's) are prepared by hardshim (doc/userns.md)\n",
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

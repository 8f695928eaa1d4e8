#include "harden/volume_idmap.h"
#include "cleanup.h"
#include "hostpath.h"
#include "idmap.h"
#include "mountinfo.h"
#include "xalloc.h"

#include <string.h>

const char *const hs_volume_default_stores[] = {
  "/var/lib/docker/volumes",
  "/var/lib/containers/storage/volumes",
  NULL,
};
static const char *const no_trees[] = { NULL };

int
hs_volume_trees_validate (const hs_json_t *settings, const char *control, hs_error_t *err)
{
  const hs_json_t *v;
  int r = hs_settings_abs_paths (settings, control, "volume_stores", &v, err);

  return r < 0 ? r : hs_settings_abs_paths (settings, control, "own_volumes", &v, err);
}

void
hs_volume_trees_from (const hs_json_t *settings, hs_volume_trees_t *ret)
{
  ret->stores = (hs_strlist_t){ settings ? hs_json_get_exact (settings, "volume_stores") : NULL,
                                hs_volume_default_stores };
  ret->own
      = (hs_strlist_t){ settings ? hs_json_get_exact (settings, "own_volumes") : NULL, no_trees };
  ret->resolved_stores = ret->resolved_own = NULL;
}

static char **
resolve_all (const hs_strlist_t *l)
{
  size_t n = hs_strlist_len (l);
  char **out = hs_xcalloc (n + 1, sizeof (*out));

  for (size_t i = 0; i < n; i++)
    out[i] = hs_path_resolve_host (hs_strlist_at (l, i), NULL);
  return out;
}

static void
free_all (char **v)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    free (v[i]);
  free (v);
}

void
hs_volume_trees_release (hs_volume_trees_t *t)
{
  free_all (t->resolved_stores);
  free_all (t->resolved_own);
  t->resolved_stores = t->resolved_own = NULL;
}

/* `path` cleaned as text; a relative one joined to the bundle. */
static char *
lexical_path (const char *path, const char *bundle)
{
  cleanup_free char *joined = NULL;

  if (path[0] == '/' || bundle == NULL)
    return hs_path_clean (path);
  joined = hs_xasprintf ("%s/%s", bundle, path);
  return hs_path_clean (joined);
}

/* `path` lies in a tree of `l`, as written or resolved. */
static bool
under_any (const hs_strlist_t *l, char *const *resolved, const char *path)
{
  for (size_t i = 0, n = hs_strlist_len (l); i < n; i++)
    if (hs_path_is_under (path, hs_strlist_at (l, i)) || hs_path_is_under (path, resolved[i]))
      return true;
  return false;
}

/* The tree of `resolved` that `path` lies in (strictly below when
 * `strict`); NULL when none. */
static const char *
tree_of (char *const *resolved, const char *path, bool strict)
{
  for (size_t i = 0; resolved[i] != NULL; i++)
    if (hs_path_is_under (path, resolved[i]) && (!strict || strcmp (path, resolved[i]) != 0))
      return resolved[i];
  return NULL;
}

int
hs_all_names_root_only (hs_harden_t *h, const hs_hostpath_t *p, bool recursive, char **ret_why,
                        hs_error_t *err)
{
  const hs_mountinfo_t *mi = NULL;
  hs_hostname_t *names = NULL;
  size_t n = 0;
  cleanup_error hs_error_t e = NULL;

  if (hs_harden_mountinfo (h, &mi, err) < 0)
    return -1;
  if (hs_hostpath_names (p, mi, recursive, &names, &n, &e) < 0)
    {
      *ret_why = hs_xasprintf ("hardshim cannot tell where else it is seen: %s", e->msg);
      return 0;
    }
  for (size_t i = 1; *ret_why == NULL && i < n; i++)
    {
      hs_hostpath_t q;

      /* hardshim's own idmapped mounts show the files shifted to a
       * container's ids: no host user gains root's there */
      if (hs_idmap_path_is_ours (h->policy->state_dir, names[i].via->point))
        continue;
      if (names[i].whole)
        *ret_why = hs_xasprintf ("the mount at %s comes along with it", names[i].path);
      else if (hs_hostpath_resolve (names[i].path, NULL, 0, &q, &e) < 0)
        *ret_why = hs_xasprintf ("it is also seen at %s: %s", names[i].path, e->msg);
      else
        {
          if (!q.root_only)
            *ret_why
                = hs_xasprintf ("it is also seen at %s, which host users can reach", names[i].path);
          hs_hostpath_release (&q);
        }
    }
  hs_hostnames_free (names, n);
  return 0;
}

int
hs_volume_idmap_allowed (hs_harden_t *h, hs_volume_trees_t *t, const char *source,
                         const hs_hostpath_t *p, bool recursive, bool *ret_allowed, char **ret_why,
                         hs_error_t *err)
{
  static const char not_in_tree[]
      = "it is not in an engine volume store (userns.volume_stores) nor in a tree the policy "
        "names as the containers' own (userns.own_volumes)";
  const char *bundle = h->ctr ? h->ctr->bundle : NULL;
  cleanup_free char *why = NULL, *lexical = NULL;
  const char *store;
  cleanup_error hs_error_t e = NULL;
  hs_hostpath_t s;
  int r = 0;

  if (t->resolved_stores == NULL)
    {
      t->resolved_stores = resolve_all (&t->stores);
      t->resolved_own = resolve_all (&t->own);
    }
  /* Not even spelled inside a tree: not idmapped (a symlink into a store
   * is only refused an idmap, the safe way; the mounts control has pinned
   * bind sources to their resolved paths). */
  lexical = lexical_path (source, bundle);
  if (!under_any (&t->own, t->resolved_own, lexical)
      && !under_any (&t->stores, t->resolved_stores, lexical))
    {
      *ret_allowed = false;
      *ret_why = hs_xstrdup (not_in_tree);
      return 0;
    }
  if (tree_of (t->resolved_own, p->path, false) != NULL)
    {
      *ret_allowed = true;
      return 0;
    }
  store = tree_of (t->resolved_stores, p->path, true);
  if (store == NULL)
    why = hs_xstrdup (not_in_tree);
  else if (p->missing[0] != '\0')
    why = hs_xstrdup ("it does not exist");
  else if (!p->root_only)
    why = hs_xasprintf ("host users other than root can reach it (no directory above it in %s is "
                        "root's alone)",
                        store);
  else if (hs_hostpath_resolve (store, NULL, 0, &s, &e) < 0)
    why = hs_xasprintf ("hardshim cannot tell what the volume store is: %s", e->msg);
  else
    {
      if (s.mnt_id != p->mnt_id)
        why = hs_xasprintf ("it is a mount of its own, not data of the volume store %s (a local "
                            "volume mounted from elsewhere)",
                            store);
      hs_hostpath_release (&s);
      if (why == NULL)
        r = hs_all_names_root_only (h, p, recursive, &why, err);
    }
  if (r < 0)
    return r;
  *ret_allowed = why == NULL;
  if (why != NULL)
    *ret_why = TAKE_PTR (why);
  return 0;
}

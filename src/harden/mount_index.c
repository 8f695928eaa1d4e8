#include "harden/mount_index.h"
#include "harden/mount_options.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static int
entry_cmp (const void *a, const void *b)
{
  const hs_mount_entry_t *x = a, *y = b;
  int c = strcmp (x->dest, y->dest);

  if (c != 0)
    return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorted, one entry per destination (its first index). */
static hs_mount_entry_t *
build (const hs_mount_index_t *x, bool binds_only, size_t *ret_n)
{
  hs_mount_entry_t *e = hs_xcalloc (x->n + 1, sizeof *e);
  size_t n = 0, k = 0;

  for (size_t i = 0; i < x->n; i++)
    if (x->dests[i] != NULL && (!binds_only || x->bind[i]))
      e[n++] = (hs_mount_entry_t){ x->dests[i], i };
  qsort (e, n, sizeof *e, entry_cmp);
  for (size_t i = 0; i < n; i++)
    if (k == 0 || strcmp (e[k - 1].dest, e[i].dest) != 0)
      e[k++] = e[i];
  *ret_n = k;
  return e;
}

void
hs_mount_index_init (hs_mount_index_t *x, const hs_json_t *mounts)
{
  size_t n = mounts && mounts->type == HS_JSON_ARRAY ? mounts->len : 0;

  memset (x, 0, sizeof *x);
  x->n = n;
  x->dests = hs_xcalloc (n + 1, sizeof (char *));
  x->bind = hs_xcalloc (n + 1, sizeof (bool));
  for (size_t i = 0; i < n; i++)
    {
      const hs_json_t *m = mounts->items[i];
      const hs_json_t *d, *type, *opts;

      if (m->type != HS_JSON_OBJECT)
        continue;
      d = hs_json_get (m, "destination");
      type = hs_json_get (m, "type");
      opts = hs_json_get (m, "options");
      if (d == NULL || d->type != HS_JSON_STRING)
        continue; /* mounts refuses it */
      if (type != NULL && type->type != HS_JSON_STRING)
        type = NULL;
      if (opts != NULL && opts->type != HS_JSON_ARRAY)
        opts = NULL;
      x->dests[i] = hs_path_clean_dest (d->str);
      x->bind[i] = hs_mount_is_bind (type, opts);
    }
  x->all = build (x, false, &x->n_all);
  x->binds = build (x, true, &x->n_binds);
}

void
hs_mount_index_release (hs_mount_index_t *x)
{
  for (size_t i = 0; i < x->n; i++)
    free (x->dests[i]);
  free (x->dests);
  free (x->bind);
  free (x->all);
  free (x->binds);
  memset (x, 0, sizeof *x);
}

static const hs_mount_entry_t *
find (const hs_mount_entry_t *e, size_t n, const char *dest)
{
  size_t lo = 0, hi = n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (e[mid].dest, dest);

      if (c == 0)
        return &e[mid];
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

bool
hs_mount_index_above (const hs_mount_index_t *x, const char *path, size_t before, bool strict,
                      bool skip_root, bool binds_only, size_t *ret_index)
{
  const hs_mount_entry_t *e = binds_only ? x->binds : x->all;
  size_t n = binds_only ? x->n_binds : x->n_all;
  cleanup_free char *p = hs_xstrdup (path);
  bool first = true;

  /* path itself, then each ancestor up to "/" */
  for (;;)
    {
      const hs_mount_entry_t *hit;
      char *slash;

      if (!(strict && first) && !(skip_root && strcmp (p, "/") == 0)
          && (hit = find (e, n, p)) != NULL && hit->index < before)
        {
          *ret_index = hit->index;
          return true;
        }
      first = false;
      if (strcmp (p, "/") == 0)
        return false;
      slash = strrchr (p, '/');
      if (slash == p)
        p[1] = '\0';
      else
        *slash = '\0';
    }
}

#include "userns_alloc.h"
#include "cleanup.h"
#include "fileio.h"
#include "registry.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
hs_idpool_release (hs_idpool_t *p)
{
  free (p->r);
  p->r = NULL;
  p->n = 0;
}

void
hs_idpool_add (hs_idpool_t *p, unsigned long long start, unsigned long long len)
{
  size_t cap = p->n;

  p->r = hs_xgrow (p->r, &cap, p->n + 1, sizeof (*p->r));
  p->r[p->n].start = start;
  p->r[p->n++].len = len;
}

/* Full checks, as bubblewrap does: digits only, no overflow. */
static bool
parse_id (const char *s, unsigned long long *ret)
{
  char *end = NULL;
  unsigned long long v;

  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno != 0 || *end != '\0' || v > HS_ID_MAX)
    return false;
  *ret = v;
  return true;
}

/* Entries `name:start:count` for `user` (or its numeric uid). Malformed
 * lines are skipped, like shadow-utils does. */
static int
read_subid (const char *path, const char *user, hs_idpool_t *ret, hs_error_t *err)
{
  cleanup_free char *buf = NULL, *uid_name = NULL, *name = NULL;
  cleanup_close int dfd = -1;
  bool looked_up = false;
  size_t len;
  char *line, *save = NULL;

  dfd = hs_open_parent (path, &name, err);
  if (dfd < 0 || hs_read_file_at (dfd, name, 4 * 1024 * 1024, &buf, &len, NULL, err) < 0)
    {
      if ((*err)->status == ENOENT)
        {
          hs_error_release (err);
          return 0;
        }
      return hs_error_wrap (err, "subordinate ids");
    }
  for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':'), *c2;
      unsigned long long start, count;

      if (c1 == NULL || (c2 = strchr (c1 + 1, ':')) == NULL)
        continue;
      *c1 = *c2 = '\0';
      /* the user's uid only for numeric entries: getpwnam goes through
       * NSS (userdb, files, ...), dozens of files on every create */
      if (user != NULL && strcmp (line, user) != 0 && line[0] >= '0' && line[0] <= '9'
          && !looked_up)
        {
          struct passwd *pw = getpwnam (user);

          looked_up = true;
          if (pw != NULL)
            uid_name = hs_xasprintf ("%u", (unsigned) pw->pw_uid);
        }
      if (user != NULL && strcmp (line, user) != 0
          && (uid_name == NULL || strcmp (line, uid_name) != 0))
        continue;
      if (!parse_id (c1 + 1, &start) || !parse_id (c2 + 1, &count) || count == 0
          || start + count > HS_ID_MAX)
        continue;
      if (start == 0 && --count == 0)
        continue;
      hs_idpool_add (ret, start == 0 ? 1 : start, count); /* host root is never handed out */
    }
  return 0;
}

int
hs_idpool_from_subid (const char *subuid_path, const char *subgid_path, const char *user,
                      hs_idpool_t *ret, hs_error_t *err)
{
  hs_idpool_t u = { 0 }, g = { 0 }, out = { 0 };

  if (read_subid (subuid_path, user, &u, err) < 0 || read_subid (subgid_path, user, &g, err) < 0)
    {
      hs_idpool_release (&u);
      hs_idpool_release (&g);
      return -1;
    }
  /* uids and gids get the same numbers, so the pool is what both allow. */
  for (size_t i = 0; i < u.n; i++)
    for (size_t j = 0; j < g.n; j++)
      {
        unsigned long long s = u.r[i].start > g.r[j].start ? u.r[i].start : g.r[j].start;
        unsigned long long e1 = u.r[i].start + u.r[i].len, e2 = g.r[j].start + g.r[j].len;
        unsigned long long e = e1 < e2 ? e1 : e2;

        if (s < e)
          hs_idpool_add (&out, s, e - s);
      }
  hs_idpool_release (&u);
  hs_idpool_release (&g);
  *ret = out;
  return 0;
}

int
hs_idpool_default (const char *subuid_path, const char *subgid_path, hs_idpool_t *ret,
                   hs_error_t *err)
{
  hs_idpool_t all = { 0 };
  const unsigned long long s = HS_IDPOOL_DEFAULT_START, e = s + HS_IDPOOL_DEFAULT_SIZE;

  memset (ret, 0, sizeof (*ret));
  if (read_subid (subuid_path, NULL, &all, err) < 0
      || read_subid (subgid_path, NULL, &all, err) < 0)
    {
      hs_idpool_release (&all);
      return -1;
    }
  for (size_t i = 0; i < all.n; i++)
    if (all.r[i].start < e && s < all.r[i].start + all.r[i].len)
      {
        hs_idpool_release (&all);
        return 0; /* someone holds part of it: no default */
      }
  hs_idpool_release (&all);
  hs_idpool_add (ret, s, HS_IDPOOL_DEFAULT_SIZE);
  return 0;
}

int
hs_idpool_first_block (const hs_idpool_t *p, unsigned long long size, unsigned long long *ret_start)
{
  for (size_t i = 0; i < p->n; i++)
    if (size > 0 && p->r[i].len >= size)
      {
        *ret_start = p->r[i].start;
        return 0;
      }
  return -1;
}

typedef struct
{
  unsigned long long start, end;
} used_t;

static bool
record_block (const hs_json_t *record, used_t *ret)
{
  const hs_json_t *v = hs_json_get_exact (record, "value");
  const hs_json_t *s = v ? hs_json_get_exact (v, "uid") : NULL;
  const hs_json_t *n = v ? hs_json_get_exact (v, "size") : NULL;
  unsigned long long start, size;

  if (s == NULL || n == NULL || s->type != HS_JSON_NUMBER || n->type != HS_JSON_NUMBER
      || !parse_id (s->str, &start) || !parse_id (n->str, &size))
    return false;
  ret->start = start;
  ret->end = start + size;
  return true;
}

/* The claim beside a record (registry.h) names its block: `b<start>-<size>`. */
static bool
claim_block (hs_registry_t *reg, const char *key, used_t *ret)
{
  cleanup_free char *tag = hs_registry_claim_find (reg, key);
  unsigned long long start, size;
  char *dash;

  if (tag == NULL || tag[0] != 'b' || (dash = strchr (tag, '-')) == NULL)
    return false;
  *dash = '\0';
  if (!parse_id (tag + 1, &start) || !parse_id (dash + 1, &size) || size == 0)
    return false;
  ret->start = start;
  ret->end = start + size;
  return true;
}

static int
claim_write (hs_registry_t *reg, const char *key, unsigned long long start, unsigned long long size,
             hs_error_t *err)
{
  cleanup_free char *tag = hs_xasprintf ("b%llu-%llu", start, size);

  return hs_registry_claim (reg, key, tag, err);
}

static bool
block_free (const used_t *used, size_t n, unsigned long long s, unsigned long long e)
{
  for (size_t i = 0; i < n; i++)
    if (s < used[i].end && used[i].start < e)
      return false;
  return true;
}

int
hs_userns_allocate (const char *state_dir, const hs_idpool_t *pool, unsigned long long size,
                    const char *root, const char *id, unsigned long long *ret_start,
                    hs_error_t *err)
{
  hs_registry_t reg = { -1, -1, NULL };
  hs_registry_entry_t *entries = NULL;
  cleanup_free used_t *used = NULL;
  cleanup_free char *mine = hs_registry_key (root, id);
  size_t n = 0, n_used = 0;
  time_t now = time (NULL);
  int r;

  if (size == 0 || size > HS_ID_MAX)
    return hs_error_make (err, 0, "user namespace size %llu is out of range", size);
  r = hs_registry_lock (state_dir, HS_USERNS_KIND, &reg, err);
  if (r < 0)
    return r;
  r = hs_registry_entries (&reg, &entries, &n, err);
  if (r < 0)
    goto out;
  used = hs_xcalloc (n + 1, sizeof (*used));
  for (size_t i = 0; i < n; i++)
    {
      used_t b;
      bool have = record_block (entries[i].record, &b);

      if (strcmp (entries[i].key, mine) == 0 && have && b.end - b.start == size)
        {
          /* A retried create of the same container keeps its block, and
           * its record is new again: its create is on its way now. */
          r = claim_write (&reg, mine, b.start, size, err);
          if (r == 0)
            r = hs_registry_put (&reg, root, id,
                                 hs_json_dup (hs_json_get_exact (entries[i].record, "value")), err);
          if (r == 0)
            *ret_start = b.start;
          goto out;
        }
      if (strcmp (entries[i].key, mine) != 0 && !hs_registry_record_live (entries[i].record, now))
        {
          hs_registry_remove_key (&reg, entries[i].key); /* stale: the container is gone */
          continue;
        }
      if (!have)
        {
          if (strcmp (entries[i].key, mine) == 0)
            continue;
          /* unreadable: its claim still says which block it holds */
          if (claim_block (&reg, entries[i].key, &b))
            {
              used[n_used++] = b;
              continue;
            }
          /* A record of an earlier version, without a claim, may hold
           * anything: keep the pool from being handed out twice. */
          r = hs_error_refuse (err,
                               "user namespace registry record `%s/%s` is unreadable and names "
                               "no block; remove it once its container is gone",
                               reg.path, entries[i].key);
          goto out;
        }
      if (strcmp (entries[i].key, mine) != 0)
        used[n_used++] = b;
    }
  for (size_t i = 0; i < pool->n; i++)
    {
      const hs_idrange_t *pr = &pool->r[i];

      for (unsigned long long s = pr->start; s + size <= pr->start + pr->len; s += size)
        if (block_free (used, n_used, s, s + size))
          {
            hs_json_t *v = hs_json_new (HS_JSON_OBJECT);

            hs_json_set_exact (v, "uid", hs_json_new_uint (s));
            hs_json_set_exact (v, "gid", hs_json_new_uint (s));
            hs_json_set_exact (v, "size", hs_json_new_uint (size));
            r = claim_write (&reg, mine, s, size, err);
            if (r < 0)
              {
                hs_json_free (v);
                goto out;
              }
            r = hs_registry_put (&reg, root, id, v, err);
            if (r == 0)
              *ret_start = s;
            goto out;
          }
    }
  r = hs_error_refuse (err,
                       "the user namespace id pool is exhausted: %zu container(s) hold its "
                       "blocks of %llu ids (grow the `hardshim` entries in /etc/subuid and "
                       "/etc/subgid or `userns.ranges`, or lower `userns.size`)",
                       n_used, size);
out:
  hs_registry_entries_free (entries, n);
  hs_registry_unlock (&reg);
  return r;
}

int
hs_userns_release (const char *state_dir, const char *root, const char *id, hs_error_t *err)
{
  hs_registry_t reg = { -1, -1, NULL };
  int r;

  r = hs_registry_lock (state_dir, HS_USERNS_KIND, &reg, err);
  if (r < 0)
    return r;
  if (!hs_registry_releasable (&reg, root, id))
    {
      hs_registry_unlock (&reg);
      return hs_error_make (err, 0, HS_RELEASE_DEFERRED, id, "user namespace ids");
    }
  r = hs_registry_remove (&reg, root, id);
  if (r < 0 && r != -ENOENT)
    r = hs_error_make (err, -r, "remove the user namespace record of `%s`", id);
  else
    r = 0;
  hs_registry_unlock (&reg);
  return r;
}

int
hs_userns_recorded (const char *state_dir, const char *root, const char *id,
                    unsigned long long *ret_start, unsigned long long *ret_size, hs_error_t *err)
{
  hs_registry_t reg = { -1, -1, NULL };
  cleanup_json hs_json_t *rec = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *value;
  used_t b;
  int r;

  r = hs_registry_lock (state_dir, HS_USERNS_KIND, &reg, err);
  if (r < 0)
    return r;
  value = hs_registry_get (&reg, root, id);
  hs_registry_unlock (&reg);
  if (value == NULL)
    return 0;
  hs_json_set_exact (rec, "value", value);
  if (!record_block (rec, &b))
    return 0;
  *ret_start = b.start;
  *ret_size = b.end - b.start;
  return 1;
}

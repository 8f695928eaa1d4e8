#include "mcs.h"
#include "cleanup.h"
#include "registry.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static int
parse_category (const char *s, char **end, unsigned *ret)
{
  unsigned long v = 0;
  const char *p = s;

  if (*p != 'c' || p[1] < '0' || p[1] > '9')
    return -1;
  for (p++; *p >= '0' && *p <= '9'; p++)
    {
      v = v * 10 + (unsigned long) (*p - '0');
      if (v > HS_MCS_MAX_CATEGORY)
        return -1;
    }
  *end = (char *) p;
  *ret = (unsigned) v;
  return 0;
}

int
hs_mcs_parse_level (const char *level, unsigned *ret_c1, unsigned *ret_c2)
{
  const char *colon = strchr (level, ':');
  char *end;
  unsigned a, b;

  if (colon == NULL || parse_category (colon + 1, &end, &a) < 0 || *end != ','
      || parse_category (end + 1, &end, &b) < 0 || *end != '\0' || a >= b)
    return -1;
  *ret_c1 = a;
  *ret_c2 = b;
  return 0;
}

/* The recorded pair, if the record holds a well-formed one. */
static bool
record_pair (const hs_json_t *value, unsigned *c1, unsigned *c2)
{
  const hs_json_t *c = value ? hs_json_get_exact (value, "c") : NULL;
  unsigned long v[2];

  if (c == NULL || c->type != HS_JSON_ARRAY || c->len != 2)
    return false;
  for (size_t i = 0; i < 2; i++)
    {
      char *end;

      if (c->items[i]->type != HS_JSON_NUMBER)
        return false;
      errno = 0;
      v[i] = strtoul (c->items[i]->str, &end, 10);
      if (errno != 0 || *end != '\0' || v[i] > HS_MCS_MAX_CATEGORY)
        return false;
    }
  if (v[0] >= v[1])
    return false;
  *c1 = (unsigned) v[0];
  *c2 = (unsigned) v[1];
  return true;
}

static hs_json_t *
pair_value (unsigned c1, unsigned c2)
{
  hs_json_t *v = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *c = hs_json_new (HS_JSON_ARRAY);

  hs_json_append (c, hs_json_new_uint (c1));
  hs_json_append (c, hs_json_new_uint (c2));
  hs_json_set_exact (v, "c", c);
  return v;
}

/* Bit per category pair (X, Y), X < Y, both <= HS_MCS_MAX_CATEGORY. */
typedef struct
{
  uint8_t bits[(HS_MCS_MAX_CATEGORY + 1) * (HS_MCS_MAX_CATEGORY + 1) / 8];
} pairset_t;

static size_t
pair_bit (unsigned c1, unsigned c2)
{
  return (size_t) c1 * (HS_MCS_MAX_CATEGORY + 1) + c2;
}

static void
pairset_add (pairset_t *s, unsigned c1, unsigned c2)
{
  size_t b = pair_bit (c1, c2);
  s->bits[b / 8] |= (uint8_t) (1u << (b % 8));
}

static bool
pairset_has (const pairset_t *s, unsigned c1, unsigned c2)
{
  size_t b = pair_bit (c1, c2);
  return (s->bits[b / 8] >> (b % 8)) & 1u;
}

/* The claim beside a record (registry.h) names its pair: `p<c1>-<c2>`. */
static bool
claim_pair (hs_registry_t *reg, const char *key, unsigned *c1, unsigned *c2)
{
  cleanup_free char *tag = hs_registry_claim_find (reg, key);
  unsigned long v[2];
  char *end;

  if (tag == NULL || tag[0] != 'p')
    return false;
  errno = 0;
  v[0] = strtoul (tag + 1, &end, 10);
  if (errno != 0 || *end != '-' || end == tag + 1)
    return false;
  v[1] = strtoul (end + 1, &end, 10);
  if (errno != 0 || *end != '\0' || v[0] >= v[1] || v[1] > HS_MCS_MAX_CATEGORY)
    return false;
  *c1 = (unsigned) v[0];
  *c2 = (unsigned) v[1];
  return true;
}

static int
put_pair (hs_registry_t *reg, const char *root, const char *id, unsigned c1, unsigned c2,
          hs_error_t *err)
{
  cleanup_free char *key = hs_registry_key (root, id);
  cleanup_free char *tag = hs_xasprintf ("p%u-%u", c1, c2);
  int r = hs_registry_claim (reg, key, tag, err);

  return r < 0 ? r : hs_registry_put (reg, root, id, pair_value (c1, c2), err);
}

/* Collect the pairs held by live records; remove records whose container is
 * gone (a crash between create and delete, or delete never called). A
 * record that cannot be read holds the pair its claim names; one without a
 * claim (an earlier version's) could hold any: nothing is handed out. */
static int
collect_used (hs_registry_t *reg, const char *own_key, pairset_t *used, hs_error_t *err)
{
  hs_registry_entry_t *e = NULL;
  size_t n = 0;
  time_t now = time (NULL);
  int r;

  r = hs_registry_entries (reg, &e, &n, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < n; i++)
    {
      unsigned c1, c2;

      if (strcmp (e[i].key, own_key) == 0)
        continue;
      if (!hs_registry_record_live (e[i].record, now))
        {
          hs_registry_remove_key (reg, e[i].key);
          continue;
        }
      if (record_pair (hs_json_get_exact (e[i].record, "value"), &c1, &c2)
          || claim_pair (reg, e[i].key, &c1, &c2))
        pairset_add (used, c1, c2);
      else if (hs_json_get_exact (e[i].record, "id") == NULL)
        {
          r = hs_error_refuse (err,
                               "SELinux category registry record `%s/%s` is unreadable and names "
                               "no pair; remove it once its container is gone",
                               reg->path, e[i].key);
          break;
        }
    }
  hs_registry_entries_free (e, n);
  return r;
}

int
hs_mcs_reserve (const char *state_dir, const char *root, const char *id, unsigned lo, unsigned hi,
                unsigned *ret_c1, unsigned *ret_c2, hs_error_t *err)
{
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  cleanup_free char *own_key = hs_registry_key (root, id);
  cleanup_free pairset_t *used = NULL;
  cleanup_json hs_json_t *mine = NULL;
  unsigned long long total, start, k;
  uint64_t rnd = 0;
  unsigned c1, c2;
  int r;

  if (lo >= hi || hi > HS_MCS_MAX_CATEGORY)
    return hs_error_make (err, 0, "SELinux category range c%u..c%u holds no pair", lo, hi);
  r = hs_registry_lock (state_dir, HS_MCS_KIND, &reg, err);
  if (r < 0)
    return r;
  /* A create retried for the same container keeps its pair. */
  mine = hs_registry_get (&reg, root, id);
  if (record_pair (mine, &c1, &c2) && c1 >= lo && c2 <= hi)
    goto found_new; /* kept, and recorded anew: its create is on its way now */
  used = hs_xcalloc (1, sizeof (*used));
  r = collect_used (&reg, own_key, used, err);
  if (r < 0)
    goto out;

  /* Walk every pair once from a random start: random so that pairs are not
   * reused right after release, exhaustive so that exhaustion is exact. */
  total = (unsigned long long) (hi - lo + 1) * (hi - lo) / 2;
  if (getrandom (&rnd, sizeof (rnd), 0) != sizeof (rnd))
    rnd = (uint64_t) time (NULL) ^ (uint64_t) getpid ();
  start = rnd % total;
  c1 = lo;
  c2 = lo + 1;
  for (k = 0; k < start; k++)
    if (++c2 > hi && ++c1 < hi)
      c2 = c1 + 1;
  /* (the loop above stops before c1 reaches hi: start < total) */
  for (k = 0; k < total; k++)
    {
      if (!pairset_has (used, c1, c2))
        goto found_new;
      if (++c2 > hi)
        {
          if (++c1 >= hi)
            c1 = lo;
          c2 = c1 + 1;
        }
    }
  r = hs_error_refuse (err,
                       "no free SELinux category pair in c%u..c%u: every pair is held by a "
                       "running container (widen selinux.categories or remove containers)",
                       lo, hi);
  goto out;

found_new:
  r = put_pair (&reg, root, id, c1, c2, err);
  if (r < 0)
    goto out;
  *ret_c1 = c1;
  *ret_c2 = c2;
  r = 0;
out:
  hs_registry_unlock (&reg);
  return r;
}

int
hs_mcs_record (const char *state_dir, const char *root, const char *id, unsigned c1, unsigned c2,
               hs_error_t *err)
{
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  int r;

  r = hs_registry_lock (state_dir, HS_MCS_KIND, &reg, err);
  if (r < 0)
    return r;
  r = put_pair (&reg, root, id, c1, c2, err);
  hs_registry_unlock (&reg);
  return r;
}

int
hs_mcs_release (const char *state_dir, const char *root, const char *id, hs_error_t *err)
{
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  cleanup_free char *dir = hs_xasprintf ("%s/%s", state_dir, HS_MCS_KIND);
  int r;

  /* Nothing was ever reserved on this host: do not create the directory. */
  if (access (dir, F_OK) < 0 && errno == ENOENT)
    return 0;
  r = hs_registry_lock (state_dir, HS_MCS_KIND, &reg, err);
  if (r < 0)
    return r;
  if (!hs_registry_releasable (&reg, root, id))
    {
      hs_registry_unlock (&reg);
      return hs_error_make (err, 0, HS_RELEASE_DEFERRED, id, "SELinux categories");
    }
  r = hs_registry_remove (&reg, root, id);
  hs_registry_unlock (&reg);
  if (r < 0 && r != -ENOENT)
    return hs_error_make (err, -r, "release SELinux categories of `%s`", id);
  return 0;
}

static int
release (const hs_policy_t *policy, const char *root, const char *id, hs_error_t *err)
{
  return hs_mcs_release (policy->state_dir, root, id, err);
}

const hs_releaser_t hs_releaser_selinux = {
  .name = "selinux",
  .release = release,
};

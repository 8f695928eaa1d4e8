#include "advisory.h"
#include "cleanup.h"
#include "pkgver.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const hs_json_limits_t table_limits = {
  .max_bytes = HS_ADVISORY_MAX_BYTES,
  .max_depth = 8,
  .allow_comments = true,
};

/* ---- versions ---------------------------------------------------------- */

/* "1.1.5+ds1" -> "1.1.5", "1.0.0-rc93" -> "1.0.0~rc93" (into out). */
static int
normalize_version (const char *v, char *out, size_t size)
{
  size_t len = strlen (v);
  const char *plus;

  if (len == 0 || len >= size || !isdigit ((unsigned char) v[0]))
    return -1;
  /* a Debian repack of the same upstream source: +ds, +ds1, +dfsg, +dfsg2 */
  plus = strrchr (v, '+');
  if (plus != NULL)
    {
      const char *s = plus + 1;

      if (strncmp (s, "dfsg", 4) == 0)
        s += 4;
      else if (strncmp (s, "ds", 2) == 0)
        s += 2;
      else
        s = NULL;
      while (s != NULL && isdigit ((unsigned char) *s))
        s++;
      if (s != NULL && *s == '\0')
        len = (size_t) (plus - v);
    }
  for (size_t i = 0; i < len; i++)
    {
      char c = v[i];

      if (c == '-')
        c = '~';
      if (!isalnum ((unsigned char) c) && c != '.' && c != '+' && c != '~')
        return -1;
      out[i] = c;
    }
  out[len] = '\0';
  return 0;
}

int
hs_runtime_version_cmp (const char *a, const char *b, int *ret)
{
  char na[HS_PKGVER_MAX + 1], nb[HS_PKGVER_MAX + 1];
  hs_pkgver_t va = { .scheme = HS_PKGVER_DPKG, .upstream = na, .revision = "" };
  hs_pkgver_t vb = { .scheme = HS_PKGVER_DPKG, .upstream = nb, .revision = "" };

  if (normalize_version (a, na, sizeof (na)) < 0 || normalize_version (b, nb, sizeof (nb)) < 0)
    return -1;
  *ret = hs_pkgver_compare (&va, &vb);
  return 0;
}

/* Same upstream and at least the backport's revision. */
static bool
debian_fixes (const char *installed, const char *fix)
{
  hs_pkgver_buf_t bi, bf;
  hs_pkgver_t vi, vf;

  if (hs_pkgver_parse (HS_PKGVER_DPKG, installed, strlen (installed), &bi, &vi, NULL) < 0
      || hs_pkgver_parse (HS_PKGVER_DPKG, fix, strlen (fix), &bf, &vf, NULL) < 0)
    return false;
  return vi.epoch == vf.epoch && strcmp (vi.upstream, vf.upstream) == 0
         && hs_pkgver_compare (&vi, &vf) >= 0;
}

static bool
in_range (const hs_advisory_range_t *r, const char *version)
{
  int c;

  if (r->introduced != NULL && (hs_runtime_version_cmp (version, r->introduced, &c) < 0 || c < 0))
    return false;
  if (r->fixed != NULL && hs_runtime_version_cmp (version, r->fixed, &c) == 0 && c >= 0)
    return false;
  return true;
}

static bool
has_feature (const hs_runtime_facts_t *f, const char *feature)
{
  for (size_t i = 0; i < f->n_features; i++)
    if (strcmp (f->features[i], feature) == 0)
      return true;
  return false;
}

const char *
hs_advisory_status_name (hs_advisory_status_t s)
{
  static const char *const names[]
      = { "open", "fixed", "fixed-debian", "not-applicable", "not-affected" };

  return names[s];
}

hs_advisory_status_t
hs_advisory_status (const hs_advisory_t *a, const hs_runtime_facts_t *facts, const char **ret_why)
{
  int c;

  /* a build feature missing from a runtime that lists its features */
  if (facts->features != NULL)
    for (size_t i = 0; i < a->n_requires; i++)
      if (!has_feature (facts, a->requires[i]))
        {
          *ret_why = a->requires[i];
          return HS_ADV_NOT_APPLICABLE;
        }
  if (facts->version == NULL || hs_runtime_version_cmp (facts->version, facts->version, &c) < 0)
    {
      *ret_why = "version unknown";
      return HS_ADV_OPEN;
    }
  {
    bool affected = false;
    const char *fixed_in = NULL;

    for (size_t i = 0; i < a->n_affected && !affected; i++)
      affected = in_range (&a->affected[i], facts->version);
    if (!affected)
      {
        /* the lowest fixed version at or below ours names the fix */
        for (size_t i = 0; i < a->n_affected; i++)
          if (a->affected[i].fixed != NULL
              && hs_runtime_version_cmp (facts->version, a->affected[i].fixed, &c) == 0 && c >= 0)
            fixed_in = a->affected[i].fixed;
        if (fixed_in == NULL)
          {
            *ret_why = "before the affected ranges";
            return HS_ADV_NOT_AFFECTED;
          }
        *ret_why = fixed_in;
        return HS_ADV_FIXED;
      }
  }
  for (size_t i = 0; facts->debian_version && i < a->n_debian_fixed; i++)
    if (debian_fixes (facts->debian_version, a->debian_fixed[i].version))
      {
        *ret_why = a->debian_fixed[i].version;
        return HS_ADV_FIXED_DEBIAN;
      }
  *ret_why = "affected";
  return HS_ADV_OPEN;
}

const char *
hs_cover_name (hs_cover_t c)
{
  static const char *const names[] = { "uncovered", "partial", "covered" };

  return names[c];
}

hs_cover_t
hs_advisory_coverage (const hs_advisory_t *a, bool (*active) (const char *, void *), void *ctx)
{
  hs_cover_t best = HS_COVER_NONE;

  for (size_t i = 0; i < a->n_covered_by; i++)
    if (active (a->covered_by[i].rule, ctx))
      {
        if (!a->covered_by[i].partial)
          return HS_COVER_FULL;
        best = HS_COVER_PARTIAL;
      }
  return best;
}

/* ---- parsing ----------------------------------------------------------- */

typedef struct
{
  const char *what;
  char path[128];
} where_t;

static int
bad (hs_error_t *err, const where_t *w, const char *key, const char *fmt, const char *arg)
{
  cleanup_free char *msg = hs_xasprintf (fmt, arg);

  return hs_error_make (err, 0, "advisory table `%s`: `%s%s%s`: %s", w->what, w->path,
                        key && *w->path ? "." : "", key ? key : "", msg);
}

static int
check_keys (const hs_json_t *obj, const where_t *w, const char *const *known, hs_error_t *err)
{
  for (size_t i = 0; i < obj->len; i++)
    {
      bool ok = false;

      for (size_t j = 0; known[j] && !ok; j++)
        ok = strcmp (obj->keys[i], known[j]) == 0;
      if (!ok)
        return bad (err, w, obj->keys[i], "%s", "unknown key");
    }
  return 0;
}

/* A string field: NULL when absent and optional. */
static int
get_str (const hs_json_t *obj, const char *key, bool required, const where_t *w, char **ret,
         hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (obj, key);

  if (v == NULL)
    {
      if (required)
        return bad (err, w, key, "%s", "missing");
      return 0;
    }
  if (v->type != HS_JSON_STRING)
    return bad (err, w, key, "expected a string, got %s", hs_json_type_name (v->type));
  if (v->len == 0)
    return bad (err, w, key, "%s", "empty");
  *ret = hs_xstrdup (v->str);
  return 0;
}

static int
get_array (const hs_json_t *obj, const char *key, hs_json_type_t items, const where_t *w,
           const hs_json_t **ret, hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (obj, key);

  *ret = NULL;
  if (v == NULL)
    return 0;
  if (v->type != HS_JSON_ARRAY)
    return bad (err, w, key, "expected an array, got %s", hs_json_type_name (v->type));
  if (v->len > HS_ADVISORY_MAX_LIST)
    return bad (err, w, key, "more than %s items", "32");
  for (size_t i = 0; i < v->len; i++)
    if (v->items[i]->type != items)
      return bad (err, w, key, "items must be %ss", hs_json_type_name (items));
  *ret = v;
  return 0;
}

static int
get_strings (const hs_json_t *obj, const char *key, const where_t *w, char ***ret, size_t *ret_n,
             hs_error_t *err)
{
  const hs_json_t *v;
  int r = get_array (obj, key, HS_JSON_STRING, w, &v, err);

  if (r < 0 || v == NULL)
    return r;
  *ret = hs_xcalloc (v->len ? v->len : 1, sizeof (char *));
  for (size_t i = 0; i < v->len; i++)
    (*ret)[(*ret_n)++] = hs_xstrdup (v->items[i]->str);
  return 0;
}

static int
check_version (const char *v, const where_t *w, const char *key, hs_error_t *err)
{
  int c;

  if (hs_runtime_version_cmp (v, v, &c) < 0)
    return bad (err, w, key, "`%s` is not a runtime version", v);
  return 0;
}

static int
parse_ranges (const hs_json_t *obj, where_t *w, hs_advisory_t *a, hs_error_t *err)
{
  static const char *const known[] = { "introduced", "fixed", NULL };
  const hs_json_t *v;
  size_t base = strlen (w->path);
  int r = get_array (obj, "affected", HS_JSON_OBJECT, w, &v, err);

  if (r < 0)
    return r;
  if (v == NULL || v->len == 0)
    return bad (err, w, "affected", "%s", "missing or empty: which versions are affected?");
  a->affected = hs_xcalloc (v->len, sizeof (*a->affected));
  for (size_t i = 0; i < v->len; i++)
    {
      hs_advisory_range_t *rg = &a->affected[a->n_affected++];
      int c;

      snprintf (w->path + base, sizeof (w->path) - base, ".affected[%zu]", i);
      if ((r = check_keys (v->items[i], w, known, err)) < 0
          || (r = get_str (v->items[i], "introduced", false, w, &rg->introduced, err)) < 0
          || (r = get_str (v->items[i], "fixed", false, w, &rg->fixed, err)) < 0
          || (rg->introduced && (r = check_version (rg->introduced, w, "introduced", err)) < 0)
          || (rg->fixed && (r = check_version (rg->fixed, w, "fixed", err)) < 0))
        return r;
      if (rg->introduced && rg->fixed && hs_runtime_version_cmp (rg->introduced, rg->fixed, &c) == 0
          && c >= 0)
        return bad (err, w, "fixed", "`%s` is not above `introduced`", rg->fixed);
    }
  w->path[base] = '\0';
  return 0;
}

static int
parse_backports (const hs_json_t *obj, where_t *w, hs_advisory_t *a, hs_error_t *err)
{
  static const char *const known[] = { "version", "source", NULL };
  const hs_json_t *v;
  size_t base = strlen (w->path);
  int r = get_array (obj, "debian_fixed", HS_JSON_OBJECT, w, &v, err);

  if (r < 0 || v == NULL)
    return r;
  a->debian_fixed = hs_xcalloc (v->len ? v->len : 1, sizeof (*a->debian_fixed));
  for (size_t i = 0; i < v->len; i++)
    {
      hs_advisory_backport_t *b = &a->debian_fixed[a->n_debian_fixed++];
      hs_pkgver_buf_t buf;
      hs_pkgver_t pv;

      snprintf (w->path + base, sizeof (w->path) - base, ".debian_fixed[%zu]", i);
      if ((r = check_keys (v->items[i], w, known, err)) < 0
          || (r = get_str (v->items[i], "version", true, w, &b->version, err)) < 0
          || (r = get_str (v->items[i], "source", true, w, &b->source, err)) < 0)
        return r;
      if (hs_pkgver_parse (HS_PKGVER_DPKG, b->version, strlen (b->version), &buf, &pv, NULL) < 0
          || pv.revision[0] == '\0')
        return bad (err, w, "version", "`%s` is not a Debian version with a revision", b->version);
    }
  w->path[base] = '\0';
  return 0;
}

static int
parse_covers (const hs_json_t *obj, where_t *w, hs_advisory_t *a, hs_error_t *err)
{
  static const char *const known[] = { "rule", "partial", "note", NULL };
  const hs_json_t *v;
  size_t base = strlen (w->path);
  int r = get_array (obj, "covered_by", HS_JSON_OBJECT, w, &v, err);

  if (r < 0)
    return r;
  if (v == NULL)
    return bad (err, w, "covered_by", "%s",
                "missing (an empty array says that no hardshim rule covers it)");
  a->covered_by = hs_xcalloc (v->len ? v->len : 1, sizeof (*a->covered_by));
  for (size_t i = 0; i < v->len; i++)
    {
      hs_advisory_cover_t *c = &a->covered_by[a->n_covered_by++];
      const hs_json_t *p;

      snprintf (w->path + base, sizeof (w->path) - base, ".covered_by[%zu]", i);
      if ((r = check_keys (v->items[i], w, known, err)) < 0
          || (r = get_str (v->items[i], "rule", true, w, &c->rule, err)) < 0
          || (r = get_str (v->items[i], "note", false, w, &c->note, err)) < 0)
        return r;
      p = hs_json_get_exact (v->items[i], "partial");
      if (p != NULL && p->type != HS_JSON_BOOL)
        return bad (err, w, "partial", "expected true or false, got %s",
                    hs_json_type_name (p->type));
      c->partial = p != NULL && p->boolean;
    }
  w->path[base] = '\0';
  return 0;
}

static int
parse_one (const hs_json_t *obj, where_t *w, hs_advisory_t *a, hs_error_t *err)
{
  static const char *const known[]
      = { "id",       "aliases",    "title", "severity", "affected", "debian_fixed",
          "requires", "covered_by", "note",  "sources",  NULL };
  static const char *const severities[] = { "low", "moderate", "high", "critical", NULL };
  bool sev_ok = false;
  int r;

  if ((r = check_keys (obj, w, known, err)) < 0
      || (r = get_str (obj, "id", true, w, &a->id, err)) < 0
      || (r = get_str (obj, "title", true, w, &a->title, err)) < 0
      || (r = get_str (obj, "severity", true, w, &a->severity, err)) < 0
      || (r = get_str (obj, "note", false, w, &a->note, err)) < 0
      || (r = get_strings (obj, "aliases", w, &a->aliases, &a->n_aliases, err)) < 0
      || (r = get_strings (obj, "requires", w, &a->requires, &a->n_requires, err)) < 0
      || (r = get_strings (obj, "sources", w, &a->sources, &a->n_sources, err)) < 0)
    return r;
  for (size_t i = 0; severities[i]; i++)
    sev_ok = sev_ok || strcmp (a->severity, severities[i]) == 0;
  if (!sev_ok)
    return bad (err, w, "severity", "`%s` is not one of low, moderate, high, critical",
                a->severity);
  if (a->n_sources == 0)
    return bad (err, w, "sources", "%s", "missing or empty: cite where the facts come from");
  if ((r = parse_ranges (obj, w, a, err)) < 0 || (r = parse_backports (obj, w, a, err)) < 0
      || (r = parse_covers (obj, w, a, err)) < 0)
    return r;
  return 0;
}

int
hs_advisory_table_parse (const char *buf, size_t len, const char *what, hs_advisory_table_t *ret,
                         hs_error_t *err)
{
  static const char *const known[] = { "schema", "runtime", "updated", "advisories", NULL };
  cleanup_json hs_json_t *root = NULL;
  hs_advisory_table_t t = { 0 };
  where_t w = { .what = what };
  const hs_json_t *schema, *list;
  int r;

  r = hs_json_parse (buf, len, &table_limits, &root, err);
  if (r < 0)
    return hs_error_wrap (err, "advisory table `%s`", what);
  if (root->type != HS_JSON_OBJECT)
    return bad (err, &w, NULL, "%s", "expected an object");
  if ((r = check_keys (root, &w, known, err)) < 0)
    return r;
  schema = hs_json_get_exact (root, "schema");
  if (schema == NULL || schema->type != HS_JSON_NUMBER || strcmp (schema->str, "1") != 0)
    return bad (err, &w, "schema", "%s", "must be 1 (the format this hardshim reads)");
  if ((r = get_str (root, "runtime", true, &w, &t.runtime, err)) < 0
      || (r = get_str (root, "updated", false, &w, &t.updated, err)) < 0)
    goto fail;
  list = hs_json_get_exact (root, "advisories");
  if (list == NULL || list->type != HS_JSON_ARRAY)
    {
      r = bad (err, &w, "advisories", "%s", "expected an array");
      goto fail;
    }
  if (list->len > HS_ADVISORY_MAX_ENTRIES)
    {
      r = bad (err, &w, "advisories", "more than %s entries", "1024");
      goto fail;
    }
  t.v = hs_xcalloc (list->len ? list->len : 1, sizeof (*t.v));
  for (size_t i = 0; i < list->len; i++)
    {
      snprintf (w.path, sizeof (w.path), "advisories[%zu]", i);
      if (list->items[i]->type != HS_JSON_OBJECT)
        {
          r = bad (err, &w, NULL, "%s", "expected an object");
          goto fail;
        }
      r = parse_one (list->items[i], &w, &t.v[t.n++], err);
      if (r < 0)
        goto fail;
      for (size_t j = 0; j + 1 < t.n; j++)
        if (strcmp (t.v[j].id, t.v[i].id) == 0)
          {
            r = bad (err, &w, "id", "`%s` is listed twice", t.v[i].id);
            goto fail;
          }
    }
  *ret = t;
  return 0;
fail:
  hs_advisory_table_clear (&t);
  return r;
}

static void
free_strings (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

void
hs_advisory_table_clear (hs_advisory_table_t *t)
{
  for (size_t i = 0; i < t->n; i++)
    {
      hs_advisory_t *a = &t->v[i];

      free (a->id);
      free (a->title);
      free (a->severity);
      free (a->note);
      free_strings (a->aliases, a->n_aliases);
      free_strings (a->requires, a->n_requires);
      free_strings (a->sources, a->n_sources);
      for (size_t j = 0; j < a->n_affected; j++)
        free (a->affected[j].introduced), free (a->affected[j].fixed);
      free (a->affected);
      for (size_t j = 0; j < a->n_debian_fixed; j++)
        free (a->debian_fixed[j].version), free (a->debian_fixed[j].source);
      free (a->debian_fixed);
      for (size_t j = 0; j < a->n_covered_by; j++)
        free (a->covered_by[j].rule), free (a->covered_by[j].note);
      free (a->covered_by);
    }
  free (t->v);
  free (t->runtime);
  free (t->updated);
  memset (t, 0, sizeof (*t));
}

#include "osv.h"
#include "cleanup.h"
#include "json.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void
hs_osv_feed_clear (hs_osv_feed_t *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      free (f->v[i].ecosystem);
      hs_index_builder_free (f->v[i].builder);
    }
  free (f->v);
  memset (f, 0, sizeof *f);
}

static bool
digits (const char *s, size_t n)
{
  if (n == 0 || n > 4)
    return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

hs_pkgver_scheme_t
hs_osv_ecosystem_scheme (const char *e)
{
  const char *dot;

  if (strncmp (e, "Debian:", 7) == 0 && digits (e + 7, strlen (e + 7)))
    return HS_PKGVER_DPKG;
  if (strncmp (e, "Alpine:v", 8) == 0 && (dot = strchr (e + 8, '.')) != NULL
      && digits (e + 8, (size_t) (dot - e - 8)) && digits (dot + 1, strlen (dot + 1)))
    return HS_PKGVER_APK;
  return 0;
}

static hs_index_builder_t *
builder_for (hs_osv_feed_t *f, const char *ecosystem)
{
  hs_pkgver_scheme_t scheme;

  for (size_t i = 0; i < f->n; i++)
    if (strcmp (f->v[i].ecosystem, ecosystem) == 0)
      return f->v[i].builder;
  scheme = hs_osv_ecosystem_scheme (ecosystem);
  if (scheme == 0)
    return NULL;
  f->v = hs_xgrow (f->v, &f->cap, f->n + 1, sizeof *f->v);
  f->v[f->n].ecosystem = hs_xstrdup (ecosystem);
  f->v[f->n].builder = hs_index_builder_new (scheme);
  return f->v[f->n++].builder;
}

/* Debian's urgency (ecosystem_specific.urgency): "unimportant", "low",
 * "medium", "high"; "not yet assigned", "end-of-life" and anything else
 * mean no severity. The tracker marks some with a trailing '*'. */
static hs_severity_t
severity_of (const hs_json_t *affected)
{
  const hs_json_t *u = hs_json_path (affected, "ecosystem_specific", "urgency", NULL);
  char word[32];
  size_t n;
  hs_severity_t s;

  if (u == NULL || u->type != HS_JSON_STRING || u->len >= sizeof word)
    return HS_SEV_UNKNOWN;
  n = u->len;
  memcpy (word, u->str, n);
  while (n && word[n - 1] == '*')
    n--;
  word[n] = '\0';
  if (hs_severity_parse (word, &s) < 0 || s == HS_SEV_UNKNOWN)
    return HS_SEV_UNKNOWN;
  return s;
}

static const char *
str_field (const hs_json_t *obj, const char *key)
{
  const hs_json_t *v = hs_json_get_exact (obj, key);

  return v && v->type == HS_JSON_STRING ? v->str : NULL;
}

/* One affected[] entry into b; < 0 when a version does not parse. */
static int
add_entry (hs_index_builder_t *b, const hs_json_t *affected, const char *package, const char *id,
           hs_error_t *err)
{
  const hs_json_t *ranges = hs_json_get_exact (affected, "ranges");
  const hs_json_t *versions = hs_json_get_exact (affected, "versions");
  static const struct
  {
    const char *key;
    hs_event_kind_t kind;
  } kinds[] = { { "introduced", HS_EV_INTRODUCED },
                { "fixed", HS_EV_FIXED },
                { "last_affected", HS_EV_LAST_AFFECTED },
                { "limit", HS_EV_LIMIT } };

  hs_index_entry_begin (b, package, id, severity_of (affected));
  for (size_t r = 0; ranges && ranges->type == HS_JSON_ARRAY && r < ranges->len; r++)
    {
      const hs_json_t *range = ranges->items[r];
      const char *type = range->type == HS_JSON_OBJECT ? str_field (range, "type") : NULL;
      const hs_json_t *events
          = range->type == HS_JSON_OBJECT ? hs_json_get_exact (range, "events") : NULL;

      /* GIT ranges need the repository's history: not for packages */
      if (type == NULL || (strcmp (type, "ECOSYSTEM") != 0 && strcmp (type, "SEMVER") != 0))
        continue;
      if (events == NULL || events->type != HS_JSON_ARRAY)
        return hs_error_make (err, 0, "a range without events");
      hs_index_range_begin (b);
      for (size_t e = 0; e < events->len; e++)
        {
          const hs_json_t *ev = events->items[e];
          bool found = false;

          if (ev->type != HS_JSON_OBJECT)
            return hs_error_make (err, 0, "an event that is not an object");
          for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            {
              const char *v = str_field (ev, kinds[k].key);

              if (v == NULL)
                continue;
              if (found)
                return hs_error_make (err, 0, "an event with two versions");
              found = true;
              if (hs_index_event (b, kinds[k].kind, v, err) < 0)
                return hs_error_wrap (err, "%s `%s`", kinds[k].key, v);
            }
        }
    }
  for (size_t v = 0; versions && versions->type == HS_JSON_ARRAY && v < versions->len; v++)
    {
      const hs_json_t *s = versions->items[v];

      if (s->type == HS_JSON_STRING && hs_index_version (b, s->str, err) < 0)
        return hs_error_wrap (err, "versions[%zu]", v);
    }
  return 0;
}

static const hs_json_limits_t record_limits = { 64u << 20, 64, false };

int
hs_osv_add_record (hs_osv_feed_t *f, const char *buf, size_t len, const char *what, hs_error_t *err)
{
  cleanup_json hs_json_t *rec = NULL;
  const hs_json_t *affected;
  const char *id, *modified;

  if (hs_json_parse (buf, len, &record_limits, &rec, err) < 0)
    return hs_error_wrap (err, "%s", what);
  if (rec->type != HS_JSON_OBJECT || (id = str_field (rec, "id")) == NULL || *id == '\0')
    return hs_error_make (err, 0, "%s: not an OSV record (no `id`)", what);
  f->records++;
  if (str_field (rec, "withdrawn") != NULL)
    {
      f->withdrawn++;
      return 0;
    }
  modified = str_field (rec, "modified");
  if (modified && strlen (modified) < sizeof f->newest_modified
      && strcmp (modified, f->newest_modified) > 0)
    strcpy (f->newest_modified, modified);
  affected = hs_json_get_exact (rec, "affected");
  for (size_t i = 0; affected && affected->type == HS_JSON_ARRAY && i < affected->len; i++)
    {
      const hs_json_t *a = affected->items[i];
      const hs_json_t *pkg = a->type == HS_JSON_OBJECT ? hs_json_get_exact (a, "package") : NULL;
      const char *eco = pkg && pkg->type == HS_JSON_OBJECT ? str_field (pkg, "ecosystem") : NULL;
      const char *name = pkg && pkg->type == HS_JSON_OBJECT ? str_field (pkg, "name") : NULL;
      hs_index_builder_t *b;
      hs_error_t entry_err = NULL;

      if (eco == NULL || name == NULL || *name == '\0' || (b = builder_for (f, eco)) == NULL)
        {
          f->skipped_ecosystem++;
          continue;
        }
      if (add_entry (b, a, name, id, &entry_err) < 0)
        {
          hs_error_release (&entry_err);
          hs_index_entry_end (b, false);
          f->skipped_bad_version++;
          continue;
        }
      hs_index_entry_end (b, true);
      f->entries++;
    }
  return 0;
}

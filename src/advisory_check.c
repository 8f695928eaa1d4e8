#include "advisory_check.h"
#include "caller.h"
#include "cleanup.h"
#include "fileio.h"
#include "harden.h"
#include "trusted_dir.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
hs_advisory_report_clear (hs_advisory_report_t *r)
{
  hs_advisory_table_clear (&r->table);
  free (r->table_path);
  free (r->v);
  memset (r, 0, sizeof (*r));
}

static bool
plain_word (const char *s)
{
  if (*s == '\0' || strlen (s) > 64)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
      return false;
  return true;
}

int
hs_advisory_table_load (const char *dir, const char *name, hs_advisory_table_t *ret,
                        char **ret_path, hs_error_t *err)
{
  cleanup_close int dfd = -1;
  cleanup_free char *file = NULL, *display = NULL, *buf = NULL;
  hs_advisory_table_t t;
  struct stat st;
  size_t len;

  if (!plain_word (name))
    return hs_error_make (err, 0, "no advisory table for a runtime named `%s`", name);
  file = hs_xasprintf ("%s.json", name);
  display = hs_xasprintf ("%s/%s", dir, file);
  dfd = hs_open_dir (dir, err);
  if (dfd < 0)
    return hs_error_wrap (err, "advisory tables");
  /* whoever may rename entries there picks the table */
  if (hs_trusted_dir_fd_check (dfd, dir, "advisory table directory", err) < 0
      || hs_trusted_dir_above_check (dir, "advisory table directory", err) < 0)
    return -1;
  if (hs_read_file_at (dfd, file, HS_ADVISORY_MAX_BYTES, &buf, &len, &st, err) < 0)
    {
      if ((*err)->status == ENOENT)
        {
          hs_error_release (err);
          return hs_error_make (err, ENOENT, "no advisory table for runtime `%s` (`%s`)", name,
                                display);
        }
      return hs_error_wrap (err, "advisory table `%s`", display);
    }
  /* whoever may write it decides which escapes count as open */
  if (!hs_caller_trusts_owner (st.st_uid) || (st.st_mode & 0022) != 0)
    return hs_error_make (err, 0,
                          "advisory table `%s` is writable by users other than root (mode %04o, "
                          "owner %u)",
                          display, (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid);
  if (hs_advisory_table_parse (buf, len, display, &t, err) < 0)
    return -1;
  if (strcmp (t.runtime, name) != 0)
    {
      int r = hs_error_make (err, 0, "advisory table `%s` is for runtime `%s`, not `%s`", display,
                             t.runtime, name);
      hs_advisory_table_clear (&t);
      return r;
    }
  *ret = t;
  *ret_path = TAKE_PTR (display);
  return 0;
}

int
hs_advisory_judge (const char *dir, const hs_probe_t *facts, bool (*active) (const char *, void *),
                   void *ctx, hs_advisory_report_t *ret, hs_error_t *err)
{
  hs_advisory_report_t r = { 0 };
  hs_runtime_facts_t f = {
    .name = facts->name,
    .version = facts->version,
    .debian_version = facts->debian_version,
    .features = (const char *const *) facts->features,
    .n_features = facts->n_features,
  };

  if (hs_advisory_table_load (dir, facts->name, &r.table, &r.table_path, err) < 0)
    return -1;
  r.v = hs_xcalloc (r.table.n ? r.table.n : 1, sizeof (*r.v));
  for (size_t i = 0; i < r.table.n; i++)
    {
      hs_advisory_verdict_t *v = &r.v[r.n++];

      v->a = &r.table.v[i];
      v->status = hs_advisory_status (v->a, &f, &v->why);
      if (v->status != HS_ADV_OPEN)
        continue;
      r.open++;
      v->cover = hs_advisory_coverage (v->a, active, ctx);
      r.uncovered += v->cover == HS_COVER_NONE;
      r.partial += v->cover == HS_COVER_PARTIAL;
    }
  *ret = r;
  return 0;
}

hs_json_t *
hs_advisory_report_judged (const hs_advisory_report_t *r, const char *table_identity)
{
  hs_json_t *j = hs_json_new (HS_JSON_OBJECT), *open = hs_json_new (HS_JSON_ARRAY);

  hs_json_set_exact (j, "table", hs_json_new_string (r->table_path));
  hs_json_set_exact (j, "table_identity", hs_json_new_string (table_identity));
  hs_json_set_exact (j, "open", open);
  for (size_t i = 0; i < r->n; i++)
    {
      const hs_advisory_t *a = r->v[i].a;
      hs_json_t *o, *covers;

      if (r->v[i].status != HS_ADV_OPEN)
        continue;
      o = hs_json_new (HS_JSON_OBJECT);
      covers = hs_json_new (HS_JSON_ARRAY);
      hs_json_set_exact (o, "id", hs_json_new_string (a->id));
      for (size_t k = 0; k < a->n_covered_by; k++)
        {
          hs_json_t *c = hs_json_new (HS_JSON_OBJECT);

          hs_json_set_exact (c, "rule", hs_json_new_string (a->covered_by[k].rule));
          hs_json_set_exact (c, "partial", hs_json_new_bool (a->covered_by[k].partial));
          hs_json_append (covers, c);
        }
      hs_json_set_exact (o, "covered_by", covers);
      hs_json_append (open, o);
    }
  return j;
}

static bool
string_is (const hs_json_t *obj, const char *key, const char *want)
{
  const hs_json_t *v = hs_json_get_exact (obj, key);

  return v != NULL && v->type == HS_JSON_STRING && want != NULL && strcmp (v->str, want) == 0;
}

int
hs_advisory_report_from_judged (const hs_json_t *judged, const char *table_path,
                                const char *table_identity, bool (*active) (const char *, void *),
                                void *ctx, hs_advisory_report_t *ret)
{
  const hs_json_t *open = hs_json_get_exact (judged, "open");
  hs_advisory_report_t r = { 0 };

  if (!string_is (judged, "table", table_path)
      || !string_is (judged, "table_identity", table_identity) || open == NULL
      || open->type != HS_JSON_ARRAY || open->len > HS_ADVISORY_MAX_ENTRIES)
    return -1;
  r.table.v = hs_xcalloc (open->len ? open->len : 1, sizeof (*r.table.v));
  r.v = hs_xcalloc (open->len ? open->len : 1, sizeof (*r.v));
  for (size_t i = 0; i < open->len; i++)
    {
      const hs_json_t *o = open->items[i];
      const hs_json_t *id = hs_json_get_type (o, "id", HS_JSON_STRING);
      const hs_json_t *covers = hs_json_get_type (o, "covered_by", HS_JSON_ARRAY);
      hs_advisory_t *a = &r.table.v[r.table.n++];

      if (id == NULL || covers == NULL || covers->len > HS_ADVISORY_MAX_LIST)
        {
          hs_advisory_report_clear (&r);
          return -1;
        }
      a->id = hs_xstrdup (id->str);
      a->covered_by = hs_xcalloc (covers->len ? covers->len : 1, sizeof (*a->covered_by));
      for (size_t k = 0; k < covers->len; k++)
        {
          const hs_json_t *rule = hs_json_get_type (covers->items[k], "rule", HS_JSON_STRING);
          const hs_json_t *partial = hs_json_get_type (covers->items[k], "partial", HS_JSON_BOOL);

          if (rule == NULL || partial == NULL)
            {
              hs_advisory_report_clear (&r);
              return -1;
            }
          a->covered_by[a->n_covered_by].rule = hs_xstrdup (rule->str);
          a->covered_by[a->n_covered_by++].partial = partial->boolean;
        }
    }
  r.table_path = hs_xstrdup (table_path);
  for (size_t i = 0; i < r.table.n; i++)
    {
      hs_advisory_verdict_t *v = &r.v[r.n++];

      v->a = &r.table.v[i];
      v->status = HS_ADV_OPEN;
      v->why = "affected";
      v->cover = hs_advisory_coverage (v->a, active, ctx);
      r.open++;
      r.uncovered += v->cover == HS_COVER_NONE;
      r.partial += v->cover == HS_COVER_PARTIAL;
    }
  *ret = r;
  return 0;
}

bool
hs_policy_rule_active (const hs_policy_t *policy, const char *rule)
{
  hs_ctl_mode_t mode;

  if (policy->mode != HS_POLICY_ENFORCE || hs_control_find (rule) == NULL)
    return false;
  if (hs_control_mode (hs_policy_control (policy, rule), rule, &mode, NULL) < 0)
    return false;
  return mode == HS_CTL_ENFORCE || mode == HS_CTL_REJECT;
}

const char *
hs_policy_rule_mode (const hs_policy_t *policy, const char *rule)
{
  const hs_json_t *s;
  const char *m;

  if (hs_control_find (rule) == NULL)
    return "unknown rule";
  s = hs_policy_control (policy, rule);
  if (s == NULL)
    return "absent";
  m = hs_settings_mode_name (s);
  return m ? m : "enforce";
}

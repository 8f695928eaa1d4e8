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

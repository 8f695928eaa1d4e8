/* hardshimctl check: a dry run of hardshim on a config.json. Exit 0 when
 * the config would be admitted, 1 when refused, 2 on error (usage, a file
 * that cannot be read, an invalid policy). It decides as hardshim would:
 * policy mode off admits everything unread; a config hardshim cannot parse
 * or validate is refused (audit mode: admitted, recorded). */
#include "cleanup.h"
#include "ctl/ctl.h"
#include "fileio.h"
#include "harden.h"
#include "host.h"
#include "spec.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
print_text (const hs_audit_t *audit, const char *verdict, const char *reason)
{
  for (size_t i = 0; i < audit->len; i++)
    {
      const hs_decision_t *d = &audit->items[i];
      cleanup_free char *before = NULL, *after = NULL;

      if (d->before)
        hs_json_emit (d->before, false, &before, NULL, NULL);
      if (d->after)
        hs_json_emit (d->after, false, &after, NULL, NULL);
      printf ("%-12s %-20s %s", d->action, d->control, d->path ? d->path : "");
      if (before && after && strcmp (before, after) == 0)
        printf (" = %s", before); /* exception annotations: unchanged */
      else if (before || after)
        printf (": %s -> %s", before ? before : "(absent)", after ? after : "(absent)");
      printf ("\n             %s\n", d->message);
    }
  printf ("verdict: %s%s%s\n", verdict, reason ? ": " : "", reason ? reason : "");
}

static void
print_json (const hs_audit_t *audit, const char *verdict, const char *reason,
            const hs_json_t *config)
{
  cleanup_json hs_json_t *o = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *decisions = hs_json_new (HS_JSON_ARRAY);
  cleanup_free char *out = NULL;

  hs_json_set_exact (o, "verdict", hs_json_new_string (verdict));
  hs_json_set_exact (o, "policy", hs_json_new_string (audit->policy_digest));
  if (reason)
    hs_json_set_exact (o, "reason", hs_json_new_string (reason));
  for (size_t i = 0; i < audit->len; i++)
    {
      cleanup_free char *line = hs_audit_line (audit, i);
      hs_json_t *rec = NULL;
      if (hs_json_parse (line, strlen (line), &hs_spec_limits, &rec, NULL) == 0)
        hs_json_append (decisions, rec);
    }
  hs_json_set_exact (o, "decisions", decisions);
  if (config)
    hs_json_set_exact (o, "config", hs_json_dup (config));
  if (hs_json_emit (o, true, &out, NULL, NULL) == 0)
    printf ("%s\n", out);
}

/* `check -`: the config on stdin (CI pipelines), as limited as a file. */
static int
read_stdin (char **ret_buf, size_t *ret_len, hs_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  for (;;)
    {
      ssize_t n;

      buf = hs_xgrow (buf, &cap, len + 65536 + 1, 1);
      n = read (STDIN_FILENO, buf + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hs_error_make (err, errno, "read standard input");
      if (n == 0)
        break;
      len += (size_t) n;
      if (len > HS_JSON_MAX_BYTES)
        return hs_error_make (err, 0, "standard input: more than %u bytes", HS_JSON_MAX_BYTES);
    }
  buf[len] = '\0';
  *ret_buf = TAKE_PTR (buf);
  *ret_len = len;
  return 0;
}

int
hs_ctl_check (int argc, char **argv)
{
  const char *policy_file = NULL, *config = NULL;
  cleanup_policy hs_policy_t *policy = NULL;
  cleanup_json hs_json_t *tree = NULL;
  cleanup_error hs_error_t err = NULL;
  cleanup_free char *buf = NULL, *name = NULL;
  cleanup_close int dfd = -1;
  hs_audit_t audit;
  hs_host_t host;
  bool json = false;
  size_t len;
  int r;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--policy") == 0 && i + 1 < argc)
        policy_file = argv[++i];
      else if (strncmp (argv[i], "--policy=", 9) == 0)
        policy_file = argv[i] + 9;
      else if (strcmp (argv[i], "--json") == 0)
        json = true;
      else if ((argv[i][0] == '-' && strcmp (argv[i], "-") != 0) || config != NULL)
        {
          fprintf (stderr, "Usage: hardshimctl check [--policy FILE] [--json] CONFIG.json|-\n");
          return 2;
        }
      else
        config = argv[i];
    }
  if (config == NULL)
    {
      fprintf (stderr, "Usage: hardshimctl check [--policy FILE] [--json] CONFIG.json|-\n");
      return 2;
    }
  if (hs_ctl_load_policy (policy_file, &policy, &err) < 0)
    return hs_ctl_fail (&err, 2);
  if (strcmp (config, "-") == 0)
    r = read_stdin (&buf, &len, &err);
  else
    {
      dfd = hs_open_parent (config, &name, &err);
      r = dfd < 0 ? dfd : hs_read_file_at (dfd, name, HS_JSON_MAX_BYTES, &buf, &len, NULL, &err);
    }
  if (r < 0)
    {
      hs_error_wrap (&err, "`%s`", config);
      return hs_ctl_fail (&err, 2);
    }

  if (strcmp (config, "-") == 0)
    config = "standard input";
  hs_host_detect (&host);
  hs_audit_init (&audit, "check", NULL, config, policy->digest);
  if (policy->mode == HS_POLICY_OFF)
    {
      /* hardshim does not even read the config */
      const char *why = "policy mode is off: every config passes unchanged";
      if (json)
        print_json (&audit, "admitted", why, NULL);
      else
        print_text (&audit, "admitted", why);
      return 0;
    }
  r = hs_json_parse (buf, len, &hs_spec_limits, &tree, &err);
  if (r == 0)
    r = hs_harden_spec (tree, policy, &host, &audit, &err);
  if (r < 0 && !hs_error_is_refusal (&err))
    {
      /* A config hardshim cannot read the way the runtime would is refused
       * (recorded only in audit mode), as hardshim itself does. */
      hs_error_wrap (&err, "`%s`", config);
      tree = hs_json_free (tree);
      if (policy->mode == HS_POLICY_AUDIT)
        {
          hs_audit_add (&audit, "spec", HS_ACT_WOULD_REFUSE, NULL, NULL, NULL, err->msg);
          hs_error_release (&err);
          r = 0;
        }
    }
  if (json)
    print_json (&audit, r < 0 ? "refused" : "admitted", r < 0 ? err->msg : NULL,
                r < 0 ? NULL : tree);
  else
    print_text (&audit, r < 0 ? "refused" : "admitted", r < 0 ? err->msg : NULL);
  hs_audit_release (&audit);
  return r < 0 ? 1 : 0;
}

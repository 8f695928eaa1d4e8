#include "ctl/gate_args.h"
#include "cleanup.h"
#include "feed.h"
#include "fileio.h"

#include <stdio.h>
#include <string.h>

static const hs_json_limits_t settings_limits = { HS_POLICY_MAX_BYTES, HS_POLICY_MAX_DEPTH, false };

static const char *
value_of (int argc, char **argv, int *i, const char *flag)
{
  size_t n = strlen (flag);

  if (strcmp (argv[*i], flag) == 0 && *i + 1 < argc)
    return argv[++*i];
  if (strncmp (argv[*i], flag, n) == 0 && argv[*i][n] == '=')
    return argv[*i] + n + 1;
  return NULL;
}

int
hs_ctl_gate_args (int argc, char **argv, int first, const char *usage, hs_ctl_gate_args_t *ret)
{
  cleanup_error hs_error_t err = NULL;
  hs_ctl_gate_args_t a = { 0 };
  const char *v;

  for (int i = first; i < argc; i++)
    {
      if ((v = value_of (argc, argv, &i, "--policy")) != NULL)
        a.policy_file = v;
      else if ((v = value_of (argc, argv, &i, "--settings")) != NULL)
        a.settings_file = v;
      else if ((v = value_of (argc, argv, &i, "--feed-dir")) != NULL)
        a.feed_dir = v;
      else if (strcmp (argv[i], "--json") == 0)
        a.json = true;
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        {
          fprintf (stderr, "hardshimctl: unknown option `%s`\nusage: hardshimctl %s\n", argv[i],
                   usage);
          return 2;
        }
      else if (a.operand == NULL)
        a.operand = argv[i];
      else
        {
          fprintf (stderr, "hardshimctl: one operand only\nusage: hardshimctl %s\n", usage);
          return 2;
        }
    }
  if (hs_ctl_load_policy (a.policy_file, &a.policy, &err) < 0)
    return hs_ctl_fail (&err, 2);
  if (a.settings_file != NULL)
    {
      cleanup_free char *buf = NULL, *name = NULL;
      cleanup_close int dfd = hs_open_parent (a.settings_file, &name, &err);
      size_t len;

      if (dfd < 0 || hs_read_file_at (dfd, name, HS_POLICY_MAX_BYTES, &buf, &len, NULL, &err) < 0
          || hs_json_parse (buf, len, &settings_limits, &a.settings, &err) < 0)
        {
          hs_policy_free (a.policy);
          hs_error_wrap (&err, "`%s`", a.settings_file);
          return hs_ctl_fail (&err, 2);
        }
    }
  if (hs_gate_policy_parse (
          a.settings ? a.settings : hs_json_get_exact (a.policy->tree, "image_gate"), &a.gate, &err)
      < 0)
    {
      hs_policy_free (a.policy);
      hs_json_free (a.settings);
      return hs_ctl_fail (&err, 2);
    }
  if (a.feed_dir == NULL)
    a.feed_dir = a.gate.feed_dir;
  *ret = a;
  return 0;
}

void
hs_ctl_gate_args_clear (hs_ctl_gate_args_t *a)
{
  a->policy = hs_policy_free (a->policy);
  a->settings = hs_json_free (a->settings);
}

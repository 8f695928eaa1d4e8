/* hardshimctl profile apparmor [--policy FILE] [--config CONFIG.json]:
 * print the AppArmor profile hardshim would load for a container. */
#include "apparmor.h"
#include "cleanup.h"
#include "ctl/ctl.h"
#include "fileio.h"
#include "harden.h"
#include "harden/lsm.h"
#include "spec.h"

#include <stdio.h>
#include <string.h>

static int
usage (void)
{
  fprintf (stderr, "Usage: hardshimctl profile seccomp|apparmor [--policy FILE] [--config CONFIG.json]\n");
  return 2;
}

int
hs_ctl_profile_apparmor (int argc, char **argv)
{
  const char *policy_file = NULL, *config = NULL;
  cleanup_policy hs_policy_t *policy = NULL;
  cleanup_json hs_json_t *tree = NULL;
  cleanup_error hs_error_t err = NULL;
  hs_apparmor_profile_t profile = { 0 };
  int r;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--policy") == 0 && i + 1 < argc)
        policy_file = argv[++i];
      else if (strncmp (argv[i], "--policy=", 9) == 0)
        policy_file = argv[i] + 9;
      else if (strcmp (argv[i], "--config") == 0 && i + 1 < argc)
        config = argv[++i];
      else if (strncmp (argv[i], "--config=", 9) == 0)
        config = argv[i] + 9;
      else
        return usage ();
    }
  if (hs_ctl_load_policy (policy_file, &policy, &err) < 0)
    return hs_ctl_fail (&err, 2);
  if (config != NULL)
    {
      cleanup_free char *buf = NULL, *name = NULL;
      cleanup_close int dfd = hs_open_parent (config, &name, &err);
      /* Module flags off: a dry run that neither loads nor reserves. */
      hs_host_t host = { 0 };
      hs_audit_t audit;
      size_t len;

      if (dfd < 0 || hs_read_file_at (dfd, name, HS_JSON_MAX_BYTES, &buf, &len, NULL, &err) < 0
          || hs_json_parse (buf, len, &hs_spec_limits, &tree, &err) < 0)
        {
          hs_error_wrap (&err, "`%s`", config);
          return hs_ctl_fail (&err, 2);
        }
      /* The profile follows the final capabilities: harden first. */
      hs_audit_init (&audit, "profile", NULL, config, policy->digest);
      r = hs_harden_spec (tree, policy, &host, &audit, &err);
      hs_audit_release (&audit);
      if (r < 0)
        {
          hs_error_wrap (&err, "`%s`", config);
          return hs_ctl_fail (&err, hs_error_is_refusal (&err) ? 1 : 2);
        }
    }
  else
    tree = hs_json_new (HS_JSON_OBJECT); /* no NET_RAW: the restricted default */
  r = hs_apparmor_render_for (tree, hs_policy_control (policy, "apparmor"), &profile, &err);
  if (r < 0)
    return hs_ctl_fail (&err, 2);
  fputs (profile.text, stdout);
  hs_apparmor_profile_release (&profile);
  return 0;
}

/* `profile KIND`: the seccomp work adds its kind here. */
int
hs_ctl_profile (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "apparmor") == 0)
    return hs_ctl_profile_apparmor (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "seccomp") == 0)
    return hs_ctl_profile_seccomp (argc, argv);
  return usage ();
}

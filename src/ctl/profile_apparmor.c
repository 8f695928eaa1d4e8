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
  fprintf (stderr,
           "Usage: hardshimctl profile seccomp|apparmor [--policy FILE] [--config CONFIG.json]\n");
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

  if (hs_ctl_profile_args (argc, argv, 1, &policy_file, &config) < 0)
    return usage ();
  if (hs_ctl_load_policy (policy_file, &policy, &err) < 0)
    return hs_ctl_fail (&err, 2);
  if (config != NULL)
    {
      /* Module flags off: a dry run that neither loads nor reserves. */
      hs_host_t host = { 0 };

      r = hs_ctl_dry_run (policy, config, &host, &tree);
      if (r != 0)
        return r;
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

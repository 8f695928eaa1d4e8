/* hardshimctl profile seccomp: the linux.seccomp hardshim would inject,
 * for a given config.json (after every control ran) or, without one, for a
 * container with no capabilities and noNewPrivileges true. */
#include "cleanup.h"
#include "ctl/ctl.h"
#include "fileio.h"
#include "harden.h"
#include "host.h"
#include "seccomp_profile.h"
#include "spec.h"

#include <stdio.h>
#include <string.h>

#define USAGE "Usage: hardshimctl profile seccomp [--policy FILE] [--config CONFIG.json]\n"

static int
print_tree (const hs_json_t *v)
{
  cleanup_free char *out = NULL;
  cleanup_error hs_error_t err = NULL;

  if (hs_json_emit (v, true, &out, NULL, &err) < 0)
    return hs_ctl_fail (&err, 2);
  printf ("%s\n", out);
  return 0;
}

static int
for_config (const hs_policy_t *policy, const char *config)
{
  cleanup_json hs_json_t *tree = NULL;
  const hs_json_t *sc;
  hs_host_t host;
  int r;

  hs_host_detect (&host);
  r = hs_ctl_dry_run (policy, config, &host, &tree);
  if (r != 0)
    return r;
  sc = hs_json_path (tree, "linux", "seccomp", NULL);
  if (sc == NULL)
    {
      fprintf (stderr, "hardshimctl: `%s` would run without a seccomp profile\n", config);
      return 1;
    }
  return print_tree (sc);
}

static int
for_nothing (const hs_policy_t *policy)
{
  static const char minimal[] = "{\"process\":{\"noNewPrivileges\":true}}";
  cleanup_json hs_json_t *spec = NULL, *oci = NULL;
  cleanup_sc_profile hs_sc_profile_t *p = NULL;
  cleanup_error hs_error_t err = NULL;
  hs_sc_notes_t notes = { 0 };
  bool cached;
  int r;

  hs_json_parse (minimal, sizeof (minimal) - 1, &hs_spec_limits, &spec, NULL);
  r = hs_seccomp_profile_for (spec, hs_policy_control (policy, "seccomp"), NULL, NULL, &p, &notes,
                              &cached, &err);
  for (size_t i = 0; i < notes.len; i++)
    fprintf (stderr, "note: %s\n", notes.items[i]);
  hs_sc_notes_release (&notes);
  if (r < 0)
    return hs_ctl_fail (&err, 2);
  oci = hs_sc_to_oci (p);
  return print_tree (oci);
}

/* argv: "seccomp" [options] (argv[0] is the `profile` word). */
int
hs_ctl_profile_seccomp (int argc, char **argv)
{
  const char *policy_file = NULL, *config = NULL;
  cleanup_policy hs_policy_t *policy = NULL;
  cleanup_error hs_error_t err = NULL;
  hs_ctl_mode_t mode;

  if (argc < 2 || strcmp (argv[1], "seccomp") != 0)
    {
      fprintf (stderr, USAGE);
      return 2;
    }
  if (hs_ctl_profile_args (argc, argv, 2, &policy_file, &config) < 0)
    {
      fprintf (stderr, USAGE);
      return 2;
    }
  if (hs_ctl_load_policy (policy_file, &policy, &err) < 0)
    return hs_ctl_fail (&err, 2);
  if (hs_control_mode (hs_policy_control (policy, "seccomp"), "seccomp", &mode, &err) < 0)
    return hs_ctl_fail (&err, 2);
  if (mode == HS_CTL_OFF || policy->mode == HS_POLICY_OFF)
    {
      fprintf (stderr, "hardshimctl: the seccomp control is off in this policy\n");
      return 1;
    }
  return config ? for_config (policy, config) : for_nothing (policy);
}

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
  cleanup_error hs_error_t err = NULL;
  cleanup_free char *buf = NULL, *name = NULL;
  cleanup_close int dfd = -1;
  const hs_json_t *sc;
  hs_audit_t audit;
  hs_host_t host;
  size_t len;
  int r;

  dfd = hs_open_parent (config, &name, &err);
  if (dfd < 0 || hs_read_file_at (dfd, name, HS_JSON_MAX_BYTES, &buf, &len, NULL, &err) < 0
      || hs_json_parse (buf, len, &hs_spec_limits, &tree, &err) < 0)
    {
      hs_error_wrap (&err, "`%s`", config);
      return hs_ctl_fail (&err, 2);
    }
  hs_host_detect (&host);
  hs_audit_init (&audit, "profile", NULL, config, policy->digest);
  r = hs_harden_spec (tree, policy, &host, &audit, &err);
  hs_audit_release (&audit);
  if (r < 0)
    {
      hs_error_wrap (&err, "`%s`", config);
      return hs_ctl_fail (&err, hs_error_is_refusal (&err) ? 1 : 2);
    }
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
  for (int i = 2; i < argc; i++)
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
        {
          fprintf (stderr, USAGE);
          return 2;
        }
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

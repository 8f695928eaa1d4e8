/* hardshimctl: check configs against the host policy, show and validate
 * the policy, explain controls. */
#include "config.h"
#include "ctl/ctl.h"
#include "harden.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmd_version (int argc, char **argv)
{
  (void) argc, (void) argv;
  printf ("hardshimctl version %s\n", PACKAGE_VERSION);
  return 0;
}

static const hs_ctl_command_t commands[] = {
  { "version", "version", cmd_version },
  { "check", "check [--policy FILE] [--json] CONFIG.json|-", hs_ctl_check },
  { "policy", "policy show [--policy FILE] [--json] | policy show --preset NAME | policy validate FILE", hs_ctl_policy },
  { "explain", "explain [CONTROL]", hs_ctl_explain },
  { "profile", "profile seccomp|apparmor [--policy FILE] [--config CONFIG.json]", hs_ctl_profile },
  { NULL, NULL, NULL },
};

static int
usage (FILE *out, int status)
{
  fprintf (out, "Usage: hardshimctl COMMAND [ARGS]\n\nCommands:\n");
  for (const hs_ctl_command_t *c = commands; c->name; c++)
    fprintf (out, "  hardshimctl %s\n", c->usage);
  fprintf (out, "\nSee hardshimctl(8).\n");
  return status;
}

int
hs_ctl_fail (hs_error_t *err, int status)
{
  fprintf (stderr, "hardshimctl: %s\n", (*err)->msg);
  hs_error_release (err);
  return status;
}

int
hs_ctl_load_policy (const char *file, hs_policy_t **ret, hs_error_t *err)
{
  hs_policy_paths_t paths = {
    .override = file ? file : secure_getenv ("HARDSHIM_POLICY"),
    .file = HS_POLICY_DIR "/policy.json",
    .dir = HS_POLICY_DIR "/policy.d",
  };

  return hs_harden_load_policy (&paths, ret, err);
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    return usage (stderr, 2);
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    return usage (stdout, 0);
  if (strcmp (argv[1], "--version") == 0)
    return cmd_version (argc, argv);
  for (const hs_ctl_command_t *c = commands; c->name; c++)
    if (strcmp (argv[1], c->name) == 0)
      return c->run (argc - 1, argv + 1);
  fprintf (stderr, "hardshimctl: unknown command `%s`\n", argv[1]);
  return usage (stderr, 2);
}

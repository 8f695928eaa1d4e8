/* hardshimctl: check configs against the host policy, show and validate
 * the policy, explain controls. */
#include "config.h"
#include "audit.h"
#include "spec.h"
#include "fileio.h"
#include "cleanup.h"
#include "ctl/ctl.h"
#include "ctl/node.h"
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
  { "policy",
    "policy show [--policy FILE] [--json] | policy show --preset NAME | policy validate FILE",
    hs_ctl_policy },
  { "explain", "explain [CONTROL]", hs_ctl_explain },
  { "profile", "profile seccomp|apparmor [--policy FILE] [--config CONFIG.json]", hs_ctl_profile },
  { "feed", "feed import|show [--feed-dir DIR] [--policy FILE] [--json] [FILE|DIR]", hs_ctl_feed },
  { "scan", "scan [--policy FILE] [--feed-dir DIR] [--json] ROOTFS", hs_ctl_scan },
  { "doctor",
    "doctor [--policy FILE] [--runtime PATH]... [--advisories DIR] [--dpkg-admin DIR] [--json]",
    hs_ctl_doctor },
  { "install", "install --node [--hardshim PATH] [--root DIR]", hs_ctl_install },
  { "uninstall", "uninstall --node [--root DIR]", hs_ctl_uninstall },
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
hs_ctl_profile_args (int argc, char **argv, int first, const char **ret_policy,
                     const char **ret_config)
{
  for (int i = first; i < argc; i++)
    {
      if (strcmp (argv[i], "--policy") == 0 && i + 1 < argc)
        *ret_policy = argv[++i];
      else if (strncmp (argv[i], "--policy=", 9) == 0)
        *ret_policy = argv[i] + 9;
      else if (strcmp (argv[i], "--config") == 0 && i + 1 < argc)
        *ret_config = argv[++i];
      else if (strncmp (argv[i], "--config=", 9) == 0)
        *ret_config = argv[i] + 9;
      else
        return -1;
    }
  return 0;
}

int
hs_ctl_dry_run (const hs_policy_t *policy, const char *config, const hs_host_t *host,
                hs_json_t **ret)
{
  cleanup_free char *buf = NULL, *name = NULL;
  cleanup_close int dfd = -1;
  cleanup_error hs_error_t err = NULL;
  hs_json_t *tree = NULL;
  hs_audit_t audit;
  size_t len;
  int r;

  dfd = hs_open_parent (config, &name, &err);
  if (dfd < 0 || hs_read_file_at (dfd, name, HS_JSON_MAX_BYTES, &buf, &len, NULL, &err) < 0
      || hs_json_parse (buf, len, &hs_spec_limits, &tree, &err) < 0)
    {
      hs_error_wrap (&err, "`%s`", config);
      return hs_ctl_fail (&err, 2);
    }
  hs_audit_init (&audit, "profile", NULL, config, policy->digest);
  r = hs_harden_spec (tree, policy, host, &audit, &err);
  hs_audit_release (&audit);
  if (r < 0)
    {
      hs_json_free (tree);
      hs_error_wrap (&err, "`%s`", config);
      return hs_ctl_fail (&err, hs_error_is_refusal (&err) ? 1 : 2);
    }
  *ret = tree;
  return 0;
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

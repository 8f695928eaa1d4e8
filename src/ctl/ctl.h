/* hardshimctl: administration commands. Each returns the exit status. */
#ifndef HS_CTL_H
#define HS_CTL_H

#include "error.h"
#include "harden.h"
#include "policy.h"

typedef struct
{
  const char *name;
  const char *usage;
  int (*run) (int argc, char **argv);
} hs_ctl_command_t;

int hs_ctl_check (int argc, char **argv);
int hs_ctl_policy (int argc, char **argv);
int hs_ctl_explain (int argc, char **argv);
int hs_ctl_profile (int argc, char **argv);
int hs_ctl_profile_apparmor (int argc, char **argv);
int hs_ctl_profile_seccomp (int argc, char **argv);
int hs_ctl_feed (int argc, char **argv);
int hs_ctl_scan (int argc, char **argv);
int hs_ctl_doctor (int argc, char **argv);

/* --policy FILE, else HARDSHIM_POLICY, else the files under /etc. */
int hs_ctl_load_policy (const char *file, hs_policy_t **ret, hs_error_t *err);
/* `--policy FILE` and `--config FILE` (and their `=` forms) in argv[first..].
 * Returns < 0 on anything else. */
int hs_ctl_profile_args (int argc, char **argv, int first, const char **ret_policy,
                         const char **ret_config);
/* Read CONFIG.json and harden it as a dry run (a profile follows the final
 * capabilities). Returns 0, or the exit status after printing the error. */
int hs_ctl_dry_run (const hs_policy_t *policy, const char *config, const hs_host_t *host,
                    hs_json_t **ret);

/* Print "hardshimctl: msg" to stderr and return `status`. */
int hs_ctl_fail (hs_error_t *err, int status);

#endif

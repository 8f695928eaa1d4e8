/* hardshimctl: administration commands. Each returns the exit status. */
#ifndef HS_CTL_H
#define HS_CTL_H

#include "error.h"
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

/* --policy FILE, else HARDSHIM_POLICY, else the files under /etc. */
int hs_ctl_load_policy (const char *file, hs_policy_t **ret, hs_error_t *err);
/* Print "hardshimctl: msg" to stderr and return `status`. */
int hs_ctl_fail (hs_error_t *err, int status);

#endif

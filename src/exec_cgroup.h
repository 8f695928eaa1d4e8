/* hardshim: `exec --cgroup [CTRL[,CTRL]:]PATH`. Both runtimes put the
 * exec'd process into PATH below the container's cgroup; crun 1.8 joins
 * the path as given, so `..` or `/` reach the host's cgroups (the root
 * device cgroup allows every device). Only a clean relative sub-path is
 * admitted. */
#ifndef HS_EXEC_CGROUP_H
#define HS_EXEC_CGROUP_H

#include "cli.h"

/* 0, or a refusal naming the value. */
int hs_exec_cgroup_check (const hs_invocation_t *inv, hs_error_t *err);

/* One value: NULL when admitted, else why not (for tests). */
const char *hs_exec_cgroup_refusal (const char *value);

#endif

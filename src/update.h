/* hardshim: judging `update`. What update sets on a running container
 * (-r FILE|-, --pids-limit) goes through the controls' apply_update hooks
 * (devices: every allow rule covered by policy; rlimits: the pids limit
 * kept within policy), unknown resources keys are refused, and what was
 * judged is handed to the runtime (handover.h) in place of the file. */
#ifndef HS_UPDATE_H
#define HS_UPDATE_H

#include "audit.h"
#include "cli.h"
#include "harden.h"
#include "policy.h"

/* *ret_path: the resources to pass instead of -r's value, or NULL to pass
 * argv unchanged. */
int hs_update_harden (const hs_invocation_t *inv, const hs_policy_t *policy, const hs_host_t *host,
                      hs_audit_t *audit, char **ret_path, hs_error_t *err);

#endif

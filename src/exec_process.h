/* hardshim: hardening `exec`. The process file (--process) gets the same
 * process-level controls as the container; the hardened copy is handed to
 * the runtime as a sealed memfd (handover.h) whose path replaces the
 * original in argv. */
#ifndef HS_EXEC_PROCESS_H
#define HS_EXEC_PROCESS_H

#include "audit.h"
#include "cli.h"
#include "harden.h"
#include "policy.h"

/* *ret_path: the hardened process file to pass instead, or NULL to pass
 * argv unchanged. */
int hs_exec_harden (const hs_invocation_t *inv, const hs_policy_t *policy, const hs_host_t *host,
                    hs_audit_t *audit, char **ret_path, hs_error_t *err);

#endif

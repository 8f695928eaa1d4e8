/* hardshim: hardening an `exec` without a process file. The runtime then
 * builds the process from the container's config plus flags: `--cap X`
 * adds X to it (runc: to bounding, effective, permitted; crun: as the whole
 * set), runc's `--no-new-privs=false` turns no_new_privs off, and crun runs
 * without no_new_privs unless `--no-new-privs` is given, whatever the config
 * says. The flags are put through the capabilities, no_new_privileges,
 * non_root_user, cwd_clean and exec_path controls as a process object
 * (--cwd and the command as cwd and args), and argv is rewritten to match:
 * disallowed `--cap` arguments are removed, no_new_privs is forced on, a
 * --cwd is written clean. */
#ifndef HS_EXEC_INLINE_H
#define HS_EXEC_INLINE_H

#include "audit.h"
#include "cli.h"
#include "harden.h"
#include "policy.h"

/* `container` is the container's config (NULL: unknown). *ret_argv: the
 * argv to run instead (NULL-terminated, argv[0] kept; free it with
 * hs_exec_inline_argv_free), or NULL to keep it. */
int hs_exec_inline_harden (const hs_invocation_t *inv, const hs_policy_t *policy,
                           const hs_host_t *host, hs_audit_t *audit, const hs_json_t *container,
                           char ***ret_argv, hs_error_t *err);

/* For tests: argv with the --cap occurrences flagged in `drop` (n_caps
 * entries) removed and, when `add_nnp`, `--no-new-privs` after the verb and
 * a `--no-new-privs=false` value set to true; the --cwd value replaced by
 * `cwd` when not NULL. Free it with hs_exec_inline_argv_free (it owns the
 * strings it made, not inv's). */
char **hs_exec_inline_argv (const hs_invocation_t *inv, const bool *drop, bool force_nnp,
                            const char *cwd);
void hs_exec_inline_argv_free (char **argv);

#endif

/* no_new_privileges: process.noNewPrivileges is true, so setuid binaries
 * and file capabilities cannot raise privileges inside the container. */
#include "harden/controls.h"

static int
force_nnp (hs_harden_t *h, hs_error_t *err)
{
  hs_json_t *process = hs_json_get (h->spec, "process");
  hs_json_t *nnp;

  if (process == NULL || process->type == HS_JSON_NULL)
    return 0; /* nothing runs without a process; the runtime says so */
  if (process->type != HS_JSON_OBJECT)
    return hs_harden_refuse (h, err, "process", "`process` must be an object");
  nnp = hs_json_get (process, "noNewPrivileges");
  if (hs_json_is_true (nnp))
    return 0;
  if (nnp != NULL && nnp->type != HS_JSON_BOOL && nnp->type != HS_JSON_NULL)
    return hs_harden_refuse (h, err, "process.noNewPrivileges", "expected a boolean, got %s",
                             hs_json_type_name (nnp->type));
  {
    hs_json_t *after = hs_json_new_bool (true);
    hs_harden_change (h, "process.noNewPrivileges", nnp, after,
                      "no_new_privileges is required by host policy");
    hs_json_set (process, "noNewPrivileges", after);
  }
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  (void) settings;
  return force_nnp (h, err);
}

const hs_control_t hs_control_no_new_privileges = {
  .name = "no_new_privileges",
  .summary = "process.noNewPrivileges is forced to true",
  .doc = "Sets process.noNewPrivileges (and the exec'd process's) to true, so execve of\n"
         "setuid/setgid binaries and files with capabilities cannot gain privileges.\n"
         "Settings: none beyond mode and overridable.\n",
  .apply = apply,
  .apply_process = apply,
};

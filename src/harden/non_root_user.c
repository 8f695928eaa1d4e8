/* non_root_user: the container's process (and an exec'd one) must not run
 * as uid 0. hardshim cannot pick a user for the workload, so this control
 * only refuses (or, by default, audits). */
#include "harden/controls.h"

#include <string.h>

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *process = hs_json_get (h->spec, "process");
  const hs_json_t *uid;

  (void) settings;
  if (process == NULL || process->type != HS_JSON_OBJECT)
    return 0;
  uid = hs_json_path (process, "user", "uid", NULL);
  /* Absent means 0, as Go and crun decode it. Numbers are checked digits
   * by spec validation, so "0" is the only spelling of root. */
  if (uid == NULL || uid->type == HS_JSON_NULL
      || (uid->type == HS_JSON_NUMBER && strcmp (uid->str, "0") == 0))
    return hs_harden_refuse (h, err, "process.user.uid",
                             "the process runs as root (uid 0); host policy requires a non-root "
                             "user");
  return 0;
}

const hs_control_t hs_control_non_root_user = {
  .name = "non_root_user",
  .summary = "the process must not run as uid 0",
  .doc = "Refuses a container or exec'd process whose process.user.uid is 0 (or absent).\n"
         "hardshim cannot choose a user for the workload, so enforce and reject both\n"
         "refuse. Default mode: audit (records would-refuse, runs the container).\n"
         "Settings: mode only.\n",
  .apply = apply,
  .apply_process = apply,
  .read_only = true,
};

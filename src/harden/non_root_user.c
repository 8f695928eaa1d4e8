/* non_root_user: the container's process (and an exec'd one) must not run
 * as uid 0. hardshim cannot pick a user for the workload, so this control
 * only refuses (or, by default, audits). */
#include "harden/controls.h"

#include <string.h>

/* The value of a uid spec validation passed (plain digits), or -1 above
 * 2^32 - 1. */
static long long
uid_value (const hs_json_t *uid)
{
  long long v = 0;

  for (size_t i = 0; i < uid->len; i++)
    {
      v = v * 10 + (uid->str[i] - '0');
      if (v > 0xFFFFFFFFll)
        return -1;
    }
  return v;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *process = hs_json_get (h->spec, "process");
  const hs_json_t *uid;
  long long v;

  (void) settings;
  if (h->exec_user_flag != NULL)
    return hs_harden_refuse (
        h, err, "process.user.uid",
        "`--user %.64s` is not a plain decimal UID[:GID] below 4294967295 (no sign, space or "
        "leading zero): runc and crun read such spellings as other ids (`+0`, `00`, "
        "`4294967296` and, to crun, ` 0` and an empty one are uid 0), so hardshim cannot tell "
        "that it is not root; host policy requires a non-root user",
        h->exec_user_flag);
  if (process == NULL || process->type != HS_JSON_OBJECT)
    return 0;
  uid = hs_json_path (process, "user", "uid", NULL);
  /* Absent means 0, as Go and crun decode it. Numbers are plain digits by
   * spec validation; their value decides (`00` would be root too). */
  if (uid == NULL || uid->type == HS_JSON_NULL
      || (uid->type == HS_JSON_NUMBER && uid_value (uid) == 0))
    return hs_harden_refuse (h, err, "process.user.uid",
                             "the process runs as root (uid 0); host policy requires a non-root "
                             "user");
  v = uid->type == HS_JSON_NUMBER ? uid_value (uid) : -1;
  if (v == 0xFFFFFFFFll)
    return hs_harden_refuse (h, err, "process.user.uid",
                             "uid 4294967295 is (uid_t) -1, which setresuid takes as \"leave the "
                             "uid unchanged\": the process could stay root; host policy requires "
                             "a non-root user");
  return 0;
}

const hs_control_t hs_control_non_root_user = {
  .name = "non_root_user",
  .summary = "the process must not run as uid 0",
  .doc = "Refuses a container or exec'd process whose process.user.uid is 0 (or absent)\n"
         "or 4294967295 ((uid_t) -1), and an exec whose --user is not plain decimal\n"
         "UID[:GID] (runc and crun read `+0`, `00`, `4294967296`, ` 0` as uid 0).\n"
         "hardshim cannot choose a user for the workload, so enforce and reject both\n"
         "refuse. Default mode: audit (records would-refuse, runs the container).\n"
         "Settings: mode only.\n",
  .apply = apply,
  .apply_process = apply,
  .read_only = true,
};

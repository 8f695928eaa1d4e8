/* userns_advisories: a user namespace turns container root into an
 * unprivileged host user, which is what stopped several runtime escapes
 * that no other rule sees (the race forms, a file the runtime opens as
 * root on the container's behalf). When a container ends up without one,
 * because policy turns userns off or an exception or engine config keeps
 * the host's, the audit log says which advisories it was covering, so the
 * choice is visible. Only notes; never refuses. */
#include "harden/advisories.h"
#include "harden/controls.h"

#include <string.h>

#define CONTROL "userns_advisories"

static bool
has_userns (const hs_json_t *spec)
{
  const hs_json_t *ns = hs_json_path (spec, "linux", "namespaces", NULL);

  for (size_t i = 0; ns && ns->type == HS_JSON_ARRAY && i < ns->len; i++)
    {
      const hs_json_t *t
          = ns->items[i]->type == HS_JSON_OBJECT ? hs_json_get (ns->items[i], "type") : NULL;
      if (t != NULL && t->type == HS_JSON_STRING && strcmp (t->str, "user") == 0)
        return true;
    }
  return false;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *u = hs_policy_control (h->policy, "userns");
  const char *mode = hs_settings_mode_name (u);
  bool off = u == NULL || (mode != NULL && strcmp (mode, "off") == 0);

  (void) settings;
  (void) err;
  if (has_userns (h->spec))
    return 0;
  hs_harden_note (h, "linux.namespaces",
                  "%s: the user namespace was covering these runtime advisories, which now "
                  "rest on the other rules alone (`hardshimctl doctor` lists those open for "
                  "this runtime): %s",
                  off ? "policy turns `userns` off" : "the container runs without a user namespace",
                  HS_ADV_USERNS);
  return 0;
}

const hs_control_t hs_control_userns_advisories = {
  .name = CONTROL,
  .summary = "audit note naming the runtime advisories a user namespace was covering, when a "
             "container has none",
  .doc = "Runs after userns. When the container's config has no user namespace (policy\n"
         "turns `userns` off, or an exception or the engine's config keeps the host's),\n"
         "records a note in the audit log listing the runtime advisories the user\n"
         "namespace covers: " HS_ADV_USERNS ".\n"
         "Never refuses. No settings.\n",
  .apply = apply,
  .read_only = true,
};

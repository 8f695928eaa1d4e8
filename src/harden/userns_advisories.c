/* userns_advisories: a user namespace turns container root into an
 * unprivileged host user, which is what stopped several runtime escapes
 * that no other rule sees (the race forms, a file the runtime opens as
 * root on the container's behalf). When a container ends up without one,
 * because policy turns userns off or an exception or engine config keeps
 * the host's, the audit log says which advisories it was covering, so the
 * choice is visible. Only notes; never refuses. */
#include "harden/advisories.h"
#include "harden/controls.h"
#include "advisory_cache.h"
#include "advisory_check.h"
#include "cleanup.h"
#include "xalloc.h"

#include <fcntl.h>
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

static bool
every_rule (const char *rule, void *ctx)
{
  (void) rule;
  (void) ctx;
  return true;
}

/* The advisories open for this container's runtime (its advisory table,
 * profiles/advisories/) that list `userns` as a cover: "CVE-a, CVE-b
 * (partial)", "" for none; NULL when that cannot be told (no runtime, no
 * table), and the built-in list stands in. The runtime's facts come from
 * runtime_advisories' cache, so this costs a stat or two. */
static char *
open_covered (hs_harden_t *h, char **ret_runtime)
{
  cleanup_probe hs_probe_t facts = { 0 };
  cleanup_advisory_report hs_advisory_report_t rep = { 0 };
  cleanup_error hs_error_t why = NULL;
  cleanup_free char *table = NULL, *tid = NULL;
  const char *runtime = h->ctr ? h->ctr->runtime : NULL;
  const char *dir = hs_runtime_advisories_dir (hs_policy_control (h->policy, "runtime_advisories"));
  bool cached;
  char *out;

  if (runtime == NULL
      || hs_advisory_facts (h->policy->state_dir, runtime, NULL, &facts, &cached, &why) < 0)
    return NULL;
  table = hs_xasprintf ("%s/%s.json", dir, facts.name);
  tid = hs_advisory_file_identity (AT_FDCWD, table);
  if ((tid == NULL || facts.judged == NULL
       || hs_advisory_report_from_judged (facts.judged, table, tid, every_rule, NULL, &rep) < 0)
      && hs_advisory_judge (dir, &facts, every_rule, NULL, &rep, &why) < 0)
    return NULL;
  out = hs_xstrdup ("");
  for (size_t i = 0; i < rep.n; i++)
    {
      const hs_advisory_t *a = rep.v[i].a;

      if (rep.v[i].status != HS_ADV_OPEN)
        continue;
      for (size_t k = 0; k < a->n_covered_by; k++)
        if (strcmp (a->covered_by[k].rule, "userns") == 0)
          {
            char *next = hs_xasprintf ("%s%s%s%s", out, *out ? ", " : "", a->id,
                                       a->covered_by[k].partial ? " (partial)" : "");
            free (out);
            out = next;
            break;
          }
    }
  *ret_runtime = hs_xasprintf (
      "%s %s%s%s", facts.name, facts.version ? facts.version : "(version unknown)",
      facts.debian_version ? ", Debian " : "", facts.debian_version ? facts.debian_version : "");
  return out;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *u = hs_policy_control (h->policy, "userns");
  const char *mode = hs_settings_mode_name (u);
  bool off = u == NULL || (mode != NULL && strcmp (mode, "off") == 0);

  const char *why
      = off ? "policy turns `userns` off" : "the container runs without a user namespace";
  cleanup_free char *runtime = NULL, *open = NULL;

  (void) settings;
  (void) err;
  if (has_userns (h->spec))
    return 0;
  open = open_covered (h, &runtime);
  if (open != NULL && *open != '\0')
    hs_harden_note (h, "linux.namespaces",
                    "%s: the user namespace was covering these open advisories of the runtime "
                    "(%s), which now rest on the other rules alone: %s",
                    why, runtime, open);
  else if (open != NULL)
    hs_harden_note (h, "linux.namespaces",
                    "%s: no open advisory of the runtime (%s) rested on the user namespace", why,
                    runtime);
  else
    hs_harden_note (h, "linux.namespaces",
                    "%s: the user namespace was covering these runtime advisories, which now "
                    "rest on the other rules alone (`hardshimctl doctor` lists those open for "
                    "this runtime): %s",
                    why, HS_ADV_USERNS);
  return 0;
}

const hs_control_t hs_control_userns_advisories = {
  .name = CONTROL,
  .summary = "audit note naming the runtime advisories a user namespace was covering, when a "
             "container has none",
  .doc = "Runs after userns. When the container's config has no user namespace (policy\n"
         "turns `userns` off, or an exception or the engine's config keeps the host's),\n"
         "records a note in the audit log listing the advisories open for the runtime\n"
         "(its table in runtime_advisories.dir) that the user namespace covers; where\n"
         "that cannot be told (no table, a dry run), the advisories a user namespace\n"
         "covers in general: " HS_ADV_USERNS ".\n"
         "Never refuses. No settings.\n",
  .apply = apply,
  .read_only = true,
};

/* runtime_advisories: the real runtime's own published escapes
 * (profiles/advisories/NAME.json). At create, every advisory open for the
 * runtime's version and Debian package must be covered by a rule (control)
 * in force for this container; in `refuse` mode a container is refused
 * while one is not, in `audit` mode that is only recorded. Runs last, so
 * it knows which controls ran and whether the container kept its user
 * namespace. The runtime's facts come from a per-binary cache under the
 * state directory (src/advisory_cache.c). */
#include "harden/controls.h"
#include "advisory_cache.h"
#include "advisory_check.h"
#include "cleanup.h"
#include "config.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define CONTROL "runtime_advisories"

static const char *const known_keys[] = { "dir", "refuse_partial", NULL };

static const hs_mode_name_t modes[] = {
  { "refuse", HS_CTL_ENFORCE }, { "enforce", HS_CTL_ENFORCE }, /* the generic name of refusing */
  { "audit", HS_CTL_AUDIT },    { "off", HS_CTL_OFF },         { NULL, HS_CTL_OFF },
};

const char *
hs_runtime_advisories_dir (const hs_json_t *settings)
{
  const hs_json_t *d = settings ? hs_json_get_exact (settings, "dir") : NULL;

  return d && d->type == HS_JSON_STRING ? d->str : HS_ADVISORY_DIR;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *d = hs_json_get_exact (settings, "dir");
  bool b;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_bool (settings, CONTROL, "refuse_partial", false, &b, err)) < 0)
    return r;
  if (d != NULL && (d->type != HS_JSON_STRING || d->str[0] != '/'))
    return hs_error_make (err, 0, "policy key `" CONTROL ".dir`: expected an absolute path");
  return 0;
}

static bool
has_userns (const hs_json_t *spec)
{
  const hs_json_t *ns = hs_json_path (spec, "linux", "namespaces", NULL);

  for (size_t i = 0; ns && ns->type == HS_JSON_ARRAY && i < ns->len; i++)
    {
      const hs_json_t *t = hs_json_get_type (ns->items[i], "type", HS_JSON_STRING);

      if (t != NULL && strcmp (t->str, "user") == 0)
        return true;
    }
  return false;
}

static bool
active (const char *rule, void *ctx)
{
  const hs_harden_t *h = ctx;

  if (!hs_harden_control_active (h, rule))
    return false;
  /* userns covers only a container that ends up with a user namespace */
  return strcmp (rule, "userns") != 0 || has_userns (h->spec);
}

/* "CVE-a, CVE-b (rules that would cover: x (audit), y (off))" */
static char *
list (const hs_harden_t *h, const hs_advisory_report_t *r, hs_cover_t which)
{
  char *out = hs_xstrdup ("");

  for (size_t i = 0; i < r->n; i++)
    {
      const hs_advisory_verdict_t *v = &r->v[i];
      char *rules = hs_xstrdup (""), *next;

      if (v->status != HS_ADV_OPEN || v->cover != which)
        continue;
      for (size_t j = 0; j < v->a->n_covered_by; j++)
        {
          const char *rule = v->a->covered_by[j].rule;

          next = hs_xasprintf ("%s%s%s (%s%s)", rules, j ? ", " : "", rule,
                               active (rule, (void *) h) ? "active"
                                                         : hs_policy_rule_mode (h->policy, rule),
                               v->a->covered_by[j].partial ? ", partial" : "");
          free (rules);
          rules = next;
        }
      next = hs_xasprintf ("%s%s%s [%s]", out, *out ? "; " : "", v->a->id,
                           *rules ? rules : "no hardshim rule");
      free (rules);
      free (out);
      out = next;
    }
  return out;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  cleanup_probe hs_probe_t facts = { 0 };
  cleanup_advisory_report hs_advisory_report_t rep = { 0 };
  cleanup_error hs_error_t why = NULL;
  cleanup_free char *partial = NULL;
  const char *runtime = h->ctr ? h->ctr->runtime : NULL;
  const char *dir = hs_runtime_advisories_dir (settings);
  bool cached, refuse_partial = false;

  if (runtime == NULL)
    return 0; /* a dry run: no runtime to judge */
  (void) hs_settings_bool (settings, CONTROL, "refuse_partial", false, &refuse_partial, NULL);
  /* no tables at all: nothing to judge with, so do not even run the runtime */
  if (access (dir, F_OK) < 0)
    hs_error_make (&why, errno, "advisory tables `%s`", dir);
  if (why == NULL
      && hs_advisory_facts (h->policy->state_dir, runtime, NULL, &facts, &cached, &why) == 0)
    {
      /* the judgement cached with the facts holds while the table file is
       * the one it was made from; else judge and keep the result */
      cleanup_free char *table = hs_xasprintf ("%s/%s.json", dir, facts.name);
      cleanup_free char *tid = hs_advisory_file_identity (AT_FDCWD, table);

      if (tid == NULL || facts.judged == NULL
          || hs_advisory_report_from_judged (facts.judged, table, tid, active, h, &rep) < 0)
        {
          if (hs_advisory_judge (dir, &facts, active, h, &rep, &why) == 0 && tid != NULL
              && strcmp (rep.table_path, table) == 0)
            hs_advisory_facts_keep_judged (h->policy->state_dir, runtime, &facts,
                                           hs_advisory_report_judged (&rep, tid));
        }
    }
  if (why != NULL)
    {
      /* only `refuse` fails closed on what cannot be judged; audit notes it */
      if (h->mode == HS_CTL_AUDIT)
        {
          hs_harden_note (h, runtime, "cannot tell which advisories are open for runtime `%s`: %s",
                          runtime, why->msg);
          return 0;
        }
      return hs_harden_refuse (h, err, runtime,
                               "cannot tell which advisories are open for runtime `%s`: %s "
                               "(`hardshimctl doctor` shows more)",
                               runtime, why->msg);
    }
  if (rep.uncovered > 0 || (refuse_partial && rep.partial > 0))
    {
      cleanup_free char *what = list (h, &rep, HS_COVER_NONE);
      cleanup_free char *part = refuse_partial ? list (h, &rep, HS_COVER_PARTIAL) : NULL;

      return hs_harden_refuse (
          h, err, runtime,
          "runtime `%s` (%s %s%s%s) has open advisories that no active "
          "rule covers: %s%s%s (`hardshimctl doctor` lists them)",
          runtime, facts.name, facts.version ? facts.version : "(version unknown)",
          facts.debian_version ? ", Debian " : "", facts.debian_version ? facts.debian_version : "",
          what, part && *part ? "; only partly: " : "", part ? part : "");
    }
  if (rep.partial > 0)
    {
      partial = list (h, &rep, HS_COVER_PARTIAL);
      hs_harden_note (h, runtime, "runtime `%s` (%s %s): open advisories only partly covered: %s",
                      runtime, facts.name, facts.version ? facts.version : "(version unknown)",
                      partial);
    }
  return 0;
}

const hs_control_t hs_control_runtime_advisories = {
  .name = CONTROL,
  .summary = "refuse containers on a runtime with an open advisory no active rule covers",
  .doc = "Judges the real runtime against its advisory table (DIR/runc.json, crun.json):\n"
         "an advisory is open when the runtime's version (its own --version) is in an\n"
         "affected range and its Debian package carries no listed backport. Each open\n"
         "advisory must be covered by a rule (control) in force for the container; a\n"
         "partial cover narrows the attack without stopping every form of it.\n"
         "The runtime's facts and open advisories are cached per binary (device, inode,\n"
         "size, mtime, ctime) and table file under state_dir/advisories; a miss runs\n"
         "`RUNTIME --version` once and parses the table.\n"
         "Modes: refuse (= enforce: refuse the container), audit (default: record\n"
         "would-refuse),\n"
         "off. `hardshimctl doctor` prints the same judgement.\n"
         "Settings:\n"
         "  dir             the tables (default " HS_ADVISORY_DIR ")\n"
         "  refuse_partial  also refuse when an open advisory is only partly covered\n"
         "                  (default false)\n",
  .validate = validate,
  .apply = apply,
  .modes = modes,
  .read_only = true,
};

/* hardshim: a runtime judged against its advisory table: which advisories
 * are open for it and how the rules of a policy cover each. Shared by the
 * `runtime_advisories` control (at create) and `hardshimctl doctor`. */
#ifndef HS_ADVISORY_CHECK_H
#define HS_ADVISORY_CHECK_H

#include "advisory.h"
#include "policy.h"
#include "runtime_probe.h"

typedef struct
{
  const hs_advisory_t *a;
  hs_advisory_status_t status;
  const char *why;  /* what decided the status (static or the table's text) */
  hs_cover_t cover; /* meaningful for open ones */
} hs_advisory_verdict_t;

typedef struct
{
  hs_advisory_table_t table;
  char *table_path;
  hs_advisory_verdict_t *v;
  size_t n;
  size_t open, uncovered, partial;
} hs_advisory_report_t;

void hs_advisory_report_clear (hs_advisory_report_t *r);
#define cleanup_advisory_report __attribute__ ((cleanup (hs_advisory_report_clear)))

/* DIR/NAME.json for the runtime named `name` (a plain word): a regular file
 * no user but root (or the caller) owns or can write. */
int hs_advisory_table_load (const char *dir, const char *name, hs_advisory_table_t *ret,
                            char **ret_path, hs_error_t *err);

/* Load the table for `facts->name` from `dir` and judge every advisory;
 * `active(rule, ctx)` says whether a rule is in force. */
int hs_advisory_judge (const char *dir, const hs_probe_t *facts,
                       bool (*active) (const char *, void *), void *ctx, hs_advisory_report_t *ret,
                       hs_error_t *err);

/* The policy-independent part of a report, to cache with the runtime's
 * facts: {"table", "table_identity", "open": [{"id", "covered_by":
 * [{"rule", "partial"}]}]}. */
hs_json_t *hs_advisory_report_judged (const hs_advisory_report_t *r, const char *table_identity);
/* A report of the open advisories from such a record when it was made
 * from `table_path` as it still is (`table_identity`); < 0 otherwise. */
int hs_advisory_report_from_judged (const hs_json_t *judged, const char *table_path,
                                    const char *table_identity,
                                    bool (*active) (const char *, void *), void *ctx,
                                    hs_advisory_report_t *ret);

/* A rule (control name) in force under `policy` for every container:
 * global mode enforce and the control in enforce or reject. Per-container
 * exceptions are not known here (see hs_harden_control_active). */
bool hs_policy_rule_active (const hs_policy_t *policy, const char *rule);
/* The control's policy mode as written ("enforce", "audit", the
 * control's own names) or "absent" / "off". */
const char *hs_policy_rule_mode (const hs_policy_t *policy, const char *rule);

#endif

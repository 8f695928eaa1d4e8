/* image_gate: the verdict over an image's packages (gate_scan.c finds
 * them) under the host policy's `image_gate` settings. */
#ifndef HS_HARDEN_IMAGE_GATE_H
#define HS_HARDEN_IMAGE_GATE_H

#include <stdbool.h>
#include <time.h>

#include "gate_scan.h"
#include "harden.h"

typedef enum
{
  HS_GATE_MODE_OFF,
  HS_GATE_MODE_AUDIT,   /* record only */
  HS_GATE_MODE_WARN,    /* run, and report what enforce would refuse */
  HS_GATE_MODE_ENFORCE, /* refuse */
} hs_gate_mode_t;

typedef struct
{
  hs_gate_mode_t mode;
  const char *feed_dir;
  hs_severity_t threshold; /* advisories at or above it (or without severity) count */
  bool refuse_unfixed;     /* advisories without a fix count too */
  long long max_feed_age;  /* seconds; 0: no limit */
  const hs_json_t *ignore_advisories, *ignore_packages; /* host-wide, arrays or NULL */
  bool refuse_condition[HS_GATE_CONDITIONS]; /* fail_closed.<condition>: refuse (true) or warn */
} hs_gate_policy_t;

/* Settings (policy key image_gate) -> policy; borrowed from `settings`. */
int hs_gate_policy_parse (const hs_json_t *settings, hs_gate_policy_t *ret, hs_error_t *err);

/* Per-container exceptions: kind "advisory" (an id) or "package" (a
 * source package). */
typedef bool (*hs_gate_excepted_fn) (void *ctx, const char *kind, const char *value);

typedef enum
{
  HS_GATE_BLOCKING, /* has a fix, counts by severity: enforce refuses */
  HS_GATE_UNFIXED,  /* no fix yet: reported (refused with refuse_unfixed) */
  HS_GATE_BELOW,    /* has a fix, below the threshold: reported */
  HS_GATE_EXCEPTED, /* ignored by policy or excepted for this container */
} hs_gate_class_t;

typedef struct
{
  bool refuse; /* enforce would refuse (findings or a fail-closed condition) */
  bool clean;  /* nothing to report at all */
  size_t blocking, unfixed, below, excepted;
  bool condition[HS_GATE_CONDITIONS]; /* met (stale_feed decided here) */
  char *message;                      /* what the engine's user reads; NULL when clean */
} hs_gate_verdict_t;

void hs_gate_verdict_clear (hs_gate_verdict_t *v);
/* Pure: the report, the policy, the time, the exceptions -> verdict. */
void hs_gate_verdict (const hs_gate_report_t *r, const hs_gate_policy_t *p, time_t now,
                      hs_gate_excepted_fn excepted, void *ctx, hs_gate_verdict_t *ret);
hs_gate_class_t hs_gate_classify (const hs_finding_t *f, const hs_gate_policy_t *p,
                                  hs_gate_excepted_fn excepted, void *ctx);

/* The control; not in the control table yet (see HACKING.md). */
extern const hs_control_t hs_control_image_gate;

#endif

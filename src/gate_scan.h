/* The image gate's matcher: a root filesystem's packages against the
 * installed feed, as a report of findings and of the conditions that kept
 * it from judging (no os-release, no database, no feed, ...). The same
 * code serves the control at create and `hardshimctl scan`. */
#ifndef HS_GATE_SCAN_H
#define HS_GATE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"
#include "feed_index.h"
#include "json.h"
#include "rootfs.h"
#include "sha256.h"

typedef enum
{
  HS_GATE_UNKNOWN_DISTRIBUTION
  = 0, /* no os-release, a release without feed ecosystem, a foreign database */
  HS_GATE_NO_PACKAGE_DATABASE,
  HS_GATE_UNREADABLE_PACKAGE_DATABASE,
  HS_GATE_NO_FEED,    /* none installed, unreadable, or without this release */
  HS_GATE_STALE_FEED, /* decided by the verdict, from feed_time */
  HS_GATE_CONDITIONS
} hs_gate_condition_t;

/* Policy spelling of each condition (fail_closed.<name>). */
const char *hs_gate_condition_name (hs_gate_condition_t c);

typedef struct
{
  char *package;   /* source / origin package the advisory names */
  char *installed; /* its installed version */
  char *binaries;  /* installed packages built from it, comma-separated */
  char *id;
  hs_severity_t severity;
  char *fixed; /* lowest fixed version above installed; NULL: no fix */
} hs_finding_t;

typedef struct
{
  char *distribution; /* PRETTY_NAME, or ID VERSION_ID */
  char *ecosystem;    /* "Debian:12"; NULL when unknown */
  size_t packages;    /* installed packages judged */
  hs_finding_t *v;
  size_t n, cap;
  char *condition[HS_GATE_CONDITIONS]; /* why, for each condition met; NULL: not met */
  char rootfs_digest[HS_DIGEST_LEN];
  char feed_digest[HS_DIGEST_LEN];
  time_t feed_time; /* the feed's data_as_of; 0 unknown */
  bool cached;      /* came from the verdict cache */
} hs_gate_report_t;

void hs_gate_report_clear (hs_gate_report_t *r);
#define cleanup_gate_report __attribute__ ((cleanup (hs_gate_report_clear)))

typedef struct
{
  const char *feed_dir;
  const char *cache_dir; /* NULL: no cache */
  size_t cache_slots;    /* 0: the default */
} hs_gate_scan_opts_t;

/* Only an internal failure is an error: what keeps the gate from judging
 * the image is a condition in the report. */
int hs_gate_scan (const hs_rootfs_t *root, const hs_gate_scan_opts_t *opts, hs_gate_report_t *ret,
                  hs_error_t *err);

/* Report <-> JSON (the cache, `hardshimctl scan --json`). */
hs_json_t *hs_gate_report_to_json (const hs_gate_report_t *r);
int hs_gate_report_from_json (const hs_json_t *j, hs_gate_report_t *ret, hs_error_t *err);

#endif

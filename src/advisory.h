/* hardshim: the runtime advisory table (profiles/advisories/NAME.json) and
 * what it says about one runtime: which published escapes are open for its
 * version (and Debian package), and which hardshim rules cover each.
 * Pure: no I/O beyond parsing given text (src/runtime_probe.c reads the
 * runtime, src/advisory_check.c ties both to a policy). */
#ifndef HS_ADVISORY_H
#define HS_ADVISORY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "json.h"

/* Bounds on a table file: it is host data, but still parsed at create. */
#define HS_ADVISORY_MAX_BYTES (1u << 20)
#define HS_ADVISORY_MAX_ENTRIES 1024
#define HS_ADVISORY_MAX_LIST 32 /* ranges, rules, backports, sources, features */

typedef struct
{
  char *introduced; /* NULL: every version before `fixed` */
  char *fixed;      /* NULL: no fixed release */
} hs_advisory_range_t;

typedef struct
{
  char *rule; /* a control name ("rootfs_shape", "userns") */
  bool partial;
  char *note;
} hs_advisory_cover_t;

typedef struct
{
  char *version; /* a Debian version carrying the fix */
  char *source;
} hs_advisory_backport_t;

typedef struct
{
  char *id;
  char *title;
  char *severity;
  char *note;
  char **aliases;
  size_t n_aliases;
  hs_advisory_range_t *affected;
  size_t n_affected;
  hs_advisory_backport_t *debian_fixed;
  size_t n_debian_fixed;
  char **requires; /* build features ("+LIBKRUN") */
  size_t n_requires;
  hs_advisory_cover_t *covered_by;
  size_t n_covered_by;
  char **sources;
  size_t n_sources;
} hs_advisory_t;

typedef struct
{
  char *runtime; /* "runc", "crun" */
  char *updated;
  hs_advisory_t *v;
  size_t n;
} hs_advisory_table_t;

/* Parse one table file (comments allowed). Every key is checked: unknown
 * keys, wrong types, versions that do not parse and duplicate ids are
 * errors naming the JSON path. `what` names the file in errors. */
int hs_advisory_table_parse (const char *buf, size_t len, const char *what,
                             hs_advisory_table_t *ret, hs_error_t *err);
void hs_advisory_table_clear (hs_advisory_table_t *t);
#define cleanup_advisory_table __attribute__ ((cleanup (hs_advisory_table_clear)))

/* What is known about the runtime being judged. */
typedef struct
{
  const char *name;            /* "runc" */
  const char *version;         /* upstream, as `--version` prints it ("1.1.5+ds1"); NULL: unknown */
  const char *debian_version;  /* the Debian package's version, NULL if not from a package */
  const char *const *features; /* "+SECCOMP"...; NULL: the runtime does not list them */
  size_t n_features;
} hs_runtime_facts_t;

typedef enum
{
  HS_ADV_OPEN,           /* the version is affected and no known backport fixes it */
  HS_ADV_FIXED,          /* the version is outside every affected range */
  HS_ADV_FIXED_DEBIAN,   /* affected upstream, fixed by a Debian backport */
  HS_ADV_NOT_APPLICABLE, /* the runtime lacks a required build feature */
  HS_ADV_NOT_AFFECTED,   /* older than every affected range */
} hs_advisory_status_t;

const char *hs_advisory_status_name (hs_advisory_status_t s);

/* Status of `a` for the runtime; *ret_why says what decided it (static
 * text or a pointer into the table: a range's fixed version, the backport).
 * An unknown version (facts->version NULL or unparsable) is affected. */
hs_advisory_status_t hs_advisory_status (const hs_advisory_t *a, const hs_runtime_facts_t *facts,
                                         const char **ret_why);

/* Upstream runtime versions compared as dpkg compares upstream versions,
 * after dropping a Debian repack suffix ("+ds1", "+dfsg2") and reading a
 * pre-release `-` as `~` (1.2.0-rc.1 < 1.2.0). Returns < 0 if either does
 * not parse, else sets *ret to <0, 0, >0. */
int hs_runtime_version_cmp (const char *a, const char *b, int *ret);

typedef enum
{
  HS_COVER_NONE,    /* no active rule covers it */
  HS_COVER_PARTIAL, /* only rules that narrow it are active */
  HS_COVER_FULL,    /* an active rule stops it */
} hs_cover_t;

const char *hs_cover_name (hs_cover_t c);

/* Coverage given which rules are active (`active(rule, ctx)`). */
hs_cover_t hs_advisory_coverage (const hs_advisory_t *a, bool (*active) (const char *, void *),
                                 void *ctx);

#endif

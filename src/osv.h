/* OSV records (https://ossf.github.io/osv-schema/) into advisory indexes:
 * one index per ecosystem the gate knows (Debian:<major>, Alpine:v<x.y>),
 * every other ecosystem and package-less (GIT-only) entry skipped. */
#ifndef HS_OSV_H
#define HS_OSV_H

#include <stddef.h>

#include "error.h"
#include "feed_index.h"

typedef struct
{
  char *ecosystem;
  hs_index_builder_t *builder;
} hs_osv_ecosystem_t;

typedef struct
{
  hs_osv_ecosystem_t *v;
  size_t n, cap;
  /* counts for `feed show` and the import report */
  size_t records, withdrawn, entries, skipped_ecosystem, skipped_bad_version;
  char newest_modified[40]; /* RFC 3339, the newest `modified` seen */
} hs_osv_feed_t;

void hs_osv_feed_clear (hs_osv_feed_t *f);
/* The version scheme of an ecosystem the gate knows, or 0. */
hs_pkgver_scheme_t hs_osv_ecosystem_scheme (const char *ecosystem);
/* Add one record (JSON text). A record that is not valid OSV JSON is an
 * error naming `what`; entries whose versions do not parse are counted and
 * skipped (the rest of the record is kept). */
int hs_osv_add_record (hs_osv_feed_t *f, const char *buf, size_t len, const char *what,
                       hs_error_t *err);

#endif

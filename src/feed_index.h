/* The compact per-ecosystem advisory index `hardshimctl feed import`
 * writes and the image gate reads at create: advisories grouped by
 * package, versions already parsed and events already sorted, so a lookup
 * is a binary search and a few version comparisons, never JSON. */
#ifndef HS_FEED_INDEX_H
#define HS_FEED_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "pkgver.h"

typedef enum
{
  HS_SEV_UNKNOWN = 0, /* no severity in the record ("not yet assigned", none) */
  HS_SEV_UNIMPORTANT,
  HS_SEV_LOW,
  HS_SEV_MEDIUM,
  HS_SEV_HIGH,
  HS_SEV_CRITICAL,
} hs_severity_t;

const char *hs_severity_name (hs_severity_t s);
/* "unimportant", "low", "medium", "high", "critical", "unknown" */
int hs_severity_parse (const char *name, hs_severity_t *ret);

typedef enum
{
  HS_EV_INTRODUCED = 1,
  HS_EV_FIXED,
  HS_EV_LAST_AFFECTED,
  HS_EV_LIMIT,
} hs_event_kind_t;

typedef struct hs_index_builder_s hs_index_builder_t;

hs_index_builder_t *hs_index_builder_new (hs_pkgver_scheme_t scheme);
void hs_index_builder_free (hs_index_builder_t *b);
/* One affected[] entry: begin, then ranges with their events and the
 * versions list, then end. Versions are parsed with the ecosystem's
 * scheme; an event or version that does not parse fails the call, and the
 * caller ends the entry with keep = false. */
void hs_index_entry_begin (hs_index_builder_t *b, const char *package, const char *id,
                           hs_severity_t sev);
void hs_index_range_begin (hs_index_builder_t *b);
int hs_index_event (hs_index_builder_t *b, hs_event_kind_t kind, const char *version,
                    hs_error_t *err);
int hs_index_version (hs_index_builder_t *b, const char *version, hs_error_t *err);
void hs_index_entry_end (hs_index_builder_t *b, bool keep);
size_t hs_index_builder_entries (const hs_index_builder_t *b);
/* Sort and serialise. The builder is spent afterwards. */
void hs_index_builder_finish (hs_index_builder_t *b, char **ret_buf, size_t *ret_len);

typedef struct
{
  const unsigned char *base;
  size_t len;
  hs_pkgver_scheme_t scheme;
  uint32_t n_pkgs, n_entries, n_events, n_versions, pool_len;
  const uint32_t *pkgs, *entries, *events, *versions;
  const char *pool;
} hs_index_t;

/* Check the header and table bounds of an index in memory (kept by the
 * caller, e.g. mmap'd). Every later access is bounds-checked too. */
int hs_index_open (const void *buf, size_t len, hs_index_t *ret, hs_error_t *err);

typedef struct
{
  const char *id;
  hs_severity_t severity;
  bool has_fix;      /* a fixed version above the installed one exists */
  hs_pkgver_t fixed; /* the lowest such, when has_fix */
} hs_index_match_t;

/* Call cb for every advisory of `package` that affects `installed`, as
 * the OSV schema's evaluation defines it (ranges of type ECOSYSTEM or
 * SEMVER and the versions list; events sorted, "0" and "*" special).
 * cb returning < 0 stops with that value. */
int hs_index_match (const hs_index_t *ix, const char *package, const hs_pkgver_t *installed,
                    int (*cb) (void *ctx, const hs_index_match_t *m), void *ctx, hs_error_t *err);

#endif

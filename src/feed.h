/* The installed advisory feed: <feed_dir>/current links to a generation
 * directory holding manifest.json and one index per ecosystem. An import
 * builds a new generation beside the old one and swaps the link with one
 * rename, so a reader sees the old feed or the new one, never a mix; it
 * reads through one generation's directory fd for the same reason. */
#ifndef HS_FEED_H
#define HS_FEED_H

#include <stddef.h>
#include <time.h>

#include "error.h"
#include "feed_index.h"
#include "json.h"
#include "osv.h"
#include "sha256.h"

#define HS_FEED_DIR_DEFAULT "/var/lib/hardshim/feed"
/* hs_feed_open, hs_feed_index: nothing installed (no feed, no such ecosystem) */
#define HS_FEED_ABSENT 1

typedef struct
{
  int dirfd; /* the generation */
  hs_json_t *manifest;
  char digest[HS_DIGEST_LEN];
  const char *data_as_of; /* newest `modified` of its records (in manifest) */
  time_t data_as_of_time; /* 0 when unknown */
} hs_feed_t;

typedef struct
{
  void *addr;
  size_t len;
  hs_index_t ix;
} hs_feed_map_t;

int hs_feed_open (const char *feed_dir, hs_feed_t *ret, hs_error_t *err);
void hs_feed_close (hs_feed_t *f);
/* Map the index of `ecosystem`. 0, HS_FEED_ABSENT or < 0. */
int hs_feed_index (const hs_feed_t *f, const char *ecosystem, hs_feed_map_t *ret, hs_error_t *err);
void hs_feed_unmap (hs_feed_map_t *m);

/* Write the indexes of `osv` as a new generation and make it current.
 * `source` is recorded in the manifest. *ret_digest gets the feed digest. */
int hs_feed_install (const char *feed_dir, hs_osv_feed_t *osv, const char *source,
                     char ret_digest[HS_DIGEST_LEN], hs_error_t *err);

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS..." -> seconds; -1 when malformed. */
time_t hs_rfc3339_time (const char *s);

#endif

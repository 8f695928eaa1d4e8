/* The destinations of a config's mounts, cleaned once and sorted, so that
 * "is there an earlier mount at this path or above it" costs a few binary
 * searches instead of a scan of every mount (configs with thousands of
 * volumes must stay linear-ish). */
#ifndef HS_HARDEN_MOUNT_INDEX_H
#define HS_HARDEN_MOUNT_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

typedef struct
{
  char *dest;   /* clean absolute destination */
  size_t index; /* first mount with that destination (of the kind indexed) */
} hs_mount_entry_t;

typedef struct
{
  char **dests;          /* by mount index; NULL where a mount has no string destination */
  bool *bind;            /* by mount index */
  size_t n;              /* mounts */
  hs_mount_entry_t *all; /* sorted by dest, first index of each */
  size_t n_all;
  hs_mount_entry_t *binds; /* the same for bind mounts only */
  size_t n_binds;
} hs_mount_index_t;

/* `mounts` may be NULL or not an array (an empty index). */
void hs_mount_index_init (hs_mount_index_t *x, const hs_json_t *mounts);
void hs_mount_index_release (hs_mount_index_t *x);

/* An earlier mount (index < before) whose destination is `path` or one of
 * its ancestors; with `strict`, an ancestor only; `skip_root` leaves a
 * mount at / out; `binds_only` looks at bind mounts alone. Its index in
 * *ret_index. */
bool hs_mount_index_above (const hs_mount_index_t *x, const char *path, size_t before, bool strict,
                           bool skip_root, bool binds_only, size_t *ret_index);

#endif

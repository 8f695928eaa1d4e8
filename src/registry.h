/* hardshim: allocation records shared by concurrent hardshim processes
 * (SELinux category pairs, user-namespace ranges, idmapped mounts).
 *
 * <state_dir>/<kind>/ holds one JSON file per container, named by a digest
 * of (runtime root, container id):
 *   {"id": ..., "root": ..., "created": <unix seconds>, "value": ...}
 * Every read-modify-write holds an exclusive flock on <kind>/.lock, so 50
 * concurrent creates see each other's records. A record is stale when its
 * container has no runtime state and it is older than a grace period (the
 * runtime creates its state only after hardshim execs it). */
#ifndef HS_REGISTRY_H
#define HS_REGISTRY_H

#include <stdbool.h>
#include <time.h>

#include "error.h"
#include "json.h"

#define HS_REGISTRY_GRACE_SECONDS 120

typedef struct
{
  int dirfd;
  int lockfd;
  char *path;
} hs_registry_t;

typedef struct
{
  char *key;
  hs_json_t *record;
} hs_registry_entry_t;

/* Create <state_dir>/<kind> (0700) if needed and take the lock. */
int hs_registry_lock (const char *state_dir, const char *kind, hs_registry_t *ret, hs_error_t *err);
void hs_registry_unlock (hs_registry_t *r);

/* File name for a container's record. Caller frees. */
char *hs_registry_key (const char *runtime_root, const char *id);

int hs_registry_entries (hs_registry_t *r, hs_registry_entry_t **ret, size_t *ret_n,
                         hs_error_t *err);
void hs_registry_entries_free (hs_registry_entry_t *e, size_t n);

/* Record for (root, id) with `value` (taken over). */
int hs_registry_put (hs_registry_t *r, const char *runtime_root, const char *id, hs_json_t *value,
                     hs_error_t *err);
/* The value recorded for (root, id), or NULL. Caller frees. */
hs_json_t *hs_registry_get (hs_registry_t *r, const char *runtime_root, const char *id);
int hs_registry_remove (hs_registry_t *r, const char *runtime_root, const char *id);

/* Does the record's container still exist (runtime state present), or is
 * it young enough that its create may still be on its way? */
bool hs_registry_record_live (const hs_json_t *record, time_t now);

#endif

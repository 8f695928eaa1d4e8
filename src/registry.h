/* hardshim: allocation records shared by concurrent hardshim processes
 * (SELinux category pairs, user-namespace ranges, idmapped mounts).
 *
 * <state_dir>/<kind>/ holds one JSON file per container, named by a digest
 * of (runtime root, container id):
 *   {"id": ..., "root": <absolute>, "created": <unix seconds>,
 *    "seen": <witness of the root, src/liveness.h>, "value": ...}
 * Every read-modify-write holds an exclusive flock on <kind>/.lock, so 50
 * concurrent creates see each other's records. A record is stale when its
 * container is verifiably gone (src/liveness.h). Beside a record, its claim
 * (hs_registry_claim) names what it holds. */
#ifndef HS_REGISTRY_H
#define HS_REGISTRY_H

#include <stdbool.h>
#include <time.h>

#include "error.h"
#include "json.h"

#include "liveness.h"

#define HS_REGISTRY_GRACE_SECONDS HS_LIVENESS_GRACE_SECONDS

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

/* A claim: an empty file `<digest>.<tag>` beside a record whose name says
 * what the record holds (`b<start>-<size>`, `p<c1>-<c2>`), so that a record
 * that can no longer be read (torn, oversized) still holds exactly that and
 * only that. `key` is a record's file name; a new claim replaces the key's
 * others. A tag is letters, digits and `-` only. */
int hs_registry_claim (hs_registry_t *r, const char *key, const char *tag, hs_error_t *err);
/* The tag of `key`'s claim, or NULL. Caller frees. */
char *hs_registry_claim_find (hs_registry_t *r, const char *key);
/* Remove a record by file name (a stale one) with its claims. */
void hs_registry_remove_key (hs_registry_t *r, const char *key);

/* Is the record's container not verifiably gone (a later create may
 * reclaim its allocation only when it is)? */
bool hs_registry_record_live (const hs_json_t *record, time_t now);
/* delete: may (root, id)'s allocation be given back now? Only when the
 * container is verifiably gone (no runtime state, or its init no longer
 * runs); a live one keeps it until a later create finds it gone. */
bool hs_registry_releasable (hs_registry_t *r, const char *runtime_root, const char *id);

#endif

/* hardshim: per-container user-namespace id ranges.
 *
 * The pool is a set of host id ranges (the subordinate ids of a user in
 * /etc/subuid and /etc/subgid, or ranges from the policy). Each container
 * gets a block of `size` ids, the same numbers for uids and gids, recorded
 * under <state_dir>/userns/ (src/registry.c) so concurrent creates never
 * hand out the same block; blocks come back on delete, or when their record
 * is stale (the container is gone). */
#ifndef HS_USERNS_ALLOC_H
#define HS_USERNS_ALLOC_H

#include <stddef.h>

#include "error.h"
#include "json.h"
#include "release.h"

#define HS_USERNS_KIND "userns"
/* Host ids are 32 bits and (uid_t) -1 is never a valid id. */
#define HS_ID_MAX 4294967295ULL

typedef struct
{
  unsigned long long start, len;
} hs_idrange_t;

typedef struct
{
  hs_idrange_t *r;
  size_t n;
} hs_idpool_t;

void hs_idpool_release (hs_idpool_t *p);
/* Add [start, start+len) (no overlap check; allocation checks blocks). */
void hs_idpool_add (hs_idpool_t *p, unsigned long long start, unsigned long long len);
/* Ids both in the subuid and the subgid entries of `user` (name, or its
 * numeric uid as some tools write it). An empty pool is not an error. */
int hs_idpool_from_subid (const char *subuid_path, const char *subgid_path, const char *user,
                          hs_idpool_t *ret, hs_error_t *err);
/* Without entries for the user: host ids 2^31 .. 2^31+2^30-1 (16384
 * blocks of 65536), unless any subuid/subgid entry of anyone overlaps them,
 * in which case the pool stays empty. */
#define HS_IDPOOL_DEFAULT_START 2147483648ULL
#define HS_IDPOOL_DEFAULT_SIZE 1073741824ULL
int hs_idpool_default (const char *subuid_path, const char *subgid_path, hs_idpool_t *ret,
                       hs_error_t *err);
/* The first block of `size` in the pool, or -1 if none fits. */
int hs_idpool_first_block (const hs_idpool_t *p, unsigned long long size,
                           unsigned long long *ret_start);

/* A block of `size` host ids for (runtime root, id): the one already
 * recorded for it, else the lowest free block; stale records are reclaimed
 * on the way. An exhausted pool is a refusal. */
int hs_userns_allocate (const char *state_dir, const hs_idpool_t *pool, unsigned long long size,
                        const char *root, const char *id, unsigned long long *ret_start,
                        hs_error_t *err);
/* Give the block back; 0 if there was none. */
int hs_userns_release (const char *state_dir, const char *root, const char *id, hs_error_t *err);

/* The block recorded for (runtime root, id): 1 and its start and size,
 * 0 when none is. */
int hs_userns_recorded (const char *state_dir, const char *root, const char *id,
                        unsigned long long *ret_start, unsigned long long *ret_size,
                        hs_error_t *err);

/* delete: give back the block and remove idmapped mounts (src/harden/userns.c). */
extern const hs_releaser_t hs_releaser_userns;

#endif

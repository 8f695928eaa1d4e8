/* hardshim: SELinux MCS category pairs, one per running container.
 *
 * Each container whose label hardshim sets (or keeps) gets a record under
 * <state_dir>/selinux/ (see registry.h) holding {"c": [X, Y]}, X < Y. A new
 * pair is drawn at random from the free ones in the policy's range, under
 * the registry lock, so concurrent creates never share one. Records whose
 * container is gone are reclaimed; delete releases them. */
#ifndef HS_MCS_H
#define HS_MCS_H

#include "error.h"
#include "release.h"

#define HS_MCS_KIND "selinux"
/* Categories c0..c1023, the range SELinux policies define. */
#define HS_MCS_MAX_CATEGORY 1023u

/* The pair of (root, id): its existing record when it has one, else a new
 * free pair in [lo, hi]. Exhaustion is a refusal naming the range. */
int hs_mcs_reserve (const char *state_dir, const char *root, const char *id, unsigned lo,
                    unsigned hi, unsigned *ret_c1, unsigned *ret_c2, hs_error_t *err);
/* Record a pair the config brought with it, so it is not handed out. */
int hs_mcs_record (const char *state_dir, const char *root, const char *id, unsigned c1,
                   unsigned c2, hs_error_t *err);
/* Drop (root, id)'s record; no record is not an error. */
int hs_mcs_release (const char *state_dir, const char *root, const char *id, hs_error_t *err);

/* "s0:cX,cY" (any sensitivity) -> X, Y with X < Y. */
int hs_mcs_parse_level (const char *level, unsigned *ret_c1, unsigned *ret_c2);

extern const hs_releaser_t hs_releaser_selinux;

#endif

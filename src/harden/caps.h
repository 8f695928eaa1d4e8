/* Capability names and sets, from the kernel's own header: the controls
 * that read capability lists (capabilities, privileged) agree on what a
 * name means. */
#ifndef HS_HARDEN_CAPS_H
#define HS_HARDEN_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

/* The five sets of process.capabilities, in the order they are hardened. */
extern const char *const hs_cap_sets[5];

/* `CAP_NAME` (any case, the `CAP_` prefix required: runtimes want it) to
 * its number. Returns -1 for a name the kernel header does not know. */
int hs_cap_from_name (const char *name);
/* "CAP_SYS_ADMIN"; caller frees. */
char *hs_cap_name (int cap);
/* Every capability both the running kernel and the header know. */
uint64_t hs_cap_all (void);
/* Mask of a JSON array of names. Unknown names and non-strings are skipped
 * and counted in *ret_unknown (if not NULL); the first one's index goes to
 * *ret_first_unknown. */
uint64_t hs_cap_mask (const hs_json_t *arr, size_t *ret_unknown, size_t *ret_first_unknown);
/* "CAP_A, CAP_B" for the bits of mask; caller frees. */
char *hs_cap_mask_names (uint64_t mask);

#endif

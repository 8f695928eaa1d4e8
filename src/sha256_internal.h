/* hardshim: test seam of sha256.c. For tests/check_sha256.c only: everything
 * else uses sha256.h, which picks the fastest block function for the CPU. */
#ifndef HS_SHA256_INTERNAL_H
#define HS_SHA256_INTERNAL_H

#include <stdbool.h>

#include "sha256.h"

/* true when hs_sha256_update/final use the SHA-NI instructions on this CPU */
bool hs_sha256_accelerated (void);
/* The same hash forced onto the portable C block function, whatever the CPU,
   so tests can compare it with the accelerated one. */
void hs_sha256_update_portable (hs_sha256_t *c, const void *data, size_t len);
void hs_sha256_final_portable (hs_sha256_t *c, uint8_t out[32]);

#endif

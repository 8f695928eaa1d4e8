/* SHA-256 for policy and profile digests (no crypto library dependency). */
#ifndef HS_SHA256_H
#define HS_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct
{
  uint32_t h[8];
  uint64_t len;
  uint8_t buf[64];
  size_t used;
} hs_sha256_t;

void hs_sha256_init (hs_sha256_t *c);
void hs_sha256_update (hs_sha256_t *c, const void *data, size_t len);
void hs_sha256_final (hs_sha256_t *c, uint8_t out[32]);
/* "sha256:" + 64 hex digits + NUL */
#define HS_DIGEST_LEN 72
void hs_sha256_digest (const void *data, size_t len, char out[HS_DIGEST_LEN]);

#endif

#include "sha256.h"

#include <stdio.h>
#include <string.h>

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* Hashes n whole 64-byte blocks at p into h. */
typedef void blocks_fn (uint32_t h[8], const uint8_t *p, size_t n);

static void
blocks_portable (uint32_t hh[8], const uint8_t *p, size_t n)
{
  uint32_t w[64], a, b, d, e, f, g, h, cc, t1, t2;

  for (; n > 0; n--, p += 64)
    {
      for (int i = 0; i < 16; i++)
        w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16
               | (uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
      for (int i = 16; i < 64; i++)
        {
          uint32_t s0 = ROR (w[i - 15], 7) ^ ROR (w[i - 15], 18) ^ (w[i - 15] >> 3);
          uint32_t s1 = ROR (w[i - 2], 17) ^ ROR (w[i - 2], 19) ^ (w[i - 2] >> 10);
          w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
      a = hh[0], b = hh[1], cc = hh[2], d = hh[3];
      e = hh[4], f = hh[5], g = hh[6], h = hh[7];
      for (int i = 0; i < 64; i++)
        {
          t1 = h + (ROR (e, 6) ^ ROR (e, 11) ^ ROR (e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
          t2 = (ROR (a, 2) ^ ROR (a, 13) ^ ROR (a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
          h = g, g = f, f = e, e = d + t1, d = cc, cc = b, b = a, a = t1 + t2;
        }
      hh[0] += a, hh[1] += b, hh[2] += cc, hh[3] += d;
      hh[4] += e, hh[5] += f, hh[6] += g, hh[7] += h;
    }
}

void
hs_sha256_init (hs_sha256_t *c)
{
  static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

  memcpy (c->h, iv, sizeof (iv));
  c->len = 0;
  c->used = 0;
}

static void
update_with (hs_sha256_t *c, const uint8_t *p, size_t len, blocks_fn *blocks)
{
  c->len += len;
  if (c->used > 0)
    {
      size_t n = 64 - c->used < len ? 64 - c->used : len;

      memcpy (c->buf + c->used, p, n);
      c->used += n, p += n, len -= n;
      if (c->used < 64)
        return;
      blocks (c->h, c->buf, 1);
      c->used = 0;
    }
  /* whole blocks straight from the input, no copy */
  if (len >= 64)
    {
      blocks (c->h, p, len / 64);
      p += len & ~(size_t) 63, len &= 63;
    }
  if (len > 0)
    memcpy (c->buf, p, len);
  c->used = len;
}

static void
final_with (hs_sha256_t *c, uint8_t out[32], blocks_fn *blocks)
{
  uint64_t bits = c->len * 8;
  size_t used = c->used;

  /* 0x80, zeros up to 56 mod 64, the bit length big-endian: one or two blocks */
  c->buf[used++] = 0x80;
  if (used > 56)
    {
      memset (c->buf + used, 0, 64 - used);
      blocks (c->h, c->buf, 1);
      used = 0;
    }
  memset (c->buf + used, 0, 56 - used);
  for (int i = 0; i < 8; i++)
    c->buf[56 + i] = (uint8_t) (bits >> (56 - 8 * i));
  blocks (c->h, c->buf, 1);
  c->used = 0;
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4; j++)
      out[4 * i + j] = (uint8_t) (c->h[i] >> (24 - 8 * j));
}

void
hs_sha256_update (hs_sha256_t *c, const void *data, size_t len)
{
  update_with (c, data, len, blocks_portable);
}

void
hs_sha256_final (hs_sha256_t *c, uint8_t out[32])
{
  final_with (c, out, blocks_portable);
}

void
hs_sha256_digest (const void *data, size_t len, char out[HS_DIGEST_LEN])
{
  hs_sha256_t c;
  uint8_t d[32];

  hs_sha256_init (&c);
  hs_sha256_update (&c, data, len);
  hs_sha256_final (&c, d);
  memcpy (out, "sha256:", 7);
  for (int i = 0; i < 32; i++)
    snprintf (out + 7 + 2 * i, 3, "%02x", d[i]);
}

#include "sha256.h"
#include "sha256_internal.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define HS_SHA256_SHANI 1
#endif

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

#ifdef HS_SHA256_SHANI
/* SHA-NI, after Intel's "SHA extensions" white paper (public-domain
   transcriptions of it are common). The state lives in two registers as
   ABEF and CDGH; each sha256rnds2 does two rounds, msg1/msg2 extend the
   schedule four words at a time, interleaved with the rounds that need them. */
#define SHANI __attribute__ ((target ("sha,sse4.1,ssse3")))

/* Four rounds: message words w (i-th group of four) plus K. */
static inline SHANI void
rounds4 (__m128i *abef, __m128i *cdgh, __m128i w, int i)
{
  __m128i m = _mm_add_epi32 (w, _mm_loadu_si128 ((const __m128i *) &K[4 * i]));

  *cdgh = _mm_sha256rnds2_epu32 (*cdgh, *abef, m);
  *abef = _mm_sha256rnds2_epu32 (*abef, *cdgh, _mm_shuffle_epi32 (m, 0x0e));
}

/* Completes the next group of four schedule words (`next`, already through
   msg1) from the current group and the one before it. */
static inline SHANI __m128i
schedule (__m128i next, __m128i cur, __m128i prev)
{
  return _mm_sha256msg2_epu32 (_mm_add_epi32 (next, _mm_alignr_epi8 (cur, prev, 4)), cur);
}

static SHANI void
blocks_shani (uint32_t hh[8], const uint8_t *p, size_t n)
{
  const __m128i bswap = _mm_set_epi64x (0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i abef, cdgh, t, m0, m1, m2, m3;

  /* h[0..7] = ABCDEFGH -> ABEF and CDGH (lanes high to low) */
  t = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) &hh[0]), 0xb1);    /* CDAB */
  cdgh = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) &hh[4]), 0x1b); /* EFGH */
  abef = _mm_alignr_epi8 (t, cdgh, 8);
  cdgh = _mm_blend_epi16 (cdgh, t, 0xf0);
  for (; n > 0; n--, p += 64)
    {
      __m128i abef0 = abef, cdgh0 = cdgh;

      m0 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (p + 0)), bswap);
      m1 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (p + 16)), bswap);
      m2 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (p + 32)), bswap);
      m3 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (p + 48)), bswap);
      /* group i uses words 4i..4i+3; msg1 of group i-1 with group i starts
         group i+3, schedule() finishes group i+1 (the loop's last two msg1 start
         groups past 15: unused, cheaper than a special case) */
      rounds4 (&abef, &cdgh, m0, 0);
      rounds4 (&abef, &cdgh, m1, 1);
      m0 = _mm_sha256msg1_epu32 (m0, m1);
      rounds4 (&abef, &cdgh, m2, 2);
      m1 = _mm_sha256msg1_epu32 (m1, m2);
      for (int i = 3; i < 15; i += 4)
        {
          rounds4 (&abef, &cdgh, m3, i);
          m0 = schedule (m0, m3, m2);
          m2 = _mm_sha256msg1_epu32 (m2, m3);
          rounds4 (&abef, &cdgh, m0, i + 1);
          m1 = schedule (m1, m0, m3);
          m3 = _mm_sha256msg1_epu32 (m3, m0);
          rounds4 (&abef, &cdgh, m1, i + 2);
          m2 = schedule (m2, m1, m0);
          m0 = _mm_sha256msg1_epu32 (m0, m1);
          rounds4 (&abef, &cdgh, m2, i + 3);
          m3 = schedule (m3, m2, m1);
          m1 = _mm_sha256msg1_epu32 (m1, m2);
        }
      rounds4 (&abef, &cdgh, m3, 15);
      abef = _mm_add_epi32 (abef, abef0);
      cdgh = _mm_add_epi32 (cdgh, cdgh0);
    }
  /* back to ABCDEFGH */
  t = _mm_shuffle_epi32 (abef, 0x1b);    /* FEBA */
  cdgh = _mm_shuffle_epi32 (cdgh, 0xb1); /* DCHG */
  _mm_storeu_si128 ((__m128i *) &hh[0], _mm_blend_epi16 (t, cdgh, 0xf0));
  _mm_storeu_si128 ((__m128i *) &hh[4], _mm_alignr_epi8 (cdgh, t, 8));
}

static bool
cpu_has_shani (void)
{
  unsigned a, b, c, d;

  if (!__get_cpuid (1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
    return false;
  return __get_cpuid_count (7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

/* The block function for this CPU. cpuid is slow (in a VM it traps to the
   hypervisor), so the answer is cached: a fact about the hardware, written
   once with the same value by whichever thread gets there first. */
static blocks_fn *
blocks_best (void)
{
  static _Atomic (blocks_fn *) best;
  blocks_fn *f = atomic_load_explicit (&best, memory_order_relaxed);

  if (f == NULL)
    {
      f = blocks_portable;
#ifdef HS_SHA256_SHANI
      if (cpu_has_shani ())
        f = blocks_shani;
#endif
      atomic_store_explicit (&best, f, memory_order_relaxed);
    }
  return f;
}

bool
hs_sha256_accelerated (void)
{
  return blocks_best () != blocks_portable;
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
  update_with (c, data, len, blocks_best ());
}

void
hs_sha256_final (hs_sha256_t *c, uint8_t out[32])
{
  final_with (c, out, blocks_best ());
}

void
hs_sha256_update_portable (hs_sha256_t *c, const void *data, size_t len)
{
  update_with (c, data, len, blocks_portable);
}

void
hs_sha256_final_portable (hs_sha256_t *c, uint8_t out[32])
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
  /* not snprintf: its 32 calls took ~22 k instructions, as many as 6 KiB of SHA-NI hashing */
  memcpy (out, "sha256:", 7);
  for (int i = 0; i < 32; i++)
    {
      out[7 + 2 * i] = "0123456789abcdef"[d[i] >> 4];
      out[8 + 2 * i] = "0123456789abcdef"[d[i] & 15];
    }
  out[7 + 64] = '\0';
}

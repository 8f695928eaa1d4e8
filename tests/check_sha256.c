/* SHA-256 against the FIPS 180-4 test vectors, one shot and in pieces, on
 * both block functions: the one hs_sha256_update picks for this CPU (SHA-NI
 * on x86-64 CPUs that have it) and the portable C one, forced through the
 * test seam in sha256_internal.h. A differential test then holds the two to
 * identical digests on random inputs split at random points. The log says
 * which path ran; without SHA-NI both sides are portable (and the log says so). */
#include "testutil.h"

#include "sha256.h"
#include "sha256_internal.h"

/* The two ways to hash: [0] what callers get, [1] forced portable. */
static const struct
{
  const char *name;
  void (*update) (hs_sha256_t *c, const void *data, size_t len);
  void (*final) (hs_sha256_t *c, uint8_t out[32]);
} paths[] = {
  { "default", hs_sha256_update, hs_sha256_final },
  { "portable", hs_sha256_update_portable, hs_sha256_final_portable },
};
#define NPATHS (sizeof (paths) / sizeof (paths[0]))

static const char *
default_path_name (void)
{
  return hs_sha256_accelerated () ? "SHA-NI" : "portable C";
}

static void
hex (const uint8_t d[32], char out[65])
{
  for (int i = 0; i < 32; i++)
    snprintf (out + 2 * i, 3, "%02x", d[i]);
}

static const struct
{
  const char *in;
  const char *want;
} vectors[] = {
  { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
  { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
  /* 896-bit message from FIPS 180-2 appendix (SHA-384/512 one), a 2-block input */
  { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopq"
    "rsmnopqrstnopqrstu",
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

#define NVECTORS (sizeof (vectors) / sizeof (vectors[0]))

/* _i = vector * NPATHS + path */
START_TEST (test_vectors)
{
  const char *in = vectors[_i / NPATHS].in, *want = vectors[_i / NPATHS].want;
  size_t len = strlen (in), pi = _i % NPATHS;
  hs_sha256_t c;
  uint8_t d[32];
  char h[65], digest[HS_DIGEST_LEN];

  hs_sha256_init (&c);
  paths[pi].update (&c, in, len);
  paths[pi].final (&c, d);
  hex (d, h);
  ck_assert_msg (strcmp (h, want) == 0, "%s path, \"%s\": %s", paths[pi].name, in, h);

  /* byte by byte gives the same */
  hs_sha256_init (&c);
  for (size_t i = 0; i < len; i++)
    paths[pi].update (&c, in + i, 1);
  paths[pi].final (&c, d);
  hex (d, h);
  ck_assert_msg (strcmp (h, want) == 0, "%s path, bytewise \"%s\": %s", paths[pi].name, in, h);

  if (pi != 0)
    return;

  hs_sha256_digest (in, len, digest);
  ck_assert_int_eq (strncmp (digest, "sha256:", 7), 0);
  ck_assert_str_eq (digest + 7, want);
}
END_TEST

/* _i = path */
START_TEST (test_million_a)
{
  static const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  /* odd sizes, below, at and above the block size and across many blocks */
  static const size_t odd[] = { 1, 3, 55, 63, 65, 127, 129, 7, 1001, 4097, 13, 64 * 1024 + 1 };
  char *a = hs_xmalloc (1000000);
  hs_sha256_t c;
  uint8_t d[32];
  char h[65], digest[HS_DIGEST_LEN];

  memset (a, 'a', 1000000);
  if (_i == 0)
    {
      hs_sha256_digest (a, 1000000, digest);
      ck_assert_str_eq (digest + 7, want);
    }
  /* in uneven pieces that straddle block boundaries */
  hs_sha256_init (&c);
  for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 7 % 191 + 1)
    paths[_i].update (&c, a + off, off + step > 1000000 ? 1000000 - off : step);
  paths[_i].final (&c, d);
  hex (d, h);
  ck_assert_msg (strcmp (h, want) == 0, "%s path, uneven pieces: %s", paths[_i].name, h);
  /* in pieces of odd sizes only */
  hs_sha256_init (&c);
  for (size_t off = 0, k = 0; off < 1000000;
       off += odd[k], k = (k + 1) % (sizeof (odd) / sizeof (odd[0])))
    paths[_i].update (&c, a + off, off + odd[k] > 1000000 ? 1000000 - off : odd[k]);
  paths[_i].final (&c, d);
  hex (d, h);
  ck_assert_msg (strcmp (h, want) == 0, "%s path, odd pieces: %s", paths[_i].name, h);
  free (a);
}
END_TEST

/* Lengths around the padding boundary (55, 56, 63, 64 bytes). */
START_TEST (test_padding_boundaries)
{
  static const struct
  {
    size_t n;
    const char *want;
  } b[] = {
    { 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
    { 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
    { 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
    { 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
  };
  char a[64], digest[HS_DIGEST_LEN], h[65];
  hs_sha256_t c;
  uint8_t d[32];

  memset (a, 'a', sizeof (a));
  for (size_t i = 0; i < 4; i++)
    {
      hs_sha256_digest (a, b[i].n, digest);
      ck_assert_msg (strcmp (digest + 7, b[i].want) == 0, "%zu: %s", b[i].n, digest);
      hs_sha256_init (&c);
      hs_sha256_update_portable (&c, a, b[i].n);
      hs_sha256_final_portable (&c, d);
      hex (d, h);
      ck_assert_msg (strcmp (h, b[i].want) == 0, "portable %zu: %s", b[i].n, h);
    }
}
END_TEST

/* Deterministic random numbers (xorshift64*), so a failure reproduces. */
static uint64_t
rnd (uint64_t *s)
{
  *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
  return *s * 0x2545f4914f6cdd1dULL;
}

/* Hashes data[0..len) with path pi, cut at the sorted points cut[0..ncut). */
static void
hash_split (size_t pi, const uint8_t *data, size_t len, const size_t *cut, size_t ncut,
            uint8_t out[32])
{
  hs_sha256_t c;
  size_t from = 0;

  hs_sha256_init (&c);
  for (size_t k = 0; k <= ncut; k++)
    {
      size_t to = k < ncut ? cut[k] : len;

      paths[pi].update (&c, data + from, to - from);
      from = to;
    }
  paths[pi].final (&c, out);
}

static int
cmp_size (const void *a, const void *b)
{
  size_t x = *(const size_t *) a, y = *(const size_t *) b;

  return x < y ? -1 : x > y;
}

/* Lengths 0..1000 and some large ones, random bytes, each split at random
   points (differently for the two paths) into up to 8 updates, some empty:
   the default path and the forced-portable one agree, and agree with the
   one-shot digest. */
START_TEST (test_differential)
{
  static const size_t large[] = { 4095, 4096, 4097, 65536, 65536 + 63, 1 << 20, (1 << 20) + 17 };
  size_t nlen = 1001 + sizeof (large) / sizeof (large[0]), max = (1 << 20) + 17;
  uint8_t *data = hs_xmalloc (max);
  uint64_t seed = 0x8a5cd789635d2dffULL;

  printf ("sha256 differential: default path is %s%s\n", default_path_name (),
          hs_sha256_accelerated () ? ", compared with the forced-portable path"
                                   : " (this CPU lacks SHA-NI or this is not x86-64): note, "
                                     "portable is compared with portable");
  for (size_t i = 0; i < max; i++)
    data[i] = (uint8_t) (rnd (&seed) >> 56);
  for (size_t li = 0; li < nlen; li++)
    {
      size_t len = li <= 1000 ? li : large[li - 1001], cut[2][8], ncut[2];
      uint8_t d[2][32], one[32];
      char digest[HS_DIGEST_LEN], h[65];
      const uint8_t *in = data + (rnd (&seed) % 8); /* unaligned starts too */

      if (in + len > data + max)
        in = data;
      for (size_t pi = 0; pi < NPATHS; pi++)
        {
          ncut[pi] = rnd (&seed) % 8;
          for (size_t k = 0; k < ncut[pi]; k++)
            cut[pi][k] = len == 0 ? 0 : rnd (&seed) % (len + 1);
          qsort (cut[pi], ncut[pi], sizeof (size_t), cmp_size);
          hash_split (pi, in, len, cut[pi], ncut[pi], d[pi]);
        }
      ck_assert_msg (memcmp (d[0], d[1], 32) == 0,
                     "length %zu: %s path (%zu cuts) and portable path (%zu cuts) differ", len,
                     default_path_name (), ncut[0], ncut[1]);
      hash_split (1, in, len, NULL, 0, one);
      ck_assert_msg (memcmp (d[1], one, 32) == 0, "length %zu: split and one-shot differ", len);
      hs_sha256_digest (in, len, digest);
      hex (one, h);
      ck_assert_msg (strcmp (digest + 7, h) == 0, "length %zu: hs_sha256_digest differs", len);
    }
  free (data);
}
END_TEST

/* Where the kernel reports SHA-NI, the default path must be the SHA-NI one,
   or the differential test would compare portable with portable unnoticed.
   (valgrind hides SHA-NI from cpuid: under it the portable path is right.) */
START_TEST (test_path_follows_cpu)
{
#if defined(__x86_64__)
  FILE *f = fopen ("/proc/cpuinfo", "re");
  char line[8192];
  bool sha_ni = false;
  const char *preload = getenv ("LD_PRELOAD");

  ck_assert_ptr_nonnull (f);
  while (!sha_ni && fgets (line, sizeof (line), f))
    if (strncmp (line, "flags", 5) == 0)
      sha_ni = strstr (line, " sha_ni") != NULL;
  fclose (f);
  if (preload && strstr (preload, "vgpreload"))
    sha_ni = false;
  printf ("sha256: /proc/cpuinfo %s sha_ni; default path is %s\n", sha_ni ? "has" : "lacks",
          default_path_name ());
  ck_assert_msg (hs_sha256_accelerated () == sha_ni, "cpu %s sha_ni but the default path is %s",
                 sha_ni ? "has" : "lacks", default_path_name ());
#else
  printf ("sha256: not x86-64, default path is %s\n", default_path_name ());
  ck_assert (!hs_sha256_accelerated ());
#endif
}
END_TEST

static Suite *
sha256_suite (void)
{
  Suite *s = suite_create ("sha256");
  TCase *tc = tcase_create ("sha256");

  tcase_add_loop_test (tc, test_vectors, 0, NVECTORS * NPATHS);
  tcase_add_loop_test (tc, test_million_a, 0, NPATHS);
  tcase_add_test (tc, test_padding_boundaries);
  tcase_add_test (tc, test_differential);
  tcase_add_test (tc, test_path_follows_cpu);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (sha256_suite ())

/* SHA-256 against the FIPS 180-2 test vectors, one shot and in pieces. */
#include "testutil.h"

#include "sha256.h"

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

START_TEST (test_vectors)
{
  const char *in = vectors[_i].in;
  size_t len = strlen (in);
  hs_sha256_t c;
  uint8_t d[32];
  char h[65], digest[HS_DIGEST_LEN];

  hs_sha256_init (&c);
  hs_sha256_update (&c, in, len);
  hs_sha256_final (&c, d);
  hex (d, h);
  ck_assert_str_eq (h, vectors[_i].want);

  /* byte by byte gives the same */
  hs_sha256_init (&c);
  for (size_t i = 0; i < len; i++)
    hs_sha256_update (&c, in + i, 1);
  hs_sha256_final (&c, d);
  hex (d, h);
  ck_assert_str_eq (h, vectors[_i].want);

  hs_sha256_digest (in, len, digest);
  ck_assert_int_eq (strncmp (digest, "sha256:", 7), 0);
  ck_assert_str_eq (digest + 7, vectors[_i].want);
}
END_TEST

START_TEST (test_million_a)
{
  static const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  char *a = hs_xmalloc (1000000);
  hs_sha256_t c;
  uint8_t d[32];
  char h[65], digest[HS_DIGEST_LEN];

  memset (a, 'a', 1000000);
  hs_sha256_digest (a, 1000000, digest);
  ck_assert_str_eq (digest + 7, want);
  /* in uneven pieces that straddle block boundaries */
  hs_sha256_init (&c);
  for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 7 % 191 + 1)
    hs_sha256_update (&c, a + off, off + step > 1000000 ? 1000000 - off : step);
  hs_sha256_final (&c, d);
  hex (d, h);
  ck_assert_str_eq (h, want);
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
  char a[64], digest[HS_DIGEST_LEN];

  memset (a, 'a', sizeof (a));
  for (size_t i = 0; i < 4; i++)
    {
      hs_sha256_digest (a, b[i].n, digest);
      ck_assert_msg (strcmp (digest + 7, b[i].want) == 0, "%zu: %s", b[i].n, digest);
    }
}
END_TEST

static Suite *
sha256_suite (void)
{
  Suite *s = suite_create ("sha256");
  TCase *tc = tcase_create ("sha256");

  tcase_add_loop_test (tc, test_vectors, 0, sizeof (vectors) / sizeof (vectors[0]));
  tcase_add_test (tc, test_million_a);
  tcase_add_test (tc, test_padding_boundaries);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (sha256_suite ())

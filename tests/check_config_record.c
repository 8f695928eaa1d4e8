/* config_record: the digest of a container's hardened process, recorded at
 * create, read by exec, replaced by a later create, released on delete
 * once the container is gone. */
#include "testutil.h"

#include "config_record.h"
#include "policy.h"

#include <unistd.h>

static char *
tmpdir (void)
{
  char *d = hs_xstrdup ("/tmp/hardshim-check-config-record.XXXXXX");

  ck_assert_ptr_nonnull (mkdtemp (d));
  return d;
}

static void
rm_rf (const char *d)
{
  char *cmd = hs_xasprintf ("rm -rf '%s'", d);

  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
}

START_TEST (test_put_get_replace_release)
{
  char *state = tmpdir ();
  char *root = tmpdir (); /* a runtime root without the container: it is gone */
  char got[HS_DIGEST_LEN];
  hs_policy_t policy = { .state_dir = state };
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_config_record_get (state, root, "a", got, &err), 0);
  ck_assert_int_eq (hs_config_record_put (state, root, "a", "sha256:1111", &err), 0);
  ck_assert_int_eq (hs_config_record_get (state, root, "a", got, &err), 1);
  ck_assert_str_eq (got, "sha256:1111");
  /* another container, another record */
  ck_assert_int_eq (hs_config_record_get (state, root, "b", got, &err), 0);
  /* a later create of the same container replaces it */
  ck_assert_int_eq (hs_config_record_put (state, root, "a", "sha256:2222", &err), 0);
  ck_assert_int_eq (hs_config_record_get (state, root, "a", got, &err), 1);
  ck_assert_str_eq (got, "sha256:2222");
  ck_assert_int_eq (hs_releaser_config.release (&policy, root, "a", &err), 0);
  ck_assert_int_eq (hs_config_record_get (state, root, "a", got, &err), 0);
  /* releasing what is not there is fine */
  ck_assert_int_eq (hs_releaser_config.release (&policy, root, "a", &err), 0);
  rm_rf (state);
  rm_rf (root);
  free (state);
  free (root);
}
END_TEST

START_TEST (test_malformed_record)
{
  char *state = tmpdir ();
  char got[HS_DIGEST_LEN];
  char long_digest[HS_DIGEST_LEN + 8];
  hs_error_t err = NULL;

  memset (long_digest, 'a', sizeof (long_digest) - 1);
  long_digest[sizeof (long_digest) - 1] = '\0';
  ck_assert_int_eq (hs_config_record_put (state, "/r", "a", long_digest, &err), 0);
  ck_assert_int_lt (hs_config_record_get (state, "/r", "a", got, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "malformed"));
  hs_error_release (&err);
  rm_rf (state);
  free (state);
}
END_TEST

static Suite *
config_record_suite (void)
{
  Suite *s = suite_create ("config_record");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_put_get_replace_release);
  tcase_add_test (tc, test_malformed_record);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (config_record_suite ())

/* Container ids: runc's rules and a length bound, a table of (id, valid),
 * and refusals that name a bounded, printable part of the id. */
#include "testutil.h"

#include "container_id.h"

static const struct
{
  const char *id;
  bool valid;
} cases[] = {
  { "c1", true },
  { "a_b+c-d.e", true },
  { "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true },
  { "...", true },
  { ".a", true },
  { "", false },
  { ".", false },
  { "..", false },
  { "../../../etc", false },
  { "a/b", false },
  { "a b", false },
  { "a\nb", false },
  { "a:b", false }, /* crun would take it; both are held to runc's rules */
  { "a,b", false },
  { "\xc3\xa9", false },
};

START_TEST (test_table)
{
  cleanup_error hs_error_t err = NULL;
  int r = hs_container_id_check (cases[_i].id, &err);

  ck_assert_msg (hs_container_id_valid (cases[_i].id) == cases[_i].valid, "`%s`", cases[_i].id);
  ck_assert_int_eq (r == 0, cases[_i].valid);
  if (!cases[_i].valid)
    ck_assert (hs_error_is_refusal (&err));
}
END_TEST

START_TEST (test_length_bound)
{
  char *id = hs_xmalloc (70001);
  cleanup_error hs_error_t err = NULL;

  memset (id, 'a', 70000);
  id[70000] = '\0';
  ck_assert (!hs_container_id_valid (id));
  ck_assert_int_lt (hs_container_id_check (id, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "longer than 255 bytes"));
  ck_assert_uint_lt (strlen (err->msg), 200);
  id[HS_CONTAINER_ID_MAX] = '\0';
  ck_assert (hs_container_id_valid (id));
  id[HS_CONTAINER_ID_MAX] = 'a';
  id[HS_CONTAINER_ID_MAX + 1] = '\0';
  ck_assert (!hs_container_id_valid (id));
  free (id);
}
END_TEST

START_TEST (test_message_printable)
{
  cleanup_error hs_error_t err = NULL;

  ck_assert_int_lt (hs_container_id_check ("a\x1b[2Jb", &err), 0);
  ck_assert_ptr_null (strchr (err->msg, '\x1b'));
  ck_assert_ptr_nonnull (strstr (err->msg, "a?[2Jb"));
  hs_error_release (&err);
  ck_assert_int_lt (hs_container_id_check (NULL, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "empty"));
}
END_TEST

static Suite *
container_id_suite (void)
{
  Suite *s = suite_create ("container_id");
  TCase *tc = tcase_create ("container_id");

  tcase_add_loop_test (tc, test_table, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_test (tc, test_length_bound);
  tcase_add_test (tc, test_message_printable);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (container_id_suite ())

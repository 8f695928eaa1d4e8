/* What the mounts control judged, by name: a later look at the same name
 * must find the same object, or it is told apart (renamed, replaced, a
 * symlink now on the way). */
#include "testfs.h"

#include "cleanup.h"
#include "harden.h"
#include "harden/judged_paths.h"
#include "hostpath.h"

static hs_hostpath_t
resolve (const char *path)
{
  hs_hostpath_t p;
  hs_error_t err = NULL;

  if (hs_hostpath_resolve (path, NULL, 0, &p, &err) < 0)
    ck_abort_msg ("resolve %s: %s", path, err->msg);
  return p;
}

START_TEST (test_judged_same_or_other)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *a = hs_xasprintf ("%s/a", dir), *b = hs_xasprintf ("%s/b", dir);
  cleanup_free char *away = hs_xasprintf ("%s/away", dir);
  hs_harden_t h = { 0 };
  hs_hostpath_t p, q;

  ck_assert_int_eq (mkdir (a, 0755), 0);
  ck_assert_int_eq (mkdir (b, 0755), 0);
  p = resolve (a);
  q = resolve (b);
  ck_assert_int_eq (hs_judged_check (&h, a, &p), HS_JUDGED_NONE); /* nothing judged yet */
  hs_judged_add (&h, &p);
  ck_assert_int_eq (hs_judged_check (&h, a, &p), HS_JUDGED_SAME);
  ck_assert_int_eq (hs_judged_check (&h, b, &q), HS_JUDGED_NONE);
  hs_hostpath_release (&p);
  /* the same name, another directory (swapped in after the judgment) */
  ck_assert_int_eq (rename (a, away), 0);
  ck_assert_int_eq (rename (b, a), 0);
  p = resolve (a);
  ck_assert_int_eq (hs_judged_check (&h, a, &p), HS_JUDGED_OTHER);
  hs_hostpath_release (&p);
  /* the judged directory again, but through a symlink now */
  ck_assert_int_eq (rename (a, b), 0);
  ck_assert_int_eq (symlink (away, a), 0);
  p = resolve (a);
  ck_assert_str_eq (p.path, away);
  ck_assert_int_eq (hs_judged_check (&h, a, &p), HS_JUDGED_OTHER);
  hs_hostpath_release (&p);
  hs_hostpath_release (&q);
  hs_judged_free (&h);
  ck_assert_ptr_null (h.judged);
  test_rm_rf (dir);
}
END_TEST

START_TEST (test_judged_twice_as_two_objects)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *a = hs_xasprintf ("%s/a", dir), *away = hs_xasprintf ("%s/away", dir);
  cleanup_free char *missing = hs_xasprintf ("%s/not-there", dir);
  hs_harden_t h = { 0 };
  hs_hostpath_t p, q;

  ck_assert_int_eq (mkdir (a, 0755), 0);
  p = resolve (a);
  hs_judged_add (&h, &p);
  ck_assert_int_eq (rename (a, away), 0);
  ck_assert_int_eq (mkdir (a, 0755), 0);
  q = resolve (a);
  hs_judged_add (&h, &q); /* two mounts of one name, judged as two objects */
  ck_assert_int_eq (hs_judged_check (&h, a, &p), HS_JUDGED_OTHER);
  ck_assert_int_eq (hs_judged_check (&h, a, &q), HS_JUDGED_OTHER);
  hs_hostpath_release (&p);
  hs_hostpath_release (&q);
  /* what does not exist is not recorded */
  p = resolve (missing);
  hs_judged_add (&h, &p);
  ck_assert_int_eq (hs_judged_check (&h, missing, &p), HS_JUDGED_NONE);
  hs_hostpath_release (&p);
  hs_judged_free (&h);
  test_rm_rf (dir);
}
END_TEST

static Suite *
judged_paths_suite (void)
{
  Suite *s = suite_create ("judged_paths");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_judged_same_or_other);
  tcase_add_test (tc, test_judged_twice_as_two_objects);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (judged_paths_suite ())

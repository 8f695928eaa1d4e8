/* Finding the real runtime: HARDSHIM_RUNTIME > policy `runtime` > defaults;
 * relative, missing, non-executable and hardshim-itself are refused. */
#include "testfs.h"

#include "runtime.h"

#include <errno.h>

static char *
resolve_error (const char *configured, const char *env)
{
  char *rt = NULL, *msg;
  hs_error_t err = NULL;

  ck_assert_msg (hs_runtime_resolve (configured, env, &rt, &err) < 0, "resolved to %s", rt);
  ck_assert_ptr_null (rt);
  msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  return msg;
}

static char *
resolve_ok (const char *configured, const char *env)
{
  char *rt = NULL;
  hs_error_t err = NULL;

  if (hs_runtime_resolve (configured, env, &rt, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  return rt;
}

START_TEST (test_precedence)
{
  char *dir = test_tmpdir ();
  char *a = test_write (dir, "rt-a", "#!/bin/sh\n", 0755);
  char *b = test_write (dir, "rt-b", "#!/bin/sh\n", 0755);
  char *rt;

  rt = resolve_ok (b, a);
  ck_assert_str_eq (rt, a); /* env wins */
  free (rt);
  rt = resolve_ok (b, NULL);
  ck_assert_str_eq (rt, b);
  free (rt);
  rt = resolve_ok (b, ""); /* empty env is unset */
  ck_assert_str_eq (rt, b);
  free (rt);
  /* neither: the first default that exists (this machine has runc) */
  rt = resolve_ok (NULL, NULL);
  ck_assert_str_eq (rt, access ("/usr/sbin/runc", X_OK) == 0 ? "/usr/sbin/runc" : "/usr/bin/runc");
  free (rt);
  /* a bad env value is an error even when the policy names a good one */
  free (resolve_error (b, "/nonexistent-runtime"));
  test_rm_rf (dir);
  free (a);
  free (b);
  free (dir);
}
END_TEST

START_TEST (test_refusals)
{
  char *dir = test_tmpdir ();
  char *noexec = test_write (dir, "noexec", "#!/bin/sh\n", 0644);
  char *self = hs_xasprintf ("%s/runc", dir);
  char *exe = realpath ("/proc/self/exe", NULL);
  char *msg;

  msg = resolve_error (NULL, "runc");
  ck_assert_msg (strstr (msg, "runtime `runc` (from HARDSHIM_RUNTIME) is not an absolute path"),
                 "got `%s`", msg);
  free (msg);
  msg = resolve_error ("bin/runc", NULL);
  ck_assert_msg (strstr (msg, "(from policy key `runtime`) is not an absolute path"), "got `%s`",
                 msg);
  free (msg);
  msg = resolve_error (NULL, "/nonexistent");
  ck_assert_msg (strstr (msg, "runtime `/nonexistent` (from HARDSHIM_RUNTIME): No such file"),
                 "got `%s`", msg);
  free (msg);
  msg = resolve_error (noexec, NULL);
  ck_assert_msg (strstr (msg, "is not an executable file"), "got `%s`", msg);
  free (msg);
  msg = resolve_error (NULL, dir);
  ck_assert_msg (strstr (msg, "is not an executable file"), "got `%s`", msg);
  free (msg);
  /* hardshim pointing at itself, through a symlink: same inode as /proc/self/exe */
  ck_assert_ptr_nonnull (exe);
  ck_assert_int_eq (symlink (exe, self), 0);
  msg = resolve_error (NULL, self);
  ck_assert_msg (strstr (msg, "is hardshim itself: point it at the real runc or crun"), "got `%s`",
                 msg);
  free (msg);
  msg = resolve_error (exe, NULL);
  ck_assert_msg (strstr (msg, "is hardshim itself"), "got `%s`", msg);
  free (msg);
  test_rm_rf (dir);
  free (exe);
  free (self);
  free (noexec);
  free (dir);
}
END_TEST

/* --version: the runtime's exit status comes back. */
START_TEST (test_version_status)
{
  char *argv[] = { "hardshim", "-c", "exit 3", NULL };
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_runtime_version ("/bin/sh", 3, argv, &err), 3);
  argv[2] = "kill -TERM $$";
  ck_assert_int_eq (hs_runtime_version ("/bin/sh", 3, argv, &err), 128 + 15);
}
END_TEST

/* An empty argv (argc 0, as execve allows) still gives the runtime a
 * NULL-terminated argv: argv[0] plus nothing. */
START_TEST (test_empty_argv)
{
  char *argv[] = { NULL };
  hs_error_t err = NULL;
  int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  ck_assert_int_ge (devnull, 0);
  ck_assert_int_eq (dup2 (devnull, 0), 0); /* sh with no args reads stdin */
  ck_assert_int_eq (hs_runtime_version ("/bin/sh", 0, argv, &err), 0);
  close (devnull);
}
END_TEST

static Suite *
runtime_suite (void)
{
  Suite *s = suite_create ("runtime");
  TCase *tc = tcase_create ("runtime");

  tcase_add_test (tc, test_precedence);
  tcase_add_test (tc, test_refusals);
  tcase_add_test (tc, test_version_status);
  tcase_add_test (tc, test_empty_argv);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (runtime_suite ())

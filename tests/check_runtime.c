/* Finding the real runtime: HARDSHIM_RUNTIME > policy `runtime` > the name
 * hardshim was invoked as (node-wide install: REAL_DIR/NAME, no search) >
 * defaults; relative, missing, non-executable and hardshim-itself are
 * refused; the dialect follows the real runtime. */
#include "testfs.h"

#include "runtime.h"

#include <errno.h>

#define GO HS_DIALECT_GO
#define ARGP HS_DIALECT_ARGP

static const char *real_dir = "/nonexistent-real-runtimes";

static char *
query_error (const hs_runtime_query_t *q)
{
  hs_runtime_t rt = { .path = NULL };
  hs_error_t err = NULL;
  char *msg;

  ck_assert_msg (hs_runtime_resolve (q, &rt, &err) < 0, "resolved to %s", rt.path);
  ck_assert_ptr_null (rt.path); /* ret untouched on failure */
  msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  return msg;
}

static hs_runtime_t
query_ok (const hs_runtime_query_t *q)
{
  hs_runtime_t rt = { .path = NULL };
  hs_error_t err = NULL;

  if (hs_runtime_resolve (q, &rt, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  return rt;
}

static char *
resolve_error (const char *configured, const char *env)
{
  hs_runtime_query_t q
      = { .env = env, .configured = configured, .argv0 = "hardshim", .real_dir = real_dir };

  return query_error (&q);
}

static char *
resolve_ok (const char *configured, const char *env)
{
  hs_runtime_query_t q
      = { .env = env, .configured = configured, .argv0 = "hardshim", .real_dir = real_dir };

  return query_ok (&q).path;
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
  /* hardshim pointing at itself, through a symlink: same inode as /proc/self/exe;
   * named runc, the message says where the real runc of a node-wide install is */
  ck_assert_ptr_nonnull (exe);
  ck_assert_int_eq (symlink (exe, self), 0);
  msg = resolve_error (NULL, self);
  ck_assert_msg (strstr (msg, "is hardshim itself (hardshim is installed in place of runc: the "
                              "real runc is /nonexistent-real-runtimes/runc): point it at the "
                              "real runc or crun"),
                 "got `%s`", msg);
  free (msg);
  msg = resolve_error (exe, NULL);
  ck_assert_msg (strstr (msg, "is hardshim itself: point it"), "got `%s`", msg);
  free (msg);
  test_rm_rf (dir);
  free (exe);
  free (self);
  free (noexec);
  free (dir);
}
END_TEST

/* Invoked as runc or crun (installed in place of it): REAL_DIR/NAME, with
 * the dialect of that runtime; env and policy still win. */
START_TEST (test_in_place)
{
  char *dir = test_tmpdir ();
  char *runc = test_write (dir, "runc", "#!/bin/sh\n", 0755);
  char *crun = test_write (dir, "crun", "#!/bin/sh\n", 0755);
  char *other = test_write (dir, "other", "#!/bin/sh\n", 0755);
  hs_runtime_query_t q = { .argv0 = "runc", .real_dir = dir };
  hs_runtime_t rt;

  rt = query_ok (&q);
  ck_assert_str_eq (rt.path, runc);
  ck_assert_ptr_nonnull (rt.in_place_of);
  ck_assert_str_eq (rt.in_place_of->name, "runc");
  ck_assert_str_eq (rt.in_place_of->path, "/usr/sbin/runc");
  ck_assert_int_eq (rt.dialect, GO);
  hs_runtime_release (&rt);
  /* podman's conmon passes the path it ran */
  q.argv0 = "/usr/bin/crun";
  rt = query_ok (&q);
  ck_assert_str_eq (rt.path, crun);
  ck_assert_int_eq (rt.dialect, ARGP);
  ck_assert_int_eq (hs_runtime_invoked_dialect (&q), ARGP);
  hs_runtime_release (&rt);
  /* the policy's runtime wins; the invoked name only breaks a tie for the dialect */
  q.configured = other;
  rt = query_ok (&q);
  ck_assert_str_eq (rt.path, other);
  ck_assert_int_eq (rt.dialect, ARGP);
  hs_runtime_release (&rt);
  q.env = runc;
  rt = query_ok (&q);
  ck_assert_str_eq (rt.path, runc);
  ck_assert_int_eq (rt.dialect, GO);
  hs_runtime_release (&rt);
  /* any other name: not in place */
  q = (hs_runtime_query_t){ .argv0 = "/usr/local/bin/hardshim", .real_dir = dir };
  rt = query_ok (&q);
  ck_assert_ptr_null (rt.in_place_of);
  ck_assert_str_ne (rt.path, runc);
  hs_runtime_release (&rt);
  ck_assert_int_eq (hs_runtime_invoked_dialect (&q), GO);
  test_rm_rf (dir);
  free (runc);
  free (crun);
  free (other);
  free (dir);
}
END_TEST

/* A broken diversion: every call fails, naming the expected path, and
 * nothing else is searched (not /usr/sbin/runc, which exists here). */
START_TEST (test_in_place_broken)
{
  char *dir = test_tmpdir ();
  char *exe = realpath ("/proc/self/exe", NULL);
  char *real = hs_xasprintf ("%s/runc", dir);
  hs_runtime_query_t q = { .argv0 = "runc", .real_dir = dir };
  char *msg, *want;

  msg = query_error (&q);
  want = hs_xasprintf ("hardshim runs in place of runc (node-wide install) and execs the real "
                       "runc at `%s`, which is missing: the diversion of /usr/sbin/runc is broken; "
                       "reinstall the package (`apt-get install --reinstall runc`) or run "
                       "`hardshimctl install --node` again, and see `dpkg-divert --list "
                       "/usr/sbin/runc`: No such file or directory",
                       real);
  ck_assert_str_eq (msg, want);
  free (msg);
  free (want);
  /* the real one replaced by hardshim (a symlink to it): refused, never exec'd */
  ck_assert_int_eq (symlink (exe, real), 0);
  msg = query_error (&q);
  ck_assert_msg (
      strstr (msg, "which is hardshim itself: the diversion of /usr/sbin/runc is broken"),
      "got `%s`", msg);
  free (msg);
  ck_assert_int_eq (unlink (real), 0);
  ck_assert_int_eq (mkdir (real, 0755), 0);
  q.argv0 = "/somewhere/runc";
  msg = query_error (&q);
  ck_assert_msg (strstr (msg, "which is not an executable file"), "got `%s`", msg);
  free (msg);
  test_rm_rf (dir);
  free (real);
  free (exe);
  free (dir);
}
END_TEST

START_TEST (test_dialect)
{
  char *dir = test_tmpdir ();
  char *crun = test_write (dir, "crun-1.8", "#!/bin/sh\n", 0755);
  char *link = hs_xasprintf ("%s/runc", dir);
  char *plain = test_write (dir, "wrapper", "#!/bin/sh\n", 0755);

  ck_assert_int_eq (hs_runtime_dialect ("/usr/bin/crun", NULL), ARGP);
  ck_assert_int_eq (hs_runtime_dialect ("crun", NULL), ARGP);
  ck_assert_int_eq (hs_runtime_dialect ("/opt/crun-1.8/crun", NULL), ARGP);
  ck_assert_int_eq (hs_runtime_dialect ("/usr/sbin/runc", NULL), GO);
  ck_assert_int_eq (hs_runtime_dialect ("/usr/local/bin/runsc", NULL), GO);
  /* what the file is decides: a `runc` that is crun reads argp */
  ck_assert_int_eq (symlink (crun, link), 0);
  ck_assert_int_eq (hs_runtime_dialect (link, NULL), ARGP);
  /* a name that says nothing: the name hardshim stands in for */
  ck_assert_int_eq (hs_runtime_dialect (plain, hs_node_runtime_named ("crun")), ARGP);
  ck_assert_int_eq (hs_runtime_dialect (plain, hs_node_runtime_named ("runc")), GO);
  ck_assert_int_eq (hs_runtime_dialect (plain, NULL), GO);
  ck_assert_ptr_null (hs_node_runtime_named ("runsc"));
  ck_assert_ptr_null (hs_node_runtime_named (NULL));
  test_rm_rf (dir);
  free (crun);
  free (link);
  free (plain);
  free (dir);
}
END_TEST

/* --version: the runtime's output, then hardshim's line naming both. */
static char *
version_output (const hs_runtime_t *rt)
{
  char *argv[] = { "hardshim", "-c", "echo runtime-says-hi", NULL };
  char path[] = "/tmp/hardshim-version.XXXXXX";
  int fd = mkstemp (path), saved = dup (1);
  hs_error_t err = NULL;
  char *out = hs_xcalloc (1, 4096);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (dup2 (fd, 1), 1);
  ck_assert_int_eq (hs_runtime_version (rt, 3, argv, &err), 0);
  ck_assert_int_eq (dup2 (saved, 1), 1);
  ck_assert_int_ge (pread (fd, out, 4095, 0), 0);
  close (fd);
  close (saved);
  unlink (path);
  return out;
}

START_TEST (test_version_line)
{
  hs_runtime_t rt = { .path = "/bin/sh", .dialect = GO };
  char *out;

  out = version_output (&rt);
  ck_assert_str_eq (out, "runtime-says-hi\nhardshim version " PACKAGE_VERSION
                         " (runtime /bin/sh, runc command line)\n");
  free (out);
  rt.in_place_of = hs_node_runtime_named ("crun");
  rt.dialect = ARGP;
  out = version_output (&rt);
  ck_assert_str_eq (out, "runtime-says-hi\nhardshim version " PACKAGE_VERSION
                         " (in place of crun: runtime /bin/sh, crun command line)\n");
  free (out);
}
END_TEST

/* --version: the runtime's exit status comes back. */
START_TEST (test_version_status)
{
  char *argv[] = { "hardshim", "-c", "exit 3", NULL };
  hs_runtime_t rt = { .path = "/bin/sh" };
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_runtime_version (&rt, 3, argv, &err), 3);
  argv[2] = "kill -TERM $$";
  ck_assert_int_eq (hs_runtime_version (&rt, 3, argv, &err), 128 + 15);
}
END_TEST

/* An empty argv (argc 0, as execve allows) still gives the runtime a
 * NULL-terminated argv: argv[0] plus nothing. */
START_TEST (test_empty_argv)
{
  char *argv[] = { NULL };
  hs_runtime_t rt = { .path = "/bin/sh" };
  hs_error_t err = NULL;
  int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  ck_assert_int_ge (devnull, 0);
  ck_assert_int_eq (dup2 (devnull, 0), 0); /* sh with no args reads stdin */
  ck_assert_int_eq (hs_runtime_version (&rt, 0, argv, &err), 0);
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
  tcase_add_test (tc, test_in_place);
  tcase_add_test (tc, test_in_place_broken);
  tcase_add_test (tc, test_dialect);
  tcase_add_test (tc, test_version_line);
  tcase_add_test (tc, test_version_status);
  tcase_add_test (tc, test_empty_argv);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (runtime_suite ())

/* rootfs_path: lstat beneath the rootfs without links, in-root
 * resolution of links as text; hs_path_passes_below. */
#include "testfs.h"

#include "cleanup.h"
#include "harden/util_b.h"
#include "rootfs_path.h"

#include <errno.h>

static char *dir;
static hs_rootfs_t root = { .fd = -1 };

static int
root_dirfd (void)
{
  return open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void
setup (void)
{
  hs_error_t err = NULL;
  cleanup_free char *cmd = NULL;

  dir = test_tmpdir ();
  cmd = hs_xasprintf ("mkdir -p '%s/usr/bin' && touch '%s/usr/bin/sh'", dir, dir);
  ck_assert_int_eq (system (cmd), 0);
  ck_assert_int_eq (hs_rootfs_open (dir, &root, &err), 0);
}

static void
teardown (void)
{
  hs_rootfs_close (&root);
  test_rm_rf (dir);
  free (dir);
}

static void
mklink (const char *target, const char *name)
{
  cleanup_close int fd = root_dirfd ();

  ck_assert_int_eq (symlinkat (target, fd, name), 0);
}

static char *
resolve (const char *path, unsigned *ret_links, bool *ret_proc)
{
  hs_rootfs_resolved_t v = { 0 };
  hs_error_t err = NULL;
  char *out;

  ck_assert_msg (hs_rootfs_resolve (&root, path, &v, &err) == 0, "%s: %s", path,
                 err ? err->msg : "");
  out = hs_xstrdup (v.path);
  if (ret_links)
    *ret_links = v.links;
  if (ret_proc)
    *ret_proc = v.below_proc;
  hs_rootfs_resolved_release (&v);
  return out;
}

START_TEST (test_resolve)
{
  unsigned links;
  bool proc;
  char *r;

  mklink ("usr/bin", "bin");
  mklink ("/proc/self/fd/7/../../../../etc", "evil");
  mklink ("../../..", "up");
  r = resolve ("/bin/sh", &links, &proc);
  ck_assert_str_eq (r, "/usr/bin/sh");
  ck_assert_uint_eq (links, 1);
  ck_assert (!proc);
  free (r);
  r = resolve ("/usr/./bin//../bin/x/y", &links, NULL);
  ck_assert_str_eq (r, "/usr/bin/x/y");
  ck_assert_uint_eq (links, 0);
  free (r);
  /* the text lands at /etc, but it went below /proc on the way */
  r = resolve ("evil/passwd", &links, &proc);
  ck_assert_str_eq (r, "/etc/passwd");
  ck_assert (proc);
  free (r);
  /* ".." never above the rootfs */
  r = resolve ("/up/usr", NULL, NULL);
  ck_assert_str_eq (r, "/usr");
  free (r);
  r = resolve ("/", NULL, NULL);
  ck_assert_str_eq (r, "/");
  free (r);
}
END_TEST

START_TEST (test_loop)
{
  hs_rootfs_resolved_t v = { 0 };
  hs_error_t err = NULL;

  mklink ("b", "a");
  mklink ("a", "b");
  ck_assert_int_lt (hs_rootfs_resolve (&root, "/a", &v, &err), 0);
  ck_assert_int_eq (err->status, ELOOP);
  ck_assert_ptr_null (v.path);
  hs_error_release (&err);
}
END_TEST

START_TEST (test_lstat_no_links)
{
  hs_error_t err = NULL;
  struct stat st;

  mklink ("usr", "u");
  ck_assert_int_eq (hs_rootfs_lstat (&root, "u", &st, &err), 0);
  ck_assert (S_ISLNK (st.st_mode));
  /* a link on the way is never followed */
  ck_assert_int_lt (hs_rootfs_lstat (&root, "u/bin", &st, &err), 0);
  ck_assert_int_eq (err->status, ELOOP);
  hs_error_release (&err);
  ck_assert_int_eq (hs_rootfs_lstat (&root, "nothing/here", &st, &err), HS_ROOTFS_ABSENT);
  ck_assert_int_eq (hs_rootfs_lstat (&root, "usr/bin/sh/x", &st, &err), HS_ROOTFS_ABSENT);
  ck_assert_int_eq (hs_rootfs_lstat (&root, "usr/bin", &st, &err), 0);
  ck_assert (S_ISDIR (st.st_mode));
}
END_TEST

/* the same without openat2 (old kernels; valgrind) */
START_TEST (test_fallback)
{
  hs_error_t err = NULL;
  struct stat st;
  char *r;

  root.nofollow = true;
  mklink ("usr", "u");
  mklink ("usr/bin", "bin");
  ck_assert_int_eq (hs_rootfs_lstat (&root, "u", &st, &err), 0);
  ck_assert (S_ISLNK (st.st_mode));
  ck_assert_int_lt (hs_rootfs_lstat (&root, "u/bin", &st, &err), 0);
  ck_assert_int_eq (err->status, ELOOP);
  hs_error_release (&err);
  ck_assert_int_eq (hs_rootfs_lstat (&root, "usr/bin/sh/x", &st, &err), HS_ROOTFS_ABSENT);
  ck_assert_int_eq (hs_rootfs_lstat (&root, "nothing/here", &st, &err), HS_ROOTFS_ABSENT);
  r = resolve ("/bin/sh", NULL, NULL);
  ck_assert_str_eq (r, "/usr/bin/sh");
  free (r);
}
END_TEST

START_TEST (test_passes_below)
{
  ck_assert (hs_path_passes_below ("/proc/self/fd/7/../../../../bin/sh", "/proc"));
  ck_assert (hs_path_passes_below ("//proc//1", "/proc"));
  ck_assert (hs_path_passes_below ("/srv/../proc/x", "/proc"));
  ck_assert (!hs_path_passes_below ("/proc", "/proc"));
  ck_assert (!hs_path_passes_below ("/proc/../bin", "/proc"));
  ck_assert (!hs_path_passes_below ("/procfs/x", "/proc"));
  ck_assert (!hs_path_passes_below ("/", "/proc"));
}
END_TEST

START_TEST (test_rootfs_dir)
{
  cleanup_json hs_json_t *rel = test_parse ("{\"root\":{\"path\":\"rootfs\"}}");
  cleanup_json hs_json_t *abs = test_parse ("{\"root\":{\"path\":\"/r\"}}");
  cleanup_json hs_json_t *none = test_parse ("{\"root\":{}}");
  cleanup_free char *a = hs_spec_rootfs_dir (rel, "/b");
  cleanup_free char *b = hs_spec_rootfs_dir (rel, NULL);
  cleanup_free char *c = hs_spec_rootfs_dir (abs, "/b");

  ck_assert_str_eq (a, "/b/rootfs");
  ck_assert_str_eq (b, "rootfs");
  ck_assert_str_eq (c, "/r");
  ck_assert_ptr_null (hs_spec_rootfs_dir (none, "/b"));
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("rootfs_path");
  TCase *tc = tcase_create ("resolve");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_resolve);
  tcase_add_test (tc, test_loop);
  tcase_add_test (tc, test_lstat_no_links);
  tcase_add_test (tc, test_fallback);
  tcase_add_test (tc, test_passes_below);
  tcase_add_test (tc, test_rootfs_dir);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())

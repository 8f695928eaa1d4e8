/* Careful file access: atomic replace keeping mode and owner, nothing left
 * behind on failure, and only regular files read (no symlink, FIFO, dir). */
#include "testfs.h"

#include "fileio.h"

#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>

static char *
read_at (int dfd, const char *name, size_t max, hs_error_t *err)
{
  char *buf = NULL;
  size_t len;
  struct stat st;

  if (hs_read_file_at (dfd, name, max, &buf, &len, &st, err) < 0)
    return NULL;
  ck_assert_int_eq (len, strlen (buf));
  return buf;
}

START_TEST (test_atomic_keeps_mode_and_owner)
{
  char *dir = test_tmpdir ();
  char *path = test_write (dir, "config.json", "old", 0640);
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  struct stat st, after;
  char *buf, *ls;

  ck_assert_int_ge (dfd, 0);
  ck_assert_int_eq (chown (path, 1234, 5678), 0);
  ck_assert_int_eq (stat (path, &st), 0);
  ck_assert_int_eq (hs_write_file_atomic_at (dfd, "config.json", "new!", 4, &st, &err), 0);
  ck_assert_int_eq (stat (path, &after), 0);
  ck_assert_int_eq (after.st_uid, 1234);
  ck_assert_int_eq (after.st_gid, 5678);
  ck_assert_int_eq (after.st_mode & 07777, 0640);
  ck_assert_int_ne (after.st_ino, st.st_ino); /* replaced by rename, not rewritten */
  buf = read_at (dfd, "config.json", 100, &err);
  ck_assert_str_eq (buf, "new!");
  ls = test_ls (dir);
  ck_assert_str_eq (ls, "config.json\n");
  free (ls);
  free (buf);

  /* without `keep`: 0600, owned by us */
  ck_assert_int_eq (hs_write_file_atomic_at (dfd, "fresh.json", "x", 1, NULL, &err), 0);
  ck_assert_int_eq (fstatat (dfd, "fresh.json", &after, 0), 0);
  ck_assert_int_eq (after.st_mode & 07777, 0600);
  ck_assert_int_eq (after.st_uid, geteuid ());
  close (dfd);
  test_rm_rf (dir);
  free (path);
  free (dir);
}
END_TEST

/* rename fails (the name is a non-empty directory): no temp remains. */
/* hardshim's own state: replaced by rename like config.json, 0600 root
 * whatever was there, nothing else left in the directory. */
START_TEST (test_state_file_replaced)
{
  char *dir = test_tmpdir ();
  char *path = test_write (dir, "rec.json", "old", 0644);
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  struct stat st, after;
  char *buf, *ls;

  ck_assert_int_ge (dfd, 0);
  ck_assert_int_eq (stat (path, &st), 0);
  ck_assert_int_eq (hs_write_state_file_at (dfd, "rec.json", "{\"v\":1}", 7, &err), 0);
  ck_assert_int_eq (fstatat (dfd, "rec.json", &after, 0), 0);
  ck_assert_int_ne (after.st_ino, st.st_ino);
  ck_assert_int_eq (after.st_mode & 07777, 0600);
  buf = read_at (dfd, "rec.json", 100, &err);
  ck_assert_str_eq (buf, "{\"v\":1}");
  ls = test_ls (dir);
  ck_assert_str_eq (ls, "rec.json\n");
  free (ls);
  free (buf);
  close (dfd);
  test_rm_rf (dir);
  free (path);
  free (dir);
}
END_TEST

START_TEST (test_no_temp_left_when_rename_fails)
{
  char *dir = test_tmpdir ();
  char *sub = hs_xasprintf ("%s/config.json", dir);
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  char *ls;

  ck_assert_int_eq (mkdir (sub, 0755), 0);
  free (test_write (sub, "keep", "x", 0644));
  ck_assert_int_lt (hs_write_file_atomic_at (dfd, "config.json", "new", 3, NULL, &err), 0);
  ck_assert_msg (strstr (err->msg, "rename temporary file over `config.json`"), "got `%s`",
                 err->msg);
  hs_error_release (&err);
  ls = test_ls (dir);
  ck_assert_str_eq (ls, "config.json\n");
  free (ls);
  close (dfd);
  test_rm_rf (dir);
  free (sub);
  free (dir);
}
END_TEST

/* write fails half way (file size limit): original intact, no temp. */
START_TEST (test_no_temp_left_when_write_fails)
{
  char *dir = test_tmpdir ();
  char *path = test_write (dir, "config.json", "original", 0644);
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  struct rlimit rl, small;
  char big[4096];
  char *ls, *buf;

  memset (big, 'x', sizeof (big));
  signal (SIGXFSZ, SIG_IGN);
  ck_assert_int_eq (getrlimit (RLIMIT_FSIZE, &rl), 0);
  small = rl;
  small.rlim_cur = 1000;
  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &small), 0);
  ck_assert_int_lt (hs_write_file_atomic_at (dfd, "config.json", big, sizeof (big), NULL, &err), 0);
  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &rl), 0);
  ck_assert_msg (strstr (err->msg, "write") && strstr (err->msg, "File too large"), "got `%s`",
                 err->msg);
  hs_error_release (&err);
  ls = test_ls (dir);
  ck_assert_str_eq (ls, "config.json\n");
  buf = read_at (dfd, "config.json", 100, &err);
  ck_assert_str_eq (buf, "original");
  free (buf);
  free (ls);
  close (dfd);
  test_rm_rf (dir);
  free (path);
  free (dir);
}
END_TEST

/* A name too long for its temp file: refused before anything is created. */
START_TEST (test_temp_name_too_long)
{
  char *dir = test_tmpdir ();
  char name[256];
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  char *ls;

  memset (name, 'n', 250);
  name[250] = '\0';
  free (test_write (dir, name, "original", 0644));
  ck_assert_int_lt (hs_write_file_atomic_at (dfd, name, "new", 3, NULL, &err), 0);
  hs_error_release (&err);
  ls = test_ls (dir);
  ck_assert_int_eq (strlen (ls), 251);
  free (ls);
  close (dfd);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

/* Writing over a symlink replaces the link; its target is never written. */
START_TEST (test_write_over_symlink_leaves_target)
{
  char *dir = test_tmpdir ();
  char *target = test_write (dir, "target", "target", 0644);
  char *link = hs_xasprintf ("%s/config.json", dir);
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  struct stat st;
  char *buf;

  ck_assert_int_eq (symlink (target, link), 0);
  ck_assert_int_eq (hs_write_file_atomic_at (dfd, "config.json", "new", 3, NULL, &err), 0);
  ck_assert_int_eq (lstat (link, &st), 0);
  ck_assert (S_ISREG (st.st_mode));
  buf = read_at (dfd, "target", 100, &err);
  ck_assert_str_eq (buf, "target");
  free (buf);
  close (dfd);
  test_rm_rf (dir);
  free (target);
  free (link);
  free (dir);
}
END_TEST

START_TEST (test_read_refuses_non_regular)
{
  char *dir = test_tmpdir ();
  char *target = test_write (dir, "target", "{}", 0644);
  char *p;
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;

  p = hs_xasprintf ("%s/link", dir);
  ck_assert_int_eq (symlink (target, p), 0);
  free (p);
  p = hs_xasprintf ("%s/fifo", dir);
  ck_assert_int_eq (mkfifo (p, 0644), 0);
  free (p);
  p = hs_xasprintf ("%s/dir", dir);
  ck_assert_int_eq (mkdir (p, 0755), 0);
  free (p);

  ck_assert_ptr_null (read_at (dfd, "link", 100, &err));
  ck_assert_msg (strstr (err->msg, "`link` is a symbolic link: refusing to follow it"), "got `%s`",
                 err->msg);
  /* a FIFO nobody writes to: refused at once, no hang */
  ck_assert_ptr_null (read_at (dfd, "fifo", 100, &err));
  ck_assert_msg (strstr (err->msg, "`fifo` is not a regular file"), "got `%s`", err->msg);
  ck_assert_ptr_null (read_at (dfd, "dir", 100, &err));
  ck_assert_msg (strstr (err->msg, "`dir` is not a regular file"), "got `%s`", err->msg);
  ck_assert_ptr_null (read_at (dfd, "missing", 100, &err));
  ck_assert_int_eq (err->status, ENOENT);
  hs_error_release (&err);
  close (dfd);
  test_rm_rf (dir);
  free (target);
  free (dir);
}
END_TEST

START_TEST (test_read_size_limit)
{
  char *dir = test_tmpdir ();
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  char *buf;

  free (test_write (dir, "f", "0123456789", 0644));
  ck_assert_ptr_null (read_at (dfd, "f", 9, &err));
  ck_assert_msg (strstr (err->msg, "`f` is 10 bytes, over the limit of 9"), "got `%s`", err->msg);
  hs_error_release (&err);
  buf = read_at (dfd, "f", 10, &err);
  ck_assert_str_eq (buf, "0123456789");
  free (buf);
  close (dfd);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

/* procfs files say size 0 and then deliver bytes: exactly a file that
 * grew between fstat and read. */
START_TEST (test_read_file_that_grows)
{
  int dfd = hs_open_dir ("/proc/self", NULL);
  hs_error_t err = NULL;

  ck_assert_int_ge (dfd, 0);
  ck_assert_ptr_null (read_at (dfd, "status", 1 << 20, &err));
  ck_assert_msg (strstr (err->msg, "`status` changed while being read"), "got `%s`", err->msg);
  hs_error_release (&err);
  close (dfd);
}
END_TEST

START_TEST (test_open_parent)
{
  char *dir = test_tmpdir ();
  char *path = test_write (dir, "c.json", "x", 0644);
  char *name = NULL;
  hs_error_t err = NULL;
  int fd;

  fd = hs_open_parent (path, &name, &err);
  ck_assert_int_ge (fd, 0);
  ck_assert_str_eq (name, "c.json");
  close (fd);
  free (name);
  fd = hs_open_parent ("c.json", &name, &err);
  ck_assert_int_ge (fd, 0);
  ck_assert_str_eq (name, "c.json");
  ck_assert (fcntl (fd, F_GETFD) & FD_CLOEXEC);
  close (fd);
  free (name);
  fd = hs_open_parent ("/etc", &name, &err);
  ck_assert_int_ge (fd, 0);
  ck_assert_str_eq (name, "etc");
  close (fd);
  free (name);
  name = NULL;
  ck_assert_int_lt (hs_open_parent ("/tmp/", &name, &err), 0);
  ck_assert_int_eq (err->status, EISDIR);
  ck_assert_int_lt (hs_open_parent ("/nonexistent-dir-x/c.json", &name, &err), 0);
  ck_assert_int_eq (err->status, ENOENT);
  ck_assert_ptr_null (name);
  hs_error_release (&err);
  test_rm_rf (dir);
  free (path);
  free (dir);
}
END_TEST

START_TEST (test_write_new_file)
{
  char *dir = test_tmpdir ();
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  struct stat st;
  char *buf;

  ck_assert_int_eq (hs_write_new_file_at (dfd, "p.json", "{}", 2, 0600, &err), 0);
  ck_assert_int_eq (fstatat (dfd, "p.json", &st, 0), 0);
  ck_assert_int_eq (st.st_mode & 07777, 0600);
  /* never over an existing file */
  ck_assert_int_lt (hs_write_new_file_at (dfd, "p.json", "[]", 2, 0600, &err), 0);
  ck_assert_int_eq (err->status, EEXIST);
  hs_error_release (&err);
  buf = read_at (dfd, "p.json", 10, &err);
  ck_assert_str_eq (buf, "{}");
  free (buf);
  close (dfd);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

/* What a writer killed between link and rename leaves (a complete copy
 * under the temp name) goes with the next write of that file; a live
 * writer's (flocked), someone else's, other names' and look-alikes stay. */
START_TEST (test_stale_temps_pruned)
{
  char *dir = test_tmpdir ();
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  char *ls, *live;
  int lfd;

  free (test_write (dir, "config.json", "old", 0644));
  free (test_write (dir, ".config.json.hardshim-0123456789abcdef", "stale", 0644));
  free (test_write (dir, ".config.json.hardshim-00000000000000ff", "partial", 0600));
  live = test_write (dir, ".config.json.hardshim-1111111111111111", "live", 0600);
  free (test_write (dir, ".config.json.hardshim-2222222222222222", "theirs", 0644));
  {
    char *theirs = hs_xasprintf ("%s/.config.json.hardshim-2222222222222222", dir);
    ck_assert_int_eq (chown (theirs, 1234, 1234), 0);
    free (theirs);
  }
  free (test_write (dir, ".config.json.hardshim-0123", "short", 0644));
  free (test_write (dir, ".config.json.hardshim-0123456789ABCDEF", "upper", 0644));
  free (test_write (dir, ".other.json.hardshim-0123456789abcdef", "other", 0644));
  {
    char *link = hs_xasprintf ("%s/.config.json.hardshim-3333333333333333", dir);
    ck_assert_int_eq (symlink ("/etc/passwd", link), 0);
    free (link);
  }
  lfd = open (live, O_RDONLY | O_CLOEXEC);
  ck_assert_int_ge (lfd, 0);
  ck_assert_int_eq (flock (lfd, LOCK_EX), 0);

  ck_assert_int_eq (hs_write_file_atomic_at (dfd, "config.json", "new", 3, NULL, &err), 0);
  ls = test_ls (dir);
  ck_assert_str_eq (ls, ".config.json.hardshim-0123\n"
                        ".config.json.hardshim-0123456789ABCDEF\n"
                        ".config.json.hardshim-1111111111111111\n"
                        ".config.json.hardshim-2222222222222222\n"
                        ".config.json.hardshim-3333333333333333\n"
                        ".other.json.hardshim-0123456789abcdef\n"
                        "config.json\n");
  free (ls);
  /* its writer gone, the live one goes too */
  close (lfd);
  ck_assert_int_eq (hs_write_state_file_at (dfd, "config.json", "newer", 5, &err), 0);
  ls = test_ls (dir);
  ck_assert_ptr_null (strstr (ls, "1111111111111111"));
  ck_assert_ptr_nonnull (strstr (ls, "2222222222222222"));
  free (ls);
  free (live);
  close (dfd);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

/* A write leaves no temp whatever happens, and none is ever named while
 * partial: the file is written unnamed (O_TMPFILE) where it can be. */
START_TEST (test_temp_unnamed_while_written)
{
  char *dir = test_tmpdir ();
  int dfd = hs_open_dir (dir, NULL);
  hs_error_t err = NULL;
  char *ls;

  for (int i = 0; i < 50; i++)
    ck_assert_int_eq (hs_write_file_atomic_at (dfd, "config.json", "x", 1, NULL, &err), 0);
  ls = test_ls (dir);
  ck_assert_str_eq (ls, "config.json\n");
  free (ls);
  close (dfd);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

static Suite *
fileio_suite (void)
{
  Suite *s = suite_create ("fileio");
  TCase *tc = tcase_create ("fileio");

  tcase_add_test (tc, test_atomic_keeps_mode_and_owner);
  tcase_add_test (tc, test_state_file_replaced);
  tcase_add_test (tc, test_no_temp_left_when_rename_fails);
  tcase_add_test (tc, test_no_temp_left_when_write_fails);
  tcase_add_test (tc, test_temp_name_too_long);
  tcase_add_test (tc, test_write_over_symlink_leaves_target);
  tcase_add_test (tc, test_read_refuses_non_regular);
  tcase_add_test (tc, test_read_size_limit);
  tcase_add_test (tc, test_read_file_that_grows);
  tcase_add_test (tc, test_open_parent);
  tcase_add_test (tc, test_write_new_file);
  tcase_add_test (tc, test_stale_temps_pruned);
  tcase_add_test (tc, test_temp_unnamed_while_written);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (fileio_suite ())

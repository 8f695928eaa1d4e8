/* Host paths by identity: mountinfo parsing, resolution as the kernel walks
 * (symlinks, `..`, a missing tail), who can replace or reach a path, and
 * every host name of what a path names (a bind of /etc is /etc). */
#include "testfs.h"

#include "cleanup.h"
#include "hostpath.h"
#include "mountinfo.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

static hs_hostpath_t
resolve_ok (const char *path, const char *base, int flags)
{
  hs_hostpath_t p;
  hs_error_t err = NULL;

  if (hs_hostpath_resolve (path, base, flags, &p, &err) < 0)
    ck_abort_msg ("resolve %s: %s", path, err->msg);
  return p;
}

static char *
resolve_err (const char *path, const char *base)
{
  hs_hostpath_t p;
  hs_error_t err = NULL;
  char *msg;

  if (hs_hostpath_resolve (path, base, 0, &p, &err) == 0)
    ck_abort_msg ("resolve %s unexpectedly gave %s", path, p.path);
  msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  return msg;
}

/* Every host name of `path`, one per line ("!" after a name it contains whole). */
static char *
names (const char *path, bool recursive)
{
  cleanup_mountinfo hs_mountinfo_t *mi = NULL;
  hs_hostpath_t p = resolve_ok (path, NULL, 0);
  hs_hostname_t *v = NULL;
  size_t n = 0;
  hs_error_t err = NULL;
  char *out = hs_xstrdup ("");

  ck_assert_int_eq (hs_mountinfo_load (&mi, &err), 0);
  if (hs_hostpath_names (&p, mi, recursive, &v, &n, &err) < 0)
    ck_abort_msg ("names %s: %s", path, err->msg);
  for (size_t i = 0; i < n; i++)
    {
      char *o = hs_xasprintf ("%s%s%s\n", out, v[i].path, v[i].whole ? "!" : "");
      free (out);
      out = o;
    }
  hs_hostnames_free (v, n);
  hs_hostpath_release (&p);
  return out;
}

static bool
has_line (const char *text, const char *line)
{
  size_t n = strlen (line);

  for (const char *p = text; (p = strstr (p, line)) != NULL; p++)
    if ((p == text || p[-1] == '\n') && p[n] == '\n')
      return true;
  return false;
}

START_TEST (test_mountinfo_parse)
{
  static const char text[]
      = "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
        "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 shared:7 - ext3 /dev/root "
        "rw,errors=continue\n"
        "40 27 0:50 / /var/lib/docker/overlay2/x/merged rw - overlay overlay "
        "rw,lowerdir=/a\\134:b:/c,upperdir=/u\n";
  cleanup_mountinfo hs_mountinfo_t *mi = NULL;
  hs_error_t err = NULL;
  const hs_mount_t *m;

  ck_assert_int_eq (hs_mountinfo_parse (text, &mi, &err), 0);
  ck_assert_uint_eq (mi->n, 3);
  m = hs_mountinfo_find (mi, 36);
  ck_assert_ptr_nonnull (m);
  ck_assert_uint_eq (m->parent, 35);
  ck_assert_uint_eq (major (m->dev), 98);
  ck_assert_uint_eq (minor (m->dev), 0);
  ck_assert_str_eq (m->root, "/mnt1");
  ck_assert_str_eq (m->point, "/mnt/with space");
  ck_assert_str_eq (m->fstype, "ext3");
  ck_assert_str_eq (m->source, "/dev/root");
  ck_assert_str_eq (m->super, "rw,errors=continue");
  ck_assert_str_eq (hs_mountinfo_find (mi, 40)->super, "rw,lowerdir=/a\\:b:/c,upperdir=/u");
  ck_assert_ptr_null (hs_mountinfo_find (mi, 99));
}
END_TEST

START_TEST (test_mountinfo_bad)
{
  static const char *const bad[] = {
    "x 27 0:21 / /proc rw - proc proc rw\n",
    "22 27 0:21 / /proc rw proc proc rw\n", /* no separator */
    "22 27 021 / /proc rw - proc proc rw\n",
    "22 27 0:21 / proc rw - proc proc rw\n", /* relative mount point */
    "-1 27 0:21 / /proc rw - proc proc rw\n",
  };
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      cleanup_mountinfo hs_mountinfo_t *mi = NULL;
      hs_error_t err = NULL;

      ck_assert_msg (hs_mountinfo_parse (bad[i], &mi, &err) < 0, "accepted: %s", bad[i]);
      ck_assert_msg (strstr (err->msg, "line 1") != NULL, "%s", err->msg);
      hs_error_release (&err);
    }
}
END_TEST

START_TEST (test_mountinfo_load_finds_own_root)
{
  cleanup_mountinfo hs_mountinfo_t *mi = NULL;
  hs_hostpath_t p = resolve_ok ("/", NULL, 0);
  hs_error_t err = NULL;
  const hs_mount_t *m;

  ck_assert_int_eq (hs_mountinfo_load (&mi, &err), 0);
  m = hs_hostpath_mount (&p, mi);
  ck_assert_ptr_nonnull (m);
  ck_assert_str_eq (m->point, "/");
  ck_assert_uint_eq (m->dev, p.st.st_dev);
  hs_hostpath_release (&p);
}
END_TEST

START_TEST (test_resolve_symlinks)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *a = hs_xasprintf ("%s/a", dir), *b = hs_xasprintf ("%s/b", dir);
  cleanup_free char *c = hs_xasprintf ("%s/c", dir), *loop = hs_xasprintf ("%s/loop", dir);
  cleanup_free char *real = hs_xasprintf ("%s/real", dir), *e1 = NULL, *e2 = NULL, *e3 = NULL;
  cleanup_free char *f = hs_xasprintf ("%s/real/file", dir);
  hs_hostpath_t p;

  ck_assert_int_eq (mkdir (real, 0755), 0);
  free (test_write (real, "file", "x", 0644));
  ck_assert_int_eq (symlink ("/etc", a), 0);         /* absolute */
  ck_assert_int_eq (symlink ("real/../a/./", b), 0); /* relative, through another */
  ck_assert_int_eq (symlink ("real/file", c), 0);    /* to a file */
  ck_assert_int_eq (symlink ("loop", loop), 0);

  p = resolve_ok (a, NULL, 0);
  ck_assert_str_eq (p.path, "/etc");
  ck_assert_str_eq (p.missing, "");
  ck_assert (S_ISDIR (p.st.st_mode));
  hs_hostpath_release (&p);
  p = resolve_ok ("b/passwd", dir, 0); /* relative to the bundle */
  ck_assert_str_eq (p.path, "/etc/passwd");
  hs_hostpath_release (&p);
  p = resolve_ok (c, NULL, HS_HOSTPATH_NOFOLLOW); /* the link itself */
  ck_assert_str_eq (p.path, c);
  ck_assert (S_ISLNK (p.st.st_mode));
  hs_hostpath_release (&p);
  p = resolve_ok (c, NULL, 0);
  ck_assert_str_eq (p.path, f);
  ck_assert (S_ISREG (p.st.st_mode));
  hs_hostpath_release (&p);
  /* /proc/self/root is "/" (the test's own root) */
  p = resolve_ok ("/proc/self/root/etc/../etc//hostname", NULL, 0);
  ck_assert_str_eq (p.path, "/etc/hostname");
  hs_hostpath_release (&p);
  /* `..` at / stays at / */
  p = resolve_ok ("/../../etc", NULL, 0);
  ck_assert_str_eq (p.path, "/etc");
  hs_hostpath_release (&p);

  e1 = resolve_err (loop, NULL);
  ck_assert_msg (strstr (e1, "more than 40 symlinks") != NULL, "%s", e1);
  e2 = resolve_err ("real/file/x", dir);
  ck_assert_msg (strstr (e2, "is not a directory") != NULL, "%s", e2);
  e3 = resolve_err ("real/nope/../../a", dir);
  ck_assert_msg (strstr (e3, "`..` after") != NULL, "%s", e3);
  test_rm_rf (dir);
}
END_TEST

START_TEST (test_resolve_missing_tail)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *link = hs_xasprintf ("%s/to-boot", dir), *want = NULL;
  hs_hostpath_t p;
  struct stat st;

  ck_assert_int_eq (symlink ("/nonexistent-hs/x", link), 0); /* dangling */
  p = resolve_ok ("to-boot/./y//z", dir, 0);
  ck_assert_str_eq (p.path, "/nonexistent-hs/x/y/z");
  ck_assert_str_eq (p.missing, "nonexistent-hs/x/y/z");
  ck_assert_int_eq (stat ("/", &st), 0);
  ck_assert_uint_eq (p.st.st_ino, st.st_ino); /* the deepest that exists */
  hs_hostpath_release (&p);
  p = resolve_ok ("nope", dir, 0);
  want = hs_xasprintf ("%s/nope", dir);
  ck_assert_str_eq (p.path, want);
  ck_assert_str_eq (p.missing, "nope");
  hs_hostpath_release (&p);
  test_rm_rf (dir);
}
END_TEST

START_TEST (test_who_controls_the_path)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *user = hs_xasprintf ("%s/user", dir),
                    *locked = hs_xasprintf ("%s/locked", dir);
  cleanup_free char *open_dir = hs_xasprintf ("%s/open", dir),
                    *sticky = hs_xasprintf ("%s/sticky", dir);
  cleanup_free char *x = NULL;
  hs_hostpath_t p;

  ck_assert_int_eq (chmod (dir, 0755), 0);
  ck_assert_int_eq (mkdir (user, 0755), 0);
  ck_assert_int_eq (chown (user, 1000, 1000), 0);
  ck_assert_int_eq (mkdir (locked, 0700), 0);
  ck_assert_int_eq (mkdir (open_dir, 0777), 0);
  ck_assert_int_eq (chmod (open_dir, 0777), 0);
  ck_assert_int_eq (mkdir (sticky, 0777), 0);
  ck_assert_int_eq (chmod (sticky, 01777), 0);
  x = hs_xasprintf ("%s/user/x", dir);
  ck_assert_int_eq (mkdir (x, 0755), 0);
  free (x);
  x = hs_xasprintf ("%s/locked/x", dir);
  ck_assert_int_eq (mkdir (x, 0755), 0);
  free (x);
  x = hs_xasprintf ("%s/open/x", dir);
  ck_assert_int_eq (mkdir (x, 0755), 0);
  free (x);
  x = hs_xasprintf ("%s/sticky/x", dir);
  ck_assert_int_eq (mkdir (x, 0755), 0);

  /* /tmp is sticky and the test's directory root's: nobody else can swap it */
  p = resolve_ok (dir, NULL, 0);
  ck_assert (!p.replaceable);
  ck_assert (!p.root_only);
  hs_hostpath_release (&p);
  p = resolve_ok ("user/x", dir, 0);
  ck_assert (p.replaceable); /* uid 1000 owns the directory above */
  hs_hostpath_release (&p);
  p = resolve_ok ("open/x", dir, 0);
  ck_assert (p.replaceable); /* anyone may rename it */
  hs_hostpath_release (&p);
  p = resolve_ok ("sticky/x", dir, 0);
  ck_assert (!p.replaceable); /* sticky, and root's */
  hs_hostpath_release (&p);
  p = resolve_ok ("open/new", dir, 0);
  ck_assert (p.replaceable); /* anyone may create it */
  hs_hostpath_release (&p);
  p = resolve_ok ("locked/x", dir, 0);
  ck_assert (p.root_only);
  ck_assert (!p.replaceable);
  hs_hostpath_release (&p);
  p = resolve_ok ("locked", dir, 0); /* itself: its own mode does not count */
  ck_assert (!p.root_only);
  hs_hostpath_release (&p);
  ck_assert_int_eq (chmod (locked, 0711), 0);
  p = resolve_ok ("locked/x", dir, 0);
  ck_assert (!p.root_only); /* others may pass */
  hs_hostpath_release (&p);
  ck_assert_int_eq (chmod (locked, 0710), 0);
  p = resolve_ok ("locked/x", dir, 0);
  ck_assert (p.root_only); /* its group is root's */
  hs_hostpath_release (&p);
  ck_assert_int_eq (chown (locked, 0, 1000), 0);
  p = resolve_ok ("locked/x", dir, 0);
  ck_assert (!p.root_only); /* group 1000 may pass */
  hs_hostpath_release (&p);
  {
    /* an ACL naming user 1000 with search (version 2; USER_OBJ, USER,
     * GROUP_OBJ, MASK, OTHER): the mode alone would say root only */
    static const uint32_t acl[]
        = { 2,          1 | (7u << 16),    UINT32_MAX, 2 | (1u << 16), 1000,      4,
            UINT32_MAX, 0x10 | (1u << 16), UINT32_MAX, 0x20,           UINT32_MAX };
    ck_assert_int_eq (chown (locked, 0, 0), 0);
    ck_assert_int_eq (chmod (locked, 0700), 0);
    if (setxattr (locked, "system.posix_acl_access", acl, sizeof (acl), 0) == 0)
      {
        p = resolve_ok ("locked/x", dir, 0);
        ck_assert (!p.root_only);
        hs_hostpath_release (&p);
      }
    else
      ck_assert_msg (errno == ENOTSUP || errno == EOPNOTSUPP, "setxattr: %s", strerror (errno));
  }
  test_rm_rf (dir);
}
END_TEST

START_TEST (test_symlink_others_control)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *user = hs_xasprintf ("%s/user", dir), *real = hs_xasprintf ("%s/real", dir);
  cleanup_free char *ulink = hs_xasprintf ("%s/user/link", dir),
                    *rlink = hs_xasprintf ("%s/rlink", dir);
  hs_hostpath_t p;

  ck_assert_int_eq (chmod (dir, 0755), 0);
  ck_assert_int_eq (mkdir (user, 0755), 0);
  ck_assert_int_eq (chown (user, 1000, 1000), 0);
  ck_assert_int_eq (mkdir (real, 0755), 0);
  ck_assert_int_eq (symlink (real, ulink), 0);
  ck_assert_int_eq (symlink (real, rlink), 0);
  /* a symlink in uid 1000's directory: they choose where it leads, though
   * the target's own path is root's */
  p = resolve_ok (ulink, NULL, 0);
  ck_assert_str_eq (p.path, real);
  ck_assert (p.redirectable);
  ck_assert (p.replaceable);
  hs_hostpath_release (&p);
  /* root's symlink in root's directory */
  p = resolve_ok (rlink, NULL, 0);
  ck_assert_str_eq (p.path, real);
  ck_assert (!p.redirectable);
  ck_assert (!p.replaceable);
  hs_hostpath_release (&p);
  /* a symlink uid 1000 owns in root's sticky directory: theirs to re-point */
  ck_assert_int_eq (chmod (dir, 01777), 0);
  ck_assert_int_eq (lchown (rlink, 1000, 1000), 0);
  p = resolve_ok (rlink, NULL, 0);
  ck_assert (p.redirectable);
  hs_hostpath_release (&p);
  ck_assert_int_eq (chmod (dir, 0755), 0);
  /* the directory itself in uid 1000's directory: replaceable, but no
   * symlink leads anywhere */
  p = resolve_ok ("user", dir, 0);
  ck_assert (!p.redirectable);
  hs_hostpath_release (&p);
  test_rm_rf (dir);
}
END_TEST

START_TEST (test_keep_fd)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *a = hs_xasprintf ("%s/a", dir), *b = hs_xasprintf ("%s/b", dir);
  cleanup_free char *moved = hs_xasprintf ("%s/moved", dir);
  struct stat st;
  hs_hostpath_t p;

  ck_assert_int_eq (mkdir (a, 0755), 0);
  ck_assert_int_eq (mkdir (b, 0755), 0);
  p = resolve_ok (a, NULL, 0);
  ck_assert_int_eq (p.fd, -1); /* only when asked */
  hs_hostpath_release (&p);
  p = resolve_ok (a, NULL, HS_HOSTPATH_KEEP_FD);
  ck_assert_int_ge (p.fd, 0);
  /* the descriptor holds the object judged, whatever its name becomes */
  ck_assert_int_eq (rename (a, moved), 0);
  ck_assert_int_eq (rename (b, a), 0);
  ck_assert_int_eq (fstat (p.fd, &st), 0);
  ck_assert_uint_eq (st.st_ino, p.st.st_ino);
  ck_assert_uint_eq (st.st_dev, p.st.st_dev);
  ck_assert_int_eq (stat (a, &st), 0);
  ck_assert_uint_ne (st.st_ino, p.st.st_ino);
  hs_hostpath_release (&p);
  ck_assert_int_eq (p.fd, -1);
  /* nothing there: nothing to hold */
  p = resolve_ok ("nope/x", dir, HS_HOSTPATH_KEEP_FD);
  ck_assert_int_eq (p.fd, -1);
  hs_hostpath_release (&p);
  test_rm_rf (dir);
}
END_TEST

START_TEST (test_names_through_mounts)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *vol = hs_xasprintf ("%s/vol", dir), *root = hs_xasprintf ("%s/root", dir);
  cleanup_free char *plain = hs_xasprintf ("%s/plain", dir),
                    *sub = hs_xasprintf ("%s/plain/sub", dir);
  cleanup_free char *sock = hs_xasprintf ("%s/plain/x", dir);
  cleanup_free char *n1 = NULL, *n2 = NULL, *n3 = NULL, *n4 = NULL, *n5 = NULL, *n6 = NULL;
  cleanup_free char *missing = hs_xasprintf ("%s/vol/not-there", dir);

  ck_assert_int_eq (mkdir (vol, 0755), 0);
  ck_assert_int_eq (mkdir (root, 0755), 0);
  ck_assert_int_eq (mkdir (plain, 0755), 0);
  ck_assert_int_eq (mkdir (sub, 0755), 0);
  ck_assert_int_eq (mkdir (sock, 0755), 0);
  /* a Docker local volume with o=bind,device=/etc, one with device=/ */
  ck_assert_int_eq (mount ("/etc", vol, NULL, MS_BIND, NULL), 0);
  ck_assert_int_eq (mount ("/", root, NULL, MS_BIND, NULL), 0);
  ck_assert_int_eq (mount ("/etc", sub, NULL, MS_BIND, NULL), 0);

  n1 = names (vol, false);
  ck_assert_msg (has_line (n1, vol) && has_line (n1, "/etc"), "%s", n1);
  n2 = names (root, false);
  ck_assert_msg (has_line (n2, "/"), "%s", n2);
  n3 = hs_xasprintf ("%s/passwd", vol);
  n4 = names (n3, false);
  ck_assert_msg (has_line (n4, "/etc/passwd"), "%s", n4);
  n5 = names (missing, false);
  ck_assert_msg (has_line (n5, "/etc/not-there"), "%s", n5);
  /* an rbind of plain brings the bind of /etc/ssh below it */
  n6 = names (plain, true);
  ck_assert_msg (has_line (n6, plain), "%s", n6);
  ck_assert_msg (strstr (n6, "\n/etc!\n") != NULL, "%s", n6);
  free (n6);
  n6 = names (plain, false); /* a plain bind does not */
  ck_assert_msg (strstr (n6, "/etc") == NULL, "%s", n6);
  free (n6);
  /* a plain directory: its own name, and the one through the bind of / */
  n6 = names (sock, false);
  ck_assert_msg (has_line (n6, sock) && strstr (n6, "/etc") == NULL, "%s", n6);

  ck_assert_int_eq (umount2 (sub, MNT_DETACH), 0);
  ck_assert_int_eq (umount2 (vol, MNT_DETACH), 0);
  ck_assert_int_eq (umount2 (root, MNT_DETACH), 0);
  test_rm_rf (dir);
}
END_TEST

static Suite *
hostpath_suite (void)
{
  Suite *s = suite_create ("hostpath");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_mountinfo_parse);
  tcase_add_test (tc, test_mountinfo_bad);
  tcase_add_test (tc, test_mountinfo_load_finds_own_root);
  tcase_add_test (tc, test_resolve_symlinks);
  tcase_add_test (tc, test_resolve_missing_tail);
  tcase_add_test (tc, test_who_controls_the_path);
  tcase_add_test (tc, test_symlink_others_control);
  tcase_add_test (tc, test_keep_fd);
  tcase_add_test (tc, test_names_through_mounts);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (hostpath_suite ())

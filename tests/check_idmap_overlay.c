/* An idmapped copy of an engine's overlay rootfs: which overlays hardshim
 * rebuilds from their superblock options (and which it leaves alone, with
 * the reason), the idmap's mapping, and the mount itself (layers idmapped,
 * writes in the upper layer with the image's ids, nothing left on failure). */
#include "testfs.h"

#include "cleanup.h"
#include "idmap.h"
#include "idmap_overlay.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

/* superblock options -> the parse: "lower=A|B upper=U keep=K", or "!" and
 * a part of the error */
static const struct
{
  const char *super, *want;
} parse_rows[] = {
  /* podman 4.3 (containers-storage) and Docker 20.10 (overlay2) */
  { "rw,lowerdir=/s/l/AB:/s/l/CD,upperdir=/s/c1/diff,workdir=/s/c1/work",
    "lower=/s/l/AB|/s/l/CD upper=/s/c1/diff keep=" },
  { "rw,lowerdir=/d/o2/l/X,upperdir=/d/o2/c/diff,workdir=/d/o2/c/work,index=off",
    "lower=/d/o2/l/X upper=/d/o2/c/diff keep=" },
  { "ro,lowerdir=/a,upperdir=/u/diff,workdir=/u/work,redirect_dir=on,metacopy=on,xino=off,"
    "nfs_export=off,volatile",
    "lower=/a upper=/u/diff keep=redirect_dir=on,metacopy=on,xino=off" },
  { "rw,lowerdir=/a,upperdir=/u/diff,workdir=/u/work,userxattr,uuid=null",
    "lower=/a upper=/u/diff keep=userxattr,uuid=null" },
  /* left alone */
  { "rw,lowerdir=/a:/b", "!no upper layer" },
  { "rw,upperdir=/u/diff,workdir=/u/work", "!no lower layer" },
  { "rw,lowerdir=l/AB:l/CD,upperdir=/u/diff,workdir=/u/work", "!`l/AB` is a relative path" },
  { "rw,lowerdir=/a,upperdir=diff,workdir=work", "!upper layer `diff` is a relative path" },
  { "rw,lowerdir=/a::/data,upperdir=/u/diff,workdir=/u/work", "!data-only" },
  { "rw,lowerdir=,upperdir=/u/diff,workdir=/u/work", "!empty lower" },
  { "rw,lowerdir=/a\\:b,upperdir=/u/diff,workdir=/u/work", "!escaped" },
  { "rw,lowerdir=/a,lowerdir=/b,upperdir=/u/diff,workdir=/u/work", "!lowerdir twice" },
  { "rw,lowerdir=/a,upperdir=/u/diff,upperdir=/v/diff,workdir=/u/work", "!upperdir twice" },
  { "rw,lowerdir=/a,upperdir=/u/diff,workdir=/u/work,default_permissions",
    "!option `default_permissions` is not known" },
  { "rw,lowerdir=/a,upperdir=/u/diff,workdir=/u/work,redirect_dirx=on", "!`redirect_dirx=on`" },
  { "", "!no lower layer" },
};

static char *
parse_text (const char *super)
{
  hs_overlay_opts_t o;
  hs_error_t err = NULL;
  char *out;

  if (hs_overlay_opts_parse (super, &o, &err) < 0)
    {
      out = hs_xasprintf ("!%s", err->msg);
      hs_error_release (&err);
      return out;
    }
  out = hs_xstrdup ("lower=");
  for (size_t i = 0; i < o.n_lower; i++)
    {
      char *n = hs_xasprintf ("%s%s%s", out, i ? "|" : "", o.lower[i]);
      free (out);
      out = n;
    }
  {
    char *n = hs_xasprintf ("%s upper=%s keep=%s", out, o.upper, o.keep);
    free (out);
    out = n;
  }
  hs_overlay_opts_release (&o);
  return out;
}

START_TEST (test_parse_rows)
{
  for (size_t i = 0; i < sizeof (parse_rows) / sizeof (parse_rows[0]); i++)
    {
      cleanup_free char *got = parse_text (parse_rows[i].super);
      const char *want = parse_rows[i].want;

      if (want[0] == '!')
        ck_assert_msg (got[0] == '!' && strstr (got, want + 1) != NULL,
                       "row %zu `%s`: got `%s`, want an error with `%s`", i, parse_rows[i].super,
                       got, want + 1);
      else
        ck_assert_msg (strcmp (got, want) == 0, "row %zu `%s`: got `%s`, want `%s`", i,
                       parse_rows[i].super, got, want);
    }
}
END_TEST

START_TEST (test_map)
{
  cleanup_free char *m = hs_idmap_overlay_map (2147549184ULL, 65536);
  ck_assert_str_eq (m, "0 2147549184 65536\n65536 0 1\n");
}
END_TEST

/* The real mount (root, Linux 5.19): a layer with a root-owned and a
 * uid-100 file, an upper layer in a 0700 store. */
START_TEST (test_mount)
{
  cleanup_free char *dir = NULL, *store = NULL, *mnt = NULL, *p = NULL, *super = NULL;
  cleanup_free char *map = hs_idmap_overlay_map (300000, 65536);
  hs_overlay_opts_t o;
  hs_error_t err = NULL;
  struct stat st;
  int fd;

  if (geteuid () != 0 || !hs_idmap_overlay_kernel_supported () || unshare (CLONE_NEWNS) < 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    {
      fprintf (stderr, "# skipped: needs root and Linux 5.19\n");
      return;
    }
  dir = test_tmpdir ();
  ck_assert_int_eq (chmod (dir, 0755), 0);
  store = hs_xasprintf ("%s/store", dir);
  mnt = hs_xasprintf ("%s/mnt", dir);
  ck_assert_int_eq (mkdir (store, 0700), 0);
  ck_assert_int_eq (mkdir (mnt, 0710), 0);
  /* as hs_idmap_prepare_dir: the container's host gid may enter */
  ck_assert_int_eq (chown (mnt, 0, 300000), 0);
  p = hs_xasprintf ("%s/lower", store);
  ck_assert_int_eq (mkdir (p, 0755), 0);
  free (p);
  p = hs_xasprintf ("%s/lower/app", store);
  ck_assert_int_eq (mkdir (p, 0750), 0);
  ck_assert_int_eq (chown (p, 100, 100), 0);
  free (p);
  p = hs_xasprintf ("%s/c", store);
  ck_assert_int_eq (mkdir (p, 0700), 0);
  free (p);
  p = hs_xasprintf ("%s/c/diff", store);
  ck_assert_int_eq (mkdir (p, 0755), 0);
  super = hs_xasprintf ("rw,lowerdir=%s/lower,upperdir=%s/c/diff,workdir=%s/c/work", store, store,
                        store);
  ck_assert_int_eq (hs_overlay_opts_parse (super, &o, &err), 0);
  fd = hs_idmap_userns_fd (map, map, &err);
  ck_assert_int_ge (fd, 0);
  if (hs_idmap_overlay (&o, mnt, fd, &err) < 0)
    ck_abort_msg ("hs_idmap_overlay: %s", err->msg);
  close (fd);
  /* the lower layer's clone is read-only: nothing below the state
   * directory writes the image */
  free (p);
  p = hs_xasprintf ("%s/l0", mnt);
  {
    struct statvfs sv;
    ck_assert_int_eq (statvfs (p, &sv), 0);
    ck_assert_msg (sv.f_flag & ST_RDONLY, "%s is writable", p);
  }
  /* from the host: the image's ids shifted into the container's block */
  free (p);
  p = hs_xasprintf ("%s/rootfs/app", mnt);
  ck_assert_int_eq (stat (p, &st), 0);
  ck_assert_uint_eq (st.st_uid, 300100);
  free (p);
  p = hs_xasprintf ("%s/rootfs", mnt);
  ck_assert_int_eq (stat (p, &st), 0);
  ck_assert_uint_eq (st.st_uid, 300000);
  /* a write as the container's root (host 300000) lands as 0 in the upper layer */
  free (p);
  p = hs_xasprintf ("%s/rootfs/new", mnt);
  ck_assert_int_eq (setresgid (-1, 300000, -1), 0);
  ck_assert_int_eq (setresuid (-1, 300000, -1), 0);
  fd = open (p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  ck_assert_int_eq (setresuid (-1, 0, -1), 0);
  ck_assert_int_eq (setresgid (-1, 0, -1), 0);
  ck_assert_int_ge (fd, 0);
  close (fd);
  free (p);
  p = hs_xasprintf ("%s/c/diff/new", store);
  ck_assert_int_eq (stat (p, &st), 0);
  ck_assert_uint_eq (st.st_uid, 0);
  hs_overlay_opts_release (&o);
  ck_assert_int_eq (hs_idmap_remove_dir (mnt, &err), 0);

  /* a lower layer others can reach (a host tree): refused, nothing mounted */
  {
    cleanup_free char *open_lower = hs_xasprintf ("%s/open", dir);
    cleanup_free char *s2
        = hs_xasprintf ("rw,lowerdir=%s:%s/lower,upperdir=%s/c/diff,workdir=%s/c/work", open_lower,
                        store, store, store);
    ck_assert_int_eq (mkdir (open_lower, 0755), 0);
    ck_assert_int_eq (mkdir (mnt, 0710), 0);
    ck_assert_int_eq (hs_overlay_opts_parse (s2, &o, &err), 0);
    fd = hs_idmap_userns_fd (map, map, &err);
    ck_assert_int_lt (hs_idmap_overlay (&o, mnt, fd, &err), 0);
    ck_assert_msg (strstr (err->msg, "lower layer") != NULL
                       && strstr (err->msg, "reachable or replaceable") != NULL,
                   "%s", err->msg);
    hs_error_release (&err);
    close (fd);
    free (p);
    p = hs_xasprintf ("%s/l0", mnt);
    ck_assert_int_ne (access (p, F_OK), 0);
    hs_overlay_opts_release (&o);
    ck_assert_int_eq (hs_idmap_remove_dir (mnt, &err), 0);
  }

  /* a store others can enter: refused, nothing mounted */
  ck_assert_int_eq (chmod (store, 0711), 0);
  ck_assert_int_eq (mkdir (mnt, 0710), 0);
  ck_assert_int_eq (hs_overlay_opts_parse (super, &o, &err), 0);
  fd = hs_idmap_userns_fd (map, map, &err);
  ck_assert_int_lt (hs_idmap_overlay (&o, mnt, fd, &err), 0);
  ck_assert_msg (strstr (err->msg, "reachable or replaceable") != NULL, "%s", err->msg);
  hs_error_release (&err);
  close (fd);
  free (p);
  p = hs_xasprintf ("%s/rootfs", mnt);
  ck_assert_int_ne (access (p, F_OK), 0);
  hs_overlay_opts_release (&o);
  test_rm_rf (dir);
}
END_TEST

static Suite *
idmap_overlay_suite (void)
{
  Suite *s = suite_create ("idmap_overlay");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_parse_rows);
  tcase_add_test (tc, test_map);
  tcase_add_test (tc, test_mount);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (idmap_overlay_suite ())

/* Package databases and os-release read from a hostile root filesystem. */
#include "gate_testutil.h"

#include "pkgdb.h"
#include "rootfs.h"

#include <sys/stat.h>

static hs_pkgdb_t
read_db (const char *dir, bool nofollow)
{
  hs_rootfs_t root;
  hs_pkgdb_t db = { 0 };
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_rootfs_open (dir, &root, &err), 0);
  root.nofollow = nofollow;
  if (hs_pkgdb_read (&root, &db, &err) < 0 || hs_pkgdb_parse (&db, &err) < 0)
    ck_abort_msg ("%s: %s", dir, err->msg);
  hs_rootfs_close (&root);
  return db;
}

/* The error reading dir, or NULL. */
static char *
read_error (const char *dir, bool nofollow)
{
  hs_rootfs_t root;
  hs_pkgdb_t db = { 0 };
  hs_error_t err = NULL;
  char *msg = NULL;

  ck_assert_int_eq (hs_rootfs_open (dir, &root, &err), 0);
  root.nofollow = nofollow;
  if (hs_pkgdb_read (&root, &db, &err) < 0 || hs_pkgdb_parse (&db, &err) < 0)
    msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  hs_pkgdb_clear (&db);
  hs_rootfs_close (&root);
  return msg;
}

static const hs_package_t *
find (const hs_pkglist_t *l, const char *name)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp (l->v[i].name, name) == 0)
      return &l->v[i];
  return NULL;
}

static void
assert_pkg (const hs_pkglist_t *l, const char *name, const char *source, const char *version)
{
  const hs_package_t *p = find (l, name);

  ck_assert_msg (p != NULL, "no package %s", name);
  ck_assert_str_eq (p->source, source);
  ck_assert_str_eq (p->version, version);
}

START_TEST (test_debian)
{
  char *dir = test_debian_rootfs ();
  hs_pkgdb_t db = read_db (dir, false);

  ck_assert_str_eq (db.os.id, "debian");
  ck_assert_str_eq (db.os.version_id, "12");
  ck_assert_str_eq (db.os_release.rel, "etc/os-release");
  ck_assert (hs_pkgdb_has_dpkg (&db));
  ck_assert (!hs_pkgdb_has_apk (&db));
  ck_assert_uint_eq (db.dpkg.n, 5); /* config-files and not-installed skipped */
  assert_pkg (&db.dpkg, "libc6", "glibc", "2.36-9+deb12u2");
  assert_pkg (&db.dpkg, "libssl3", "openssl", "3.0.11-1~deb12u2");
  assert_pkg (&db.dpkg, "zlib1g", "zlib", "1:1.2.13.dfsg-1");
  assert_pkg (&db.dpkg, "base-files", "base-files", "12.4+deb12u5");
  /* a binNMU: the source's version is in parentheses */
  assert_pkg (&db.dpkg, "libgnutls30", "gnutls28", "3.7.9-2+deb12u3");
  ck_assert (find (&db.dpkg, "exim4-config") == NULL);
  ck_assert (find (&db.dpkg, "telnet") == NULL);
  ck_assert_str_eq (find (&db.dpkg, "libc6")->arch, "amd64");
  hs_pkgdb_clear (&db);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

START_TEST (test_os_release_fallback_without_openat2)
{
  /* Refusing every link, os-release is read from usr/lib (os-release(5)'s
   * fallback) instead of through Debian's etc/os-release link. */
  char *dir = test_debian_rootfs ();
  hs_pkgdb_t db = read_db (dir, true);
  char *msg;

  ck_assert_str_eq (db.os_release.rel, "usr/lib/os-release");
  ck_assert_str_eq (db.os.version_id, "12");
  hs_pkgdb_clear (&db);
  /* and a link on the way to the database is refused, not followed */
  test_sh ("cd '%s' && mv var/lib/dpkg var/lib/dpkg.real && ln -s dpkg.real var/lib/dpkg", dir);
  msg = read_error (dir, true);
  ck_assert_ptr_nonnull (msg);
  ck_assert_msg (strstr (msg, "symbolic link") != NULL, "%s", msg);
  free (msg);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

START_TEST (test_alpine)
{
  char *dir = test_alpine_rootfs ();
  hs_pkgdb_t db = read_db (dir, false);
  hs_pkgver_scheme_t scheme;
  char *eco = hs_os_release_ecosystem (&db.os, &scheme);

  ck_assert_str_eq (eco, "Alpine:v3.18");
  ck_assert_int_eq (scheme, HS_PKGVER_APK);
  ck_assert_uint_eq (db.apk.n, 7);
  assert_pkg (&db.apk, "libcrypto3", "openssl", "3.1.3-r0");
  assert_pkg (&db.apk, "libssl3", "openssl", "3.1.3-r0");
  assert_pkg (&db.apk, "ssl_client", "busybox", "1.36.1-r5");
  assert_pkg (&db.apk, "musl", "musl", "1.2.4-r2");
  ck_assert_str_eq (find (&db.apk, "musl")->arch, "x86_64");
  free (eco);
  hs_pkgdb_clear (&db);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

START_TEST (test_distroless)
{
  char *dir = test_distroless_rootfs ();
  hs_pkgdb_t db = read_db (dir, false);

  ck_assert (db.dpkg_status.buf == NULL);
  ck_assert_uint_eq (db.n_statusd, 3); /* libssl3.md5sums skipped */
  ck_assert_uint_eq (db.dpkg.n, 3);
  assert_pkg (&db.dpkg, "libssl3", "openssl", "3.0.11-1~deb12u2");
  assert_pkg (&db.dpkg, "libc6", "glibc", "2.36-9+deb12u2");
  assert_pkg (&db.dpkg, "base-files", "base-files", "12.4+deb12u5");
  hs_pkgdb_clear (&db);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

START_TEST (test_both_databases)
{
  char *dir = test_debian_rootfs ();
  hs_pkgdb_t db;

  test_sh ("cd '%s' && mkdir -p lib/apk/db && cp '%s/apk-installed.alpine318' "
           "lib/apk/db/installed",
           dir, GATE_DATA);
  db = read_db (dir, false);
  ck_assert (hs_pkgdb_has_dpkg (&db) && hs_pkgdb_has_apk (&db));
  ck_assert_uint_eq (db.dpkg.n, 5);
  ck_assert_uint_eq (db.apk.n, 7);
  hs_pkgdb_clear (&db);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

START_TEST (test_nothing)
{
  char *dir = test_tmpdir ();
  hs_pkgdb_t db = read_db (dir, false);

  ck_assert (db.os_release.buf == NULL);
  ck_assert (!hs_pkgdb_has_dpkg (&db) && !hs_pkgdb_has_apk (&db));
  hs_pkgdb_clear (&db);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

START_TEST (test_symlink_stays_in_root)
{
  /* An absolute link, or one climbing out with "..", resolves inside the
   * rootfs: it reads the image's file, never the host's. */
  char *dir = test_debian_rootfs ();
  char *host = test_tmpdir ();
  hs_pkgdb_t db;

  test_sh (
      "cd '%s' && printf 'Package: evil\\nVersion: 1\\n' > status && mv '%s/var/lib/dpkg/status' "
      "'%s/status.real' && ln -s '%s/status' '%s/var/lib/dpkg/status'",
      host, dir, dir, host, dir);
  /* the host path does not exist inside the rootfs: absent */
  db = read_db (dir, false);
  ck_assert (db.dpkg_status.buf == NULL);
  hs_pkgdb_clear (&db);
  test_sh ("cd '%s' && rm var/lib/dpkg/status && ln -s ../../../../../../../../status.real "
           "var/lib/dpkg/status",
           dir);
  db = read_db (dir, false);
  ck_assert_uint_eq (db.dpkg.n, 5); /* /status.real of the rootfs */
  hs_pkgdb_clear (&db);
  test_rm_rf (dir);
  test_rm_rf (host);
  free (dir);
  free (host);
}
END_TEST

static void
assert_refused (const char *dir, const char *what)
{
  char *msg = read_error (dir, false);

  ck_assert_msg (msg != NULL, "accepted: %s", what);
  ck_assert_msg (strstr (msg, what) != NULL, "`%s` not in: %s", what, msg);
  free (msg);
}

START_TEST (test_not_regular_or_too_big)
{
  char *dir = test_debian_rootfs ();

  test_sh ("cd '%s' && rm var/lib/dpkg/status && mkfifo var/lib/dpkg/status", dir);
  assert_refused (dir, "not a regular file"); /* and did not hang */
  test_sh ("cd '%s' && rm var/lib/dpkg/status && mkdir var/lib/dpkg/status", dir);
  assert_refused (dir, "not a regular file");
  test_sh ("cd '%s' && rmdir var/lib/dpkg/status && ln -s /dev/zero var/lib/dpkg/status && "
           "mkdir -p dev && mknod dev/zero c 1 5",
           dir);
  assert_refused (dir, "not a regular file");
  test_sh ("cd '%s' && rm var/lib/dpkg/status && truncate -s %u var/lib/dpkg/status", dir,
           HS_PKGDB_MAX_FILE + 1);
  assert_refused (dir, "over the limit");
  test_sh ("cd '%s' && rm var/lib/dpkg/status && truncate -s %u usr/lib/os-release", dir,
           HS_OS_RELEASE_MAX + 1);
  assert_refused (dir, "over the limit");
  test_rm_rf (dir);
  free (dir);
}
END_TEST

static char *
dpkg_error (const char *text)
{
  hs_pkglist_t l = { 0 };
  hs_error_t err = NULL;
  char *msg = NULL;

  if (hs_dpkg_status_parse (text, strlen (text), "status", &l, &err) < 0)
    msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  hs_pkglist_clear (&l);
  return msg;
}

static char *
apk_error (const char *text)
{
  hs_pkglist_t l = { 0 };
  hs_error_t err = NULL;
  char *msg = NULL;

  if (hs_apk_installed_parse (text, strlen (text), "installed", &l, &err) < 0)
    msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  hs_pkglist_clear (&l);
  return msg;
}

static void
assert_dpkg_refused (const char *text, const char *what)
{
  char *msg = dpkg_error (text);

  ck_assert_msg (msg != NULL && strstr (msg, what) != NULL, "%.60s -> %s", text,
                 msg ? msg : "accepted");
  free (msg);
}

START_TEST (test_dpkg_malformed)
{
  char *huge = hs_xmalloc (HS_PKGDB_MAX_STANZA + 64);
  char *longname = hs_xmalloc (400);
  char *msg;

  assert_dpkg_refused ("Package: a\nVersion: 1\nVersion: 2\n", "duplicate `Version`");
  assert_dpkg_refused ("Package: a\nversion: 1\nVERSION: 2\n", "duplicate `Version`");
  assert_dpkg_refused ("Version: 1\n", "without a Package");
  assert_dpkg_refused ("Package: a\nStatus: install ok installed\n", "no Version");
  assert_dpkg_refused ("Package: a\nVersion: 1\n continued\n", "several lines");
  assert_dpkg_refused (" Package: a\n", "continuation");
  assert_dpkg_refused ("Package a\n", "not a `Field: value`");
  assert_dpkg_refused ("Package: a\nVersion: 1\nSource: b (1\n", "malformed Source");
  assert_dpkg_refused ("Package: a\nVersion: 1\nSource: b c (1)\n", "malformed Source");
  assert_dpkg_refused ("Package: a\nVersion:\n", "empty `Version`");
  assert_dpkg_refused ("Package: a\nVersion: 1\x01\n", "control character");
  memset (longname, 'a', 399);
  memcpy (longname, "Package: ", 9);
  longname[399] = '\0';
  assert_dpkg_refused (longname, "over the limit");
  memcpy (huge, "Package: a\nVersion: 1\nDescription: x\n", 37);
  memset (huge + 37, ' ', HS_PKGDB_MAX_STANZA + 20);
  for (size_t i = 136; i < HS_PKGDB_MAX_STANZA + 50; i += 100)
    huge[i] = '\n';
  huge[HS_PKGDB_MAX_STANZA + 57] = 'x';
  huge[HS_PKGDB_MAX_STANZA + 58] = '\0';
  assert_dpkg_refused (huge, "stanza over");
  ck_assert_ptr_nonnull ((msg = dpkg_error ("Package: a\0\nVersion: 1\n")) == NULL ? NULL : msg);
  free (msg);
  /* whitespace-only lines, CRLF and a missing final newline are fine */
  ck_assert_ptr_null (dpkg_error ("\n \nPackage: a\r\nVersion: 1\r\nDescription: x\n \n .\n\n\n"
                                  "Package: b\nVersion: 2"));
  free (huge);
  free (longname);
}
END_TEST

START_TEST (test_apk_malformed)
{
  static const struct
  {
    const char *text, *what;
  } bad[] = {
    { "P:a\nV:1\nV:2\n", "duplicate `V:`" },
    { "P:a\n", "without V:" },
    { "V:1\n", "without P:" },
    { "P:a\nV:1\nxx\n", "not an `X:value`" },
    { "P:a\nV:1 2\n", "space or control" },
    { "P:\nV:1\n", "empty" },
  };
  char *msg;

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      msg = apk_error (bad[i].text);
      ck_assert_msg (msg != NULL && strstr (msg, bad[i].what) != NULL, "%s -> %s", bad[i].text,
                     msg ? msg : "accepted");
      free (msg);
    }
  ck_assert_ptr_null (apk_error ("P:a\nV:1\n\n\nP:b\nV:2"));
}
END_TEST

START_TEST (test_os_release)
{
  static const struct
  {
    const char *text, *eco;
  } cases[] = {
    { "ID=debian\nVERSION_ID=\"12\"\n", "Debian:12" },
    { "ID='debian'\nVERSION_ID=11\n", "Debian:11" },
    { "# comment\n  ID=debian\nVERSION_ID=\"12\"\r\n", "Debian:12" },
    { "ID=debian\n", NULL },                  /* sid: no VERSION_ID */
    { "ID=debian\nVERSION_ID=12.5\n", NULL }, /* not how Debian spells it */
    { "ID=alpine\nVERSION_ID=3.18.4\n", "Alpine:v3.18" },
    { "ID=alpine\nVERSION_ID=3.18\n", "Alpine:v3.18" },
    { "ID=alpine\nVERSION_ID=3.19_alpha20230901\n", NULL }, /* edge */
    { "ID=ubuntu\nVERSION_ID=\"22.04\"\n", NULL },
    { "VERSION_ID=12\n", NULL }, /* ID defaults to linux */
    { "ID=debian\nVERSION_ID=12\nID=alpine\nVERSION_ID=3.17.1\n", "Alpine:v3.17" },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      hs_os_release_t o;
      hs_error_t err = NULL;
      hs_pkgver_scheme_t scheme;
      char *eco;

      ck_assert_int_eq (hs_os_release_parse (cases[i].text, strlen (cases[i].text), &o, &err), 0);
      eco = hs_os_release_ecosystem (&o, &scheme);
      if (cases[i].eco == NULL)
        ck_assert_msg (eco == NULL, "%s -> %s", cases[i].text, eco);
      else
        ck_assert_msg (eco && strcmp (eco, cases[i].eco) == 0, "%s -> %s", cases[i].text,
                       eco ? eco : "(none)");
      free (eco);
      hs_os_release_clear (&o);
    }
}
END_TEST

START_TEST (test_digest)
{
  char *dir = test_debian_rootfs ();
  hs_pkgdb_t a = read_db (dir, false), b;

  test_sh ("cd '%s' && sed -i 's/2.36-9+deb12u2/2.36-9+deb12u3/' var/lib/dpkg/status", dir);
  b = read_db (dir, false);
  ck_assert_str_ne (a.digest, b.digest);
  hs_pkgdb_clear (&b);
  test_sh ("cd '%s' && sed -i 's/2.36-9+deb12u3/2.36-9+deb12u2/' var/lib/dpkg/status", dir);
  b = read_db (dir, false);
  ck_assert_str_eq (a.digest, b.digest);
  hs_pkgdb_clear (&a);
  hs_pkgdb_clear (&b);
  test_rm_rf (dir);
  free (dir);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("pkgdb");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_debian);
  tcase_add_test (tc, test_os_release_fallback_without_openat2);
  tcase_add_test (tc, test_alpine);
  tcase_add_test (tc, test_distroless);
  tcase_add_test (tc, test_both_databases);
  tcase_add_test (tc, test_nothing);
  tcase_add_test (tc, test_symlink_stays_in_root);
  tcase_add_test (tc, test_not_regular_or_too_big);
  tcase_add_test (tc, test_dpkg_malformed);
  tcase_add_test (tc, test_apk_malformed);
  tcase_add_test (tc, test_os_release);
  tcase_add_test (tc, test_digest);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())

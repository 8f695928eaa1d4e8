#include "pkgdb.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STATUSD "var/lib/dpkg/status.d"

void
hs_pkglist_clear (hs_pkglist_t *l)
{
  for (size_t i = 0; i < l->n; i++)
    {
      free (l->v[i].name);
      free (l->v[i].source);
      free (l->v[i].version);
      free (l->v[i].arch);
    }
  free (l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

static void
dbfile_clear (hs_dbfile_t *f)
{
  free (f->rel);
  free (f->buf);
  memset (f, 0, sizeof *f);
}

void
hs_pkgdb_clear (hs_pkgdb_t *db)
{
  dbfile_clear (&db->os_release);
  dbfile_clear (&db->dpkg_status);
  for (size_t i = 0; i < db->n_statusd; i++)
    dbfile_clear (&db->statusd[i]);
  free (db->statusd);
  dbfile_clear (&db->apk_installed);
  hs_os_release_clear (&db->os);
  hs_pkglist_clear (&db->dpkg);
  hs_pkglist_clear (&db->apk);
  memset (db, 0, sizeof *db);
}

static int
read_one (const hs_rootfs_t *root, const char *rel, size_t max, hs_dbfile_t *f, hs_error_t *err)
{
  int r = hs_rootfs_read (root, rel, max, &f->buf, &f->len, err);

  if (r < 0)
    return r;
  if (r == HS_ROOTFS_ABSENT)
    return HS_ROOTFS_ABSENT;
  f->rel = hs_xstrdup (rel);
  return 0;
}

/* Files dpkg itself ignores in status.d: distroless ships <pkg>.md5sums
 * beside <pkg>; dot files are editors' and tools' leftovers. */
static bool
statusd_entry (const char *name)
{
  size_t n = strlen (name);

  return name[0] != '.' && !(n > 8 && strcmp (name + n - 8, ".md5sums") == 0);
}

static void
digest_file (hs_sha256_t *c, const hs_dbfile_t *f)
{
  uint64_t len = f->len;

  if (f->buf == NULL)
    return;
  hs_sha256_update (c, f->rel, strlen (f->rel) + 1);
  hs_sha256_update (c, &len, sizeof len);
  hs_sha256_update (c, f->buf, f->len);
}

int
hs_pkgdb_read (const hs_rootfs_t *root, hs_pkgdb_t *ret, hs_error_t *err)
{
  cleanup_pkgdb hs_pkgdb_t db = { 0 };
  char **names = NULL;
  size_t total = 0;
  hs_sha256_t c;
  uint8_t sum[32];
  int r;

  r = read_one (root, "etc/os-release", HS_OS_RELEASE_MAX, &db.os_release, err);
  /* os-release(5): fall back to usr/lib; also when etc/os-release is the
   * link Debian ships and links are not followed at all */
  if (r < 0 && root->nofollow && (*err)->status == ELOOP)
    {
      hs_error_release (err);
      r = HS_ROOTFS_ABSENT;
    }
  if (r == HS_ROOTFS_ABSENT)
    r = read_one (root, "usr/lib/os-release", HS_OS_RELEASE_MAX, &db.os_release, err);
  if (r < 0)
    return r;
  if (read_one (root, "var/lib/dpkg/status", HS_PKGDB_MAX_FILE, &db.dpkg_status, err) < 0)
    return -1;
  r = hs_rootfs_list (root, STATUSD, HS_PKGDB_MAX_STATUSD_ENTRIES, &names, err);
  if (r < 0)
    return r;
  if (r == 0)
    {
      size_t n = 0;

      for (size_t i = 0; names[i]; i++)
        n++;
      db.statusd = hs_xcalloc (n ? n : 1, sizeof *db.statusd);
      for (size_t i = 0; names[i]; i++)
        {
          cleanup_free char *rel = NULL;
          hs_dbfile_t *f = &db.statusd[db.n_statusd];

          if (!statusd_entry (names[i]))
            continue;
          rel = hs_xasprintf (STATUSD "/%s", names[i]);
          r = read_one (root, rel, HS_PKGDB_MAX_STATUSD_FILE, f, err);
          if (r < 0)
            {
              hs_strv_free (names);
              return r;
            }
          if (r == HS_ROOTFS_ABSENT)
            continue;
          db.n_statusd++;
          total += f->len;
          if (total > HS_PKGDB_MAX_FILE)
            {
              hs_strv_free (names);
              return hs_error_make (err, 0, STATUSD " holds over %u bytes", HS_PKGDB_MAX_FILE);
            }
        }
      hs_strv_free (names);
    }
  if (read_one (root, "lib/apk/db/installed", HS_PKGDB_MAX_FILE, &db.apk_installed, err) < 0)
    return -1;

  hs_sha256_init (&c);
  digest_file (&c, &db.os_release);
  digest_file (&c, &db.dpkg_status);
  for (size_t i = 0; i < db.n_statusd; i++)
    digest_file (&c, &db.statusd[i]);
  digest_file (&c, &db.apk_installed);
  hs_sha256_final (&c, sum);
  memcpy (db.digest, "sha256:", 7);
  for (int i = 0; i < 32; i++)
    {
      static const char hex[] = "0123456789abcdef";

      db.digest[7 + 2 * i] = hex[sum[i] >> 4];
      db.digest[8 + 2 * i] = hex[sum[i] & 15];
    }
  db.digest[71] = '\0';
  *ret = db;
  memset (&db, 0, sizeof db);
  return 0;
}

bool
hs_pkgdb_has_dpkg (const hs_pkgdb_t *db)
{
  return db->dpkg_status.buf != NULL || db->n_statusd > 0;
}

bool
hs_pkgdb_has_apk (const hs_pkgdb_t *db)
{
  return db->apk_installed.buf != NULL;
}

int
hs_pkgdb_parse (hs_pkgdb_t *db, hs_error_t *err)
{
  db->dpkg.scheme = HS_PKGVER_DPKG;
  db->apk.scheme = HS_PKGVER_APK;
  if (db->os_release.buf != NULL
      && hs_os_release_parse (db->os_release.buf, db->os_release.len, &db->os, err) < 0)
    return hs_error_wrap (err, "`%s`", db->os_release.rel);
  if (db->dpkg_status.buf != NULL
      && hs_dpkg_status_parse (db->dpkg_status.buf, db->dpkg_status.len, db->dpkg_status.rel,
                               &db->dpkg, err)
             < 0)
    return -1;
  for (size_t i = 0; i < db->n_statusd; i++)
    if (hs_dpkg_status_parse (db->statusd[i].buf, db->statusd[i].len, db->statusd[i].rel, &db->dpkg,
                              err)
        < 0)
      return -1;
  if (db->apk_installed.buf != NULL
      && hs_apk_installed_parse (db->apk_installed.buf, db->apk_installed.len,
                                 db->apk_installed.rel, &db->apk, err)
             < 0)
    return -1;
  return 0;
}

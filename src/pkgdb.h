/* What a root filesystem says is installed: the distribution (os-release)
 * and the packages of its dpkg and apk databases, each mapped to the
 * source (dpkg) or origin (apk) package that advisories name. */
#ifndef HS_PKGDB_H
#define HS_PKGDB_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "pkgver.h"
#include "rootfs.h"
#include "sha256.h"

/* Bounds on what an image can make us read and keep. */
#define HS_PKGDB_MAX_FILE (64u << 20) /* status, status.d total, installed */
#define HS_PKGDB_MAX_STATUSD_FILE (1u << 20)
#define HS_PKGDB_MAX_STATUSD_ENTRIES 20000
#define HS_PKGDB_MAX_STANZA (4u << 20) /* one package's block (apk lists its files) */
#define HS_PKGDB_MAX_NAME 255          /* package names, kept field values */
#define HS_PKGDB_MAX_PACKAGES 100000
#define HS_OS_RELEASE_MAX (64u << 10)

typedef struct
{
  char *name;     /* binary package (dpkg Package, apk P) */
  char *source;   /* source (dpkg Source or Package) / origin (apk o or P) */
  char *version;  /* the source's version: dpkg "Source: x (v)" or Version; apk V */
  char *arch;     /* may be "" */
  const char *db; /* which database listed it (a static string) */
} hs_package_t;

typedef struct
{
  hs_pkgver_scheme_t scheme;
  hs_package_t *v;
  size_t n, cap;
} hs_pkglist_t;

void hs_pkglist_clear (hs_pkglist_t *l);
#define cleanup_pkglist __attribute__ ((cleanup (hs_pkglist_clear)))

/* Parsers over one file's bytes (`what` names it in errors). Packages not
 * installed (config-files, not-installed) are skipped; every other state
 * counts, so a half-installed package is still judged. */
int hs_dpkg_status_parse (const char *buf, size_t len, const char *what, hs_pkglist_t *out,
                          hs_error_t *err);
int hs_apk_installed_parse (const char *buf, size_t len, const char *what, hs_pkglist_t *out,
                            hs_error_t *err);

typedef struct
{
  char *id;         /* ID, e.g. "debian", "alpine" */
  char *version_id; /* VERSION_ID, may be NULL */
  char *pretty;     /* PRETTY_NAME, may be NULL */
} hs_os_release_t;

int hs_os_release_parse (const char *buf, size_t len, hs_os_release_t *ret, hs_error_t *err);
void hs_os_release_clear (hs_os_release_t *o);

/* The OSV ecosystem of a release ("Debian:12", "Alpine:v3.18") and the
 * version scheme of its packages; NULL when hardshim does not know it. */
char *hs_os_release_ecosystem (const hs_os_release_t *o, hs_pkgver_scheme_t *ret_scheme);

/* One database file as read from the rootfs (buf NULL: absent). */
typedef struct
{
  char *rel;
  char *buf;
  size_t len;
} hs_dbfile_t;

/* Everything the gate needs from one rootfs: the raw files (read and
 * digested first, so a cached verdict needs no parsing), then parsed. */
typedef struct
{
  hs_dbfile_t os_release;  /* etc/os-release, else usr/lib/os-release */
  hs_dbfile_t dpkg_status; /* var/lib/dpkg/status */
  hs_dbfile_t *statusd;    /* var/lib/dpkg/status.d/<package> (distroless) */
  size_t n_statusd;
  hs_dbfile_t apk_installed;  /* lib/apk/db/installed */
  char digest[HS_DIGEST_LEN]; /* over the names, lengths and bytes of all of them */

  hs_os_release_t os;
  hs_pkglist_t dpkg;
  hs_pkglist_t apk;
} hs_pkgdb_t;

/* Read the files. One that is absent is noted (buf NULL); one that exists
 * but cannot be read safely (a link out of bounds, not a regular file, too
 * big) is an error. */
int hs_pkgdb_read (const hs_rootfs_t *root, hs_pkgdb_t *ret, hs_error_t *err);
/* Parse what hs_pkgdb_read found (malformed content is an error). */
int hs_pkgdb_parse (hs_pkgdb_t *db, hs_error_t *err);
bool hs_pkgdb_has_dpkg (const hs_pkgdb_t *db);
bool hs_pkgdb_has_apk (const hs_pkgdb_t *db);
void hs_pkgdb_clear (hs_pkgdb_t *db);
#define cleanup_pkgdb __attribute__ ((cleanup (hs_pkgdb_clear)))

#endif

/* Package versions as the package managers order them: dpkg's through
 * Debian's own libdpkg, apk's by apk-tools' rules (apk_version.c). */
#ifndef HS_PKGVER_H
#define HS_PKGVER_H

#include <stddef.h>

#include "error.h"

typedef enum
{
  HS_PKGVER_DPKG = 1,
  HS_PKGVER_APK = 2,
} hs_pkgver_scheme_t;

/* Longest version text accepted anywhere (feed, package database). */
#define HS_PKGVER_MAX 255

/* A parsed version; the strings are borrowed (from a hs_pkgver_buf_t, the
 * feed index, ...). dpkg: epoch, upstream and revision as libdpkg splits
 * them; apk: `upstream` is the whole version. */
typedef struct
{
  hs_pkgver_scheme_t scheme;
  unsigned int epoch;
  const char *upstream;
  const char *revision;
} hs_pkgver_t;

typedef struct
{
  char text[2 * HS_PKGVER_MAX + 4];
} hs_pkgver_buf_t;

/* Parse `text` (len bytes, no NUL needed) as `scheme` does; the result
 * points into `buf`. dpkg: libdpkg's parseversion; a version it only warns
 * about (dpkg installs those) is accepted, an error is refused. apk: any
 * text without spaces or control characters (apk compares invalid versions
 * too). */
int hs_pkgver_parse (hs_pkgver_scheme_t scheme, const char *text, size_t len, hs_pkgver_buf_t *buf,
                     hs_pkgver_t *ret, hs_error_t *err);
/* < 0, 0, > 0. Both must have the same scheme. */
int hs_pkgver_compare (const hs_pkgver_t *a, const hs_pkgver_t *b);
/* The canonical text back: "epoch:upstream-revision" (epoch only when
 * not 0, revision only when not empty), NUL-terminated, into out. */
void hs_pkgver_format (const hs_pkgver_t *v, char *out, size_t size);

#endif

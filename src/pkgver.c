#include "pkgver.h"
#include "apk_version.h"

#include <stdio.h>
#include <string.h>

#define LIBDPKG_VOLATILE_API 1
#include <dpkg/dpkg-db.h>
#include <dpkg/dpkg.h>
#include <dpkg/error.h>
#include <dpkg/version.h>

static int
parse_dpkg (const char *text, size_t len, hs_pkgver_buf_t *buf, hs_pkgver_t *ret, hs_error_t *err)
{
  struct dpkg_error derr = DPKG_ERROR_INIT;
  struct dpkg_version v;
  char copy[HS_PKGVER_MAX + 1];
  size_t ul, rl;
  int r;

  memcpy (copy, text, len);
  copy[len] = '\0';
  r = parseversion (&v, copy, &derr);
  if (r < 0 && derr.type == DPKG_MSG_ERROR)
    {
      r = hs_error_make (err, 0, "`%s` is not a Debian version: %s", copy,
                         derr.str ? derr.str : "invalid");
      dpkg_error_destroy (&derr);
      nffreeall ();
      return r;
    }
  dpkg_error_destroy (&derr);
  /* parseversion allocates from libdpkg's own arena: copy out and free it
   * at once, so a long import does not grow it. */
  ul = strlen (v.version);
  rl = strlen (v.revision);
  memcpy (buf->text, v.version, ul + 1);
  memcpy (buf->text + ul + 1, v.revision, rl + 1);
  nffreeall ();
  ret->scheme = HS_PKGVER_DPKG;
  ret->epoch = v.epoch;
  ret->upstream = buf->text;
  ret->revision = buf->text + ul + 1;
  return 0;
}

int
hs_pkgver_parse (hs_pkgver_scheme_t scheme, const char *text, size_t len, hs_pkgver_buf_t *buf,
                 hs_pkgver_t *ret, hs_error_t *err)
{
  if (len == 0)
    return hs_error_make (err, 0, "empty version");
  if (len > HS_PKGVER_MAX)
    return hs_error_make (err, 0, "version of %zu bytes, over the limit of %d", len, HS_PKGVER_MAX);
  if (memchr (text, '\0', len) != NULL)
    return hs_error_make (err, 0, "version with a NUL byte");
  if (scheme == HS_PKGVER_DPKG)
    return parse_dpkg (text, len, buf, ret, err);
  if (scheme != HS_PKGVER_APK)
    return hs_error_make (err, 0, "unknown version scheme %d", (int) scheme);
  for (size_t i = 0; i < len; i++)
    if ((unsigned char) text[i] <= ' ' || text[i] == 0x7f)
      return hs_error_make (err, 0, "apk version `%.*s` has a space or control character",
                            (int) len, text);
  memcpy (buf->text, text, len);
  buf->text[len] = '\0';
  ret->scheme = HS_PKGVER_APK;
  ret->epoch = 0;
  ret->upstream = buf->text;
  ret->revision = "";
  return 0;
}

int
hs_pkgver_compare (const hs_pkgver_t *a, const hs_pkgver_t *b)
{
  if (a->scheme == HS_PKGVER_DPKG)
    {
      struct dpkg_version x = DPKG_VERSION_OBJECT (a->epoch, a->upstream, a->revision);
      struct dpkg_version y = DPKG_VERSION_OBJECT (b->epoch, b->upstream, b->revision);
      int r = dpkg_version_compare (&x, &y);

      return r < 0 ? -1 : r > 0 ? 1 : 0;
    }
  return hs_apk_version_compare (a->upstream, b->upstream);
}

void
hs_pkgver_format (const hs_pkgver_t *v, char *out, size_t size)
{
  char epoch[16] = "";

  if (v->scheme == HS_PKGVER_DPKG && v->epoch != 0)
    snprintf (epoch, sizeof epoch, "%u:", v->epoch);
  snprintf (out, size, "%s%s%s%s", epoch, v->upstream, *v->revision ? "-" : "", v->revision);
}

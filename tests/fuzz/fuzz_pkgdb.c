/* libFuzzer: the package database and os-release parsers the image gate
 * runs over files the image controls. The first byte picks the parser
 * (dpkg status, apk installed, os-release); the rest is the file. Every
 * package parsed must also go through the version parser and compare with
 * itself as equal (apk and dpkg ordering over hostile versions). */
#include "pkgdb.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hs_pkglist_t l = { 0 };
  hs_error_t err = NULL;
  const char *buf = (const char *) data + 1;
  size_t len = size ? size - 1 : 0;

  if (size == 0)
    return 0;
  switch (data[0] % 3)
    {
    case 0:
      hs_dpkg_status_parse (buf, len, "status", &l, &err);
      break;
    case 1:
      hs_apk_installed_parse (buf, len, "installed", &l, &err);
      break;
    default:
      {
        hs_os_release_t o;
        hs_pkgver_scheme_t scheme;

        if (hs_os_release_parse (buf, len, &o, &err) == 0)
          {
            free (hs_os_release_ecosystem (&o, &scheme));
            hs_os_release_clear (&o);
          }
      }
    }
  hs_error_release (&err);
  for (size_t i = 0; i < l.n; i++)
    {
      hs_pkgver_buf_t b;
      hs_pkgver_t v;

      if (strlen (l.v[i].name) == 0 || strlen (l.v[i].source) == 0)
        abort ();
      if (hs_pkgver_parse (l.scheme, l.v[i].version, strlen (l.v[i].version), &b, &v, &err) == 0
          && hs_pkgver_compare (&v, &v) != 0)
        abort ();
      hs_error_release (&err);
      if (i > 0)
        {
          hs_pkgver_buf_t b2;
          hs_pkgver_t w;

          if (hs_pkgver_parse (l.scheme, l.v[i].version, strlen (l.v[i].version), &b, &v, NULL) == 0
              && hs_pkgver_parse (l.scheme, l.v[i - 1].version, strlen (l.v[i - 1].version), &b2,
                                  &w, NULL)
                     == 0
              && hs_pkgver_compare (&v, &w) != -hs_pkgver_compare (&w, &v))
            abort ();
        }
    }
  hs_pkglist_clear (&l);
  return 0;
}

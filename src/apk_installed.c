/* apk's database of installed packages (lib/apk/db/installed): blocks of
 * "X:value" lines, one block per package, separated by an empty line
 * (apk-tools' apk_db_index_read). P is the package, V its version, o the
 * origin (the source package advisories name), A the architecture; the
 * other keys (files, checksums, dependencies) are skipped. */
#include "pkgdb.h"
#include "xalloc.h"

#include <string.h>

typedef struct
{
  const char *p, *v, *o, *a;
  size_t pn, vn, on, an;
} block_t;

static int
block_end (const block_t *b, const char *what, size_t line, hs_pkglist_t *out, hs_error_t *err)
{
  hs_package_t *pkg;

  if (b->p == NULL || b->v == NULL)
    return hs_error_make (err, 0, "%s:%zu: a package block without %s", what, line,
                          b->p == NULL ? "P: (name)" : "V: (version)");
  if (out->n >= HS_PKGDB_MAX_PACKAGES)
    return hs_error_make (err, 0, "%s: more than %d packages", what, HS_PKGDB_MAX_PACKAGES);
  out->v = hs_xgrow (out->v, &out->cap, out->n + 1, sizeof *out->v);
  pkg = &out->v[out->n++];
  pkg->name = hs_xstrndup (b->p, b->pn);
  pkg->source = b->o ? hs_xstrndup (b->o, b->on) : hs_xstrndup (b->p, b->pn);
  pkg->version = hs_xstrndup (b->v, b->vn);
  pkg->arch = hs_xstrndup (b->a ? b->a : "", b->an);
  pkg->db = "apk";
  return 0;
}

int
hs_apk_installed_parse (const char *buf, size_t len, const char *what, hs_pkglist_t *out,
                        hs_error_t *err)
{
  const char *p = buf, *end = buf + len, *block_start = NULL;
  block_t b = { 0 };
  size_t line = 0;

  out->scheme = HS_PKGVER_APK;
  if (memchr (buf, '\0', len) != NULL)
    return hs_error_make (err, 0, "%s: NUL byte in a text database", what);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *eol = nl ? nl : end;
      size_t n = (size_t) (eol - p);

      line++;
      if (n == 0)
        {
          if (block_start != NULL && block_end (&b, what, line, out, err) < 0)
            return -1;
          memset (&b, 0, sizeof b);
          block_start = NULL;
        }
      else
        {
          const char **slot = NULL;
          size_t *slot_n = NULL;

          if (block_start == NULL)
            block_start = p;
          if ((size_t) (eol - block_start) > HS_PKGDB_MAX_STANZA)
            return hs_error_make (err, 0, "%s:%zu: a package block over %u bytes", what, line,
                                  HS_PKGDB_MAX_STANZA);
          if (n < 2 || p[1] != ':')
            return hs_error_make (err, 0, "%s:%zu: not an `X:value` line", what, line);
          switch (p[0])
            {
            case 'P':
              slot = &b.p, slot_n = &b.pn;
              break;
            case 'V':
              slot = &b.v, slot_n = &b.vn;
              break;
            case 'o':
              slot = &b.o, slot_n = &b.on;
              break;
            case 'A':
              slot = &b.a, slot_n = &b.an;
              break;
            default:
              break;
            }
          if (slot != NULL)
            {
              const char *v = p + 2;
              size_t vn = n - 2;

              if (*slot != NULL)
                return hs_error_make (err, 0, "%s:%zu: duplicate `%c:` line", what, line, p[0]);
              if (vn == 0 || vn > HS_PKGDB_MAX_NAME)
                return hs_error_make (err, 0, "%s:%zu: `%c:` is empty or over %d bytes", what, line,
                                      p[0], HS_PKGDB_MAX_NAME);
              for (size_t i = 0; i < vn; i++)
                if ((unsigned char) v[i] <= ' ' || v[i] == 0x7f)
                  return hs_error_make (err, 0, "%s:%zu: space or control character in `%c:`", what,
                                        line, p[0]);
              *slot = v;
              *slot_n = vn;
            }
        }
      p = nl ? nl + 1 : end;
    }
  if (block_start != NULL && block_end (&b, what, line, out, err) < 0)
    return -1;
  return 0;
}

/* os-release(5): KEY=value lines, values optionally quoted with "..." or
 * '...' and backslash escapes inside double quotes, '#' comments. Only ID,
 * VERSION_ID and PRETTY_NAME are kept. */
#include "pkgdb.h"
#include "cleanup.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void
hs_os_release_clear (hs_os_release_t *o)
{
  free (o->id);
  free (o->version_id);
  free (o->pretty);
  memset (o, 0, sizeof *o);
}

static int
unquote (const char *v, size_t n, char **ret, hs_error_t *err)
{
  cleanup_free char *out = hs_xmalloc (n + 1);
  size_t k = 0;
  char q = 0;

  for (size_t i = 0; i < n; i++)
    {
      char c = v[i];

      if (q == 0 && (c == '"' || c == '\''))
        q = c;
      else if (q != 0 && c == q)
        q = 0;
      else if (q != '\'' && c == '\\' && i + 1 < n)
        out[k++] = v[++i];
      else if (q == 0 && (c == ' ' || c == '\t'))
        return hs_error_make (err, 0, "unquoted space in a value");
      else if ((unsigned char) c < ' ' || c == 0x7f)
        return hs_error_make (err, 0, "control character in a value");
      else
        out[k++] = c;
    }
  if (q != 0)
    return hs_error_make (err, 0, "unterminated quote");
  if (k > HS_PKGDB_MAX_NAME)
    return hs_error_make (err, 0, "a value over %d bytes", HS_PKGDB_MAX_NAME);
  out[k] = '\0';
  *ret = TAKE_PTR (out);
  return 0;
}

int
hs_os_release_parse (const char *buf, size_t len, hs_os_release_t *ret, hs_error_t *err)
{
  hs_os_release_t o = { 0 };
  const char *p = buf, *end = buf + len;
  size_t line = 0;

  if (memchr (buf, '\0', len) != NULL)
    return hs_error_make (err, 0, "os-release: NUL byte");
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *eol = nl ? nl : end;
      const char *eq;
      char **slot = NULL;
      size_t kn;

      size_t n;

      line++;
      while (p < eol && (*p == ' ' || *p == '\t'))
        p++;
      n = eol > p ? (size_t) (eol - p) : 0;
      if (n == 0 || *p == '#')
        goto next;
      eq = memchr (p, '=', n);
      if (eq == NULL)
        goto next; /* os-release readers ignore what is not an assignment */
      kn = (size_t) (eq - p);
      if (kn == 2 && memcmp (p, "ID", 2) == 0)
        slot = &o.id;
      else if (kn == 10 && memcmp (p, "VERSION_ID", 10) == 0)
        slot = &o.version_id;
      else if (kn == 11 && memcmp (p, "PRETTY_NAME", 11) == 0)
        slot = &o.pretty;
      if (slot != NULL)
        {
          size_t vn = (size_t) (eol - eq - 1);
          char *v = NULL;

          while (vn && (eq[vn] == '\r' || eq[vn] == ' ' || eq[vn] == '\t'))
            vn--;
          if (unquote (eq + 1, vn, &v, err) < 0)
            {
              hs_os_release_clear (&o);
              return hs_error_wrap (err, "os-release:%zu: `%.*s`", line, (int) kn, p);
            }
          /* the last assignment wins, as in a shell */
          free (*slot);
          *slot = v;
        }
    next:
      p = nl ? nl + 1 : end;
    }
  if (o.id == NULL)
    o.id = hs_xstrdup ("linux"); /* os-release(5): ID defaults to "linux" */
  *ret = o;
  return 0;
}

char *
hs_os_release_ecosystem (const hs_os_release_t *o, hs_pkgver_scheme_t *ret_scheme)
{
  const char *v = o->version_id;
  size_t major, minor;

  if (v == NULL || o->id == NULL)
    return NULL;
  major = strspn (v, "0123456789");
  if (major == 0 || major > 4)
    return NULL;
  if (strcmp (o->id, "debian") == 0)
    {
      /* VERSION_ID is the major release ("12"); testing and sid have none */
      if (v[major] != '\0')
        return NULL;
      *ret_scheme = HS_PKGVER_DPKG;
      return hs_xasprintf ("Debian:%s", v);
    }
  if (strcmp (o->id, "alpine") == 0)
    {
      /* "3.18.4" is the v3.18 branch; edge ("3.19_alpha...") has no branch */
      if (v[major] != '.')
        return NULL;
      minor = strspn (v + major + 1, "0123456789");
      if (minor == 0 || minor > 4 || (v[major + 1 + minor] != '\0' && v[major + 1 + minor] != '.'))
        return NULL;
      if (strpbrk (v, "_-") != NULL)
        return NULL;
      *ret_scheme = HS_PKGVER_APK;
      return hs_xasprintf ("Alpine:v%.*s", (int) (major + 1 + minor), v);
    }
  return NULL;
}

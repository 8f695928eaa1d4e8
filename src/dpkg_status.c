/* dpkg's status database (var/lib/dpkg/status, and the one-file-per-package
 * status.d/ of distroless images): deb822 stanzas. libdpkg's own parser
 * needs dpkg's global database state and exits on errors, so the few fields
 * the gate needs are read here, with dpkg's rules: field names are
 * case-insensitive, a line starting with a space continues the field
 * before it, an empty line ends a stanza, a duplicate field is an error. */
#include "pkgdb.h"
#include "xalloc.h"

#include <string.h>
#include <strings.h>

enum
{
  F_PACKAGE,
  F_STATUS,
  F_VERSION,
  F_SOURCE,
  F_ARCH,
  F_COUNT
};
static const char *const field_names[F_COUNT]
    = { "Package", "Status", "Version", "Source", "Architecture" };

typedef struct
{
  const char *v[F_COUNT];
  size_t n[F_COUNT];
} stanza_t;

static bool
blank (char c)
{
  return c == ' ' || c == '\t';
}

static bool
all_blank (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!blank (s[i]) && s[i] != '\r')
      return false;
  return true;
}

static void
trim (const char **s, size_t *n)
{
  while (*n && blank (**s))
    (*s)++, (*n)--;
  while (*n && (blank ((*s)[*n - 1]) || (*s)[*n - 1] == '\r'))
    (*n)--;
}

static int
value_ok (const char *what, size_t line, const char *field, const char *v, size_t n,
          hs_error_t *err)
{
  if (n > HS_PKGDB_MAX_NAME)
    return hs_error_make (err, 0, "%s:%zu: `%s` is %zu bytes, over the limit of %d", what, line,
                          field, n, HS_PKGDB_MAX_NAME);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char) v[i] < ' ' && v[i] != '\t')
      return hs_error_make (err, 0, "%s:%zu: control character in `%s`", what, line, field);
  return 0;
}

/* "Source: name" or "Source: name (version)" */
static int
split_source (const char *v, size_t n, const char **name, size_t *name_n, const char **ver,
              size_t *ver_n)
{
  const char *open = memchr (v, '(', n);

  *ver = NULL;
  *ver_n = 0;
  if (open == NULL)
    {
      *name = v;
      *name_n = n;
      trim (name, name_n);
      return *name_n ? 0 : -1;
    }
  if (v[n - 1] != ')')
    return -1;
  *name = v;
  *name_n = (size_t) (open - v);
  trim (name, name_n);
  *ver = open + 1;
  *ver_n = (size_t) (v + n - 1 - *ver);
  trim (ver, ver_n);
  return *name_n && *ver_n && memchr (*name, ' ', *name_n) == NULL ? 0 : -1;
}

static bool
not_installed (const char *status, size_t n)
{
  /* "want flag state": only the last word tells whether files are there */
  const char *last = status + n;

  while (last > status && !blank (last[-1]))
    last--;
  n = (size_t) (status + n - last);
  return (n == 13 && memcmp (last, "not-installed", 13) == 0)
         || (n == 12 && memcmp (last, "config-files", 12) == 0);
}

static int
stanza_end (const stanza_t *s, const char *what, size_t line, hs_pkglist_t *out, hs_error_t *err)
{
  const char *src, *sver;
  size_t src_n, sver_n;
  hs_package_t *p;

  if (s->v[F_PACKAGE] == NULL)
    return hs_error_make (err, 0, "%s:%zu: a stanza without a Package field", what, line);
  if (s->v[F_STATUS] != NULL && not_installed (s->v[F_STATUS], s->n[F_STATUS]))
    return 0;
  if (s->v[F_VERSION] == NULL)
    return hs_error_make (err, 0, "%s:%zu: package `%.*s` has no Version", what, line,
                          (int) s->n[F_PACKAGE], s->v[F_PACKAGE]);
  src = s->v[F_PACKAGE];
  src_n = s->n[F_PACKAGE];
  sver = s->v[F_VERSION];
  sver_n = s->n[F_VERSION];
  if (s->v[F_SOURCE] != NULL)
    {
      const char *v;
      size_t vn;

      if (split_source (s->v[F_SOURCE], s->n[F_SOURCE], &src, &src_n, &v, &vn) < 0)
        return hs_error_make (err, 0, "%s:%zu: malformed Source `%.*s`", what, line,
                              (int) s->n[F_SOURCE], s->v[F_SOURCE]);
      if (v != NULL)
        sver = v, sver_n = vn;
    }
  if (out->n >= HS_PKGDB_MAX_PACKAGES)
    return hs_error_make (err, 0, "%s: more than %d packages", what, HS_PKGDB_MAX_PACKAGES);
  out->v = hs_xgrow (out->v, &out->cap, out->n + 1, sizeof *out->v);
  p = &out->v[out->n++];
  p->name = hs_xstrndup (s->v[F_PACKAGE], s->n[F_PACKAGE]);
  p->source = hs_xstrndup (src, src_n);
  p->version = hs_xstrndup (sver, sver_n);
  p->arch = hs_xstrndup (s->v[F_ARCH] ? s->v[F_ARCH] : "", s->n[F_ARCH]);
  p->db = "dpkg";
  return 0;
}

int
hs_dpkg_status_parse (const char *buf, size_t len, const char *what, hs_pkglist_t *out,
                      hs_error_t *err)
{
  const char *p = buf, *end = buf + len, *stanza_start = NULL;
  stanza_t s = { 0 };
  int last_field = -2; /* the field a continuation line extends; -2 none yet */
  size_t line = 0;

  out->scheme = HS_PKGVER_DPKG;
  if (memchr (buf, '\0', len) != NULL)
    return hs_error_make (err, 0, "%s: NUL byte in a text database", what);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *eol = nl ? nl : end;
      size_t n = (size_t) (eol - p);

      line++;
      if (n == 0 || (n == 1 && p[0] == '\r'))
        {
          if (stanza_start != NULL && stanza_end (&s, what, line, out, err) < 0)
            return -1;
          memset (&s, 0, sizeof s);
          stanza_start = NULL;
          last_field = -2;
        }
      else if (stanza_start == NULL && all_blank (p, n))
        ; /* whitespace between stanzas */
      else
        {
          if (stanza_start == NULL)
            stanza_start = p;
          if ((size_t) (eol - stanza_start) > HS_PKGDB_MAX_STANZA)
            return hs_error_make (err, 0, "%s:%zu: a stanza over %u bytes", what, line,
                                  HS_PKGDB_MAX_STANZA);
          if (blank (p[0]))
            {
              const char *v = p;
              size_t vn = n;

              trim (&v, &vn);
              if (last_field == -2)
                return hs_error_make (err, 0, "%s:%zu: continuation line outside a field", what,
                                      line);
              if (last_field >= 0 && vn > 0)
                return hs_error_make (err, 0, "%s:%zu: `%s` spans several lines", what, line,
                                      field_names[last_field]);
            }
          else
            {
              const char *colon = memchr (p, ':', n);
              const char *v;
              size_t name_n, vn;

              if (colon == NULL || colon == p)
                return hs_error_make (err, 0, "%s:%zu: not a `Field: value` line", what, line);
              name_n = (size_t) (colon - p);
              v = colon + 1;
              vn = (size_t) (eol - v);
              trim (&v, &vn);
              last_field = -3; /* a field the gate does not read */
              for (int f = 0; f < F_COUNT; f++)
                if (strlen (field_names[f]) == name_n
                    && strncasecmp (field_names[f], p, name_n) == 0)
                  {
                    if (s.v[f] != NULL)
                      return hs_error_make (err, 0, "%s:%zu: duplicate `%s` field", what, line,
                                            field_names[f]);
                    if (value_ok (what, line, field_names[f], v, vn, err) < 0)
                      return -1;
                    if (vn == 0)
                      return hs_error_make (err, 0, "%s:%zu: empty `%s` field", what, line,
                                            field_names[f]);
                    s.v[f] = v;
                    s.n[f] = vn;
                    last_field = f;
                  }
            }
        }
      p = nl ? nl + 1 : end;
    }
  if (stanza_start != NULL && stanza_end (&s, what, line, out, err) < 0)
    return -1;
  return 0;
}

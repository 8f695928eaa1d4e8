#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

char *
hs_path_clean (const char *path)
{
  bool abs = path[0] == '/';
  size_t n = strlen (path);
  char *out = hs_xmalloc (n + 3);
  size_t len = 0, floor = 0; /* out[0..floor) holds leading ".." of a relative path */
  const char *p = path;

  if (abs)
    out[len++] = '/', floor = 1;
  while (*p)
    {
      const char *seg = p;
      size_t sl;

      while (*p && *p != '/')
        p++;
      sl = (size_t) (p - seg);
      while (*p == '/')
        p++;
      if (sl == 0 || (sl == 1 && seg[0] == '.'))
        continue;
      if (sl == 2 && seg[0] == '.' && seg[1] == '.')
        {
          if (len > floor)
            {
              /* drop the last segment and its separator */
              while (len > floor && out[len - 1] != '/')
                len--;
              if (len > floor)
                len--;
              continue;
            }
          if (abs)
            continue; /* ".." at "/" stays at "/" */
          if (len > 0)
            out[len++] = '/';
          out[len++] = '.';
          out[len++] = '.';
          floor = len;
          continue;
        }
      if (len > 0 && out[len - 1] != '/')
        out[len++] = '/';
      memcpy (out + len, seg, sl);
      len += sl;
    }
  if (len == 0)
    out[len++] = '.';
  out[len] = '\0';
  return out;
}

char *
hs_path_clean_dest (const char *dest)
{
  cleanup_free char *abs = hs_xasprintf ("/%s", dest);
  return hs_path_clean (abs);
}

bool
hs_path_is_under (const char *path, const char *prefix)
{
  size_t n = strlen (prefix);

  if (strcmp (prefix, "/") == 0)
    return path[0] == '/';
  return strncmp (path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool
hs_path_passes_below (const char *path, const char *dir)
{
  cleanup_free char *walk = hs_xstrdup ("");
  const char *p = path;

  for (;;)
    {
      size_t n;

      while (*p == '/')
        p++;
      if (*p == '\0')
        return false;
      n = strcspn (p, "/");
      if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          char *slash = strrchr (walk, '/');
          if (slash != NULL)
            *slash = '\0';
        }
      else if (!(n == 1 && p[0] == '.'))
        {
          char *next = hs_xasprintf ("%s/%.*s", walk, (int) n, p);
          free (walk);
          walk = next;
          if (hs_path_is_under (walk, dir) && strcmp (walk, dir) != 0)
            return true;
        }
      p += n;
    }
}

/* realpath() of the longest existing prefix of `path` (absolute), the
 * rest appended; NULL when not even "/" resolves. *ret_rest points into
 * path at the unresolved tail ("" when all of it resolved). */
static char *
resolve_prefix (const char *path, const char **ret_rest)
{
  size_t cut = strlen (path);

  for (;;)
    {
      cleanup_free char *head = cut > 0 ? hs_xstrndup (path, cut) : hs_xstrdup ("/");
      char buf[PATH_MAX];

      if (realpath (head, buf) != NULL)
        {
          *ret_rest = path + cut;
          return hs_xstrdup (buf);
        }
      if (cut == 0)
        return NULL;
      while (cut > 0 && path[cut - 1] != '/')
        cut--;
      while (cut > 0 && path[cut - 1] == '/')
        cut--;
    }
}

char *
hs_path_resolve_host (const char *path, const char *base)
{
  cleanup_free char *cur = NULL;

  if (path[0] != '/')
    {
      char cwd[PATH_MAX];
      if (base != NULL && base[0] == '/')
        cur = hs_xasprintf ("%s/%s", base, path);
      else if (getcwd (cwd, sizeof (cwd)) != NULL)
        cur = base != NULL ? hs_xasprintf ("%s/%s/%s", cwd, base, path)
                           : hs_xasprintf ("%s/%s", cwd, path);
      else
        cur = hs_xasprintf ("/%s", path);
    }
  else
    cur = hs_xstrdup (path);

  /* Resolve what exists; when the first missing component is a dangling
   * symlink, follow it by hand (the kernel would, should its target
   * appear before the mount), at most 40 times like the kernel. */
  for (int loops = 0; loops < 40; loops++)
    {
      const char *rest = NULL;
      cleanup_free char *done = resolve_prefix (cur, &rest);
      cleanup_free char *comp = NULL, *link = NULL;
      const char *after;
      char target[PATH_MAX];
      ssize_t n;

      if (done == NULL)
        break;
      while (*rest == '/')
        rest++;
      if (*rest == '\0')
        return TAKE_PTR (done);
      after = strchr (rest, '/');
      comp = after ? hs_xstrndup (rest, (size_t) (after - rest)) : hs_xstrdup (rest);
      link = hs_xasprintf ("%s/%s", done, comp);
      n = readlink (link, target, sizeof (target) - 1);
      if (n < 0 || strcmp (comp, "..") == 0 || strcmp (comp, ".") == 0)
        {
          /* truly missing: the rest is only text */
          cleanup_free char *all = hs_xasprintf ("%s/%s", done, rest);
          return hs_path_clean (all);
        }
      target[n] = '\0';
      {
        char *next = target[0] == '/' ? hs_xasprintf ("%s%s", target, after ? after : "")
                                      : hs_xasprintf ("%s/%s%s", done, target, after ? after : "");
        free (cur);
        cur = next;
      }
    }
  return hs_path_clean (cur);
}

bool
hs_json_to_u64 (const hs_json_t *v, unsigned long long *ret)
{
  char *end;

  if (v == NULL || v->type != HS_JSON_NUMBER || v->len == 0 || v->str[0] == '-')
    return false;
  errno = 0;
  *ret = strtoull (v->str, &end, 10);
  return errno == 0 && *end == '\0';
}

bool
hs_json_to_i64 (const hs_json_t *v, long long *ret)
{
  char *end;

  if (v == NULL || v->type != HS_JSON_NUMBER || v->len == 0)
    return false;
  errno = 0;
  *ret = strtoll (v->str, &end, 10);
  return errno == 0 && *end == '\0';
}

int
hs_settings_u64 (const hs_json_t *settings, const char *control, const char *key,
                 unsigned long long dflt, unsigned long long *ret, hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (settings, key);

  *ret = dflt;
  if (v == NULL)
    return 0;
  if (!hs_json_to_u64 (v, ret))
    return hs_error_make (err, 0, "policy key `%s.%s`: expected a non-negative integer, got %s",
                          control, key,
                          v->type == HS_JSON_NUMBER ? v->str : hs_json_type_name (v->type));
  return 0;
}

int
hs_settings_enum (const hs_json_t *settings, const char *control, const char *key,
                  const char *const *choices, const char *dflt, const char **ret, hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (settings, key);
  cleanup_free char *list = hs_xstrdup ("");

  *ret = dflt;
  if (v == NULL)
    return 0;
  for (size_t i = 0; choices[i]; i++)
    {
      char *l;
      if (v->type == HS_JSON_STRING && strcmp (v->str, choices[i]) == 0)
        {
          *ret = choices[i];
          return 0;
        }
      l = hs_xasprintf ("%s%s%s", list, i ? ", " : "", choices[i]);
      free (list);
      list = l;
    }
  return hs_error_make (err, 0, "policy key `%s.%s`: expected one of %s", control, key, list);
}

int
hs_settings_abs_paths (const hs_json_t *settings, const char *control, const char *key,
                       const hs_json_t **ret, hs_error_t *err)
{
  int r = hs_settings_string_array (settings, control, key, ret, err);

  if (r < 0 || *ret == NULL)
    return r;
  for (size_t i = 0; i < (*ret)->len; i++)
    {
      const char *s = (*ret)->items[i]->str;
      cleanup_free char *c = hs_path_clean (s);

      if (s[0] != '/' || strcmp (c, s) != 0)
        return hs_error_make (err, 0, "policy key `%s.%s[%zu]`: `%s` is not a clean absolute path",
                              control, key, i, s);
    }
  return 0;
}

size_t
hs_strlist_len (const hs_strlist_t *l)
{
  size_t n = 0;

  if (l->arr != NULL)
    return l->arr->len;
  while (l->dflt && l->dflt[n])
    n++;
  return n;
}

const char *
hs_strlist_at (const hs_strlist_t *l, size_t i)
{
  return l->arr != NULL ? l->arr->items[i]->str : l->dflt[i];
}

bool
hs_strlist_has (const hs_strlist_t *l, const char *s)
{
  for (size_t i = 0, n = hs_strlist_len (l); i < n; i++)
    if (strcmp (hs_strlist_at (l, i), s) == 0)
      return true;
  return false;
}

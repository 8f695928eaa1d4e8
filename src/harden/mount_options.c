#include "harden/mount_options.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

/* Every option runc 1.1-1.3 or crun 1.8-1.2x consumes itself (mount flags,
 * propagation, recursive attributes, their own extensions); the rest is
 * the filesystem's data. */
static const char *const flags[] = {
  "acl",
  "async",
  "atime",
  "bind",
  "copy-symlink",
  "defaults",
  "dest-nofollow",
  "dev",
  "diratime",
  "dirsync",
  "exec",
  "idmap",
  "iversion",
  "lazytime",
  "loud",
  "mand",
  "noacl",
  "noatime",
  "nodev",
  "nodiratime",
  "noexec",
  "noiversion",
  "nolazytime",
  "nomand",
  "norelatime",
  "nostrictatime",
  "nosuid",
  "nosymfollow",
  "notmpcopyup",
  "private",
  "ratime",
  "rbind",
  "rdev",
  "rdiratime",
  "relatime",
  "remount",
  "rexec",
  "ridmap",
  "rnoatime",
  "rnodev",
  "rnodiratime",
  "rnoexec",
  "rnorelatime",
  "rnostrictatime",
  "rnosuid",
  "rnosymfollow",
  "ro",
  "rprivate",
  "rrelatime",
  "rro",
  "rrw",
  "rshared",
  "rslave",
  "rstrictatime",
  "rsuid",
  "rsymfollow",
  "runbindable",
  "rw",
  "shared",
  "silent",
  "slave",
  "src-nofollow",
  "strictatime",
  "suid",
  "symfollow",
  "sync",
  "tmpcopyup",
  "unbindable",
  NULL,
};

bool
hs_mount_option_is_flag (const char *opt)
{
  /* crun: idmap=uids=...;gids=... */
  if (strncmp (opt, "idmap=", 6) == 0 || strncmp (opt, "ridmap=", 7) == 0)
    return true;
  for (size_t i = 0; flags[i]; i++)
    if (strcmp (flags[i], opt) == 0)
      return true;
  return false;
}

bool
hs_mount_is_bind (const hs_json_t *type, const hs_json_t *opts)
{
  if (type == NULL || type->type != HS_JSON_STRING || type->str[0] == '\0'
      || strcmp (type->str, "bind") == 0)
    return true;
  return opts != NULL && opts->type == HS_JSON_ARRAY
         && (hs_json_array_find_string (opts, "bind") >= 0
             || hs_json_array_find_string (opts, "rbind") >= 0);
}

bool
hs_mount_is_recursive (const hs_json_t *opts)
{
  return opts != NULL && opts->type == HS_JSON_ARRAY
         && hs_json_array_find_string (opts, "rbind") >= 0;
}

char *
hs_mount_data (const hs_json_t *opts)
{
  char *out = hs_xstrdup ("");

  for (size_t i = 0; opts && opts->type == HS_JSON_ARRAY && i < opts->len; i++)
    {
      const hs_json_t *o = opts->items[i];
      char *next;

      if (o->type != HS_JSON_STRING || hs_mount_option_is_flag (o->str))
        continue;
      next = out[0] ? hs_xasprintf ("%s,%s", out, o->str) : hs_xstrdup (o->str);
      free (out);
      out = next;
    }
  return out;
}

/* overlayfs's options (Linux 6.x): those that name a path, those that do not. */
static const char *const overlay_flags[] = { "default_permissions", "userxattr", "volatile", NULL };
static const char *const overlay_values[]
    = { "redirect_dir", "index", "uuid", "nfs_export", "xino", "metacopy", "verity", NULL };
/* The VFS's own, for any filesystem: superblock flags and the source name. */
static const char *const vfs_words[]
    = { "ro",   "rw",     "sync",   "async", "dirsync",  "lazytime",   "nolazytime",
        "mand", "nomand", "silent", "loud",  "posixacl", "noposixacl", NULL };

static bool
in (const char *const *list, const char *s, size_t n)
{
  for (size_t i = 0; list[i]; i++)
    if (strlen (list[i]) == n && strncmp (list[i], s, n) == 0)
      return true;
  return false;
}

typedef struct
{
  hs_overlay_path_t *v;
  size_t n, cap;
} paths_t;

static void
add (paths_t *p, char *path, const char *key, hs_overlay_role_t role, bool alternative)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->v[i].path, path) == 0 && p->v[i].role == role)
      {
        p->v[i].alternative = p->v[i].alternative && alternative;
        free (path);
        return;
      }
  p->v = hs_xgrow (p->v, &p->cap, p->n + 1, sizeof (*p->v));
  p->v[p->n++] = (hs_overlay_path_t){ path, key, role, alternative };
}

/* ovl_unescape: a backslash makes the next character literal. */
static char *
unescape (const char *s, size_t n)
{
  char *out = hs_xmalloc (n + 1), *o = out;

  for (size_t i = 0; i < n; i++)
    {
      if (s[i] == '\\' && i + 1 < n)
        i++;
      *o++ = s[i];
    }
  *o = '\0';
  return out;
}

/* Every piece between any ':' or ',' (escapes ignored), with and without
 * its backslashes: what a parser that splits differently would open. */
static void
add_alternatives (paths_t *p, const char *v, const char *key, hs_overlay_role_t role)
{
  const char *s = v;

  for (;;)
    {
      size_t n = strcspn (s, ":,");
      const char *piece = s;
      size_t pn = n;
      const char *eq;

      /* "upperdir=/etc" hidden in a value: its path */
      while ((eq = memchr (piece, '=', pn)) != NULL)
        {
          pn -= (size_t) (eq + 1 - piece);
          piece = eq + 1;
        }
      if (pn > 0 && piece[0] == '/')
        {
          /* an option of its own to such a parser: it may be an upperdir */
          hs_overlay_role_t r = piece != s ? HS_OVERLAY_UPPER : role;
          add (p, hs_xstrndup (piece, pn), key, r, true);
          add (p, unescape (piece, pn), key, r, true);
        }
      if (s[n] == '\0')
        break;
      s += n + 1;
    }
}

static int
one_option (paths_t *p, const char *opt, size_t len, hs_error_t *err)
{
  const char *eq = memchr (opt, '=', len);
  size_t kl = eq ? (size_t) (eq - opt) : len;
  const char *v = eq ? eq + 1 : NULL;
  size_t vl = eq ? len - kl - 1 : 0;
  static const struct
  {
    const char *key;
    hs_overlay_role_t role;
    bool layers; /* ':'-separated, escaped */
    bool escaped;
  } keys[] = {
    { "lowerdir", HS_OVERLAY_LOWER, true, true },   { "upperdir", HS_OVERLAY_UPPER, false, true },
    { "workdir", HS_OVERLAY_UPPER, false, true },   { "lowerdir+", HS_OVERLAY_LOWER, false, false },
    { "datadir+", HS_OVERLAY_LOWER, false, false },
  };

  if (len == 0)
    return 0;
  for (size_t k = 0; k < sizeof (keys) / sizeof (keys[0]); k++)
    {
      cleanup_free char *value = NULL;
      const char *s;

      if (strlen (keys[k].key) != kl || strncmp (keys[k].key, opt, kl) != 0)
        continue;
      if (v == NULL || vl == 0)
        return keys[k].layers
                   ? 0 /* lowerdir= resets the layers */
                   : hs_error_make (err, 0, "overlay option `%.*s` needs a path", (int) len, opt);
      value = hs_xstrndup (v, vl);
      add_alternatives (p, value, keys[k].key, keys[k].role);
      if (!keys[k].layers)
        {
          char *path = keys[k].escaped ? unescape (value, vl) : hs_xstrdup (value);
          if (path[0] != '/')
            {
              int r = hs_error_make (err, 0,
                                     "overlay option `%s` names the relative path `%s` (relative "
                                     "to whatever directory the runtime is in): use an absolute "
                                     "path",
                                     keys[k].key, path);
              free (path);
              return r;
            }
          add (p, path, keys[k].key, keys[k].role, false);
          return 0;
        }
      /* layers: split at unescaped ':' ("::" marks the data-only layers) */
      s = value;
      for (;;)
        {
          size_t n = 0;
          char *path;

          while (s[n] != '\0' && s[n] != ':')
            n += (s[n] == '\\' && s[n + 1] != '\0') ? 2 : 1;
          if (n > 0)
            {
              path = unescape (s, n);
              if (path[0] != '/')
                {
                  int r = hs_error_make (err, 0,
                                         "overlay option `lowerdir` names the relative path `%s` "
                                         "(relative to whatever directory the runtime is in): "
                                         "use an absolute path",
                                         path);
                  free (path);
                  return r;
                }
              add (p, path, keys[k].key, keys[k].role, false);
            }
          if (s[n] == '\0')
            break;
          s += n + 1;
        }
      return 0;
    }
  if ((eq == NULL && (in (overlay_flags, opt, kl) || in (vfs_words, opt, kl)))
      || (eq != NULL && in (overlay_values, opt, kl)))
    return 0;
  return hs_error_make (err, 0,
                        "overlay option `%.*s` is not one hardshim knows (lowerdir, upperdir, "
                        "workdir, lowerdir+, datadir+, default_permissions, redirect_dir, index, "
                        "uuid, nfs_export, userxattr, xino, metacopy, verity, volatile)",
                        (int) len, opt);
}

int
hs_overlay_paths (const char *data, hs_overlay_path_t **ret, size_t *ret_n, hs_error_t *err)
{
  paths_t p = { 0 };
  const char *s = data;

  for (;;)
    {
      size_t n = 0;

      /* ovl_next_opt: ',' separates options unless escaped */
      while (s[n] != '\0' && s[n] != ',')
        n += (s[n] == '\\' && s[n + 1] != '\0') ? 2 : 1;
      if (one_option (&p, s, n, err) < 0)
        {
          hs_overlay_paths_free (p.v, p.n);
          return -1;
        }
      if (s[n] == '\0')
        break;
      s += n + 1;
    }
  *ret = p.v;
  *ret_n = p.n;
  return 0;
}

void
hs_overlay_paths_free (hs_overlay_path_t *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i].path);
  free (v);
}

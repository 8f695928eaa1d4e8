#include "hostpath.h"
#include "cleanup.h"
#include "harden/util_b.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_SYMLINKS 40 /* as the kernel's path walk */

static char *join (const char *dir, const char *rel);

/* a + "/" + b: paths are joined for every name of every mount a config
 * names, and printf costs ten times as much. */
static char *
slash_join (const char *a, const char *b)
{
  size_t na = strlen (a), nb = strlen (b);
  char *out = hs_xmalloc (na + nb + 2);

  memcpy (out, a, na);
  out[na] = '/';
  memcpy (out + na + 1, b, nb + 1);
  return out;
}

/* A `..` component anywhere in a relative path. */
static bool
has_dotdot (const char *p)
{
  for (;;)
    {
      size_t n = strcspn (p, "/");
      if (n == 2 && p[0] == '.' && p[1] == '.')
        return true;
      if (p[n] == '\0')
        return false;
      p += n + 1;
    }
}

/* One directory (or the final object) on the way down. */
typedef struct
{
  int fd;     /* O_PATH */
  size_t len; /* length of the resolved path up to and including it */
  struct stat st;
  bool replaceable; /* it, or a directory above it, can be replaced by a non-root user */
  bool root_only;   /* a directory above it lets only root through */
} level_t;

typedef struct
{
  level_t *lv;
  size_t n, cap;
  char *path; /* the resolved path so far */
  size_t path_cap;
} walk_t;

static void
walk_release (walk_t *w)
{
  for (size_t i = 0; i < w->n; i++)
    if (w->lv[i].fd >= 0)
      close (w->lv[i].fd);
  free (w->lv);
  free (w->path);
}

static level_t *
top (walk_t *w)
{
  return &w->lv[w->n - 1];
}

static void
pop_to (walk_t *w, size_t n)
{
  while (w->n > n)
    {
      close (top (w)->fd);
      w->n--;
    }
  w->path[top (w)->len] = '\0';
}

/* Can a host user other than root rename `child` out of `parent` (and put
 * something else in its place)? */
static bool
others_can_replace (const struct stat *parent, const struct stat *child)
{
  bool writable;

  if (parent->st_uid != 0)
    return true; /* the owner can always chmod and rename */
  writable = (parent->st_mode & S_IWOTH) || ((parent->st_mode & S_IWGRP) && parent->st_gid != 0);
  if (!writable)
    return false;
  /* sticky: only the entry's owner (and root) may rename it */
  return !(parent->st_mode & S_ISVTX) || child->st_uid != 0;
}

/* A directory that only root can pass through: root's, no search bit for
 * others nor for a group other than root's, and no ACL granting one. */
static bool
only_root_passes (int fd, const struct stat *st)
{
  char proc[64];

  if (!S_ISDIR (st->st_mode) || st->st_uid != 0 || (st->st_mode & S_IXOTH)
      || ((st->st_mode & S_IXGRP) && st->st_gid != 0))
    return false;
  /* fgetxattr does not take O_PATH descriptors; the magic link does */
  snprintf (proc, sizeof (proc), "/proc/self/fd/%d", fd);
  return getxattr (proc, "system.posix_acl_access", NULL, 0) < 0
         && (errno == ENODATA || errno == ENOTSUP);
}

static void
push (walk_t *w, const char *name, int fd, const struct stat *st)
{
  level_t *parent = top (w);
  size_t nl = strlen (name), len = parent->len + (parent->len > 1 ? 1 : 0) + nl;
  level_t l = {
    .fd = fd,
    .len = len,
    .st = *st,
    .replaceable = parent->replaceable || others_can_replace (&parent->st, st),
    .root_only = parent->root_only || only_root_passes (parent->fd, &parent->st),
  };

  w->path = hs_xgrow (w->path, &w->path_cap, len + 1, 1);
  if (parent->len > 1)
    w->path[parent->len] = '/';
  memcpy (w->path + len - nl, name, nl);
  w->path[len] = '\0';
  w->lv = hs_xgrow (w->lv, &w->cap, w->n + 1, sizeof (*w->lv));
  w->lv[w->n++] = l;
}

/* The absolute path to resolve: relative to `base`, which is relative to
 * the current directory when it is relative itself. */
static char *
absolute (const char *path, const char *base, hs_error_t *err)
{
  char cwd[PATH_MAX];

  if (path[0] == '/')
    return hs_xstrdup (path);
  if (base != NULL && base[0] == '/')
    return slash_join (base, path);
  if (getcwd (cwd, sizeof (cwd)) == NULL)
    {
      hs_error_make (err, errno, "resolve `%s`: the current directory", path);
      return NULL;
    }
  return base != NULL ? hs_xasprintf ("%s/%s/%s", cwd, base, path)
                      : hs_xasprintf ("%s/%s", cwd, path);
}

int
hs_hostpath_resolve (const char *path, const char *base, int flags, hs_hostpath_t *ret,
                     hs_error_t *err)
{
  __attribute__ ((cleanup (walk_release))) walk_t w = { 0 };
  cleanup_free char *todo = absolute (path, base, err);
  cleanup_free char *missing = NULL;
  const char *rest;
  struct statx stx;
  struct stat root_st;
  int links = 0, rfd;
  /* a symlink on the way could be replaced: so could what it leads to */
  bool via_replaceable = false;

  if (todo == NULL)
    return -1;
  rfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0 || fstat (rfd, &root_st) < 0)
    {
      if (rfd >= 0)
        close (rfd);
      return hs_error_make (err, errno, "resolve `%s`: open /", path);
    }
  w.lv = hs_xgrow (NULL, &w.cap, 8, sizeof (*w.lv));
  w.lv[w.n++] = (level_t){ .fd = rfd, .len = 1, .st = root_st };
  w.path = hs_xgrow (NULL, &w.path_cap, PATH_MAX, 1);
  strcpy (w.path, "/");

  rest = todo;
  for (;;)
    {
      cleanup_free char *comp = NULL;
      struct stat st;
      size_t cl;
      bool last;
      int fd;

      while (*rest == '/')
        rest++;
      if (*rest == '\0')
        break;
      cl = strcspn (rest, "/");
      comp = hs_xstrndup (rest, cl);
      rest += cl;
      last = rest[strspn (rest, "/")] == '\0';
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          if (w.n > 1)
            pop_to (&w, w.n - 1);
          continue;
        }
      if (fstatat (top (&w)->fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno != ENOENT)
            return hs_error_make (err, errno, "resolve `%s`: `%s`", path, w.path);
          /* what does not exist yet is only text */
          missing = slash_join (comp, rest);
          break;
        }
      if (S_ISLNK (st.st_mode) && !(last && (flags & HS_HOSTPATH_NOFOLLOW)))
        {
          char target[PATH_MAX];
          ssize_t n;
          char *next;

          via_replaceable
              = via_replaceable || top (&w)->replaceable || others_can_replace (&top (&w)->st, &st);
          if (++links > MAX_SYMLINKS)
            return hs_error_make (err, ELOOP, "resolve `%s`: more than %d symlinks", path,
                                  MAX_SYMLINKS);
          n = readlinkat (top (&w)->fd, comp, target, sizeof (target));
          if (n < 0 || (size_t) n >= sizeof (target))
            return hs_error_make (err, n < 0 ? errno : ENAMETOOLONG,
                                  "resolve `%s`: read symlink `%s/%s`", path, w.path, comp);
          target[n] = '\0';
          if (target[0] == '/')
            pop_to (&w, 1);
          next = slash_join (target, rest);
          free (todo);
          todo = next;
          rest = todo;
          continue;
        }
      if (!last && !S_ISDIR (st.st_mode))
        return hs_error_make (err, ENOTDIR, "resolve `%s`: `%s/%s` is not a directory", path,
                              w.path, comp);
      fd = openat (top (&w)->fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return hs_error_make (err, errno, "resolve `%s`: open `%s/%s`", path, w.path, comp);
      {
        struct stat again;
        /* replaced between the two looks: do not guess */
        if (fstat (fd, &again) < 0 || again.st_dev != st.st_dev || again.st_ino != st.st_ino)
          {
            close (fd);
            return hs_error_make (err, EAGAIN, "resolve `%s`: `%s/%s` changed while resolving",
                                  path, w.path, comp);
          }
      }
      push (&w, comp, fd, &st);
    }

  if (statx (top (&w)->fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
    return hs_error_make (err, errno, "resolve `%s`: statx `%s`", path, w.path);
  if (!(stx.stx_mask & STATX_MNT_ID))
    {
      /* before Linux 5.8: name_to_handle_at tells the mount id too */
      struct file_handle fh = { .handle_bytes = 0 };
      int mnt = -1;
      if (name_to_handle_at (top (&w)->fd, "", &fh, &mnt, AT_EMPTY_PATH) < 0 && errno != EOVERFLOW)
        return hs_error_make (err, errno, "resolve `%s`: the mount of `%s`", path, w.path);
      stx.stx_mnt_id = (uint64_t) mnt;
    }

  memset (ret, 0, sizeof (*ret));
  ret->st = top (&w)->st;
  ret->mnt_id = stx.stx_mnt_id;
  ret->replaceable = top (&w)->replaceable || via_replaceable;
  ret->redirectable = via_replaceable;
  ret->root_only = top (&w)->root_only;
  ret->fd = -1;
  if (missing != NULL)
    {
      cleanup_free char *tail = hs_path_clean (missing);
      size_t have = strlen (w.path);
      struct stat anyone = { .st_uid = (uid_t) -1 };

      /* the kernel cannot walk `..` out of what does not exist; whoever
       * creates it first decides where it leads: refuse to guess */
      if (has_dotdot (missing))
        return hs_error_make (err, ENOENT, "resolve `%s`: `..` after `%s`, which does not exist",
                              path, missing);
      /* whoever may create entries in the deepest existing directory
       * decides what the missing part becomes */
      ret->replaceable = ret->replaceable || others_can_replace (&top (&w)->st, &anyone);
      ret->root_only = ret->root_only || only_root_passes (top (&w)->fd, &top (&w)->st);
      ret->path = join (w.path, tail);
      ret->missing = ret->path + have + (have > 1 ? 1 : 0);
    }
  else
    {
      ret->path = hs_xstrdup (w.path);
      ret->missing = ret->path + strlen (ret->path);
      if (flags & HS_HOSTPATH_KEEP_FD)
        {
          /* the walk's own descriptor: what was judged is what is mounted */
          ret->fd = top (&w)->fd;
          top (&w)->fd = -1;
        }
    }
  return 0;
}

void
hs_hostpath_release (hs_hostpath_t *p)
{
  free (p->path);
  p->path = NULL;
  p->missing = NULL;
  if (p->fd >= 0)
    close (p->fd);
  p->fd = -1;
}

const hs_mount_t *
hs_hostpath_mount (const hs_hostpath_t *p, const hs_mountinfo_t *mi)
{
  return hs_mountinfo_find (mi, p->mnt_id);
}

/* `path` below `prefix` (both clean and absolute): the part after it,
 * without the leading '/' ("" for the same path); NULL when not below. */
static const char *
below (const char *path, const char *prefix)
{
  size_t n = strlen (prefix);

  if (strcmp (prefix, "/") == 0)
    return path + 1;
  if (strncmp (path, prefix, n) != 0 || (path[n] != '\0' && path[n] != '/'))
    return NULL;
  return path[n] == '/' ? path + n + 1 : path + n;
}

static char *
join (const char *dir, const char *rel)
{
  if (*rel == '\0')
    return hs_xstrdup (dir);
  return slash_join (strcmp (dir, "/") == 0 ? "" : dir, rel);
}

typedef struct
{
  hs_hostname_t *v;
  size_t n, cap;
} names_t;

static void
add_name (names_t *out, char *path, const hs_mount_t *via, bool whole)
{
  for (size_t i = 0; i < out->n; i++)
    if (strcmp (out->v[i].path, path) == 0)
      {
        out->v[i].whole = out->v[i].whole || whole;
        free (path);
        return;
      }
  out->v = hs_xgrow (out->v, &out->cap, out->n + 1, sizeof (*out->v));
  out->v[out->n++] = (hs_hostname_t){ .path = path, .via = via, .whole = whole };
}

/* Where the part `fs_path` of filesystem `dev` can be seen: through every
 * mount of that filesystem that shows it or a part of it. */
static void
names_of (const hs_mountinfo_t *mi, dev_t dev, const char *fs_path, bool whole, names_t *out)
{
  for (size_t i = 0; i < mi->n; i++)
    {
      const hs_mount_t *m = &mi->items[i];
      const char *rel;

      if (m->dev != dev)
        continue;
      if ((rel = below (fs_path, m->root)) != NULL)
        add_name (out, join (m->point, rel), m, whole);
      else if (below (m->root, fs_path) != NULL)
        add_name (out, hs_xstrdup (m->point), m, true);
    }
}

int
hs_hostpath_names (const hs_hostpath_t *p, const hs_mountinfo_t *mi, bool recursive,
                   hs_hostname_t **ret, size_t *ret_n, hs_error_t *err)
{
  const hs_mount_t *m = hs_hostpath_mount (p, mi);
  size_t have = (size_t) (p->missing - p->path);
  cleanup_free char *existing = NULL, *fs_path = NULL, *tmp = NULL;
  names_t out = { 0 };
  const char *rel;

  if (m == NULL)
    return hs_error_make (err, 0, "`%s`: its mount (id %llu) is not in /proc/self/mountinfo",
                          p->path, (unsigned long long) p->mnt_id);
  while (have > 1 && p->path[have - 1] == '/')
    have--;
  existing = hs_xstrndup (p->path, have);
  rel = below (existing, m->point);
  if (rel == NULL)
    return hs_error_make (err, 0, "`%s` is not below the point `%s` of the mount that holds it",
                          existing, m->point);
  tmp = join (m->root, rel);
  fs_path = join (tmp, p->missing);

  add_name (&out, hs_xstrdup (p->path), m, false);
  names_of (mi, m->dev, fs_path, false, &out);
  /* nothing is mounted below what does not exist */
  for (size_t i = 0; recursive && p->missing[0] == '\0' && i < mi->n; i++)
    {
      const hs_mount_t *sub = &mi->items[i];
      const char *r = below (sub->point, existing);

      /* an rbind brings every mount below: all of each is inside */
      if (r != NULL && *r != '\0')
        {
          add_name (&out, hs_xstrdup (sub->point), sub, true);
          names_of (mi, sub->dev, sub->root, true, &out);
        }
    }
  *ret = out.v;
  *ret_n = out.n;
  return 0;
}

void
hs_hostnames_free (hs_hostname_t *names, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (names[i].path);
  free (names);
}

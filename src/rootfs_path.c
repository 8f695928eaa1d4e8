#include "rootfs_path.h"
#include "cleanup.h"
#include "harden/util_b.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Without openat2: component by component with O_NOFOLLOW; a link before
 * the last component fails with ELOOP, like RESOLVE_NO_SYMLINKS. */
static int
open_walk (int rootfd, const char *rel)
{
  cleanup_free char *copy = hs_xstrdup (rel);
  cleanup_close int dir = -1;
  char *save = NULL, *name = strtok_r (copy, "/", &save);
  int at = rootfd;

  for (char *next; name != NULL; name = next)
    {
      int fd;

      next = strtok_r (NULL, "/", &save);
      if (next == NULL)
        return openat (at, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      fd = openat (at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          struct stat st;
          int saved = errno;

          if (saved == ENOTDIR && fstatat (at, name, &st, AT_SYMLINK_NOFOLLOW) == 0
              && S_ISLNK (st.st_mode))
            saved = ELOOP;
          errno = saved;
          return -1;
        }
      hs_closep (&dir);
      dir = fd;
      at = dir;
    }
  errno = ENOENT;
  return -1;
}

/* An O_PATH fd of `rel` itself (a link is not followed), or -1 with errno. */
static int
open_beneath (const hs_rootfs_t *r, const char *rel)
{
  struct open_how how = {
    .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH,
  };
  int fd = -1;

  if (r->nofollow)
    return open_walk (r->fd, rel);
  /* EAGAIN: a rename or mount somewhere on the host raced the lookup
   * (RESOLVE_BENEATH checks); the kernel asks callers to retry */
  for (int tries = 0; tries < 64; tries++)
    {
      fd = (int) syscall (SYS_openat2, r->fd, rel, &how, sizeof how);
      if (fd >= 0 || errno != EAGAIN)
        break;
    }
  if (fd < 0 && errno == ENOSYS)
    return open_walk (r->fd, rel);
  return fd;
}

int
hs_rootfs_lstat (const hs_rootfs_t *r, const char *rel, struct stat *ret, hs_error_t *err)
{
  cleanup_close int fd = -1;
  struct stat st;

  fd = open_beneath (r, rel);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return HS_ROOTFS_ABSENT;
      if (errno == ELOOP || errno == EXDEV)
        return hs_error_make (err, errno, "`%s`: a symbolic link on the way", rel);
      return hs_error_make (err, errno, "open `%s` in the root filesystem", rel);
    }
  if (fstat (fd, &st) < 0)
    return hs_error_make (err, errno, "stat `%s` in the root filesystem", rel);
  *ret = st;
  return 0;
}

int
hs_rootfs_readlink (const hs_rootfs_t *r, const char *rel, char **ret, hs_error_t *err)
{
  cleanup_close int fd = open_beneath (r, rel);
  char buf[4096];
  ssize_t n;

  if (fd < 0)
    return hs_error_make (err, errno, "open link `%s` in the root filesystem", rel);
  n = readlinkat (fd, "", buf, sizeof buf);
  if (n < 0)
    return hs_error_make (err, errno, "read link `%s` in the root filesystem", rel);
  if ((size_t) n >= sizeof buf)
    return hs_error_make (err, ENAMETOOLONG, "link `%s` in the root filesystem is too long", rel);
  buf[n] = '\0';
  *ret = hs_xstrdup (buf);
  return 0;
}

void
hs_rootfs_resolved_release (hs_rootfs_resolved_t *v)
{
  free (v->path);
  free (v->first_link);
  free (v->first_target);
  memset (v, 0, sizeof *v);
}

static char *
join (const char *a, const char *b)
{
  return hs_xasprintf ("%s/%s", a, b);
}

int
hs_rootfs_resolve (const hs_rootfs_t *r, const char *path, hs_rootfs_resolved_t *ret,
                   hs_error_t *err)
{
  hs_rootfs_resolved_t v = { 0 };
  cleanup_free char *todo = hs_xstrdup (path);
  cleanup_free char *done = hs_xstrdup ("");
  char *p = todo;

  for (;;)
    {
      cleanup_free char *cand = NULL;
      char *name, *rest;
      struct stat st;
      size_t n;
      int rr;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      n = strcspn (p, "/");
      name = hs_xstrndup (p, n);
      rest = p + n;
      if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        {
          char *slash;

          if (name[1] == '.' && (slash = strrchr (done, '/')) != NULL)
            *slash = '\0';
          free (name);
          p = rest;
          continue;
        }
      cand = join (done, name);
      free (name);
      v.below_proc = v.below_proc || hs_path_passes_below (cand, "/proc");
      rr = hs_rootfs_lstat (r, cand + 1, &st, err);
      if (rr < 0)
        {
          hs_rootfs_resolved_release (&v);
          return rr;
        }
      if (rr == HS_ROOTFS_ABSENT || (!S_ISDIR (st.st_mode) && !S_ISLNK (st.st_mode)))
        {
          /* the rest does not exist in the image: kept as text */
          cleanup_free char *all = hs_xasprintf ("%s%s", cand, rest);
          v.below_proc = v.below_proc || hs_path_passes_below (all, "/proc");
          free (done);
          done = hs_path_clean (all);
          break;
        }
      if (S_ISLNK (st.st_mode))
        {
          cleanup_free char *target = NULL;
          char *next;

          if (++v.links > HS_ROOTFS_MAX_LINKS)
            {
              hs_rootfs_resolved_release (&v);
              return hs_error_make (err, ELOOP, "`%s`: more than %d symbolic links", path,
                                    HS_ROOTFS_MAX_LINKS);
            }
          if ((rr = hs_rootfs_readlink (r, cand + 1, &target, err)) < 0)
            {
              hs_rootfs_resolved_release (&v);
              return rr;
            }
          if (v.first_link == NULL)
            {
              v.first_link = hs_xstrdup (cand);
              v.first_target = hs_xstrdup (target);
            }
          if (target[0] == '/')
            done[0] = '\0';
          next = hs_xasprintf ("%s%s", target, rest);
          free (todo);
          todo = next;
          p = todo;
          continue;
        }
      free (done);
      done = TAKE_PTR (cand);
      p = rest;
    }
  v.path = done[0] == '\0' ? hs_xstrdup ("/") : TAKE_PTR (done);
  *ret = v;
  return 0;
}

char *
hs_spec_rootfs_dir (const hs_json_t *spec, const char *bundle)
{
  const hs_json_t *path = hs_json_path (spec, "root", "path", NULL);

  if (path == NULL || path->type != HS_JSON_STRING || path->str[0] == '\0')
    return NULL;
  if (path->str[0] == '/' || bundle == NULL)
    return hs_xstrdup (path->str);
  return hs_xasprintf ("%s/%s", bundle, path->str);
}

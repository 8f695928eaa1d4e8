#include "rootfs.h"
#include "cleanup.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int
hs_rootfs_open (const char *path, hs_rootfs_t *ret, hs_error_t *err)
{
  int fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return hs_error_make (err, errno, "open root filesystem `%s`", path);
  ret->fd = fd;
  ret->nofollow = false;
  return 0;
}

void
hs_rootfs_close (hs_rootfs_t *r)
{
  hs_closep (&r->fd);
}

static bool
rel_ok (const char *rel)
{
  const char *p = rel;

  if (*rel == '\0' || *rel == '/')
    return false;
  while (*p)
    {
      size_t n = strcspn (p, "/");

      if ((n == 2 && p[0] == '.' && p[1] == '.') || n == 0)
        return false;
      p += n;
      if (*p == '/')
        p++;
    }
  return true;
}

/* Without openat2: every component with O_NOFOLLOW, so a link anywhere on
 * the path fails (ELOOP, or ENOTDIR for a link to a directory). */
static int
open_nofollow (int rootfd, const char *rel, int flags)
{
  cleanup_free char *copy = hs_xstrdup (rel);
  cleanup_close int dir = -1;
  char *save = NULL, *name = strtok_r (copy, "/", &save);
  int at = rootfd;

  for (char *next; name != NULL; name = next)
    {
      int fd;

      next = strtok_r (NULL, "/", &save);
      fd = openat (at, name, (next ? O_PATH | O_DIRECTORY : flags) | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return -1;
      hs_closep (&dir);
      dir = fd;
      at = dir;
    }
  if (flags & O_PATH)
    {
      /* O_PATH|O_NOFOLLOW opens a link itself: refuse it like the others */
      struct stat st;

      if (fstat (dir, &st) < 0)
        return -1;
      if (S_ISLNK (st.st_mode))
        {
          errno = ELOOP;
          return -1;
        }
    }
  return TAKE_FD (dir);
}

static int
open_in_root (const hs_rootfs_t *r, const char *rel, int flags)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;

  if (r->nofollow)
    return open_nofollow (r->fd, rel, flags);
  /* EAGAIN: a rename or mount somewhere on the host raced the lookup
   * (RESOLVE_IN_ROOT checks); the kernel asks callers to retry */
  for (int tries = 0; tries < 64; tries++)
    {
      fd = (int) syscall (SYS_openat2, r->fd, rel, &how, sizeof how);
      if (fd >= 0 || errno != EAGAIN)
        break;
    }
  if (fd < 0 && errno == ENOSYS)
    return open_nofollow (r->fd, rel, flags);
  return fd;
}

static int
open_error (const char *rel, hs_error_t *err)
{
  if (errno == ENOENT)
    return HS_ROOTFS_ABSENT;
  if (errno == ELOOP || errno == ENOTDIR)
    return hs_error_make (err, errno, "`%s` (a symbolic link on the way is refused)", rel);
  return hs_error_make (err, errno, "open `%s`", rel);
}

int
hs_rootfs_read (const hs_rootfs_t *r, const char *rel, size_t max, char **ret_buf, size_t *ret_len,
                hs_error_t *err)
{
  cleanup_close int path_fd = -1;
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  char proc[64];
  struct stat st;
  size_t len = 0;

  if (!rel_ok (rel))
    return hs_error_make (err, EINVAL, "bad path `%s` in the root filesystem", rel);
  /* O_PATH first: opening a device or FIFO the image planted can block or
   * have effects; only a regular file is opened for reading. */
  path_fd = open_in_root (r, rel, O_PATH);
  if (path_fd < 0)
    return open_error (rel, err);
  if (fstat (path_fd, &st) < 0)
    return hs_error_make (err, errno, "stat `%s`", rel);
  if (!S_ISREG (st.st_mode))
    return hs_error_make (err, 0, "`%s` is not a regular file", rel);
  if ((uint64_t) st.st_size > max)
    return hs_error_make (err, 0, "`%s` is %lld bytes, over the limit of %zu", rel,
                          (long long) st.st_size, max);
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", path_fd);
  fd = open (proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return hs_error_make (err, errno, "reopen `%s` through /proc", rel);

  /* One byte more than stat said, to see a file that grows meanwhile. */
  buf = hs_xmalloc ((size_t) st.st_size + 2);
  for (;;)
    {
      ssize_t n = read (fd, buf + len, (size_t) st.st_size + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hs_error_make (err, errno, "read `%s`", rel);
      if (n == 0)
        break;
      len += (size_t) n;
      if (len > (size_t) st.st_size)
        return hs_error_make (err, 0, "`%s` changed while it was read", rel);
    }
  buf[len] = '\0';
  *ret_buf = TAKE_PTR (buf);
  *ret_len = len;
  return 0;
}

static int
name_order (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

void
hs_strv_free (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

int
hs_rootfs_list (const hs_rootfs_t *r, const char *rel, size_t max_entries, char ***ret_names,
                hs_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  int fd;

  if (!rel_ok (rel))
    return hs_error_make (err, EINVAL, "bad path `%s` in the root filesystem", rel);
  fd = open_in_root (r, rel, O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    return open_error (rel, err);
  d = fdopendir (fd);
  if (d == NULL)
    {
      int saved = errno;

      close (fd);
      return hs_error_make (err, saved, "open directory `%s`", rel);
    }
  names = hs_xcalloc (1, sizeof *names);
  while ((errno = 0, e = readdir (d)) != NULL)
    {
      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if (n >= max_entries)
        {
          hs_strv_free (names);
          return hs_error_make (err, 0, "`%s` has more than %zu entries", rel, max_entries);
        }
      names = hs_xgrow (names, &cap, n + 2, sizeof *names);
      names[n++] = hs_xstrdup (e->d_name);
      names[n] = NULL;
    }
  if (errno != 0)
    {
      int saved = errno;

      hs_strv_free (names);
      return hs_error_make (err, saved, "read directory `%s`", rel);
    }
  qsort (names, n, sizeof *names, name_order);
  *ret_names = names;
  return 0;
}

#include "fileio.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

int
hs_open_dir (const char *path, hs_error_t *err)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return hs_error_make (err, errno, "open directory `%s`", path);
  return fd;
}

int
hs_open_parent (const char *path, char **ret_name, hs_error_t *err)
{
  const char *slash = strrchr (path, '/');
  cleanup_free char *dir = NULL;
  int fd;

  if (slash == NULL)
    dir = hs_xstrdup (".");
  else if (slash == path)
    dir = hs_xstrdup ("/");
  else
    dir = hs_xstrndup (path, slash - path);
  if (slash != NULL && slash[1] == '\0')
    return hs_error_make (err, EISDIR, "`%s`", path);
  fd = hs_open_dir (dir, err);
  if (fd < 0)
    return fd;
  *ret_name = hs_xstrdup (slash ? slash + 1 : path);
  return fd;
}

int
hs_read_file_at (int dirfd, const char *name, size_t max, char **ret_buf, size_t *ret_len,
                 struct stat *ret_st, hs_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  struct stat st;
  size_t len = 0;

  /* O_NONBLOCK: opening a FIFO planted there must not hang us. */
  fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      if (errno == ELOOP)
        return hs_error_make (err, 0, "`%s` is a symbolic link: refusing to follow it", name);
      return hs_error_make (err, errno, "open `%s`", name);
    }
  if (fstat (fd, &st) < 0)
    return hs_error_make (err, errno, "stat `%s`", name);
  if (!S_ISREG (st.st_mode))
    return hs_error_make (err, 0, "`%s` is not a regular file", name);
  if ((uint64_t) st.st_size > max)
    return hs_error_make (err, 0, "`%s` is %lld bytes, over the limit of %zu", name,
                          (long long) st.st_size, max);

  buf = hs_xmalloc ((size_t) st.st_size + 1);
  for (;;)
    {
      ssize_t n = read (fd, buf + len, (size_t) st.st_size + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hs_error_make (err, errno, "read `%s`", name);
      if (n == 0)
        break;
      len += (size_t) n;
      if (len > (size_t) st.st_size) /* grew while we read */
        return hs_error_make (err, 0, "`%s` changed while being read", name);
    }
  buf[len] = '\0';
  *ret_buf = TAKE_PTR (buf);
  *ret_len = len;
  if (ret_st)
    *ret_st = st;
  return 0;
}

int
hs_write_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      buf += n;
      len -= (size_t) n;
    }
  return 0;
}

static int
write_synced (int fd, const char *buf, size_t len, const char *name, bool sync, hs_error_t *err)
{
  int r = hs_write_all (fd, buf, len);

  if (r < 0)
    return hs_error_make (err, -r, "write `%s`", name);
  if (sync && fsync (fd) < 0)
    return hs_error_make (err, errno, "fsync `%s`", name);
  return 0;
}

static int
write_atomic (int dirfd, const char *name, const char *buf, size_t len, const struct stat *keep,
              bool sync, hs_error_t *err)
{
  cleanup_close int fd = -1;
  char tmp[512];
  uint64_t rnd = 0;
  int r;

  for (int attempt = 0; fd < 0; attempt++)
    {
      if (getrandom (&rnd, sizeof (rnd), 0) != sizeof (rnd))
        rnd ^= (uint64_t) getpid () * 2654435761u + (uint64_t) attempt;
      if ((size_t) snprintf (tmp, sizeof (tmp), ".%s.hardshim-%016llx", name,
                             (unsigned long long) rnd)
          >= sizeof (tmp))
        return hs_error_make (err, ENAMETOOLONG, "temporary file for `%s`", name);
      fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && (errno != EEXIST || attempt > 16))
        return hs_error_make (err, errno, "create temporary file in the directory of `%s`", name);
    }

  if (keep != NULL)
    {
      if (fchown (fd, keep->st_uid, keep->st_gid) < 0)
        {
          r = hs_error_make (err, errno, "chown temporary file for `%s`", name);
          goto fail;
        }
      if (fchmod (fd, keep->st_mode & 07777) < 0)
        {
          r = hs_error_make (err, errno, "chmod temporary file for `%s`", name);
          goto fail;
        }
    }
  r = write_synced (fd, buf, len, tmp, sync, err);
  if (r < 0)
    goto fail;
  /* No fsync of the directory: a rename lost to a crash leaves the old
   * file, and a crash ends the container whose file this was anyway. */
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      r = hs_error_make (err, errno, "rename temporary file over `%s`", name);
      goto fail;
    }
  return 0;

fail:
  unlinkat (dirfd, tmp, 0);
  return r;
}

int
hs_write_file_atomic_at (int dirfd, const char *name, const char *buf, size_t len,
                         const struct stat *keep, hs_error_t *err)
{
  return write_atomic (dirfd, name, buf, len, keep, true, err);
}

int
hs_write_state_file_at (int dirfd, const char *name, const char *buf, size_t len, hs_error_t *err)
{
  return write_atomic (dirfd, name, buf, len, NULL, false, err);
}

int
hs_write_new_file_at (int dirfd, const char *name, const char *buf, size_t len, mode_t mode,
                      hs_error_t *err)
{
  cleanup_close int fd = -1;
  int r;

  fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return hs_error_make (err, errno, "create `%s`", name);
  /* read at once by the runtime, worthless after a crash: not synced */
  r = write_synced (fd, buf, len, name, false, err);
  if (r < 0)
    unlinkat (dirfd, name, 0);
  return r;
}

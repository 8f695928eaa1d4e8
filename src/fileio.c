#include "fileio.h"
#include "cleanup.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
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

#define TEMP_TAG ".hardshim-"
#define TEMP_HEX 16

/* `.NAME.hardshim-` and 16 hex digits: a temp of ours for `name`. */
static bool
is_temp_of (const char *entry, const char *name)
{
  size_t n = strlen (name), tag = strlen (TEMP_TAG);

  if (entry[0] != '.' || strncmp (entry + 1, name, n) != 0
      || strncmp (entry + 1 + n, TEMP_TAG, tag) != 0)
    return false;
  entry += 1 + n + tag;
  for (int i = 0; i < TEMP_HEX; i++)
    if (!((entry[i] >= '0' && entry[i] <= '9') || (entry[i] >= 'a' && entry[i] <= 'f')))
      return false;
  return entry[TEMP_HEX] == '\0';
}

/* Remove what a writer killed between link and rename left of `name`: a
 * regular file of ours (or of the owner `name` keeps) whose writer is gone
 * (a live one holds its flock). */
static void
prune_stale_temps (int dirfd, const char *name, const struct stat *keep)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int dup_fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 3);

  if (dup_fd < 0)
    return;
  d = fdopendir (dup_fd);
  if (d == NULL)
    {
      close (dup_fd);
      return;
    }
  rewinddir (d); /* the offset is shared with dirfd: an earlier walk left it at the end */
  while ((de = readdir (d)) != NULL)
    {
      cleanup_close int fd = -1;
      struct stat st, again;

      if (!is_temp_of (de->d_name, name))
        continue;
      fd = openat (dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode)
          || (st.st_uid != geteuid () && (keep == NULL || st.st_uid != keep->st_uid))
          || flock (fd, LOCK_EX | LOCK_NB) < 0)
        continue;
      /* still the file we locked under that name */
      if (fstatat (dirfd, de->d_name, &again, AT_SYMLINK_NOFOLLOW) == 0 && again.st_dev == st.st_dev
          && again.st_ino == st.st_ino)
        unlinkat (dirfd, de->d_name, 0);
    }
}

/* An unnamed file in dirfd (O_TMPFILE): nothing partial ever has a name.
 * -1 where the file system cannot, so the caller names one itself. */
static int
open_unnamed (int dirfd)
{
#ifdef O_TMPFILE
  return openat (dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
#else
  (void) dirfd;
  errno = EOPNOTSUPP;
  return -1;
#endif
}

static int
link_unnamed (int fd, int dirfd, const char *tmp)
{
  char proc[64];

  if (linkat (fd, "", dirfd, tmp, AT_EMPTY_PATH) == 0)
    return 0;
  /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH */
  snprintf (proc, sizeof (proc), "/proc/self/fd/%d", fd);
  return linkat (AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW);
}

/* The temp is written unnamed, holds a flock while it has a name, and is
 * linked under `.NAME.hardshim-<random>` only to be renamed at once: a
 * kill leaves at most a complete copy for that moment, which the next
 * write of `name` removes (its flock died with its writer). */
static int
write_atomic (int dirfd, const char *name, const char *buf, size_t len, const struct stat *keep,
              bool sync, hs_error_t *err)
{
  cleanup_close int fd = -1;
  char tmp[512];
  uint64_t rnd = 0;
  bool named = false;
  int r;

  if ((size_t) snprintf (tmp, sizeof (tmp), ".%s" TEMP_TAG "%016llx", name, 0ull) >= sizeof (tmp))
    return hs_error_make (err, ENAMETOOLONG, "temporary file for `%s`", name);
  prune_stale_temps (dirfd, name, keep);
  fd = open_unnamed (dirfd);
  for (int attempt = 0; fd < 0; attempt++)
    {
      if (getrandom (&rnd, sizeof (rnd), 0) != sizeof (rnd))
        rnd ^= (uint64_t) getpid () * 2654435761u + (uint64_t) attempt;
      snprintf (tmp, sizeof (tmp), ".%s" TEMP_TAG "%016llx", name, (unsigned long long) rnd);
      fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && (errno != EEXIST || attempt > 16))
        return hs_error_make (err, errno, "create temporary file in the directory of `%s`", name);
      named = fd >= 0;
    }
  /* nobody else has it yet: the lock is ours at once, and a later prune
   * leaves the file alone while we live */
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      r = hs_error_make (err, errno, "lock temporary file for `%s`", name);
      goto fail;
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
  r = write_synced (fd, buf, len, named ? tmp : name, sync, err);
  if (r < 0)
    goto fail;
  for (int attempt = 0; !named; attempt++)
    {
      if (getrandom (&rnd, sizeof (rnd), 0) != sizeof (rnd))
        rnd ^= (uint64_t) getpid () * 2654435761u + (uint64_t) attempt;
      snprintf (tmp, sizeof (tmp), ".%s" TEMP_TAG "%016llx", name, (unsigned long long) rnd);
      if (link_unnamed (fd, dirfd, tmp) == 0)
        named = true;
      else if (errno != EEXIST || attempt > 16)
        return hs_error_make (err, errno, "link temporary file for `%s`", name);
    }
  /* No fsync of the directory: a rename lost to a crash leaves the old
   * file, and a crash ends the container whose file this was anyway. */
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      r = hs_error_make (err, errno, "rename temporary file over `%s`", name);
      goto fail;
    }
  return 0;

fail:
  if (named)
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

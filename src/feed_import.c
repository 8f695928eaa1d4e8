#include "feed_import.h"
#include "cleanup.h"
#include "fileio.h"
#include "xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 8

static bool
ends_with (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);

  return n >= m && strcmp (s + n - m, suffix) == 0;
}

static void
archive_freep (struct archive **a)
{
  if (*a != NULL)
    archive_read_free (*a);
}

int
hs_feed_import_zip_fd (int fd, const char *what, hs_osv_feed_t *osv, hs_error_t *err)
{
  __attribute__ ((cleanup (archive_freep))) struct archive *a = archive_read_new ();
  cleanup_free char *buf = NULL;
  struct archive_entry *e;
  int r;

  archive_read_support_format_zip (a);
  if (archive_read_open_fd (a, fd, 1 << 16) != ARCHIVE_OK)
    return hs_error_make (err, 0, "%s: %s", what, archive_error_string (a));
  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (e);
      la_int64_t size = archive_entry_size (e);
      size_t len = 0;
      cleanup_free char *where = NULL;

      if (archive_entry_filetype (e) != AE_IFREG || name == NULL || !ends_with (name, ".json"))
        continue;
      if (archive_entry_size_is_set (e) && (size < 0 || size > HS_OSV_RECORD_MAX))
        return hs_error_make (err, 0, "%s: `%s` is over %u bytes", what, name, HS_OSV_RECORD_MAX);
      where = hs_xasprintf ("%s: `%s`", what, name);
      if (buf == NULL)
        buf = hs_xmalloc (HS_OSV_RECORD_MAX + 1);
      for (;;)
        {
          la_ssize_t n = archive_read_data (a, buf + len, HS_OSV_RECORD_MAX + 1 - len);

          if (n < 0)
            return hs_error_make (err, 0, "%s: %s", where, archive_error_string (a));
          if (n == 0)
            break;
          len += (size_t) n;
          if (len > HS_OSV_RECORD_MAX)
            return hs_error_make (err, 0, "%s is over %u bytes", where, HS_OSV_RECORD_MAX);
        }
      if (hs_osv_add_record (osv, buf, len, where, err) < 0)
        return -1;
    }
  if (r != ARCHIVE_EOF)
    return hs_error_make (err, 0, "%s: %s", what, archive_error_string (a));
  return 0;
}

static int
import_file_at (int dirfd, const char *name, const char *what, hs_osv_feed_t *osv, hs_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  cleanup_free char *buf = NULL;
  char magic[4];
  size_t len;
  struct stat st;

  if (fd < 0)
    return hs_error_make (err, errno, "open `%s`", what);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return hs_error_make (err, 0, "`%s` is not a regular file", what);
  if (pread (fd, magic, 4, 0) == 4 && memcmp (magic, "PK\3\4", 4) == 0)
    return hs_feed_import_zip_fd (fd, what, osv, err);
  if (hs_read_file_at (dirfd, name, HS_OSV_RECORD_MAX, &buf, &len, NULL, err) < 0)
    return hs_error_wrap (err, "`%s`", what);
  return hs_osv_add_record (osv, buf, len, what, err);
}

static int
name_order (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
import_dir (int fd, const char *what, int depth, hs_osv_feed_t *osv, hs_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  int r = 0;

  if (depth > MAX_DEPTH)
    return hs_error_make (err, 0, "`%s`: directories nested deeper than %d", what, MAX_DEPTH);
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return hs_error_make (err, errno, "open directory `%s`", what);
    }
  while ((e = readdir (d)) != NULL)
    {
      if (e->d_name[0] == '.')
        continue;
      names = hs_xgrow (names, &cap, n + 1, sizeof *names);
      names[n++] = hs_xstrdup (e->d_name);
    }
  /* sorted: the same directory always imports the same way */
  qsort (names, n, sizeof *names, name_order);
  for (size_t i = 0; i < n && r == 0; i++)
    {
      cleanup_free char *sub = hs_xasprintf ("%s/%s", what, names[i]);
      struct stat st;

      if (fstatat (dirfd (d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
        r = hs_error_make (err, errno, "stat `%s`", sub);
      else if (S_ISDIR (st.st_mode))
        {
          int sfd = openat (dirfd (d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          r = sfd < 0 ? hs_error_make (err, errno, "open `%s`", sub)
                      : import_dir (sfd, sub, depth + 1, osv, err);
        }
      else if (S_ISREG (st.st_mode)
               && (ends_with (names[i], ".json") || ends_with (names[i], ".zip")))
        r = import_file_at (dirfd (d), names[i], sub, osv, err);
    }
  for (size_t i = 0; i < n; i++)
    free (names[i]);
  free (names);
  return r;
}

int
hs_feed_import_path (const char *path, hs_osv_feed_t *osv, hs_error_t *err)
{
  struct stat st;
  cleanup_free char *name = NULL;
  cleanup_close int dirfd = -1;

  if (stat (path, &st) < 0)
    return hs_error_make (err, errno, "`%s`", path);
  if (S_ISDIR (st.st_mode))
    {
      int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

      if (fd < 0)
        return hs_error_make (err, errno, "open `%s`", path);
      return import_dir (fd, path, 0, osv, err);
    }
  dirfd = hs_open_parent (path, &name, err);
  if (dirfd < 0)
    return -1;
  return import_file_at (dirfd, name, path, osv, err);
}

#include "trusted_dir.h"
#include "caller.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* `path` is the directory judged; `target`, when it is above it, what
 * hardshim reads below. */
static int
judge (const struct stat *st, const char *path, const char *what, const char *target,
       hs_error_t *err)
{
  cleanup_free char *name = target
                                ? hs_xasprintf ("`%s`, on the way to %s `%s`,", path, what, target)
                                : hs_xasprintf ("%s `%s`", what, path);

  if (!hs_caller_trusts_owner (st->st_uid))
    return hs_error_make (err, 0,
                          "%s belongs to uid %u, not root: its owner could replace what hardshim "
                          "reads there (`chown root %s`)",
                          name, (unsigned) st->st_uid, path);
  /* symbolic links have mode 0777; what they point to is checked resolved */
  if (!S_ISDIR (st->st_mode) || !(st->st_mode & 0022))
    return 0;
  if (target != NULL && (st->st_mode & S_ISVTX))
    return 0; /* sticky: nobody else may rename root's entries */
  return hs_error_make (err, 0,
                        "%s is writable by group or others (mode %04o): they could rename what "
                        "hardshim reads there away or put something else in its place (`chmod "
                        "go-w %s`)",
                        name, (unsigned) (st->st_mode & 07777), path);
}

int
hs_trusted_dir_fd_check (int dirfd, const char *path, const char *what, hs_error_t *err)
{
  struct stat st;

  if (fstat (dirfd, &st) < 0)
    return hs_error_make (err, errno, "stat %s `%s`", what, path);
  return judge (&st, path, what, NULL, err);
}

/* Each proper prefix of the absolute `path`; *ret_missing when one is not there. */
static int
check_prefixes (const char *path, bool follow, const char *what, const char *target,
                bool *ret_missing, hs_error_t *err)
{
  cleanup_free char *p = hs_xstrdup (path);

  *ret_missing = false;
  for (char *slash = strchr (p + 1, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      struct stat st;
      int r;

      *slash = '\0';
      if ((follow ? stat (p, &st) : lstat (p, &st)) < 0)
        {
          if (errno == ENOENT || errno == ENOTDIR)
            {
              *ret_missing = true;
              return 0;
            }
          return hs_error_make (err, errno, "stat `%s`, on the way to %s `%s`", p, what, target);
        }
      if ((r = judge (&st, p, what, target, err)) < 0)
        return r;
      *slash = '/';
    }
  return 0;
}

int
hs_trusted_dir_above_check (const char *path, const char *what, hs_error_t *err)
{
  cleanup_free char *abs = NULL, *parent = NULL, *real = NULL, *child = NULL;
  char *slash;
  bool missing;
  int r;

  if (path[0] != '/')
    {
      cleanup_free char *cwd = getcwd (NULL, 0);
      if (cwd == NULL)
        return hs_error_make (err, errno, "resolve %s `%s`", what, path);
      abs = hs_xasprintf ("%s/%s", cwd, path);
    }
  else
    abs = hs_xstrdup (path);
  r = check_prefixes (abs, false, what, path, &missing, err);
  if (r < 0 || missing)
    return r;
  /* the same, resolved: a symbolic link on the way points somewhere else */
  parent = hs_xstrdup (abs);
  slash = strrchr (parent, '/');
  if (slash == parent)
    return 0;
  *slash = '\0';
  real = realpath (parent, NULL);
  if (real == NULL)
    return errno == ENOENT ? 0 : hs_error_make (err, errno, "resolve `%s`", parent);
  if (strcmp (real, "/") == 0)
    return 0;
  child = hs_xasprintf ("%s/x", real); /* `real` itself is a prefix of it */
  return check_prefixes (child, true, what, path, &missing, err);
}

int
hs_trusted_dir_check (const char *path, const char *what, hs_error_t *err)
{
  cleanup_close int fd = -1;
  int r;

  r = hs_trusted_dir_above_check (path, what, err);
  if (r < 0)
    return r;
  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : hs_error_make (err, errno, "open %s `%s`", what, path);
  return hs_trusted_dir_fd_check (fd, path, what, err);
}

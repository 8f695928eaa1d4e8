#include "state_dir.h"
#include "caller.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A directory above state_dir: root's, and nobody else may rename what
 * is in it (world-writable only with the sticky bit, as /tmp). In a
 * rootless engine's user namespace root's directories (/run/user) show
 * as the overflow uid. */
static int
check_above (const char *path, const struct stat *st, hs_error_t *err)
{
  if (!hs_caller_trusts_owner (st->st_uid))
    return hs_error_make (err, 0,
                          "`%s`, above the state directory, belongs to uid %u: only root may "
                          "own the directories on the way to it",
                          path, (unsigned) st->st_uid);
  if (S_ISDIR (st->st_mode) && (st->st_mode & 0022) && !(st->st_mode & S_ISVTX))
    return hs_error_make (err, 0,
                          "`%s`, above the state directory, is writable by group or others "
                          "(mode %03o): they could replace the state directory",
                          path, (unsigned) (st->st_mode & 0777));
  return 0;
}

/* Every prefix of `path` (not `path` itself), as written (symlinks are
 * lstat'ed where they are) and as resolved. */
static int
check_prefixes (const char *path, bool follow, hs_error_t *err)
{
  cleanup_free char *p = hs_xstrdup (path);

  for (char *slash = strchr (p + 1, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      struct stat st;
      int r;

      *slash = '\0';
      r = follow ? stat (p, &st) : lstat (p, &st);
      if (r < 0)
        return hs_error_make (err, errno, "stat `%s`", p);
      if ((r = check_above (p, &st, err)) < 0)
        return r;
      *slash = '/';
    }
  return 0;
}

static int
check_above_state_dir (const char *state_dir, hs_error_t *err)
{
  cleanup_free char *parent = hs_xstrdup (state_dir);
  cleanup_free char *real = NULL, *child = NULL;
  char *slash;
  int r;

  if (state_dir[0] != '/')
    return hs_error_make (err, 0, "state directory `%s` is not an absolute path", state_dir);
  r = check_prefixes (state_dir, false, err);
  if (r < 0)
    return r;
  slash = strrchr (parent, '/');
  if (slash == parent)
    return 0; /* below / itself */
  *slash = '\0';
  real = realpath (parent, NULL);
  if (real == NULL)
    return hs_error_make (err, errno, "resolve `%s`", parent);
  /* the resolved parent and its prefixes, checked through a child name */
  child = hs_xasprintf ("%s/x", real);
  return strcmp (real, "/") == 0 ? 0 : check_prefixes (child, true, err);
}

/* Open `name` below `atfd` as a directory of ours with exactly `mode`
 * (mkdir first). Write access for others is refused, not repaired: what
 * they may have put there is not to be trusted. */
static int
open_own_dir (int atfd, const char *name, const char *display, mode_t mode, hs_error_t *err)
{
  cleanup_close int fd = -1;
  struct stat st;

  if (mkdirat (atfd, name, mode) < 0 && errno != EEXIST)
    return hs_error_make (err, errno, "create `%s`", display);
  fd = openat (atfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hs_error_make (err, errno == ELOOP || errno == ENOTDIR ? 0 : errno, "open `%s`%s",
                          display, errno == ELOOP || errno == ENOTDIR ? ": not a directory" : "");
  if (fstat (fd, &st) < 0)
    return hs_error_make (err, errno, "stat `%s`", display);
  if (st.st_uid != geteuid () || (st.st_mode & 0022))
    return hs_error_make (err, 0,
                          "`%s` must be a directory owned by uid %u and writable only by it",
                          display, (unsigned) geteuid ());
  if ((st.st_mode & 07777) != mode && fchmod (fd, mode) < 0)
    return hs_error_make (err, errno, "chmod `%s`", display);
  return TAKE_FD (fd);
}

int
hs_state_subdir_open (const char *state_dir, const char *kind, mode_t mode, hs_error_t *err)
{
  cleanup_free char *path = hs_xasprintf ("%s/%s", state_dir, kind);
  cleanup_close int sfd = -1;
  int r;

  r = check_above_state_dir (state_dir, err);
  if (r < 0)
    return hs_error_wrap (err, "state directory `%s`", state_dir);
  /* searchable: the runtime reaches hardshim's mounts as the container's
   * unprivileged root */
  sfd = open_own_dir (AT_FDCWD, state_dir, state_dir, 0711, err);
  if (sfd < 0)
    return hs_error_wrap (err, "state directory");
  r = open_own_dir (sfd, kind, path, mode, err);
  if (r < 0)
    return hs_error_wrap (err, "state directory");
  return r;
}

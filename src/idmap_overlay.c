#include "idmap_overlay.h"
#include "cleanup.h"
#include "hostpath.h"
#include "idmap.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define WORK_NAME "hardshim-work"

/* Options a second mount of the same layers may repeat as they are; the
 * layers, index and nfs_export (which needs index: a second mount of an
 * upper layer in use must not take over its index), volatile and ro/rw
 * are hardshim's to set. Anything else: do not guess. */
static const char *const keep_opts[]
    = { "redirect_dir=", "metacopy=", "xino=", "userxattr", "uuid=", NULL };
static const char *const drop_opts[]
    = { "rw", "ro", "index=", "nfs_export=", "volatile", "workdir=", NULL };

static bool
opt_in (const char *opt, const char *const *list)
{
  for (size_t i = 0; list[i]; i++)
    {
      size_t n = strlen (list[i]);
      if (list[i][n - 1] == '=' ? strncmp (opt, list[i], n) == 0 : strcmp (opt, list[i]) == 0)
        return true;
    }
  return false;
}

void
hs_overlay_opts_release (hs_overlay_opts_t *o)
{
  for (size_t i = 0; i < o->n_lower; i++)
    free (o->lower[i]);
  free (o->lower);
  free (o->upper);
  free (o->keep);
  *o = (hs_overlay_opts_t){ 0 };
}

static int
parse_lower (char *v, hs_overlay_opts_t *o, hs_error_t *err)
{
  if (*v == '\0' || strstr (v, "::") != NULL)
    return hs_error_make (err, 0, "an overlay with data-only or empty lower layers (`%s`)", v);
  for (char *save = NULL, *l = strtok_r (v, ":", &save); l; l = strtok_r (NULL, ":", &save))
    {
      if (l[0] != '/')
        return hs_error_make (err, 0, "overlay layer `%s` is a relative path", l);
      o->lower = hs_xrealloc (o->lower, (o->n_lower + 1) * sizeof (*o->lower));
      o->lower[o->n_lower++] = hs_xstrdup (l);
    }
  return 0;
}

int
hs_overlay_opts_parse (const char *super, hs_overlay_opts_t *ret, hs_error_t *err)
{
  cleanup_free char *s = hs_xstrdup (super ? super : "");
  hs_overlay_opts_t o = { 0 };
  size_t keep_len = 0;
  int r = 0;

  /* a path with a comma, colon or backslash comes escaped: its layers
   * cannot be told apart reliably */
  if (strchr (s, '\\') != NULL)
    return hs_error_make (err, 0, "overlay options with escaped characters (`%s`)", super);
  o.keep = hs_xstrdup ("");
  for (char *save = NULL, *opt = strtok_r (s, ",", &save); opt && r == 0;
       opt = strtok_r (NULL, ",", &save))
    {
      if (strncmp (opt, "lowerdir=", 9) == 0)
        {
          if (o.n_lower > 0)
            r = hs_error_make (err, 0, "overlay options name lowerdir twice");
          else
            r = parse_lower (opt + 9, &o, err);
        }
      else if (strncmp (opt, "upperdir=", 9) == 0)
        {
          if (o.upper != NULL)
            r = hs_error_make (err, 0, "overlay options name upperdir twice");
          else if (opt[9] != '/')
            r = hs_error_make (err, 0, "overlay upper layer `%s` is a relative path", opt + 9);
          else
            o.upper = hs_xstrdup (opt + 9);
        }
      else if (opt_in (opt, keep_opts))
        {
          size_t n = strlen (opt);
          o.keep = hs_xrealloc (o.keep, keep_len + n + 2);
          if (keep_len > 0)
            o.keep[keep_len++] = ',';
          memcpy (o.keep + keep_len, opt, n + 1);
          keep_len += n;
        }
      else if (!opt_in (opt, drop_opts))
        r = hs_error_make (err, 0, "overlay option `%s` is not known to hardshim", opt);
    }
  if (r == 0 && o.n_lower == 0)
    r = hs_error_make (err, 0, "the overlay has no lower layer");
  if (r == 0 && o.upper == NULL)
    r = hs_error_make (err, 0, "the overlay has no upper layer");
  if (r < 0)
    {
      hs_overlay_opts_release (&o);
      return r;
    }
  *ret = o;
  return 0;
}

int
hs_idmap_overlay_kernel_supported (void)
{
  struct utsname u;
  unsigned major = 0, minor = 0;

  if (uname (&u) < 0 || sscanf (u.release, "%u.%u", &major, &minor) != 2)
    return 0;
  return major > 5 || (major == 5 && minor >= 19);
}

char *
hs_idmap_overlay_map (unsigned long long host, unsigned long long size)
{
  return hs_xasprintf ("0 %llu %llu\n%llu 0 1\n", host, size, size);
}

/* Only layers in engine storage that no other host user can enter or
 * change are idmapped. The upper layer gets files container root owns,
 * stored as the image's ids (0 on disk for root): a set-uid program
 * written there must be out of every other host user's reach. Through an
 * idmapped lower layer container root reads root's files as their owner:
 * that must be an image's layer, not a host tree some overlay happens to
 * show (the userns promise). Nobody else may swap a directory on the way
 * between this check and the clone. */
static int
check_private (const char *what, const char *path, hs_error_t *err)
{
  hs_hostpath_t p = { 0 };
  int r = hs_hostpath_resolve (path, NULL, 0, &p, err);

  if (r < 0)
    return r;
  if (p.missing[0] != '\0')
    r = hs_error_make (err, ENOENT, "the overlay's %s `%s`", what, path);
  else if (!p.root_only || p.replaceable)
    r = hs_error_make (err, 0,
                       "the overlay's %s `%s` is reachable or replaceable by host users other "
                       "than root (only layers in engine storage no one else can enter are "
                       "idmapped: container root would own their root-owned files)",
                       what, path);
  hs_hostpath_release (&p);
  return r;
}

static int
make_workdir (const char *parent, char **ret, hs_error_t *err)
{
  cleanup_free char *w = hs_xasprintf ("%s/" WORK_NAME, parent);
  struct stat st;

  if (mkdir (w, 0700) < 0 && errno != EEXIST)
    return hs_error_make (err, errno, "create the overlay work directory `%s`", w);
  if (lstat (w, &st) < 0)
    return hs_error_make (err, errno, "stat `%s`", w);
  if (!S_ISDIR (st.st_mode) || st.st_uid != 0)
    return hs_error_make (err, 0, "`%s` is not root's directory", w);
  *ret = TAKE_PTR (w);
  return 0;
}

static void
undo (const char *dir, size_t n_lower, bool upper)
{
  for (size_t i = 0; i < n_lower; i++)
    {
      cleanup_free char *t = hs_xasprintf ("%s/l%zu", dir, i);
      umount2 (t, MNT_DETACH);
      rmdir (t);
    }
  if (upper)
    {
      cleanup_free char *t = hs_xasprintf ("%s/u", dir);
      umount2 (t, MNT_DETACH);
      rmdir (t);
    }
}

/* mount(2) with the layers relative to dir: a page of options holds
 * about a hundred layers' names that way, a dozen absolute ones. */
static int
mount_overlay (const char *dir, const char *opts, hs_error_t *err)
{
  cleanup_close int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int r = 0, saved;

  if (cwd < 0)
    return hs_error_make (err, errno, "open the current directory");
  if (chdir (dir) < 0)
    return hs_error_make (err, errno, "enter `%s`", dir);
  if (mkdir ("rootfs", 0755) < 0 && errno != EEXIST)
    r = hs_error_make (err, errno, "create `%s/rootfs`", dir);
  else if (mount ("overlay", "rootfs", "overlay", 0, opts) < 0)
    {
      saved = errno;
      r = hs_error_make (err, saved, "mount the idmapped overlay at `%s/rootfs`", dir);
    }
  if (fchdir (cwd) < 0 && r == 0)
    r = hs_error_make (err, errno, "return to the current directory");
  return r;
}

int
hs_idmap_overlay (const hs_overlay_opts_t *o, const char *dir, int userns_fd, hs_error_t *err)
{
  cleanup_free char *parent = hs_xstrdup (o->upper), *work = NULL, *opts = NULL, *lower = NULL;
  char *slash = strrchr (parent, '/');
  const char *upper_name;
  size_t done = 0, len = 0;
  int r;

  if (slash == NULL || slash == parent || slash[1] == '\0')
    return hs_error_make (err, 0, "the overlay's upper layer `%s` has no parent directory",
                          o->upper);
  *slash = '\0';
  upper_name = slash + 1;
  r = check_private ("upper layer directory", parent, err);
  for (size_t i = 0; r == 0 && i < o->n_lower; i++)
    r = check_private ("lower layer", o->lower[i], err);
  if (r == 0)
    r = make_workdir (parent, &work, err);
  for (; r == 0 && done < o->n_lower; done++)
    {
      cleanup_free char *t = hs_xasprintf ("%s/l%zu", dir, done);
      /* read-only: overlay never writes a lower layer, and a stray
       * `rm -rf` of the state directory must not reach the image */
      r = hs_idmap_mount (o->lower[done], t, userns_fd, false, MOUNT_ATTR_RDONLY, err);
      if (r == 0)
        {
          lower = hs_xrealloc (lower, len + 32);
          len += (size_t) snprintf (lower + len, 32, "%sl%zu", done ? ":" : "", done);
        }
    }
  if (r < 0)
    {
      undo (dir, done, false);
      return r;
    }
  {
    cleanup_free char *t = hs_xasprintf ("%s/u", dir);
    r = hs_idmap_mount (parent, t, userns_fd, false, 0, err);
  }
  if (r == 0)
    {
      opts = hs_xasprintf ("lowerdir=%s,upperdir=u/%s,workdir=u/" WORK_NAME ",index=off%s%s", lower,
                           upper_name, o->keep[0] ? "," : "", o->keep);
      if (strlen (opts) >= 4096)
        r = hs_error_make (err, 0, "the overlay has too many layers (%zu) for one mount",
                           o->n_lower);
      else
        r = mount_overlay (dir, opts, err);
    }
  if (r < 0)
    undo (dir, o->n_lower, true);
  return r;
}

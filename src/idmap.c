#include "idmap.h"
#include "child.h"
#include "cleanup.h"
#include "registry.h"
#include "release.h"
#include "state_dir.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool
hs_idmap_kernel_supported (void)
{
  struct utsname u;
  unsigned major = 0, minor = 0;

  if (uname (&u) < 0 || sscanf (u.release, "%u.%u", &major, &minor) != 2)
    return false;
  return major > 5 || (major == 5 && minor >= 12);
}

static int
write_proc (pid_t pid, const char *file, const char *text, hs_error_t *err)
{
  cleanup_free char *path = hs_xasprintf ("/proc/%d/%s", (int) pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (text);

  if (fd < 0 || write (fd, text, len) != (ssize_t) len)
    return hs_error_make (err, errno, "write `%s`", path);
  return 0;
}

int
hs_idmap_userns_fd (const char *uid_map, const char *gid_map, hs_error_t *err)
{
  cleanup_free char *ns = NULL;
  int fd = -1, r = 0, status;
  pid_t pid, parent = getpid ();

  /* A child born in the new user namespace (clone like fork, so valgrind
   * follows it): no unshare and no handshake before the maps can be
   * written. It only has to exist until the ns file is open, and dies
   * with hardshim (a SIGKILL here must not leave it holding the
   * namespace). */
  pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    return hs_error_make (err, errno, "could not create a user namespace for the idmapped mount");
  if (pid == 0)
    {
      hs_child_init (parent, -1, 1);
      for (;;)
        pause ();
    }
  r = write_proc (pid, "uid_map", uid_map, err);
  if (r == 0)
    r = write_proc (pid, "gid_map", gid_map, err);
  if (r == 0)
    {
      ns = hs_xasprintf ("/proc/%d/ns/user", (int) pid);
      fd = open (ns, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        r = hs_error_make (err, errno, "open `%s`", ns);
    }
  kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return r < 0 ? r : fd;
}

int
hs_idmap_mount (const char *source, const char *target, int userns_fd, bool recursive,
                unsigned long long attrs, hs_error_t *err)
{
  unsigned rec = recursive ? AT_RECURSIVE : 0;
  struct mount_attr attr
      = { .attr_set = MOUNT_ATTR_IDMAP | attrs, .userns_fd = (unsigned) userns_fd };
  cleanup_close int tree = -1;
  struct stat st;

  if (stat (source, &st) < 0)
    return hs_error_make (err, errno, "stat `%s`", source);
  if (S_ISDIR (st.st_mode))
    {
      if (mkdir (target, 0755) < 0 && errno != EEXIST)
        return hs_error_make (err, errno, "create `%s`", target);
    }
  else
    {
      int fd = open (target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd < 0)
        return hs_error_make (err, errno, "create `%s`", target);
      close (fd);
    }
  tree = open_tree (AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
  if (tree < 0)
    return hs_error_make (err, errno, "open_tree `%s`", source);
  /* userns_fd < 0: a plain (not idmapped) clone, to give the tree a path
   * the container's unprivileged root can traverse, with `attrs` */
  if (userns_fd < 0)
    attr = (struct mount_attr){ .attr_set = attrs };
  if ((userns_fd >= 0 || attrs != 0)
      && mount_setattr (tree, "", AT_EMPTY_PATH | rec, &attr, sizeof (attr)) < 0)
    return hs_error_make (err, errno,
                          userns_fd >= 0 ? "idmap `%s` (mount_setattr; the filesystem may not "
                                           "support idmapped mounts)"
                                         : "set the flags of `%s` (mount_setattr)",
                          source);
  if (move_mount (tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return hs_error_make (err, errno, "move_mount `%s` to `%s`", source, target);
  return 0;
}

/* Mount points at or below dir, in mountinfo order (parents first). */
static char **
mounts_below (const char *dir, size_t *ret_n)
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0, len = strlen (dir), n = 0, lcap = 0;
  char **out = NULL;

  while (f != NULL && getline (&line, &lcap, f) > 0)
    {
      char mp[4096], *o = mp;
      const char *p;

      if (sscanf (line, "%*s %*s %*s %*s %4095s", mp) != 1)
        continue;
      /* undo mountinfo's octal escapes (\040 for a space) */
      for (p = mp; *p; p++)
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3])
          {
            *o++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
          }
        else
          *o++ = *p;
      *o = '\0';
      if (strncmp (mp, dir, len) != 0 || (mp[len] != '\0' && mp[len] != '/'))
        continue;
      out = hs_xgrow (out, &cap, n + 1, sizeof (*out));
      out[n++] = hs_xstrdup (mp);
    }
  *ret_n = n;
  return out;
}

int
hs_idmap_remove_dir (const char *dir, hs_error_t *err)
{
  /* mountinfo shows resolved paths (a state_dir may sit behind a symlink) */
  cleanup_free char *real = realpath (dir, NULL);
  size_t n = 0;
  char **mps = mounts_below (real ? real : dir, &n);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int r = 0;

  /* Children first: walk mountinfo backwards. */
  for (size_t i = n; i-- > 0;)
    {
      if (umount2 (mps[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT && r == 0)
        r = hs_error_make (err, errno, "unmount `%s`", mps[i]);
      free (mps[i]);
    }
  free (mps);
  if (r < 0)
    return r;
  d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : hs_error_make (err, errno, "open `%s`", dir);
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      /* Only our mount targets live here: empty dirs and empty files. */
      if (unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR) < 0
          && unlinkat (dirfd (d), de->d_name, 0) < 0 && r == 0)
        r = hs_error_make (err, errno, "remove `%s/%s`", dir, de->d_name);
    }
  if (r == 0 && rmdir (dir) < 0 && errno != ENOENT)
    r = hs_error_make (err, errno, "remove `%s`", dir);
  return r;
}

/* A fresh, unguessable name in the mount tree: the tree is searchable by
 * every container's root, so a name must not be derivable from the public
 * runtime root and container id. */
static char *
new_dir (const char *state_dir, hs_error_t *err)
{
  unsigned char rnd[16];
  char hex[33];

  if (getrandom (rnd, sizeof (rnd), 0) != (ssize_t) sizeof (rnd))
    {
      hs_error_make (err, errno, "getrandom");
      return NULL;
    }
  for (size_t i = 0; i < sizeof (rnd); i++)
    snprintf (hex + 2 * i, 3, "%02x", rnd[i]);
  return hs_xasprintf ("%s/%s/%s", state_dir, HS_STATE_MOUNTS, hex);
}

bool
hs_idmap_path_is_ours (const char *state_dir, const char *path)
{
  static const char *const trees[]
      = { HS_STATE_MOUNTS, HS_IDMAP_KIND /* where earlier versions made them */, NULL };
  size_t n = strlen (state_dir);

  if (strncmp (path, state_dir, n) != 0 || path[n] != '/')
    return false;
  if (strstr (path, "/../") != NULL || strstr (path, "/./") != NULL || strstr (path, "//") != NULL)
    return false;
  for (size_t i = 0; trees[i] != NULL; i++)
    {
      size_t t = strlen (trees[i]);

      if (strncmp (path + n + 1, trees[i], t) == 0 && path[n + 1 + t] == '/'
          && path[n + 2 + t] != '\0' && path[n + 2 + t] != '.')
        return true;
    }
  return false;
}

/* A container's directory as recorded: exactly one name below the tree. */
static bool
dir_is_ours (const char *state_dir, const char *dir)
{
  size_t n = strlen (state_dir);

  return hs_idmap_path_is_ours (state_dir, dir) && strchr (dir + n + 1, '/') != NULL
         && strchr (strchr (dir + n + 1, '/') + 1, '/') == NULL;
}

static const char *
record_dir (const hs_json_t *record)
{
  const hs_json_t *v = hs_json_get_exact (record, "value");
  const hs_json_t *d = v ? hs_json_get_exact (v, "dir") : NULL;

  return d && d->type == HS_JSON_STRING ? d->str : NULL;
}

/* The mount tree becomes a private mount of itself (once, like iproute2's
 * /run/netns), so the per-container mounts below it never propagate to
 * other mount namespaces, even under a shared /run. */
static int
ensure_private_mount (const char *path, hs_error_t *err)
{
  struct statx stx;

  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
    return hs_error_make (err, errno, "stat `%s`", path);
  if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
    return hs_error_make (err, 0, "cannot tell whether `%s` is a mount point", path);
  if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)
      && mount (path, path, "none", MS_BIND, NULL) < 0)
    return hs_error_make (err, errno, "bind-mount `%s` on itself", path);
  if (mount ("none", path, "none", MS_PRIVATE, NULL) < 0)
    return hs_error_make (err, errno, "make `%s` a private mount", path);
  return 0;
}

int
hs_idmap_prepare_dir (const char *state_dir, const char *dir, gid_t gid, hs_error_t *err)
{
  cleanup_free char *tree = hs_xasprintf ("%s/%s", state_dir, HS_STATE_MOUNTS);
  cleanup_close int tfd = -1, fd = -1;
  const char *name = strrchr (dir, '/') + 1;
  int r;

  if (!dir_is_ours (state_dir, dir) || strncmp (dir, tree, strlen (tree)) != 0)
    return hs_error_make (err, 0, "`%s` is not in hardshim's mount tree", dir);
  tfd = hs_state_subdir_open (state_dir, HS_STATE_MOUNTS, 0711, err);
  if (tfd < 0)
    return tfd;
  if ((r = ensure_private_mount (tree, err)) < 0)
    return r;
  /* Only root and the container's host ids may enter: the runtime's init
   * resolves root.path and the volumes as the container's root (its gid
   * is `gid` on the host), and nobody else may reach the image's set-uid
   * programs or the volumes through here. Closed before it is opened up. */
  if (mkdirat (tfd, name, 0700) < 0)
    return hs_error_make (err, errno, "create `%s`", dir);
  fd = openat (tfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hs_error_make (err, errno, "open `%s`", dir);
  if (fchown (fd, 0, gid) < 0 || fchmod (fd, 0710) < 0)
    return hs_error_make (err, errno, "give `%s` to gid %u", dir, (unsigned) gid);
  /* the type is ignored for binds and propagation changes; "none", not
   * NULL, keeps valgrind's mount(2) checker quiet */
  if (mount (dir, dir, "none", MS_BIND, NULL) < 0)
    return hs_error_make (err, errno, "bind-mount `%s` on itself", dir);
  if (mount ("none", dir, "none", MS_PRIVATE, NULL) < 0)
    {
      int e = errno;
      umount2 (dir, MNT_DETACH);
      return hs_error_make (err, e, "make `%s` a private mount", dir);
    }
  return 0;
}

/* Unmount and remove a recorded directory. Records are root's, but a path
 * outside hardshim's trees is never acted on: nothing of ours is there. */
static int
remove_recorded_dir (const char *state_dir, const char *dir, hs_error_t *err)
{
  if (!dir_is_ours (state_dir, dir))
    return 0;
  return hs_idmap_remove_dir (dir, err);
}

int
hs_idmap_record (const char *state_dir, const char *root, const char *id, char **ret_dir,
                 hs_error_t *err)
{
  hs_registry_t reg = { -1, -1, NULL };
  hs_registry_entry_t *entries = NULL;
  cleanup_free char *mine = hs_registry_key (root, id), *dir = NULL;
  hs_json_t *v;
  size_t n = 0;
  int r;

  r = hs_registry_lock (state_dir, HS_IDMAP_KIND, &reg, err);
  if (r < 0)
    return r;
  if (hs_registry_entries (&reg, &entries, &n, NULL) == 0)
    for (size_t i = 0; i < n; i++)
      {
        const char *d = record_dir (entries[i].record);

        if (d == NULL)
          continue;
        if (strcmp (entries[i].key, mine) == 0)
          /* a retried create: drop what an earlier attempt left behind */
          (void) remove_recorded_dir (state_dir, d, NULL);
        else if (!hs_registry_record_live (entries[i].record, time (NULL))
                 /* stale: its container is gone (e.g. `run` ended without delete) */
                 && remove_recorded_dir (state_dir, d, NULL) == 0)
          unlinkat (reg.dirfd, entries[i].key, 0);
      }
  hs_registry_entries_free (entries, n);
  dir = new_dir (state_dir, err);
  if (dir == NULL)
    r = -1;
  else
    {
      /* recorded before anything is made: a crash from here on leaves a
       * record to reclaim */
      v = hs_json_new (HS_JSON_OBJECT);
      hs_json_set_exact (v, "dir", hs_json_new_string (dir));
      r = hs_registry_put (&reg, root, id, v, err);
    }
  hs_registry_unlock (&reg);
  if (r == 0)
    *ret_dir = TAKE_PTR (dir);
  return r;
}

int
hs_idmap_release (const char *state_dir, const char *root, const char *id, hs_error_t *err)
{
  hs_registry_t reg = { -1, -1, NULL };
  cleanup_json hs_json_t *v = NULL;
  const hs_json_t *d;
  int r;

  r = hs_registry_lock (state_dir, HS_IDMAP_KIND, &reg, err);
  if (r < 0)
    return r;
  if (!hs_registry_releasable (&reg, root, id))
    {
      hs_registry_unlock (&reg);
      return hs_error_make (err, 0, HS_RELEASE_DEFERRED, id, "mounts");
    }
  v = hs_registry_get (&reg, root, id);
  d = v ? hs_json_get_exact (v, "dir") : NULL;
  if (d != NULL && d->type == HS_JSON_STRING)
    r = remove_recorded_dir (state_dir, d->str, err);
  if (r == 0)
    hs_registry_remove (&reg, root, id);
  hs_registry_unlock (&reg);
  return r;
}

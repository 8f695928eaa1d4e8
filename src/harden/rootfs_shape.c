/* rootfs_shape: the image may not shape the paths the runtime itself
 * creates, mounts onto or reopens. Both runtimes set up /dev before
 * pivot_root with paths joined to the rootfs on the host (runc's
 * filepath.Join in createDevices, setupPtmx, setupDevSymlinks; crun's
 * device and console setup through the rootfs fd without O_NOFOLLOW), so
 * a link in the image there resolves against the host. The rootfs is read
 * beneath its directory fd without following any link (rootfs_path.h). */
#include "harden/advisories.h"
#include "harden/controls.h"
#include "harden/mount_index.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "rootfs_path.h"
#include "xalloc.h"

#include <errno.h>
#include <string.h>
#include <sys/sysmacros.h>

#define CONTROL "rootfs_shape"

/* Directories the runtime mounts onto (or creates nodes in). */
static const struct
{
  const char *rel;
  const char *advisories;
} dirs[] = {
  { "dev", HS_ADV_DEV_LINK },
  { "proc", HS_ADV_PROC_LINK },
  { "sys", "runc and crun mount sysfs there" },
  { "dev/pts", HS_ADV_DEV_CONSOLE },
  { "dev/shm", HS_ADV_DEV_LINK },
  { "dev/mqueue", HS_ADV_DEV_LINK },
};

/* Nodes the runtime makes, binds or reopens, with their numbers. */
static const struct
{
  const char *rel;
  unsigned major, minor;
  const char *advisories;
} nodes[] = {
  { "dev/null", 1, 3, HS_ADV_DEV_NULL },       { "dev/zero", 1, 5, HS_ADV_DEV_NODE },
  { "dev/full", 1, 7, HS_ADV_DEV_NODE },       { "dev/random", 1, 8, HS_ADV_DEV_NODE },
  { "dev/urandom", 1, 9, HS_ADV_DEV_NODE },    { "dev/tty", 5, 0, HS_ADV_DEV_NODE },
  { "dev/console", 5, 1, HS_ADV_DEV_CONSOLE }, { "dev/ptmx", 5, 2, HS_ADV_DEV_CONSOLE },
};

static const char *
kind (mode_t m)
{
  if (S_ISLNK (m))
    return "a symbolic link";
  if (S_ISDIR (m))
    return "a directory";
  if (S_ISREG (m))
    return "a regular file";
  if (S_ISCHR (m))
    return "a character device";
  if (S_ISBLK (m))
    return "a block device";
  if (S_ISFIFO (m))
    return "a FIFO";
  if (S_ISSOCK (m))
    return "a socket";
  return "not a directory";
}

/* "a symbolic link to `T`" or the kind. */
static char *
describe (const hs_rootfs_t *root, const char *rel, const struct stat *st)
{
  cleanup_free char *target = NULL;
  hs_error_t e = NULL;

  if (S_ISLNK (st->st_mode) && hs_rootfs_readlink (root, rel, &target, &e) == 0)
    return hs_xasprintf ("a symbolic link to `%s`", target);
  hs_error_release (&e);
  return hs_xstrdup (kind (st->st_mode));
}

static int
check_dirs (hs_harden_t *h, const hs_rootfs_t *root, hs_error_t *err)
{
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
    {
      cleanup_error hs_error_t e = NULL;
      struct stat st;
      int r = hs_rootfs_lstat (root, dirs[i].rel, &st, &e);

      if (r == HS_ROOTFS_ABSENT || (r == 0 && S_ISDIR (st.st_mode)))
        continue;
      if (r < 0 && e->status == ELOOP)
        continue; /* a link above it, refused on its own line */
      if (r < 0)
        return hs_harden_refuse (h, err, "root.path", "image /%s: %s", dirs[i].rel, e->msg);
      {
        cleanup_free char *what = describe (root, dirs[i].rel, &st);
        if ((r = hs_harden_refuse (h, err, "root.path",
                                   "image /%s is %s: the runtime mounts onto it and creates "
                                   "files below it, and must not be led elsewhere (a real "
                                   "directory or nothing; advisories: %s)",
                                   dirs[i].rel, what, dirs[i].advisories))
            < 0)
          return r;
      }
    }
  return 0;
}

/* /dev/ptmx -> pts/ptmx is what both runtimes make themselves (a run
 * without a tmpfs /dev leaves it in the image): it stays inside /dev/pts,
 * which must be a real directory. */
static bool
ptmx_link (const hs_rootfs_t *root, const char *rel, const struct stat *st)
{
  cleanup_free char *target = NULL;
  hs_error_t e = NULL;
  bool ok;

  if (strcmp (rel, "dev/ptmx") != 0 || !S_ISLNK (st->st_mode))
    return false;
  ok = hs_rootfs_readlink (root, rel, &target, &e) == 0 && strcmp (target, "pts/ptmx") == 0;
  hs_error_release (&e);
  return ok;
}

static int
check_nodes (hs_harden_t *h, const hs_rootfs_t *root, hs_error_t *err)
{
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
    {
      cleanup_error hs_error_t e = NULL;
      cleanup_free char *what = NULL;
      struct stat st;
      int r = hs_rootfs_lstat (root, nodes[i].rel, &st, &e);

      if (r == HS_ROOTFS_ABSENT || (r < 0 && e->status == ELOOP))
        continue; /* absent, or /dev itself is a link (refused above) */
      if (r < 0)
        return hs_harden_refuse (h, err, "root.path", "image /%s: %s", nodes[i].rel, e->msg);
      if (S_ISCHR (st.st_mode) && major (st.st_rdev) == nodes[i].major
          && minor (st.st_rdev) == nodes[i].minor)
        continue;
      if (ptmx_link (root, nodes[i].rel, &st))
        continue;
      /* Docker's init layer makes /dev/console an empty file (a bind
       * target): no link, no device, nothing to reopen or follow */
      if (S_ISREG (st.st_mode) && st.st_size == 0)
        continue;
      if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        what = hs_xasprintf ("%s %u:%u", kind (st.st_mode), major (st.st_rdev), minor (st.st_rdev));
      else
        what = describe (root, nodes[i].rel, &st);
      if ((r = hs_harden_refuse (h, err, "root.path",
                                 "image /%s is %s: the runtime uses that node as the host's "
                                 "(absent, an empty file or character device %u:%u; "
                                 "advisories: %s)",
                                 nodes[i].rel, what, nodes[i].major, nodes[i].minor,
                                 nodes[i].advisories))
          < 0)
        return r;
    }
  return 0;
}

static const char *
dest_of (const hs_json_t *m)
{
  const hs_json_t *d = m->type == HS_JSON_OBJECT ? hs_json_get (m, "destination") : NULL;

  return d != NULL && d->type == HS_JSON_STRING ? d->str : NULL;
}

static bool
is_tmpfs_dev (const hs_json_t *m, const char *cdest)
{
  const hs_json_t *t = hs_json_get (m, "type");

  return strcmp (cdest, "/dev") == 0 && t != NULL && t->type == HS_JSON_STRING
         && strcmp (t->str, "tmpfs") == 0;
}

/* The kernel filesystems the runtime mounts itself: a mount redirected
 * into one of them by a link in the image lands on what the runtime set
 * up (or, before it is, on what the image put there). */
static const char *
kernel_tree (const char *path)
{
  static const char *const trees[] = { "/proc", "/sys", "/dev", NULL };

  for (size_t i = 0; trees[i]; i++)
    if (hs_path_is_under (path, trees[i]))
      return trees[i];
  return NULL;
}

static int
check_mounts (hs_harden_t *h, const hs_rootfs_t *root, bool *ret_dev_tmpfs, hs_error_t *err)
{
  const hs_json_t *mounts = hs_json_get (h->spec, "mounts");
  hs_mount_index_t x;
  int r = 0;

  *ret_dev_tmpfs = false;
  hs_mount_index_init (&x, mounts);
  for (size_t i = 0; r == 0 && i < x.n; i++)
    {
      hs_rootfs_resolved_t v = { 0 };
      cleanup_error hs_error_t e = NULL;
      cleanup_free char *path = NULL;
      const char *dest = dest_of (mounts->items[i]), *tree;
      size_t j;

      if (x.dests[i] == NULL)
        continue; /* mounts refuses it */
      if (is_tmpfs_dev (mounts->items[i], x.dests[i]))
        *ret_dev_tmpfs = true;
      /* at or below an earlier mount: the image is not what the runtime walks */
      if (strcmp (x.dests[i], "/") == 0
          || hs_mount_index_above (&x, x.dests[i], i, false, true, false, &j))
        continue;
      path = hs_xasprintf ("mounts[%zu].destination", i);
      if (hs_rootfs_resolve (root, x.dests[i], &v, &e) < 0)
        {
          r = hs_harden_refuse (h, err, path, "mount destination %s in the image: %s", dest,
                                e->msg);
          continue;
        }
      tree = kernel_tree (v.path);
      if (v.links > 0 && tree != NULL && !hs_path_is_under (x.dests[i], tree))
        r = hs_harden_refuse (h, err, path,
                              "a symbolic link in the image (`%s` -> `%s`) leads the mount at %s "
                              "to %s, into %s that the runtime sets up (advisories: %s, %s)",
                              v.first_link, v.first_target, dest, v.path, tree, HS_ADV_DEV_NULL,
                              HS_ADV_PROC_LINK);
      hs_rootfs_resolved_release (&v);
    }
  hs_mount_index_release (&x);
  return r;
}

/* Device nodes are created at the path joined to the rootfs on the host
 * (runc createDevices, MkdirAll of the parent too). */
static int
check_devices (hs_harden_t *h, const hs_rootfs_t *root, bool dev_tmpfs, hs_error_t *err)
{
  const hs_json_t *devs = hs_json_path (h->spec, "linux", "devices", NULL);

  for (size_t i = 0; devs && devs->type == HS_JSON_ARRAY && i < devs->len; i++)
    {
      const hs_json_t *p
          = devs->items[i]->type == HS_JSON_OBJECT ? hs_json_get (devs->items[i], "path") : NULL;
      cleanup_free char *clean = NULL, *jpath = NULL;
      cleanup_error hs_error_t e = NULL;
      hs_rootfs_resolved_t v = { 0 };
      int r;

      if (p == NULL || p->type != HS_JSON_STRING)
        continue; /* devices refuses it */
      clean = hs_path_clean_dest (p->str);
      if (dev_tmpfs && hs_path_is_under (clean, "/dev"))
        continue; /* made in the fresh tmpfs, the image's /dev is hidden */
      jpath = hs_xasprintf ("linux.devices[%zu].path", i);
      if (hs_rootfs_resolve (root, clean, &v, &e) < 0)
        return hs_harden_refuse (h, err, jpath, "device path %s in the image: %s", p->str, e->msg);
      if (v.links > 0)
        r = hs_harden_refuse (h, err, jpath,
                              "a symbolic link in the image (`%s` -> `%s`) is on the way to the "
                              "device node %s, which the runtime creates before pivot_root with "
                              "the path joined on the host (advisories: %s)",
                              v.first_link, v.first_target, p->str, HS_ADV_DEV_LINK);
      else
        r = 0;
      hs_rootfs_resolved_release (&v);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  cleanup_free char *dir = hs_spec_rootfs_dir (h->spec, h->ctr ? h->ctr->bundle : NULL);
  cleanup_error hs_error_t e = NULL;
  hs_rootfs_t root = { .fd = -1 };
  bool dev_tmpfs = false;
  int r;

  (void) settings;
  if (dir == NULL)
    return 0; /* spec validation requires root.path */
  if (hs_rootfs_open (dir, &root, &e) < 0)
    {
      if (e->status == ENOENT)
        {
          /* the runtime fails without it; `hardshimctl check` of a bare config */
          hs_harden_note (h, "root.path", "rootfs %s not found: its shape is not checked", dir);
          return 0;
        }
      return hs_harden_refuse (h, err, "root.path", "%s", e->msg);
    }
  if ((r = check_dirs (h, &root, err)) == 0 && (r = check_nodes (h, &root, err)) == 0
      && (r = check_mounts (h, &root, &dev_tmpfs, err)) == 0)
    r = check_devices (h, &root, dev_tmpfs, err);
  hs_rootfs_close (&root);
  return r;
}

const hs_control_t hs_control_rootfs_shape = {
  .name = CONTROL,
  .summary = "the image may not shape /dev, /proc, /sys or the nodes and mount points the "
             "runtime makes (read without following links)",
  .doc = "Reads the rootfs beneath its directory fd, never following a link (openat2\n"
         "RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH). Refused: /dev, /proc, /sys, /dev/pts,\n"
         "/dev/shm, /dev/mqueue that exist but are not real directories; /dev/null,\n"
         "zero, full, random, urandom, tty, console, ptmx that exist but are not the\n"
         "character device with the right numbers (1:3, 1:5, 1:7, 1:8, 1:9, 5:0, 5:1,\n"
         "5:2), an empty regular file (Docker's init layer makes /dev/console one) or, for\n"
         "/dev/ptmx, the link pts/ptmx the runtimes make; a mount destination "
         "that a link in the image leads into /proc, /sys or\n"
         "/dev (a destination below an earlier mount is that mount's, not the\n"
         "image's); a linux.devices path with a link in the image on the way (the\n"
         "runtimes create device nodes with the path joined on the host; a path under a\n"
         "tmpfs /dev is made in the tmpfs). Covers runc CVE-2025-31133, CVE-2026-41579,\n"
         "CVE-2025-52565 (image form), CVE-2023-28642; crun CVE-2026-88264,\n"
         "CVE-2026-88265 and crun's device nodes through a linked /dev, whether or not\n"
         "the container gets a user namespace. A rootfs that does not exist is noted\n"
         "and not checked (the runtime fails). No settings.\n",
  .apply = apply,
  .read_only = true,
};

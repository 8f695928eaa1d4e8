/* hardshim: host paths judged by what they are, not by how they are
 * spelled. A path from a config (a bind source, an overlay layer, the
 * rootfs, a device node) is resolved component by component as the kernel
 * will resolve it at mount time, the object it names is identified (device,
 * inode, the mount that holds it), and every other host path under which
 * the same object can be seen is found from the mount table: a Docker
 * volume bound from `device=/` is the host's / whatever its path says.
 *
 *   hs_hostpath_t p;
 *   if (hs_hostpath_resolve (src, bundle, 0, &p, err) < 0) ...
 *   hs_hostpath_names (&p, mountinfo, recursive, &names, &n, err);
 *   ... judge p.path and each names[i].path ...
 *   hs_hostpath_release (&p);
 */
#ifndef HS_HOSTPATH_H
#define HS_HOSTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "error.h"
#include "mountinfo.h"

typedef struct
{
  /* Absolute and clean, every symlink resolved (the last one too unless
   * HS_HOSTPATH_NOFOLLOW): the path the runtime will really reach. */
  char *path;
  /* Points into `path`: the tail that does not exist yet ("" when it all
   * does), cleaned lexically. */
  const char *missing;
  /* What `path` names, or its deepest existing ancestor when `missing` is
   * not empty (st_dev, st_ino, st_mode, st_uid, st_rdev ...). */
  struct stat st;
  uint64_t mnt_id; /* the mount that holds it */
  /* A host user other than root can rename or replace one of the
   * directories or files on the way (a path only pinned by its string). */
  bool replaceable;
  /* A directory above it lets no one but root through: no other host user
   * can reach it by this path. */
  bool root_only;
  /* A symlink followed on the way can be replaced or re-pointed by a host
   * user other than root: where the path leads is theirs to choose, at any
   * moment (also `replaceable`). */
  bool redirectable;
  /* With HS_HOSTPATH_KEEP_FD: an O_PATH descriptor of what was resolved
   * (-1 when `missing` is not empty), closed by hs_hostpath_release. A
   * mount made from it is of the object judged, whatever is renamed
   * after (open_tree (fd, "", AT_EMPTY_PATH ...)). */
  int fd;
} hs_hostpath_t;

/* Do not follow a symlink in the last component (crun's `src-nofollow`). */
#define HS_HOSTPATH_NOFOLLOW 1
/* Keep the descriptor of what was resolved in `fd`. */
#define HS_HOSTPATH_KEEP_FD 2

/* Resolve `path`; a relative path is taken relative to `base` (the bundle;
 * NULL: the current directory). Fails on a loop of more than 40 symlinks,
 * a component that is not a directory, and I/O errors; a missing tail is
 * not an error. A symlink on the way that a host user other than root can
 * replace (or re-point) makes the result `redirectable` and `replaceable`. */
int hs_hostpath_resolve (const char *path, const char *base, int flags, hs_hostpath_t *ret,
                         hs_error_t *err);
void hs_hostpath_release (hs_hostpath_t *p);

typedef struct
{
  char *path;            /* a host path */
  const hs_mount_t *via; /* the mount through which it is seen */
  /* true: what was resolved contains all of `path` (a mount that shows
   * only a part of it); false: it is `path` itself. */
  bool whole;
} hs_hostname_t;

/* The mount that holds p (NULL when the mount table does not list it). */
const hs_mount_t *hs_hostpath_mount (const hs_hostpath_t *p, const hs_mountinfo_t *mi);
/* Every host path at which what `p` names can be seen: through each mount
 * of its filesystem that shows it (or a part of it), and with `recursive`
 * (an rbind brings the mounts below it) the same for every mount below
 * p->path. p->path itself comes first. The caller frees with
 * hs_hostnames_free. */
int hs_hostpath_names (const hs_hostpath_t *p, const hs_mountinfo_t *mi, bool recursive,
                       hs_hostname_t **ret, size_t *ret_n, hs_error_t *err);
void hs_hostnames_free (hs_hostname_t *names, size_t n);

#endif

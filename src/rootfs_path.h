/* Where a path inside a container's root filesystem leads, read without
 * ever following the image's links on the host: every component is opened
 * beneath the rootfs directory fd with openat2 RESOLVE_NO_SYMLINKS |
 * RESOLVE_BENEATH (or, where the kernel lacks openat2 or r->nofollow says
 * so, component by component with O_NOFOLLOW), and
 * a link is read as text and resolved as if the rootfs were /, the way
 * the runtimes' scoped lookups (runc's securejoin, crun's openat2
 * RESOLVE_IN_ROOT) resolve it. */
#ifndef HS_ROOTFS_PATH_H
#define HS_ROOTFS_PATH_H

#include <stdbool.h>
#include <sys/stat.h>

#include "json.h"
#include "rootfs.h"

/* More links than this on one path: refused like the kernel's ELOOP. */
#define HS_ROOTFS_MAX_LINKS 40

/* lstat of `rel` (relative, clean) beneath the rootfs, no link followed on
 * the way or at the end. 0, HS_ROOTFS_ABSENT (a component is missing or
 * not a directory), or < 0 (a link on the way: ELOOP; other errors). */
int hs_rootfs_lstat (const hs_rootfs_t *r, const char *rel, struct stat *ret, hs_error_t *err);

/* The text of the link `rel` (caller frees). */
int hs_rootfs_readlink (const hs_rootfs_t *r, const char *rel, char **ret, hs_error_t *err);

typedef struct
{
  char *path;         /* clean absolute path in the container */
  unsigned links;     /* links followed on the way */
  char *first_link;   /* the first link followed (absolute), or NULL */
  char *first_target; /* its text */
  /* The walk went below /proc (where procfs, once mounted, has magic
   * links such as /proc/self/fd/N: a later ".." does not undo them). */
  bool below_proc;
} hs_rootfs_resolved_t;

/* Resolve the absolute or relative (to "/") container path `path` inside
 * the rootfs: links followed as text, ".." never above "/", a missing
 * component ends the walk and the rest is kept lexically (below_proc is
 * still set when the rest passes below /proc). */
int hs_rootfs_resolve (const hs_rootfs_t *r, const char *path, hs_rootfs_resolved_t *ret,
                       hs_error_t *err);
void hs_rootfs_resolved_release (hs_rootfs_resolved_t *v);

/* The rootfs directory of a config: root.path, relative to `bundle`
 * (NULL: the current directory). NULL when the config names none. */
char *hs_spec_rootfs_dir (const hs_json_t *spec, const char *bundle);

#endif

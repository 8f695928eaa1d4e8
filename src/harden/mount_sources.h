/* The host paths a mount names (a bind source, an overlay layer, the
 * rootfs), judged by what they are: resolved as the kernel will resolve
 * them, and refused when any host name of the object (src/hostpath.h) is,
 * contains or lies in a sensitive host tree, is a device node, sits on a
 * kernel-interface filesystem, holds an engine socket, or is hardshim's
 * own binary, policy or state. Below a host system tree a bind must be
 * read-only. Used by the mounts control. */
#ifndef HS_HARDEN_MOUNT_SOURCES_H
#define HS_HARDEN_MOUNT_SOURCES_H

#include <stdbool.h>
#include <sys/stat.h>

#include "harden.h"
#include "harden/util_b.h"

typedef enum
{
  HS_SOURCE_BIND,   /* a bind source: below a system tree it becomes read-only */
  HS_SOURCE_ROOTFS, /* root.path: never a system tree */
  HS_SOURCE_LOWER,  /* an overlay layer read through */
  HS_SOURCE_UPPER,  /* an overlay upperdir/workdir, written: never a system tree */
} hs_source_role_t;

#define HS_SOURCE_RECURSIVE 1 /* the mounts below it come along (rbind, the rootfs) */
#define HS_SOURCE_NOFOLLOW 2  /* the last symlink is bound itself (crun src-nofollow) */

typedef struct
{
  hs_strlist_t sources;  /* refused when a name is or contains one */
  hs_strlist_t trees;    /* ... is, contains or lies below one */
  hs_strlist_t sockets;  /* file names of engine sockets */
  hs_strlist_t readonly; /* system trees: a bind below one is read-only */
  hs_strlist_t fstypes;  /* kernel interfaces, never a source */
  /* the lists again with each path's symlinks resolved (/lib is
   * /usr/lib on a merged-/usr host), and hardshim's own paths */
  char **resolved_sources, **resolved_trees, **resolved_readonly, **own;
  size_t n_sources, n_trees, n_readonly, n_own;
  struct stat self, runtime; /* hardshim's binary and the real runtime's */
  bool have_self, have_runtime;
  char *state_dir; /* resolved: hardshim's own mounts are below it */
  const char *bundle;
  char *bundle_dir;
} hs_source_rules_t;

/* `settings` (may be NULL) replaces the default lists key by key. */
void hs_source_rules_init (hs_source_rules_t *r, hs_harden_t *h, const hs_json_t *settings);
void hs_source_rules_release (hs_source_rules_t *r);

typedef struct
{
  char *resolved;      /* the path the runtime will reach: pin it in the config */
  char *refused;       /* why it is refused, or NULL */
  char *readonly;      /* the system tree it reaches into (a bind must be ro), or NULL */
  bool readonly_below; /* ... through a mount below it (an rbind needs rro) */
  bool replaceable;    /* a non-root host user can swap a component after the check */
  bool own_mount;      /* hardshim's own idmapped mount in a config checked again */
} hs_source_verdict_t;

/* Judge `path` (relative: to the bundle). Returns < 0 only when the mount
 * table cannot be read; a path that cannot be resolved is refused. */
int hs_source_judge (hs_harden_t *h, const hs_source_rules_t *rules, const char *path,
                     hs_source_role_t role, int flags, hs_source_verdict_t *ret, hs_error_t *err);
void hs_source_verdict_release (hs_source_verdict_t *v);

#endif

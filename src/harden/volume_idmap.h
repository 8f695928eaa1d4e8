/* Which bind volumes the userns control may idmap. An idmapped bind makes
 * container root the owner of the host's files in it: it may create
 * root-owned set-uid programs there, so a volume is idmapped only when it
 * is the container's own and no other host user can reach it: in an engine
 * volume store (Docker's, podman's) that only root can traverse, on the
 * store's own filesystem (not a mount of something else, as a local volume
 * with o=bind,device=... is), or in a tree the host policy names as the
 * containers' own. Elsewhere the container sees host files as nobody. */
#ifndef HS_HARDEN_VOLUME_IDMAP_H
#define HS_HARDEN_VOLUME_IDMAP_H

#include <stdbool.h>

#include "harden.h"
#include "harden/util_b.h"
#include "hostpath.h"

typedef struct
{
  hs_strlist_t stores; /* engine volume stores (userns.volume_stores) */
  hs_strlist_t own;    /* the policy's own trees (userns.own_volumes) */
  /* both lists with their symlinks resolved, made by the first decision
   * (a config may have thousands of volumes) */
  char **resolved_stores, **resolved_own;
} hs_volume_trees_t;

extern const char *const hs_volume_default_stores[];

/* Validate `userns.volume_stores` and `userns.own_volumes`. */
int hs_volume_trees_validate (const hs_json_t *settings, const char *control, hs_error_t *err);
/* From the control's settings (may be NULL), defaults where unset. */
void hs_volume_trees_from (const hs_json_t *settings, hs_volume_trees_t *ret);

/* May the bind volume `source` (as written; recursive: an rbind), which
 * resolved to `p`, be idmapped? false with *ret_why (caller frees) saying
 * why not. < 0 only when the mount table cannot be read. The caller mounts
 * p->fd, the object judged here. */
int hs_volume_idmap_allowed (hs_harden_t *h, hs_volume_trees_t *t, const char *source,
                             const hs_hostpath_t *p, bool recursive, bool *ret_allowed,
                             char **ret_why, hs_error_t *err);
/* No host name of `p` but its own (p->path) is within reach of host users
 * other than root (another mount of its filesystem, a mount below it when
 * `recursive`): else *ret_why (caller frees) names it. < 0 only when the
 * mount table cannot be read. */
int hs_all_names_root_only (hs_harden_t *h, const hs_hostpath_t *p, bool recursive, char **ret_why,
                            hs_error_t *err);
void hs_volume_trees_release (hs_volume_trees_t *t);

#endif

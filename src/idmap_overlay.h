/* hardshim: an idmapped copy of an overlay rootfs (an engine's "merged").
 *
 * overlayfs cannot be idmapped itself (mount_setattr: EINVAL), but its
 * layers can (Linux 5.19): each lower layer and the directory holding the
 * upper layer are cloned and idmapped with the container's mapping, and a
 * new overlay of those clones is mounted as the container's rootfs. Files
 * keep their owners inside the user namespace, and what container root
 * writes lands in the engine's upper layer with the image's ids, as
 * through the engine's own mount.
 *
 * The new overlay has its own work directory (`hardshim-work`, next to the
 * upper layer): an overlay mount cleans its work directory, so sharing the
 * engine's would break the engine's mount (`docker cp`). */
#ifndef HS_IDMAP_OVERLAY_H
#define HS_IDMAP_OVERLAY_H

#include <stddef.h>

#include "error.h"

typedef struct
{
  char **lower; /* lowerdir, top first */
  size_t n_lower;
  char *upper; /* upperdir */
  char *keep;  /* the options kept as they are ("redirect_dir=on,metacopy=on"), or "" */
} hs_overlay_opts_t;

/* The engine's overlay from its superblock options in mountinfo
 * ("rw,lowerdir=A:B,upperdir=U,workdir=W"). Refused (an error naming the
 * reason): no upper layer, a relative or escaped path, data-only layers,
 * an option not known to be safe to repeat. */
int hs_overlay_opts_parse (const char *super, hs_overlay_opts_t *ret, hs_error_t *err);
void hs_overlay_opts_release (hs_overlay_opts_t *o);

/* Overlays with idmapped layers need Linux 5.19 (uname -r). */
int hs_idmap_overlay_kernel_supported (void);

/* The uid_map/gid_map text of the idmap for a container whose ids 0..size-1
 * map to host..host+size-1: that mapping, plus host 0 (the overlay's
 * creator, which makes its work files) as id `size`, which the container
 * does not map (it sees such a file as nobody). Caller frees. */
char *hs_idmap_overlay_map (unsigned long long host, unsigned long long size);

/* Mount the idmapped overlay at dir/rootfs (dir: the container's prepared
 * mount directory; the lower layers' clones, read-only, go to dir/l<N>,
 * the upper layer's directory's to dir/u). userns_fd:
 * a user namespace with hs_idmap_overlay_map's mapping. On failure nothing
 * stays mounted. */
int hs_idmap_overlay (const hs_overlay_opts_t *o, const char *dir, int userns_fd, hs_error_t *err);

#endif

/* hardshim: idmapped mounts made by hardshim itself (the rootfs, and bind
 * volumes where the runtime ignores mount uidMappings).
 *
 * Each container gets a directory <state_dir>/idmap/<key>.d that is a
 * private bind mount of itself, so nothing mounted below it propagates to
 * other mount namespaces; the idmapped clones are moved below it. delete
 * (or stale-record reclaim) unmounts the lot and removes the directory. */
#ifndef HS_IDMAP_H
#define HS_IDMAP_H

#include <stdbool.h>

#include "error.h"

#define HS_IDMAP_KIND "idmap"

/* Idmapped mounts need Linux 5.12 (uname -r). */
bool hs_idmap_kernel_supported (void);

/* A user namespace whose uid_map and gid_map are the given texts ("0 H N\n"),
 * made by a short-lived child (the handover to the runtime stays an exec). */
int hs_idmap_userns_fd (const char *uid_map, const char *gid_map, hs_error_t *err);

/* The container's mount directory (created, made a private mount). */
int hs_idmap_prepare_dir (const char *dir, hs_error_t *err);
/* Clone `source` (a directory or file; with the mounts below it when
 * `recursive`, as rbind does), idmap it with `userns_fd` (every mount of the
 * clone must support it), set `attrs` (MOUNT_ATTR_NOSUID, _NODEV, _NOEXEC:
 * a runtime's bind of the clone keeps them) and attach it at `target`
 * (created, inside a prepared dir). `userns_fd` < 0 attaches a plain clone
 * (no idmap). */
int hs_idmap_mount (const char *source, const char *target, int userns_fd, bool recursive,
                    unsigned long long attrs, hs_error_t *err);
/* Unmount everything at or below `dir` in this mount namespace and remove
 * it. A directory whose mounts went away with their namespace is fine. */
int hs_idmap_remove_dir (const char *dir, hs_error_t *err);

/* Record `dir` for (root, id) in <state_dir>/idmap, reclaiming stale ones. */
int hs_idmap_record (const char *state_dir, const char *root, const char *id, const char *dir,
                     hs_error_t *err);
/* The directory for (root, id), fresh (an old one is removed first). */
char *hs_idmap_dir_for (const char *state_dir, const char *root, const char *id);
/* delete: remove the container's mounts and record. */
int hs_idmap_release (const char *state_dir, const char *root, const char *id, hs_error_t *err);

#endif

/* hardshim: idmapped mounts made by hardshim itself (the rootfs, and bind
 * volumes where the runtime ignores mount uidMappings).
 *
 * Each container gets a directory <state_dir>/mnt/<random> (root, group
 * the container's host gid, 0710: nobody else may enter) that is a private
 * bind mount of itself, so nothing mounted below it propagates to other
 * mount namespaces; the idmapped clones are moved below it. Its record is
 * <state_dir>/idmap/<key>.json. delete (or stale-record reclaim) unmounts
 * the lot and removes the directory. */
#ifndef HS_IDMAP_H
#define HS_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define HS_IDMAP_KIND "idmap"

/* Idmapped mounts need Linux 5.12 (uname -r). */
bool hs_idmap_kernel_supported (void);

/* A user namespace whose uid_map and gid_map are the given texts ("0 H N\n"),
 * made by a short-lived child (the handover to the runtime stays an exec). */
int hs_idmap_userns_fd (const char *uid_map, const char *gid_map, hs_error_t *err);

/* Create the container's mount directory `dir` (from hs_idmap_record)
 * for host gid `gid`, a private mount of itself in the private mount tree. */
int hs_idmap_prepare_dir (const char *state_dir, const char *dir, gid_t gid, hs_error_t *err);
/* Clone `source` (a directory or file; with the mounts below it when
 * `recursive`, as rbind does), idmap it with `userns_fd` (every mount of the
 * clone must support it), set `attrs` (MOUNT_ATTR_NOSUID, _NODEV, _NOEXEC:
 * a runtime's bind of the clone keeps them) and attach it at `target`
 * (created, inside a prepared dir). `userns_fd` < 0 attaches a plain clone
 * (no idmap). */
int hs_idmap_mount (const char *source, const char *target, int userns_fd, bool recursive,
                    unsigned long long attrs, hs_error_t *err);
/* The same from `source_fd` (O_PATH; `source` names it in messages): the
 * object that was judged, never its name resolved again. Paths a host
 * user or a container can rename under are mounted this way only. */
int hs_idmap_mount_fd (int source_fd, const char *source, const char *target, int userns_fd,
                       bool recursive, unsigned long long attrs, hs_error_t *err);
/* Unmount everything at or below `dir` in this mount namespace and remove
 * it. A directory whose mounts went away with their namespace is fine. */
int hs_idmap_remove_dir (const char *dir, hs_error_t *err);

/* A fresh mount directory for (root, id), recorded in <state_dir>/idmap
 * (an earlier one of the same container is removed, stale ones are
 * reclaimed). Caller frees *ret_dir. */
int hs_idmap_record (const char *state_dir, const char *root, const char *id, char **ret_dir,
                     hs_error_t *err);
/* Is `path` in a tree where hardshim makes its mounts (so hardshim made it)? */
bool hs_idmap_path_is_ours (const char *state_dir, const char *path);
/* delete: remove the container's mounts and record. */
int hs_idmap_release (const char *state_dir, const char *root, const char *id, hs_error_t *err);

#endif

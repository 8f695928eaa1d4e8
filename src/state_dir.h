/* hardshim: the state directory (policy `state_dir`, /run/hardshim).
 *
 * Nothing below it may be reachable by host users other than root, except
 * what the runtime must reach as a container's unprivileged root:
 *   state_dir            root, 0711 (searchable, not listable)
 *   state_dir/KIND       root, 0700 (records, caches, exec process files)
 *   state_dir/mnt        root, 0711: the tree of hardshim's mounts
 *   state_dir/mnt/RANDOM root:<container's host gid>, 0710 (src/idmap.c)
 * Every directory above state_dir must be root's and writable by nobody
 * else (a world-writable one only with the sticky bit), or a host user
 * could move state_dir away and put another in its place. */
#ifndef HS_STATE_DIR_H
#define HS_STATE_DIR_H

#include <sys/types.h>

#include "error.h"

#define HS_STATE_MOUNTS "mnt"

/* state_dir/`kind` (created with `mode`, an existing one brought to
 * exactly `mode`), after checking state_dir and every directory above it.
 * Returns an O_DIRECTORY fd (O_CLOEXEC), or < 0. */
int hs_state_subdir_open (const char *state_dir, const char *kind, mode_t mode, hs_error_t *err);

#endif

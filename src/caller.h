/* hardshim: who is calling. A rootless engine runs hardshim in a user
 * namespace of its own, where it is uid 0 but no id maps to host root:
 * nothing it starts can be more than the user who runs the engine. */
#ifndef HS_CALLER_H
#define HS_CALLER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* True when no id of hardshim's user namespace is host root (a rootless
 * engine's namespace), or hardshim runs as a host user other than root
 * without capabilities. Read once from /proc/self. */
bool hs_caller_unprivileged (void);

/* Whether the id map at `path` (/proc/PID/uid_map format) maps some id to
 * host id 0; an unreadable or malformed map counts as one that does. */
bool hs_caller_map_reaches_host_root (const char *path);

/* The uid a file owned by an id outside the caller's user namespace shows
 * as (/proc/sys/kernel/overflowuid, 65534). */
uid_t hs_caller_overflow_uid (void);

/* May a file owned by `uid` decide for hardshim (policy files, the
 * directories above the state directory)? Root's and the caller's; for an
 * unprivileged caller also the overflow uid, as which root's own files
 * (/etc/hardshim, /run/user) show in a rootless engine's namespace. */
bool hs_caller_trusts_owner (uid_t uid);

/* Where an unprivileged caller keeps hardshim's state and audit log, since
 * root's are out of its reach: `$XDG_RUNTIME_DIR/hardshim` (the per-user
 * runtime directory a rootless engine runs with, created 0711 if absent)
 * and `audit.jsonl` in it. */
int hs_caller_state_dir (char **ret_dir, char **ret_audit_log, hs_error_t *err);

#endif

/* hardshim: is a container verifiably gone?
 *
 * hardshim execs the runtime, so it never sees the runtime's `delete`
 * succeed: what a container holds (its user-namespace block, its mounts,
 * its SELinux categories) is given back only when the container is
 * verifiably not live. The judgement uses what the runtime keeps under its
 * root (runc <root>/<id>/state.json, crun <root>/<id>/status: the init pid
 * and its start time), and never the caller's cwd or mount namespace: the
 * root is recorded absolute, with the identity (device, inode) of the
 * directory and the pid namespace its creator saw. Whatever cannot be
 * verified from here counts as live. */
#ifndef HS_LIVENESS_H
#define HS_LIVENESS_H

#include <stdbool.h>
#include <time.h>

#include "json.h"

/* A record's create may still be on its way (the runtime creates its
 * state only after hardshim execs it) for this long. */
#define HS_LIVENESS_GRACE_SECONDS 120

/* The runtime root as an absolute path, independent of the cwd: resolved
 * (symlinks too) when it exists, else made absolute against the cwd with
 * `.` and `..` removed. Caller frees. */
char *hs_runtime_root_absolute (const char *root);

/* What a record keeps so a later judgement can tell it looks at the same
 * runtime root: {"dev": N, "ino": N, "pidns": N}. The root is created
 * (0700, as both runtimes do) if it does not exist yet. NULL when it
 * cannot be made or seen. */
hs_json_t *hs_liveness_witness (const char *root);

/* Is the container of a registry record ({"id", "root", "created",
 * "seen"}) verifiably gone: no state under the root the creator saw (and,
 * unless `at_delete`, past the grace period), or its init process is no
 * longer the one the runtime started (stopped: it can never run again)? */
bool hs_liveness_gone (const hs_json_t *record, time_t now, bool at_delete);

/* Does the runtime have (root, id) with its init process running (created,
 * running or paused)? A create of it would fail in the runtime, and must
 * not touch what the live container holds (runc execs into a container
 * from its rootfs path). */
bool hs_liveness_running (const char *root, const char *id);

/* Which container of the runtime root `root` has its running init process
 * in the namespace (dev, ino) of type `ns` (the /proc/PID/ns name)? Its id
 * (caller frees) and, if `ret_pid` is not NULL, the init pid; NULL when
 * none is. */
char *hs_liveness_ns_owner (const char *root, const char *ns, unsigned long long dev,
                            unsigned long long ino, unsigned long long *ret_pid);

#endif

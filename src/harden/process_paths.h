/* Shared by cwd_clean and exec_path: where a process's paths lead, first
 * as written, then through the image's links. procfs has magic links
 * (/proc/self/fd/N, /proc/<pid>/cwd, root, exe) that reach whatever the
 * runtime holds open when it chdirs or execs, the host included (runc's
 * leaked fds, CVE-2024-21626; its own binary, CVE-2019-5736), and a later
 * ".." does not undo them. */
#ifndef HS_HARDEN_PROCESS_PATHS_H
#define HS_HARDEN_PROCESS_PATHS_H

#include "harden.h"
#include "rootfs.h"

/* The rootfs a process path is resolved in: the config's own for a
 * create, the container's for an exec (absolute: container_state.c puts
 * the runtime's own record in place of a relative root.path). false when there is none to read;
 * a rootfs that is present but cannot be opened refuses. */
int hs_process_rootfs (hs_harden_t *h, hs_rootfs_t *ret, bool *ret_open, hs_error_t *err);

/* The process object being judged: `process` of the config, or of the
 * exec wrapper. NULL when absent or not an object. */
hs_json_t *hs_process_object (hs_harden_t *h);

/* The working directory the process starts in (the exec's own, else the
 * container's, else "/"). */
const char *hs_process_cwd (hs_harden_t *h);

/* Refuse `path` (absolute) when written it reaches /proc or below it, or
 * when a link in the image, or in the bind volume it then lies in (read
 * in the volume's source), leads it below /proc. `jpath` and `what` name
 * it in the message; `advisories` is appended. */
int hs_process_path_check (hs_harden_t *h, const hs_rootfs_t *root, const char *jpath,
                           const char *what, const char *path, const char *advisories,
                           hs_error_t *err);

#endif

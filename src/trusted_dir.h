/* hardshim: directories whose contents decide what containers may do (the
 * policy directory, policy.d, seccomp profile directories).
 *
 * Whoever may write such a directory can rename a root-owned file away or
 * put another in its place, so each must be root's and writable only by
 * root (the file checks alone do not stop a rename). The directories
 * above it must be root's too; those may be world-writable only with the
 * sticky bit (/tmp), where nobody else can rename root's entries. */
#ifndef HS_TRUSTED_DIR_H
#define HS_TRUSTED_DIR_H

#include <stdbool.h>

#include "error.h"

/* The directory open at `dirfd` (`path`, for messages; `what` says what it
 * holds, e.g. "policy directory"). */
int hs_trusted_dir_fd_check (int dirfd, const char *path, const char *what, hs_error_t *err);

/* Every directory above `path`, as written and as resolved. A component
 * that does not exist ends the check: nothing below it can be read. */
int hs_trusted_dir_above_check (const char *path, const char *what, hs_error_t *err);

/* Both for the directory `path`, opened here; a missing `path` is fine
 * (nothing is read from it) when its parents pass. */
int hs_trusted_dir_check (const char *path, const char *what, hs_error_t *err);

#endif

/* hardshim: careful file access. Files are opened relative to a directory
 * fd with O_NOFOLLOW|O_CLOEXEC and must be regular; writes go to a temp
 * file that is fsynced and renamed over the original, keeping mode and
 * owner, so a reader sees either the old file or the new one, never half. */
#ifndef HS_FILEIO_H
#define HS_FILEIO_H

#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

/* Open a directory (following symlinks in `path`; engines pass real paths). */
int hs_open_dir (const char *path, hs_error_t *err);

/* Split "a/b/c.json" into an fd for "a/b" and the name "c.json". */
int hs_open_parent (const char *path, char **ret_name, hs_error_t *err);

/* Read a regular file `name` (no '/') under dirfd, at most max bytes. */
int hs_read_file_at (int dirfd, const char *name, size_t max, char **ret_buf, size_t *ret_len,
                     struct stat *ret_st, hs_error_t *err);

/* Replace `name` under dirfd atomically; mode/owner from `keep` when not NULL,
 * else 0600 root. On failure the original is untouched and no temp remains;
 * the temp is unnamed while written (O_TMPFILE), and what a SIGKILL between
 * its link and rename leaves, the next write of `name` removes.
 * The data is synced before the rename: after a power loss the file is the
 * old one or the new one, never a torn one. */
int hs_write_file_atomic_at (int dirfd, const char *name, const char *buf, size_t len,
                             const struct stat *keep, hs_error_t *err);
/* The same for hardshim's own state (records, caches under state_dir), with
 * no fsync: state_dir is tmpfs in production, every reader treats a torn
 * record as unreadable (a cache miss, a record that still holds), and a
 * crash ends the containers the records describe. 0600 root. */
int hs_write_state_file_at (int dirfd, const char *name, const char *buf, size_t len,
                            hs_error_t *err);

/* Write a new file (O_EXCL) with `mode` (not synced: for files the runtime
 * reads at once, such as a hardened exec process file). */
int hs_write_new_file_at (int dirfd, const char *name, const char *buf, size_t len, mode_t mode,
                          hs_error_t *err);

int hs_write_all (int fd, const char *buf, size_t len);

#endif

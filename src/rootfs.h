/* Reading files inside a container's root filesystem. The image controls
 * every byte there, links included: paths resolve as if the rootfs were /
 * (openat2 RESOLVE_IN_ROOT, or where the kernel lacks it component by
 * component without following any link), only regular files are read, and
 * never more than the caller's limit. */
#ifndef HS_ROOTFS_H
#define HS_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

typedef struct
{
  int fd;        /* the rootfs directory (O_PATH) */
  bool nofollow; /* no openat2: refuse every symbolic link instead */
} hs_rootfs_t;

/* hs_rootfs_read and hs_rootfs_list return this when a path component does
 * not exist: the caller decides whether absence is an error. */
#define HS_ROOTFS_ABSENT 1

int hs_rootfs_open (const char *path, hs_rootfs_t *ret, hs_error_t *err);
void hs_rootfs_close (hs_rootfs_t *r);

/* Read the regular file `rel` (relative, no ".." components) into a
 * NUL-terminated buffer of at most `max` bytes. 0, HS_ROOTFS_ABSENT or < 0. */
int hs_rootfs_read (const hs_rootfs_t *r, const char *rel, size_t max, char **ret_buf,
                    size_t *ret_len, hs_error_t *err);

/* Names in the directory `rel` (sorted, without "." and ".."), at most
 * max_entries. The array and names are malloc'd, NULL-terminated. */
int hs_rootfs_list (const hs_rootfs_t *r, const char *rel, size_t max_entries, char ***ret_names,
                    hs_error_t *err);
void hs_strv_free (char **v);

#endif

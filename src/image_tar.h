/* An image archive (`docker save`, `podman save`, an OCI layout tar) as the
 * image gate sees it: only the files the gate reads (os-release and the
 * dpkg and apk databases) are unpacked, layer over layer, whiteouts
 * honoured, into a directory of the caller's. The archive is the image
 * author's: names with `..`, absolute names, links and sizes are judged,
 * and nothing is written outside the directory. */
#ifndef HS_IMAGE_TAR_H
#define HS_IMAGE_TAR_H

#include <stdbool.h>

#include "error.h"

/* Whether `path` looks like an image archive rather than a rootfs
 * directory (a regular file). */
bool hs_image_tar_is_archive (const char *path);

/* Unpack the gate's files of the image in the archive at `path` into the
 * empty directory `dirfd`. The archive must hold exactly one image. */
int hs_image_tar_unpack (const char *path, int dirfd, hs_error_t *err);

/* Whether a layer entry named `rel` (clean, relative) is one the gate
 * reads; exposed for tests. */
bool hs_image_tar_wanted (const char *rel);

#endif

/* hardshim: the mount table of hardshim's own mount namespace, parsed from
 * /proc/self/mountinfo (read once, by whoever first needs it). */
#ifndef HS_MOUNTINFO_H
#define HS_MOUNTINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

typedef struct
{
  uint64_t id;     /* mount id (statx STATX_MNT_ID, name_to_handle_at) */
  uint64_t parent; /* parent mount id */
  dev_t dev;       /* the filesystem: st_dev of every file on it */
  char *root;      /* what of the filesystem the mount shows ("/" for all of it) */
  char *point;     /* where it is mounted */
  char *fstype;    /* "ext4", "overlay", "fuse.sshfs" ... */
  char *source;    /* the mount source ("/dev/sda1", "overlay", "none") */
  char *super;     /* the filesystem's options (overlay: lowerdir=...) */
} hs_mount_t;

typedef struct hs_mountinfo_s
{
  hs_mount_t *items;
  size_t n;
} hs_mountinfo_t;

/* Read /proc/self/mountinfo. */
int hs_mountinfo_load (hs_mountinfo_t **ret, hs_error_t *err);
/* Parse mountinfo text (a test seam); lines that do not parse are an error. */
int hs_mountinfo_parse (const char *text, hs_mountinfo_t **ret, hs_error_t *err);
hs_mountinfo_t *hs_mountinfo_free (hs_mountinfo_t *mi);
const hs_mount_t *hs_mountinfo_find (const hs_mountinfo_t *mi, uint64_t id);

static inline void
hs_mountinfo_freep (hs_mountinfo_t **mi)
{
  *mi = hs_mountinfo_free (*mi);
}
#define cleanup_mountinfo __attribute__ ((cleanup (hs_mountinfo_freep)))

#endif
